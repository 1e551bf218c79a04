"""What every HTML view does with a refusal: show it on the form, or as a message.

The one copy of `form_error` (each package had its own). The transaction that failed is
rolled back first, so the page that is shown again reads the database as it was.
"""

from __future__ import annotations

from flask import flash

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
