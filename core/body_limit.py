"""Request bodies over MAX_CONTENT_LENGTH are refused whole (413), whatever reads them.

Why Werkzeug alone is not enough: for a body without Content-Length (Transfer-Encoding:
chunked) both servers we run — the Werkzeug dev server and gunicorn — set
`wsgi.input_terminated`, so Werkzeug wraps the stream in `LimitedStream(is_max=True)`.
That stream raises 413 only when a read *starts* past the limit; `readall()` (behind
`request.get_data()`, `request.data`, `get_json()` and urlencoded forms) stops as soon as
it holds exactly MAX_CONTENT_LENGTH bytes and returns them as if the body ended there. An
11 MiB chunked CSV thus arrived as its first 10 MiB and imported thousands of units.
Multipart parsing happened to raise, raw bodies did not, and a chunked urlencoded form
even skipped MAX_FORM_MEMORY_SIZE, which Werkzeug checks against Content-Length only.

`BodyLimit` fixes this below Flask: a declared Content-Length over the limit is refused
without reading; a chunked body is read into a spool up to limit + 1 bytes — over the
limit it is refused, otherwise the app gets the spool with a real Content-Length, so every
Werkzeug check applies as for any other request. A refused request reaches Flask with an
empty body and a flag, and `refuse_oversized_body` (the first before-request hook) aborts
with 413, so the API answers its JSON error `payload_too_large`, pages the Chinese error
page, and no view runs.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterable

from flask import Flask, abort, request
from werkzeug.wsgi import ClosingIterator

#: environ key set when the body was refused
TOO_LARGE = "tongxin.body_too_large"
#: a chunked body stays in memory up to this size, then spills to a temporary file
_SPOOL_IN_MEMORY = 512 * 1024
_READ = 64 * 1024


class BodyLimit:
    """WSGI middleware enforcing `app.config["MAX_CONTENT_LENGTH"]` on every request body.

    The limit is read per request, so a test app may lower it. After a refusal up to one
    more limit's worth of the body is read and dropped, so that an ordinary client that
    sends its whole body before reading sees the 413 rather than a reset; the connection is
    then closed, never reused with unread bytes on it.
    """

    def __init__(self, wsgi_app: Callable, app: Flask):
        self.wsgi_app, self.app = wsgi_app, app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        if limit is None:
            return self.wsgi_app(environ, start_response)
        declared = _declared_length(environ)
        if declared is not None:
            if declared > limit:
                _drain(environ["wsgi.input"], min(declared, limit))
                return self._refuse(environ, start_response)
            return self.wsgi_app(environ, start_response)
        if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return self.wsgi_app(environ, start_response)  # no body at all (HTTP/1.1 §6.3)
        spool, size = _spool(environ["wsgi.input"], limit)
        if size > limit:
            spool.close()
            _drain(environ["wsgi.input"], limit)
            return self._refuse(environ, start_response)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["CONTENT_LENGTH"] = str(size)
        environ["wsgi.input"] = spool
        return ClosingIterator(self.wsgi_app(environ, start_response), spool.close)

    def _refuse(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        environ[TOO_LARGE] = True
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["CONTENT_LENGTH"] = "0"
        environ["wsgi.input"] = io.BytesIO(b"")

        # the dev server honours this; gunicorn drops it and drains the rest itself
        def closing(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers if k.lower() != "connection"]
            return start_response(status, [*headers, ("Connection", "close")], exc_info)

        return self.wsgi_app(environ, closing)


def _declared_length(environ: dict) -> int | None:
    """Content-Length as sent, None for a chunked body or none (a malformed value is left
    to Werkzeug, which reads it as an empty body)."""
    raw = environ.get("CONTENT_LENGTH")
    if not raw or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return None  # chunked wins over Content-Length (RFC 9112 §6.3)
    try:
        return int(raw)
    except ValueError:
        return None


def _spool(stream, limit: int) -> tuple[tempfile.SpooledTemporaryFile, int]:
    """Copy up to limit + 1 bytes of `stream`; (rewound copy, bytes copied)."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 — closed by the caller
    size = 0
    while size <= limit:
        chunk = stream.read(min(_READ, limit + 1 - size))
        if not chunk:
            break
        spool.write(chunk)
        size += len(chunk)
    spool.seek(0)
    return spool, size


def _drain(stream, most: int) -> None:
    try:
        while most > 0:
            chunk = stream.read(min(_READ, most))
            if not chunk:
                return
            most -= len(chunk)
    except OSError:  # the client gave up; the 413 goes out (or not) all the same
        return


def refuse_oversized_body() -> None:
    """Before any other hook (CSRF would read the emptied form and answer 400)."""
    if request.environ.get(TOO_LARGE):
        limit = request.max_content_length or 0
        abort(413, description=f"the request body is larger than {limit:,} bytes "
                               f"({limit / (1024 * 1024):g} MiB)")


def init_body_limit(app: Flask) -> None:
    app.wsgi_app = BodyLimit(app.wsgi_app, app)
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_oversized_body)
