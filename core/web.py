"""What every HTML view does with a refusal: show it on the form, or as a message.

The one copy of `form_error` (each package had its own). The transaction that failed is
rolled back first, so the page that is shown again reads the database as it was.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TypeVar

from flask import Response, flash, redirect, send_file

from core.errors import DomainError
from core.extensions import db


def form_error(form, err: DomainError) -> None:
    """Put the refusal on the field it concerns, or flash it when the form has no such
    field (or there is no form)."""
    db.session.rollback()
    target = getattr(form, err.field, None) if form is not None and err.field else None
    if target is None:
        flash(str(err.message), "error")
    else:
        target.errors = [*list(target.errors), str(err.message)]


def flash_error(err: DomainError) -> None:
    form_error(None, err)



T = TypeVar("T")


def attempt(form, action: Callable[[], T]) -> T | None:
    """A view's service call: its result, or None when the service refused — the refusal
    then stands on `form`'s field (or is flashed) and the transaction is rolled back."""
    try:
        return action()
    except DomainError as err:
        form_error(form, err)
        return None


def saved(form, save: Callable[[], T], message: str,
          to: str | Callable[[T], str]) -> Response | None:
    """For a form sent and valid: run `save()` (the service call), flash `message` and
    redirect to `to` (a URL, or `to(result)` when it depends on what was saved).

    None when there is nothing to redirect to — the form was not sent, or not valid, or the
    service refused (its refusal stands on the form, the transaction rolled back): the view
    shows the form again.
    """
    if not form.validate_on_submit():
        return None
    try:
        result = save()
    except DomainError as err:
        form_error(form, err)
        return None
    flash(message, "success")
    return redirect(to(result) if callable(to) else to)


def pdf_response(data: bytes, name: str) -> Response:
    """A PDF shown in the browser (inline) under its file name. Not kept in shared caches:
    ballots, statements and notices carry names and amounts."""
    response = send_file(io.BytesIO(data), mimetype="application/pdf", download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, name: str) -> Response:
    """An Excel workbook to download under its file name; not kept in shared caches (rolls
    and ballot lists carry names)."""
    response = send_file(io.BytesIO(data), mimetype=XLSX_MIME, as_attachment=True,
                         download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
