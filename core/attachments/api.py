"""Attachments in the JSON API (API.md "Attachments"): one route per kind of record, named
by the record's own URL converter, so the object-scope test covers each."""

from __future__ import annotations

from flask import request

from core.api import api_blueprint, doc, json_body
from core.attachments import kinds, services
from core.attachments.models import Attachment
from core.attachments.serve import file_response
from core.loader import load
from core.permissions import signed_in

bp = api_blueprint("attachments_api", __name__)
TAG = "attachments"
_ITEM = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "size": {"type": "integer"},
    "content_type": {"type": "string"}, "sha256": {"type": "string"}}}
_UPLOAD = {"multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                              "properties": {"file": {"type": "string",
                                                                      "format": "binary"},
                                                             "caption": {"type": "string"}}}}}


def _upload(kind: kinds.AttachmentKind):
    @signed_in
    @doc(f"Attach a file (photo, PDF, XLSX, DOCX) to one of the {kind.name}", tag=TAG,
         request_body=_UPLOAD,
         responses={"201": {"description": "attached", "content": {
             "application/json": {"schema": _ITEM}}},
             "403": "may not act on the record", "404": "no such record",
             "409": "too_many_attachments, already_attached",
             "413": "file_too_large, record_full, image_too_large",
             "415": "unsupported_type", "422": "no file"})
    def upload(rid: int):
        record = services.load_record(kind, rid, to_attach=True)
        att = services.attach(kind, record, request.files.get("file"),
                              request.form.get("caption"))
        return services.as_json(att), 201

    return upload


def _listing(kind: kinds.AttachmentKind):
    @signed_in
    @doc(f"The files of one of the {kind.name} (withdrawn ones to staff only, marked)",
         tag=TAG, responses={"200": {"description": "the files", "content": {
             "application/json": {"schema": {"type": "array", "items": _ITEM}}}},
             "403": "out of scope", "404": "no such record"})
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
@doc("The file itself, to whoever may see its record", tag=TAG,
     responses={"200": "the file (Content-Disposition, nosniff)", "403": "out of scope",
                "404": "no such file (or withdrawn, for owners)"})
def file(aid: int):
    return file_response(load(Attachment, aid, "attachment.view"))


@bp.get("/attachments/<attachment:aid>/thumbnail")
@signed_in
@doc("A photo's 320 px JPEG thumbnail", tag=TAG,
     responses={"200": "image/jpeg", "403": "out of scope", "404": "not a photo"})
def thumbnail(aid: int):
    return file_response(load(Attachment, aid, "attachment.view"), thumbnail=True)


@bp.post("/attachments/<attachment:aid>/withdraw")
@signed_in
@doc("Withdraw a file with a reason (never deleted: audited, still shown to staff)", tag=TAG,
     request_body={"application/json": {"schema": {"type": "object", "required": ["reason"],
                                                   "properties": {"reason":
                                                                  {"type": "string"}}}}},
     responses={"200": "withdrawn", "403": "may not act on the record", "404": "not found",
                "409": "already_withdrawn", "422": "reason required"})
def withdraw(aid: int):
    att = load(Attachment, aid, "attachment.withdraw")
    return services.as_json(services.withdraw(att, json_body().get("reason")))
