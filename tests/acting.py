"""Acting as somebody in set-up code: services read the signed-in user of the request.

The one `as_user` of the test suite (it used to exist four times with three signatures).
"""

from __future__ import annotations

from contextlib import contextmanager

from flask import current_app
from flask_login import login_user
from sqlalchemy import select

from core.extensions import db
from core.models import User


@contextmanager
def as_user(user: User | str):
    """`with as_user(rc): services.open_vote(vote)` — a request in which `user` (an account or
    a username) is signed in."""
    if isinstance(user, str):
        user = db.session.scalar(select(User).where(User.username == user))
    with current_app.test_request_context("/"):
        login_user(user)
        yield user
