"""Content-addressed files: a file's path is its SHA-256 (`ab/cd/abcdef…`) under
ATTACHMENT_ROOT (default `instance/attachments/`).

The same bytes are stored once, whatever their name or record. A file is written to a
temporary file in the root's `tmp/` (same file system), flushed to disk, then renamed into
place: a reader never sees half a file, and two hosts writing the same file at once write
the same bytes. Files are never changed by the application; `audit verify` re-hashes every
one (`check`), so a file swapped on disk is reported. The one removal is `sweep`: a file
stored more than an hour ago that no row names (its transaction failed after the bytes were
written) — never a file an attachment names, withdrawn or not.

Several hosts share the root by mounting the same network file system (NFS, CephFS) at the
same path on each (README "Attachments").
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

_CHUNK = 1024 * 1024


def root() -> Path:
    return Path(current_app.config["ATTACHMENT_ROOT"])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def path_of(digest: str, base: Path | None = None) -> Path:
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("not a SHA-256 in hex")
    return (base or root()) / digest[:2] / digest[2:4] / digest


def put(data: bytes) -> str:
    """Store `data` (once); its SHA-256."""
    digest = sha256(data)
    target = path_of(digest)
    if target.exists() and target.stat().st_size == len(data):
        # touched: a file stored again is young again, so `sweep` never takes it from under a
        # transaction that is about to name it
        os.utime(target)
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = root() / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=tmp_dir, prefix=digest[:12] + ".")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o640)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def open_file(digest: str):
    """The stored file, opened for reading (FileNotFoundError when it is gone)."""
    return path_of(digest).open("rb")


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class Problem:
    digest: str
    path: str
    #: "missing" or "altered" (the bytes hash to something else)
    what: str


def check(digests: Iterable[str], base: Path | None = None) -> tuple[int, list[Problem]]:
    """Re-hash each stored file: (files checked, the ones missing or altered)."""
    checked, problems = 0, []
    for digest in sorted(set(digests)):
        path = path_of(digest, base)
        checked += 1
        if not path.is_file():
            problems.append(Problem(digest, str(path), "missing"))
        elif hash_file(path) != digest:
            problems.append(Problem(digest, str(path), "altered"))
    return checked, problems


def unreferenced(referenced: set[str], older_than: float, base: Path | None = None
                 ) -> list[Path]:
    """Stored files (and leftovers of interrupted writes in `tmp/`) last written before the
    timestamp `older_than` whose SHA-256 is not in `referenced`."""
    top = base or root()
    found = []
    for path in sorted(top.glob("??/??/*")) + sorted((top / "tmp").glob("*")):
        if not path.is_file() or path.stat().st_mtime >= older_than:
            continue
        if path.parent.name != "tmp" and (path.name in referenced
                                          or not _stored_name(path)):
            continue  # named by a row — or not a file the store wrote: left alone
        found.append(path)
    return found


def _stored_name(path: Path) -> bool:
    name = path.name
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name) \
        and path.parent.name == name[2:4] and path.parent.parent.name == name[:2]
