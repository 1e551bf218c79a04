"""PDF documents: the toolkit every builder uses, and one builder per document.

- ``fonts``: find, register and embed the CJK font (``FontNotFound`` says how to install).
- ``formatting``: ``yuan``, ``area``, ``pct``, ``cn_date``, ``cn_datetime``.
- ``styles``: page geometry, colours, paragraph styles.
- ``base``: ``PdfDocument`` (``story()`` → ``render()`` bytes; header, "第 n 页 共 N 页").
- ``flowables``: ``title``, ``para``, ``kv_table``, ``data_table``, ``checkbox_row``, …
- ``charts``: ``line_chart``, ``bar_chart``.
- ``linebreak``: Chinese line breaking (no line starts with "，" "。" "）", none ends with
  "（"), installed here for every Paragraph of every document.
- ``sample``: ``SampleNotice``, the pattern for a new builder.

Builders are fed plain dataclasses by a service and never query the database.
"""

from reports import linebreak

linebreak.install()
