"""HTML error pages (the API answers JSON: see core.api)."""

from flask import render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError


def render_html_error(err: Exception):
    if not isinstance(err, HTTPException):
        err = InternalServerError()
    titles = {
        400: _("Bad request"),
        403: _("You do not have permission to do this"),
        404: _("Page not found"),
        405: _("Method not allowed"),
        413: _("The uploaded file is too large"),
        429: _("Too many attempts; please wait a minute"),
        500: _("Something went wrong on our side"),
    }
    code = err.code or 500
    if code == 400 and "CSRF" in (err.description or ""):
        message = _("The form expired or was sent from elsewhere. Please reload and try again.")
    else:
        message = titles.get(code, err.name)
    return render_template("errors/error.html", code=code, message=message), code
