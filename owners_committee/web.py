"""What the owners' committee's pages share (the fund's and the elections')."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from core.errors import DomainError
from core.web import form_error

T = TypeVar("T")


def attempt(form, action: Callable[[], T]) -> T | None:
    """A form's service call: its result, or None when the service refused — the refusal
    is then on the form's field (or flashed) and the transaction rolled back."""
    try:
        return action()
    except DomainError as err:
        form_error(form, err)
        return None
