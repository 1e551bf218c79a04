"""The object a URL names, authorized before its operation reads the request.

`@operation` validates the body and the query before the view runs, and the view loads the
objects of its URL: without this, a user scoped elsewhere would be told what is wrong with
their input (422) instead of 403/404. `checked_first` goes between `@requires` and
`@operation`; the view loads the object again through core.loader (the session's identity
map answers) to use it.
"""

from __future__ import annotations

import functools

from core.loader import load


def checked_first(model, arg: str, action: str):
    """Load (fetch and authorize) the `model` named by URL argument `arg` for `action` first."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            load(model, kwargs[arg], action)
            return fn(*args, **kwargs)

        return wrapper

    return deco
