"""Attach, list, serve and withdraw the files of a record — one audited transaction each.

The record is always loaded through core.loader with its kind's `view` action (404/403 as
for the record's own pages); adding or withdrawing a file needs one of its `attach`
actions as well. Evidence is never deleted: a withdrawn file keeps its row, its stored
bytes and its audit entries; it drops out of ordinary lists, and stays visible, marked, to
the staff and oversight of the record (and to whoever uploaded it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from core import audit, inputs
from core.attachments import content, kinds, storage
from core.attachments.models import Attachment
from core.errors import DomainError, conflict
from core.extensions import db
from core.loader import kinds as loader_kinds
from core.loader import load
from core.models import AuditEntry
from core.permissions import deny, is_staff, may
from core.types import utcnow

MiB = 1024 * 1024


# -- the record --------------------------------------------------------------------------------

def kind_named(name: str) -> kinds.AttachmentKind:
    kind = kinds.get(name)
    if kind is None:
        abort(404)
    return kind


def load_record(kind: kinds.AttachmentKind, record_id: int, *, to_attach: bool = False):
    """The record, if the user may see it (and, `to_attach`, add files to it)."""
    model = loader_kinds()[kind.loader_kind].model
    record = load(model, record_id, kind.view)
    if to_attach and not may_attach(kind, record):
        deny(kind.attach[0], record)
    return record


def may_attach(kind: kinds.AttachmentKind, record) -> bool:
    return any(may(action, record) for action in kind.attach)


def sees_withdrawn(record, attachment: Attachment | None = None) -> bool:
    """Staff and oversight of the record see withdrawn files (marked); so does the person
    who uploaded one. Owners and companies do not."""
    if attachment is not None and current_user.is_authenticated \
            and attachment.uploaded_by == current_user.id:
        return True
    return is_staff(record)


def fetch_attachment(attachment_id: int, action: str) -> Attachment:
    """core.loader's way to load an attachment: through its record, with the record's view
    action; `attachment.withdraw` needs the record's attach action too. A withdrawn file is
    404 to those who do not see withdrawn files."""
    att = db.session.get(Attachment, attachment_id)
    if att is None:
        abort(404)
    kind = kind_named(att.kind)
    record = load_record(kind, att.record_id)
    if att.withdrawn and not sees_withdrawn(record, att):
        abort(404)
    if action == "attachment.withdraw" and not may_attach(kind, record):
        deny(kind.attach[0], record)
    att.record = record  # for the page that shows it (not a column)
    return att


# -- adding ------------------------------------------------------------------------------------

def _limits() -> dict:
    cfg = current_app.config
    return {"bytes": cfg["ATTACHMENT_MAX_BYTES"], "count": cfg["ATTACHMENT_MAX_PER_RECORD"],
            "record_bytes": cfg["ATTACHMENT_MAX_RECORD_BYTES"],
            "pixels": cfg["ATTACHMENT_MAX_PIXELS"]}


def _read(upload: FileStorage | None, max_bytes: int) -> bytes:
    if upload is None or not isinstance(upload, FileStorage) or not upload.filename:
        raise DomainError("validation_error", _l("Choose a file to attach."), field="file",
                          status=422)
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise DomainError("file_too_large",
                          _l("The file is larger than %(mb)s MB.", mb=round(max_bytes / MiB)),
                          field="file", status=413)
    if not data:
        raise DomainError("validation_error", _l("The file is empty."), field="file",
                          status=422)
    return data


def _store(kind: kinds.AttachmentKind, record, name: str, judged: content.Stored,
           caption: str) -> Attachment:
    """The per-record limits against the files in force (flushed ones of this transaction
    included), then the bytes stored, the row and its audit entry — no commit."""
    limits = _limits()
    count, total = db.session.execute(
        select(func.count(Attachment.id), func.coalesce(func.sum(Attachment.size), 0))
        .where(Attachment.kind == kind.name, Attachment.record_id == record.id,
               Attachment.withdrawn_at.is_(None))).one()
    if count >= limits["count"]:
        raise conflict("too_many_attachments",
                       _l("This record already has %(n)s files; withdraw one first.",
                          n=limits["count"]), "file")
    if total + len(judged.data) > limits["record_bytes"]:
        raise DomainError("record_full",
                          _l("The files of this record would exceed %(mb)s MB in all.",
                             mb=limits["record_bytes"] // MiB), field="file", status=413)
    digest = storage.sha256(judged.data)
    if db.session.scalar(select(Attachment.id).where(
            Attachment.kind == kind.name, Attachment.record_id == record.id,
            Attachment.sha256 == digest, Attachment.withdrawn_at.is_(None))) is not None:
        raise conflict("already_attached", _l("This file is already attached."), "file")
    storage.put(judged.data)
    thumb = storage.put(judged.thumbnail) if judged.thumbnail else None
    user = inputs.acting_user()
    att = Attachment(kind=kind.name, record_id=record.id,
                     compound_id=record.permission_target().compound_id,
                     name=name, caption=caption, content_type=judged.content_type,
                     size=len(judged.data), sha256=digest, thumb_sha256=thumb,
                     uploaded_by=user.id if user else None,
                     uploaded_by_name=inputs.actor_name(), uploaded_at=utcnow())
    db.session.add(att)
    db.session.flush()
    audit.record("attachment.add", "attachment", att.id, {
        "kind": kind.name, "record_id": record.id, "name": att.name, "size": att.size,
        "content_type": att.content_type, "sha256": digest, "thumb_sha256": thumb},
        compound_id=att.compound_id)
    return att


def attach(kind: kinds.AttachmentKind, record, upload: FileStorage | None,
           caption: str | None = None) -> Attachment:
    """Store the file and record it on `record` (authorized by the caller's load_record)."""
    limits = _limits()
    caption = inputs.text(caption, "caption", _l("Caption"), 200, required=False)
    data = _read(upload, limits["bytes"])
    judged = content.judge(data, max_pixels=limits["pixels"])
    att = _store(kind, record, content.clean_name(upload.filename, judged.extension), judged,
                 caption)
    db.session.commit()
    return att


# -- files sent with the form that creates (or moves) a record ----------------------------------
#
# The record and its files are one transaction: every file is judged before anything is
# written; a refused one names itself on the form's `files` field and nothing is saved — the
# form comes back with everything typed. (The bytes of files stored before a later refusal or
# a failed commit are left unreferenced in the store; `flask attachments sweep` removes them.)

@dataclass(frozen=True)
class Staged:
    """A file from a form, judged and ready to be stored with its record."""

    name: str
    judged: content.Stored


def _on_files(err: DomainError, filename: str | None, field: str) -> DomainError:
    err.field = field
    if filename:
        err.message = f"{filename}: {err.message}"
    return err


def stage(uploads, *, field: str = "files") -> list[Staged]:
    """Judge the files a form sent (empty file inputs ignored), before any write: each must
    be a photo or document within the limits; so must their number and total on a new
    record. Refusals carry `field` and the file's name."""
    limits = _limits()
    staged: list[Staged] = []
    for upload in [u for u in uploads or () if isinstance(u, FileStorage) and u.filename]:
        try:
            judged = content.judge(_read(upload, limits["bytes"]),
                                   max_pixels=limits["pixels"])
        except DomainError as err:
            raise _on_files(err, upload.filename, field) from None
        staged.append(Staged(content.clean_name(upload.filename, judged.extension), judged))
    if len(staged) > limits["count"]:
        raise _on_files(conflict("too_many_attachments",
                                 _l("At most %(n)s files on one record.", n=limits["count"])),
                        None, field)
    if sum(len(s.judged.data) for s in staged) > limits["record_bytes"]:
        raise _on_files(DomainError("record_full",
                                    _l("The files of this record would exceed %(mb)s MB in "
                                       "all.", mb=limits["record_bytes"] // MiB),
                                    status=413), None, field)
    return staged


def add_staged(kind_name: str, record, staged: list[Staged], *, field: str = "files"
               ) -> list[Attachment]:
    """Store the staged files on `record` in the caller's transaction (the caller commits).
    The user must be allowed to add files to the record (its kind's attach actions)."""
    if not staged:
        return []
    kind = kinds.get(kind_name)
    if kind is None:
        raise LookupError(f"no attachment kind {kind_name!r}")
    if not may_attach(kind, record):
        deny(kind.attach[0], record)
    done = []
    for item in staged:
        try:
            done.append(_store(kind, record, item.name, item.judged, ""))
        except DomainError as err:
            raise _on_files(err, item.name, field) from None
    return done


def attach_many(kind, record, uploads: list[FileStorage], caption: str | None = None
                ) -> list[Attachment]:
    """Several files from one form: each its own transaction (a refused one names itself and
    leaves the ones before it attached)."""
    done = []
    for upload in uploads:
        try:
            done.append(attach(kind, record, upload, caption))
        except DomainError as err:
            db.session.rollback()
            err.message = f"{upload.filename}: {err.message}" if upload.filename else \
                err.message
            err.details = {**(err.details or {}), "attached": len(done)}
            raise
    return done


# -- withdrawing -------------------------------------------------------------------------------

def withdraw(att: Attachment, reason: str | None) -> Attachment:
    """Withdraw a file (authorized by fetch_attachment): the reason is required; the row, the
    bytes and the audit entries stay."""
    reason = inputs.text(reason, "reason", _l("Reason"), 500)
    if att.withdrawn:
        raise conflict("already_withdrawn", _l("This file was already withdrawn."))
    user = inputs.acting_user()
    att.withdrawn_at = utcnow()
    att.withdrawn_by = user.id if user else None
    att.withdrawn_reason = reason
    audit.record("attachment.withdraw", "attachment", att.id, {
        "kind": att.kind, "record_id": att.record_id, "sha256": att.sha256, "reason": reason},
        compound_id=att.compound_id)
    db.session.commit()
    return att


# -- reading -----------------------------------------------------------------------------------

def list_for(kind: kinds.AttachmentKind, record) -> list[Attachment]:
    """The record's files, oldest first; withdrawn ones only for those who see them."""
    rows = list(db.session.scalars(
        select(Attachment).where(Attachment.kind == kind.name,
                                 Attachment.record_id == record.id)
        .order_by(Attachment.uploaded_at, Attachment.id)))
    if any(a.withdrawn for a in rows) and not is_staff(record):
        uid = current_user.id if current_user.is_authenticated else None
        rows = [a for a in rows if not a.withdrawn or a.uploaded_by == uid]
    return rows


def files_for_list(kind_name: str, record_ids) -> dict[int, list[Attachment]]:
    """For a list page: the files in force of every listed record, in one query."""
    ids = {int(i) for i in record_ids}
    found: dict[int, list[Attachment]] = defaultdict(list)
    if not ids:
        return found
    for att in db.session.scalars(
            select(Attachment).where(Attachment.kind == kind_name,
                                     Attachment.record_id.in_(ids),
                                     Attachment.withdrawn_at.is_(None))
            .order_by(Attachment.record_id, Attachment.id)):
        found[att.record_id].append(att)
    return found


@dataclass(frozen=True)
class FileLine:
    """One file of a record, as a PDF lists it (plain data: reports never query)."""

    name: str
    sha256: str
    size: int
    content_type: str
    uploaded_at: dt.datetime
    caption: str = ""


def files_of(kind_name: str, record_id: int) -> list[FileLine]:
    """The record's files in force, for its PDF (the caller has authorized the record)."""
    return [FileLine(a.name, a.sha256, a.size, a.content_type, a.uploaded_at, a.caption)
            for a in db.session.scalars(
                select(Attachment).where(Attachment.kind == kind_name,
                                         Attachment.record_id == record_id,
                                         Attachment.withdrawn_at.is_(None))
                .order_by(Attachment.uploaded_at, Attachment.id))]


def as_json(att: Attachment) -> dict:
    return {"id": att.id, "name": att.name, "size": att.size,
            "content_type": att.content_type, "sha256": att.sha256,
            "caption": att.caption, "uploaded_at": att.uploaded_at.isoformat(),
            "uploaded_by": att.uploaded_by_name, "thumbnail": att.is_image,
            "withdrawn": att.withdrawn,
            **({"withdrawn_at": att.withdrawn_at.isoformat(),
                "withdrawn_reason": att.withdrawn_reason} if att.withdrawn else {})}


# -- verifying ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FilesResult:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_files() -> FilesResult:
    """Re-hash every stored file and thumbnail; and hold each row's SHA-256 to the one its
    audit entry recorded (a row edited to match a swapped file is caught too)."""
    rows = db.session.execute(select(Attachment.id, Attachment.sha256,
                                     Attachment.thumb_sha256)).all()
    audited = {}
    for entry in db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "attachment.add")):
        audited[entry.object_id] = audit.entry_data(entry).get("sha256")
    problems = []
    owners: dict[str, list[int]] = defaultdict(list)
    for aid, digest, thumb in rows:
        owners[digest].append(aid)
        if thumb:
            owners[thumb].append(aid)
        if audited.get(str(aid)) != digest:
            problems.append(f"attachment {aid}: its SHA-256 is not the audited one")
    checked, bad = storage.check(owners)
    for p in bad:
        ids = ", ".join(str(i) for i in owners[p.digest])
        problems.append(f"attachment {ids}: file {p.what} ({p.path})")
    return FilesResult(checked, problems)


# -- sweeping ----------------------------------------------------------------------------------

#: a stored file younger than this may belong to a transaction not yet committed
SWEEP_AGE = dt.timedelta(hours=1)


def sweep(*, dry_run: bool = False) -> list[str]:
    """Remove stored files no attachment names (nor its thumbnail) that were written more
    than SWEEP_AGE ago — the bytes of a write whose transaction failed. Withdrawn files are
    named by their rows and stay. The paths removed (or, `dry_run`, that would be)."""
    referenced = set()
    for digest, thumb in db.session.execute(select(Attachment.sha256,
                                                   Attachment.thumb_sha256)):
        referenced.add(digest)
        if thumb:
            referenced.add(thumb)
    cutoff = (utcnow() - SWEEP_AGE).timestamp()
    found = storage.unreferenced(referenced, cutoff)
    if not dry_run:
        for path in found:
            path.unlink(missing_ok=True)
    return [str(p) for p in found]
