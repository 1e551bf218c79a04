"""What the registry's and the 1+3+X's form pages do with a submitted form, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Response, flash, redirect

from core.errors import DomainError
from core.web import form_error

T = TypeVar("T")


def saved(form, save: Callable[[], T], message: str,
          to: str | Callable[[T], str]) -> Response | None:
    """For a form sent and valid: run `save()` (the service call), flash `message` and
    redirect to `to` (a URL, or `to(result)` when it depends on what was saved).

    None when there is nothing to redirect to — the form was not sent, or not valid, or
    the service refused (the refusal then stands on the form's field, or is flashed, and
    the transaction is rolled back): the view shows the form again.
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
