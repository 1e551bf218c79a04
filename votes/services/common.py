"""What every part of the votes' services shares: how a vote is named and counted (its rule,
matter, issuer, scope), the printed serial numbers, ballot receipts, and whether it still
takes ballots."""

from __future__ import annotations

import datetime as dt
import re
import secrets

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.errors import conflict
from votes import rules
from votes.models import RuleVariant, Vote

#: first key of the PostgreSQL advisory locks that order ballots and closing, per vote
LOCK_CLASS = 27_800


def iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()


def rule_of(vote: Vote) -> rules.Rule:
    """The rule that counts this vote (the matter's, or the elevator common-land rule)."""
    if vote.rule_variant == RuleVariant.elevator_land.value:
        return rules.ELEVATOR_LAND_RULE
    return rules.rule_for(vote.matter)


def matter_label(vote: Vote) -> str:
    m = rules.Matter(vote.matter)
    return f"第{m.item}项 {m.label_zh}"


def issuer_of(vote: Vote) -> str:
    return vote.issuer or f"{vote.compound.name}居民委员会"


def accepting_ballots(vote: Vote, now: dt.datetime | None = None) -> bool:
    return vote.accepting_ballots(now)


def roll_required(vote: Vote) -> None:
    """409 before the vote has opened: there is no frozen roll to read yet."""
    if vote.roll_units is None:
        raise conflict("roll_not_frozen", _l("The roll is frozen when the vote opens"))


# -- the scope, as people read it ----------------------------------------------------------

def scope_json(vote: Vote) -> list[dict]:
    return [{"building": s.building.number,
             **({"entrance": s.entrance.number} if s.entrance is not None else {})}
            for s in vote.scopes]


def scope_text(vote: Vote) -> str:
    """"全小区" or "7号楼、8号楼2单元" (documents are Chinese by nature)."""
    if not vote.scopes:
        return "全小区"
    return "、".join(f"{s.building.number}号楼" + (f"{s.entrance.number}单元" if s.entrance
                                                   else "") for s in vote.scopes)


def scope_label(vote: Vote) -> str:
    """The scope for pages, in the reader's language ("Whole compound", "Building 7, …")."""
    if not vote.scopes:
        return _("Whole compound")
    return ", ".join(_("Building %(b)s, entrance %(e)s", b=s.building.number,
                       e=s.entrance.number) if s.entrance else
                     _("Building %(n)s", n=s.building.number) for s in vote.scopes)


# -- paper ballot serials and receipts ------------------------------------------------------

def _luhn(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def make_serial(vote_id: int, n: int) -> str:
    """The printed ballot number "12-000173": vote, group number, Luhn check digit, so a
    mistyped serial (one wrong digit, two swapped) is caught instead of hitting another voter."""
    body = f"{n:05d}"
    return f"{vote_id}-{body}{_luhn(f'{vote_id}{body}')}"


def normalize_serial(text: str) -> str:
    return re.sub(r"\s+", "", str(text or "")).replace("－", "-").replace("—", "-")


#: no I, O, 0, 1: a receipt is read aloud safely
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_receipt() -> str:
    """16 random characters of 32 (80 bits): unguessable, short enough to copy by hand."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(16))


def format_receipt(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalize_receipt(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", str(text or "").upper())


# -- the building picture's shape ----------------------------------------------------------

def floor_grid(placed) -> list[tuple[int, str, list[tuple[str, list[tuple[int, list]]]]]]:
    """Cells placed as (building id, building number, entrance number, floor, cell), in the
    registry's order → [(building id, number, [(entrance number, [(floor, [cells])])])],
    buildings and entrances in that order, floors top first: the picture of a staircase
    house that the building pages and the delivery grid draw."""
    buildings: dict[int, tuple[str, dict[str, dict[int, list]]]] = {}
    for building_id, building_number, entrance_number, floor, cell in placed:
        _n, entrances = buildings.setdefault(building_id, (building_number, {}))
        entrances.setdefault(entrance_number, {}).setdefault(floor, []).append(cell)
    return [(bid, number, [(e, sorted(floors.items(), key=lambda kv: -kv[0]))
                           for e, floors in entrances.items()])
            for bid, (number, entrances) in buildings.items()]
