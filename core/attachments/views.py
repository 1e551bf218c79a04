"""Attachments on the pages: the upload form every record's page carries (a phone opens its
camera), the file and its thumbnail to whoever may see the record, and the withdrawal form.
Templates reach the record's files through `attachments_of` and `attachment_files` (Jinja
globals registered here), so a page shows them without its view knowing."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from core.attachments import content, kinds, services
from core.attachments.models import Attachment
from core.attachments.serve import file_response
from core.errors import DomainError
from core.loader import load
from core.permissions import signed_in
from core.web import flash_error

bp = Blueprint("attachments", __name__, template_folder="templates")


class Files:
    """What the panel of one record shows: its files, and whether the user may add."""

    def __init__(self, kind: kinds.AttachmentKind, record):
        self.kind = kind
        self.record = record
        self.items = services.list_for(kind, record)
        self.may_attach = services.may_attach(kind, record)
        self.accept = content.ACCEPT
        self.upload_url = url_for(f"attachments.upload_{kind.loader_kind}", rid=record.id)


def attachments_of(kind_name: str, record) -> Files | None:
    """For a record's page (the view has loaded and authorized the record)."""
    kind = kinds.get(kind_name)
    return None if kind is None or record is None else Files(kind, record)


def attachment_files(kind_name: str, records) -> dict:
    """For a list page: {record id: [files in force]} for every listed record, one query."""
    return services.files_for_list(kind_name, [r.id for r in records])


@bp.record_once
def _setup(state) -> None:
    state.app.jinja_env.globals.update(attachments_of=attachments_of,
                                       attachment_files=attachment_files)
    for kind in kinds.declared().values():
        state.add_url_rule(f"/attachments/{kind.name}/<{kind.loader_kind}:rid>",
                           f"upload_{kind.loader_kind}", _upload(kind), methods=["POST"])


def _back(default: str) -> str:
    """Where the form came from: a path on this site only (never //host or a scheme)."""
    target = request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme \
            and not parts.netloc:
        return target
    return default


def _upload(kind: kinds.AttachmentKind):
    @signed_in
    def upload(rid: int):
        record = services.load_record(kind, rid, to_attach=True)
        uploads = [f for f in request.files.getlist("file") if f and f.filename]
        done = []
        try:
            if not uploads:
                services.attach(kind, record, None)
            done = services.attach_many(kind, record, uploads, request.form.get("caption"))
        except DomainError as err:
            flash_error(err)
            done = [None] * int((err.details or {}).get("attached", 0))
        if done:
            flash(_("Files attached: %(num)s", num=len(done)), "success")
        return redirect(_back(url_for("home.index")))

    upload.__name__ = f"upload_{kind.loader_kind}"
    return upload


@bp.get("/attachments/<attachment:aid>")
@signed_in
def file(aid: int):
    return file_response(load(Attachment, aid, "attachment.view"))


@bp.get("/attachments/<attachment:aid>/thumbnail")
@signed_in
def thumbnail(aid: int):
    return file_response(load(Attachment, aid, "attachment.view"), thumbnail=True)


@bp.route("/attachments/<attachment:aid>/withdraw", methods=["GET", "POST"])
@signed_in
def withdraw(aid: int):
    att = load(Attachment, aid, "attachment.withdraw")
    error = None
    if request.method == "POST":
        try:
            services.withdraw(att, request.form.get("reason"))
        except DomainError as err:
            error = str(err.message)
        else:
            flash(_("The file was withdrawn; it stays on record."), "success")
            return redirect(_back(url_for("home.index")))
    return render_template("attachments/withdraw.html", att=att, error=error,
                           back=request.values.get("next", ""))
