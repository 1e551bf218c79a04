"""Attachments in the JSON API (API.md "Attachments"): one route per kind of record, named
by the record's own URL converter, so the object-scope test covers each."""

from __future__ import annotations

from flask import request

from core.api import File, api_blueprint, operation
from core.attachments import kinds, services
from core.attachments.models import Attachment
from core.attachments.serve import file_response
from core.loader import load
from core.permissions import signed_in
from core.schemas import Body, Moment, Out, text

bp = api_blueprint("attachments_api", __name__)
TAG = "attachments"

_UPLOAD = {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   # a form field cannot be null; an empty or absent one is no caption (and
                   # a fuzzer's null arrives as the text "null": declared, so not a surprise)
                   "caption": {"type": ["string", "null"], "maxLength": 200}}}}}


class AttachmentOut(Out):
    """A file on a record; `withdrawn_at` and `withdrawn_reason` only when withdrawn."""

    id: int
    name: str
    size: int
    content_type: str
    sha256: str
    caption: str
    uploaded_at: Moment
    uploaded_by: str
    thumbnail: bool
    withdrawn: bool
    withdrawn_at: Moment | None = None
    withdrawn_reason: str | None = None


class WithdrawIn(Body):
    """Why the file is withdrawn (kept in the audit log)."""

    reason: text(500)


def _upload(kind: kinds.AttachmentKind):
    @signed_in
    @operation(f"Attach a file (photo, PDF, XLSX, DOCX) to one of the {kind.name}", tag=TAG,
               upload=_UPLOAD, response=AttachmentOut, status=201,
               errors={409: "too_many_attachments, already_attached",
                       413: "file_too_large, record_full, image_too_large",
                       415: "unsupported_type",
                       422: "validation_error: no file, an empty file, a caption too long"})
    def upload(rid: int):
        record = services.load_record(kind, rid, to_attach=True)
        return services.as_json(services.attach(kind, record, request.files.get("file"),
                                                request.form.get("caption")))

    return upload


def _listing(kind: kinds.AttachmentKind):
    @signed_in
    @operation(f"The files of one of the {kind.name} (withdrawn ones to staff only, marked)",
               tag=TAG, response=AttachmentOut, paginated=True)
    def listing(rid: int):
        record = services.load_record(kind, rid)
        return [services.as_json(a) for a in services.list_for(kind, record)]

    return listing


@bp.record_once
def _kind_routes(state) -> None:
    """A route pair per declared kind: /api/v1/requests/<request:rid>/attachments, …"""
    for kind in kinds.declared().values():
        path = f"/{kind.name}/<{kind.loader_kind}:rid>/attachments"
        state.add_url_rule(path, f"upload_{kind.loader_kind}", _upload(kind),
                           methods=["POST"])
        state.add_url_rule(path, f"list_{kind.loader_kind}", _listing(kind), methods=["GET"])


@bp.get("/attachments/<attachment:aid>")
@signed_in
@operation("The file itself, to whoever may see its record (Content-Disposition, nosniff)",
           tag=TAG, response=File("*/*",
                                  "the file, under its own content type"))
def file(aid: int):
    return file_response(load(Attachment, aid, "attachment.view"))


@bp.get("/attachments/<attachment:aid>/thumbnail")
@signed_in
@operation("A photo's 320 px JPEG thumbnail (404 for a file that is not a photo)", tag=TAG,
           response=File("image/jpeg", "the thumbnail"))
def thumbnail(aid: int):
    return file_response(load(Attachment, aid, "attachment.view"), thumbnail=True)


@bp.post("/attachments/<attachment:aid>/withdraw")
@signed_in
@operation("Withdraw a file with a reason (never deleted: audited, still shown to staff)",
           tag=TAG, body=WithdrawIn, response=AttachmentOut,
           errors={409: "already_withdrawn"})
def withdraw(aid: int, body: WithdrawIn):
    att = load(Attachment, aid, "attachment.withdraw")
    return services.as_json(services.withdraw(att, body.reason))
