"""The one error type of the domain, and the one place errors become responses.

Services refuse with `DomainError(code, message, *, field, status, details)`: `code` is the
API's stable snake_case code, `message` is for people (a lazy translation), `field` names
the input it concerns, `status` is the HTTP status (422 invalid, 409 state conflict, 404,
403). Views that show a form catch it and put the message on the field
(`core.web.form_error`); anything not caught is rendered here — the API's JSON error
`{"error": {"code", "message", "details"}}` under /api/v1, the error page elsewhere. Never a
bare 500 for a refusal.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound
from werkzeug.routing import RequestRedirect

API_PREFIX = "/api/v1"

_DEFAULT_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "validation_error", 429: "rate_limited",
    500: "internal_error",
}


class DomainError(Exception):
    """A refused request. With `field`, the API's details name it: details.fields[field]."""

    def __init__(self, code: str, message, *, field: str | None = None, status: int = 422,
                 details: dict | None = None):
        super().__init__(str(message))
        self.code, self.message, self.field, self.status = code, message, field, status
        self.details = dict(details or {})
        if field is not None:
            self.details.setdefault("fields", {field: str(message)})


class RequestRefused(Exception):
    """A request's body or query refused by its schema, raised when the view first uses it
    (core.api): not a DomainError, so a view's `except DomainError` around a service call
    cannot mistake it for the service's refusal; rendered as the DomainError it carries."""

    def __init__(self, error: DomainError):
        super().__init__(str(error.message))
        self.error = error


def invalid(message, field: str | None = None, **details) -> DomainError:
    """422 validation_error: the input is wrong."""
    return DomainError("validation_error", message, field=field, status=422,
                       details=details or None)


def conflict(code: str, message, field: str | None = None) -> DomainError:
    """409: the request does not fit the object's state (a vote already closed)."""
    return DomainError(code, message, field=field, status=409)


def not_found(what: str) -> DomainError:
    return DomainError("not_found", _l("Not found: %(what)s", what=what), status=404)


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX + "/") or request.path == API_PREFIX


def error_response(status: int, code: str, message: str, details: dict | None = None):
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return jsonify(body), status


def _page_titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        403: _("You do not have permission to do this"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        413: _("The uploaded file is too large"),
        429: _("Too many attempts; please wait a minute"),
        500: _("Something went wrong on our side"),
    }


def error_page(code: int, message: str, *, detail: str = "", back: str | None = None):
    return render_template("errors/error.html", code=code, message=message, detail=detail,
                           back=back), code


def _same_origin_referrer() -> str | None:
    """The page the request came from, when it is one of ours (never a link elsewhere)."""
    ref = request.referrer
    if not ref:
        return None
    parts = urlsplit(ref)
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


def _limit_mb() -> str:
    """MAX_CONTENT_LENGTH in MB as people write it: "10", "0.5"."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    mb = limit / (1024 * 1024)
    return f"{mb:.0f}" if mb >= 1 and mb == int(mb) else f"{mb:.1f}".rstrip("0").rstrip(".")


def render_html_error(err: Exception):
    if not isinstance(err, HTTPException):
        err = InternalServerError()
    code = err.code or 500
    if code == 400 and "CSRF" in (err.description or ""):
        message = _("The form expired or was sent from elsewhere. Please reload and try again.")
    else:
        message = _page_titles().get(code, err.name)
    if code == 413:  # say the limit, and lead back to the form the file was sent from
        return error_page(code, message, detail=_(
            "At most %(mb)s MB can be sent at once. Make the file smaller (or split it) and "
            "send it again.", mb=_limit_mb()), back=_same_origin_referrer())
    return error_page(code, message)


def _method_matters(err: HTTPException) -> bool:
    """Whether a 405 is one: the path names a resource that some other method serves.

    Werkzeug answers 405 when a rule for another method shares the path's pattern, even
    when the path's ids do not convert (`/votes/0/attachments`: the GET rule's id converter
    refuses 0 after the POST rule was noted as matching by pattern alone). Such a path names
    nothing: that is a 404, as it is for the methods that exist."""
    adapter = current_app.create_url_adapter(request)
    for method in getattr(err, "valid_methods", None) or ():
        try:
            adapter.match(method=method)
        except RequestRedirect:
            return True
        except HTTPException:
            continue
        return True
    return False


def init_errors(app: Flask) -> None:
    """JSON errors for everything under /api/v1 — never an HTML page, never a bare 500 —
    and the error page for the rest."""

    @app.before_request
    def _no_nul_in_forms():
        """A page's form or query with a NUL character is refused as malformed: PostgreSQL
        cannot store one (the API's schemas refuse it per field, core.schemas)."""
        if is_api_request() or request.method == "OPTIONS":
            return None
        sources = [request.args] + ([request.form] if request.method != "GET" else [])
        for values in sources:
            if any("\x00" in v for _, vs in values.lists() for v in vs):
                from werkzeug.exceptions import BadRequest

                raise BadRequest("text may not contain the NUL character")
        return None

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        # a refusal changes nothing: whatever a service had added or flushed before it
        # refused goes now, not at the request's end (a later read in this request, or a
        # test's shared session, would otherwise see it)
        from core.extensions import db

        db.session.rollback()
        if is_api_request():
            return error_response(err.status, err.code, str(err.message), err.details)
        return error_page(err.status, str(err.message))

    @app.errorhandler(RequestRefused)
    def _request_refused(err: RequestRefused):
        return _domain_error(err.error)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if err.code == 405 and not _method_matters(err):
            err = NotFound()
        headers = {}
        if err.code == 405 and getattr(err, "valid_methods", None):
            # RFC 9110: a 405 says which methods the resource does serve
            headers["Allow"] = ", ".join(sorted(err.valid_methods))
        if is_api_request():
            code = _DEFAULT_CODES.get(err.code or 500, "error")
            message = err.description or err.name
            if err.code == 401:
                message = "missing or invalid token"
            body, status = error_response(err.code or 500, code, message)
        else:
            body, status = render_html_error(err)
        return body, status, headers

    from reports.fonts import FontNotFound

    @app.errorhandler(FontNotFound)
    def _no_font(err: FontNotFound):
        """A PDF needs a CJK font the machine lacks: say how to install one."""
        app.logger.error("PDF without a CJK font: %s", err)
        if is_api_request():
            return error_response(503, "font_missing", str(err))
        return error_page(503, str(err))

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        if is_api_request():
            return error_response(500, "internal_error", "internal error")
        return render_html_error(err)

