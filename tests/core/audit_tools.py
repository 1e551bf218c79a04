"""Reading the audit anchors printed on paper, and playing the attacker against the chain."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import sqlalchemy as sa

from core.extensions import db
from core.models import AuditEntry, AuditHead
from tests.conftest import guards_lifted

ANCHOR = re.compile(r"\b(\d+)/(\d+):([0-9a-f]{64})\b")


def pdf_text(pdf: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def anchors_in(pdf: bytes, tmp_path: Path, name: str = "doc") -> list[str]:
    return [m.group(0) for m in ANCHOR.finditer(pdf_text(pdf, tmp_path, name))]


def verify_cli(app, *anchors):
    args = ["audit", "verify"]
    for a in anchors:
        args += ["--anchor", a]
    return app.test_cli_runner().invoke(args=args)


def rewind(chain: int, to_seq: int) -> None:
    """The attack: delete the chain's entries after `to_seq` and move its head back to
    match, past the database's refusals (SQLite: triggers dropped, as anyone with the file
    can; PostgreSQL: replication role replica, a superuser's power)."""
    keep = db.session.execute(sa.select(AuditEntry.hash, AuditEntry.prev_hash).where(
        AuditEntry.chain == chain, AuditEntry.seq == to_seq)).one()
    conn = db.session.connection()
    with guards_lifted(conn):
        conn.execute(sa.delete(AuditEntry).where(AuditEntry.chain == chain,
                                                 AuditEntry.seq > to_seq))
        conn.execute(sa.update(AuditHead).where(AuditHead.chain == chain)
                     .values(seq=to_seq, hash=keep.hash, prev_hash=keep.prev_hash))
    db.session.commit()
