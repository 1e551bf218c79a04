"""The "附件" table a record's PDF ends with: each file attached to the record, by name, size
and SHA-256, so that a printed document names exactly the files it rests on (anyone holding a
file can hash it and compare). Plain data in; never queries."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from reportlab.platypus import Flowable

from reports.flowables import data_table, heading, para
from reports.formatting import cn_datetime


@dataclass(frozen=True)
class AttachedFile:
    name: str
    sha256: str
    size: int
    uploaded_at: datetime
    caption: str = ""


def attached(lines) -> tuple[AttachedFile, ...]:
    """The files as this table takes them, from any rows that have a name, sha256, size,
    uploaded_at and caption (core.attachments.services.files_of's lines)."""
    return tuple(AttachedFile(f.name, f.sha256, f.size, f.uploaded_at, f.caption or "")
                 for f in lines)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def _hash(sha256: str) -> str:
    """In four groups of 16, so that the cell wraps between them."""
    return " ".join(sha256[i:i + 16] for i in range(0, 64, 16))


def files_section(files: tuple[AttachedFile, ...], heading_text: str = "附件") -> list[Flowable]:
    """A heading and the table of files; nothing when the record has none."""
    if not files:
        return []
    return [
        heading(heading_text),
        data_table(
            ["序号", "文件名", "大小", "上传时间", "SHA-256"],
            [[str(n), f.name + (f"（{f.caption}）" if f.caption else ""), _size(f.size),
              cn_datetime(f.uploaded_at), _hash(f.sha256)] for n, f in enumerate(files, 1)],
            col_widths=(0.5, 2.6, 0.9, 1.6, 2.8),
            align=["center", "left", "right", "left", "left"],
        ),
        para(f"共 {len(files)} 个文件。附件原件存于同心系统；文件的 SHA-256 与上表一致即为原件"
             "（系统以 flask audit verify 逐一核验）。", style="small"),
    ]


def credit_files(credits) -> list[Flowable]:
    """The rating report's table of the credit records' evidence files: each file under its
    record's date and kind (rows with occurred_on, kind and files)."""
    return files_section(tuple(replace(f, name=f"{r.occurred_on} {r.kind}：{f.name}")
                               for r in credits for f in r.files), "信用记录附件")
