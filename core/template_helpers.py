"""Jinja globals and filters shared by every package's templates."""

from __future__ import annotations

import datetime as dt

from flask import request, url_for
from flask_babel import get_locale

from core.audit_labels import action_label
from core.inputs import SHANGHAI
from core.permissions import may
from core.staff import staff_name
from core.types import area_to_str, fen_to_str


def local_time(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored UTC → shown in Asia/Shanghai, always with its year: a format without one
    ("%m-%d %H:%M", kept short for narrow tables) gets it put in front, because a record
    read in January must not pass for this year's when it is last year's (issue 14)."""
    if value is None:
        return ""
    if "%Y" not in fmt and "%y" not in fmt:
        fmt = ("%Y-" if fmt.startswith("%m") else "%Y-%m-%d ") + fmt
    return value.astimezone(SHANGHAI).strftime(fmt)


def yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    text = fen_to_str(fen)
    whole, cents = text.split(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-')):,}.{cents}"


def page_url(page: int) -> str:
    """This page's address at `page`, every other query argument (the list's filters)
    kept — but those named like the address's own parts or url_for's options (`cid`,
    `endpoint`, `_external` …): no filter, and they broke the link (a 500) or redirected it."""
    view_args = request.view_args or {}
    args = {k: values for k, values in request.args.lists()  # a filter given twice: twice
            if k not in view_args and k != "endpoint" and not k.startswith("_")}
    args["page"] = page
    return url_for(request.endpoint, **view_args, **args)


def is_zh() -> bool:
    """Whether the page is shown in Chinese (Babel spells zh_CN as zh_Hans_CN)."""
    return get_locale().language == "zh"


def init(app) -> None:
    app.jinja_env.globals.update(may=may, get_locale=get_locale, page_url=page_url, is_zh=is_zh)
    app.jinja_env.filters.update(local_time=local_time, yuan=yuan, area=area_to_str,
                                 staff_name=staff_name, audit_action=action_label)
