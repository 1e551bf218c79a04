"""The to-do list on the home page: what is waiting for the signed-in user, in every role
they hold, merged into one list — newest first, overdue marked, each item a link to where
the work is done.

Core knows no domain: each package contributes the items it knows through the hook
"home.todo" (`[fn(user) -> list[TodoItem]]`, declared in its plugin.py). A provider issues a
fixed number of queries per grant of the user, whatever the number of items (each capped at
`PER_QUERY`), so the page costs the same for a quiet compound as for a busy one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from core import hooks
from core.accounts import ROLE_LABELS
from core.hooks import Panel, TodoItem
from core.inputs import SHANGHAI, local_today
from core.models import Role

#: at most this many rows of one kind from one query (the list is a prompt, not a register:
#: each item's page lists them all)
PER_QUERY = 50


@dataclass(frozen=True)
class TodoRow:
    """An item as the template shows it: the item, its role's label, days overdue."""

    item: TodoItem
    role_label: str
    #: whole days past the deadline (0: overdue since today, or not overdue)
    overdue_days: int
    #: the deadline as shown: a Beijing date, or date and time
    due_text: str = ""


def scopes(user, role: Role) -> list[int | None]:
    """The scope ids over which `user` holds `role` (an owner's grant has no scope id: the
    list is then [None]); empty when the user does not hold it."""
    return [g.scope_id for g in user.grants if g.role == role.value]


def _due_date(due: dt.date | dt.datetime) -> dt.date:
    return due.astimezone(SHANGHAI).date() if isinstance(due, dt.datetime) else due


def due_text(due: dt.date | dt.datetime | None) -> str:
    if due is None:
        return ""
    if isinstance(due, dt.datetime):
        return due.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return due.isoformat()


def overdue_days(item: TodoItem, today: dt.date) -> int:
    """Whole calendar days from the deadline's day to today (Beijing)."""
    if not item.overdue or item.due is None:
        return 0
    return max(0, (today - _due_date(item.due)).days)


def _newest_first(item: TodoItem):
    return (item.created_at, item.link)


def todo_items(user) -> list[TodoItem]:
    """Every provider's items for `user`, newest first (the same work reached through two
    roles — a party secretary who is also the residents' committee's — is listed once)."""
    found: dict[tuple[str, str], TodoItem] = {}
    for fn in hooks.contributions("home.todo"):
        for item in fn(user):
            found.setdefault((item.link, str(item.title)), item)
    return sorted(found.values(), key=_newest_first, reverse=True)


def todo_panel(user) -> Panel | None:
    """The home page's to-do box, for a user who holds some role (None for an account with
    no grant, such as the system administrator's, whose scope is everything)."""
    if not getattr(user, "grants", None):
        return None
    today = local_today()
    rows = [TodoRow(item, str(ROLE_LABELS.get(Role(item.role), item.role)),
                    overdue_days(item, today), due_text(item.due)) for item in todo_items(user)]
    several_roles = len({g.role for g in user.grants}) > 1
    return Panel(title=_l("Waiting for you"), template="_todo_panel.html",
                 context={"rows": rows, "tag_roles": several_roles,
                          "overdue": sum(1 for r in rows if r.item.overdue)}, order=20)
