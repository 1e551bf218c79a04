"""Reading what people type: text, dates, times, the Shanghai time zone, the acting user.

Services take values from forms and JSON alike; these helpers check them once, the same way
everywhere, and refuse with a 422 that names the field and says what is wrong in Chinese.
Money and areas have their exact parsers in core.types.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from zoneinfo import ZoneInfo

from flask import has_request_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.errors import invalid

#: the time zone of every date people see and every deadline the law counts
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_today() -> dt.date:
    """Today in Beijing time: deadlines and periods are local dates."""
    return dt.datetime.now(SHANGHAI).date()


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def text(value, field: str, label, max_len: int, *, required: bool = True) -> str:
    """Trimmed text of at most `max_len` characters; None counts as empty."""
    if value is not None and not isinstance(value, str):
        raise invalid(_l("%(label)s must be text", label=label), field)
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise invalid(_l("%(label)s is required", label=label), field)
    if len(cleaned) > max_len:
        raise invalid(_l("%(label)s is too long (at most %(n)s characters)", label=label,
                         n=max_len), field)
    return cleaned


#: a mainland mobile number: 11 digits from 13… to 19… (core.messaging sends SMS to these)
_MOBILE = re.compile(r"1[3-9]\d{9}")
#: a landline with its area code: 0 and 2–3 more digits (010, 021, 0571), perhaps a dash,
#: then 7–8 digits, and perhaps an extension (转123, -123, ext 123)
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(?:(?:转|ext\.?|x|#|-)\d{1,6})?", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s()（）]")


def phone_or_none(value) -> str | None:
    """`value` as a phone number — a mobile as its 11 digits (spaces, dashes, +86 dropped),
    a landline as typed without spaces or brackets — or None when it is neither (or empty)."""
    if not isinstance(value, str):
        return None
    typed = _SEPARATORS.sub("", value)
    digits = typed.replace("-", "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
            break
    if _MOBILE.fullmatch(digits):
        return digits
    return typed if _LANDLINE.fullmatch(typed) else None


def mobile_or_none(value) -> str | None:
    """`value` as a mainland mobile's 11 digits, or None (a landline, anything else)."""
    number = phone_or_none(value)
    return number if number is not None and _MOBILE.fullmatch(number) else None


def phone(value, field: str, label, *, required: bool = False, mobile: bool = False) -> str:
    """A phone number people type (the one check everywhere): a mainland mobile, returned as
    its 11 digits, or — unless `mobile` (where an SMS must reach it) — a landline with its
    area code, returned as typed; "" when empty and not required."""
    typed = text(value, field, label, 32, required=required)
    if not typed:
        return ""
    number = phone_or_none(typed)
    if number is None or (mobile and not _MOBILE.fullmatch(number)):
        if mobile:
            raise invalid(_l("%(label)s: a mobile number has 11 digits and starts with 13 to "
                             "19", label=label), field)
        raise invalid(_l("%(label)s: give a mobile number (11 digits) or a landline with its "
                         "area code, like 021-62345678", label=label), field)
    return number


def date(value, field: str, label, *, required: bool = True) -> dt.date | None:
    """A date: a `date`, a datetime (its Beijing date) or ISO text like 2026-05-01."""
    if value in (None, ""):
        if required:
            raise invalid(_l("%(label)s is required", label=label), field)
        return None
    if isinstance(value, dt.datetime):
        return local_date(value) if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise invalid(_l("%(label)s must be a date like 2026-05-01", label=label),
                      field) from None


def local_datetime(value, field: str, label, *, required: bool = True) -> dt.datetime | None:
    """A moment given in Beijing time (naive, or ISO text) or aware → aware UTC."""
    if value in (None, ""):
        if required:
            raise invalid(_l("%(label)s is required", label=label), field)
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise invalid(_l("%(label)s must be a date and time like 2026-05-01T19:00",
                             label=label), field) from None
    if not isinstance(value, dt.datetime):
        raise invalid(_l("%(label)s must be a date and time like 2026-05-01T19:00",
                         label=label), field)
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(dt.UTC)


def choice(enum_cls: type[enum.Enum], value, field: str, label):
    """A member of `enum_cls` by its value, or a 422."""
    try:
        return enum_cls(value)
    except (ValueError, TypeError):
        raise invalid(_l("%(label)s: unknown value", label=label), field) from None


def acting_user():
    """The signed-in user of this request, or None (the CLI, the demo loader)."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return None


def actor_name() -> str:
    """Who is acting, as the records write it: the username, or "system"."""
    user = acting_user()
    return user.username if user is not None else "system"
