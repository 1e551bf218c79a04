"""Property companies (物业服务企业) and their ratings (红黑榜) — DOMAIN.md §5.

- ``companies/``: the register — companies, staff, service contracts (models, rules for the
  credit code, services, forms, views);
- ``ratings/``: periods, evidence (surveys, inspections, complaints), credit records and
  objections, rectifications, scoring, publication and the printable report — one services
  module per concern, the pure arithmetic in ``ratings/rules.py``;
- at the top: ``models`` (every table, for app.py and other packages), ``services`` (what
  other packages call), ``districts`` (which district a request concerns), ``web`` and
  ``views`` (the one "property" blueprint), ``api``, ``cli``, ``demo``, ``plugin``.

Never ``import property`` bare (it shadows the builtin): ``from property import …``.
"""
