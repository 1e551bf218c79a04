"""Counting owners the way the law does (DOMAIN.md §2; SPC interpretation arts. 8–9), and
how long a vote's notice stands (物业管理条例 art. 14).

Pure: standard library only — no Flask, no database, no I/O. Areas are exact: integer
hundredths of a square metre ("centi-m²", so ``Decimal("87.65")`` is ``8765``); floats are
refused.

Who counts as one head is the registry's law, so it lives here, at the bottom of the house:
the compound page's headcount and every vote roll (votes imports these names) group the
same units with the same function and can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

__all__ = [
    "DEVELOPER_KEY",
    "NOTICE_DAYS_DEFAULT",
    "NOTICE_DAYS_MAX",
    "NOTICE_DAYS_MIN",
    "Totals",
    "UnitFacts",
    "UnitLike",
    "UnitRecord",
    "VoterGroup",
    "area_to_centi",
    "centi_to_area",
    "group_voters",
    "groups_by_unit",
    "notice_days_allowed",
    "roll_totals",
    "totals",
]


# -- the notice before a vote ---------------------------------------------------------------

#: the fewest days a vote's notice (公告) stands before the vote may open: 物业管理条例
#: art. 14 — owners are told at least 15 days before a meeting of the owners' assembly, and a
#: written vote is such a meeting. A compound's own rule may ask for more days, never fewer.
NOTICE_DAYS_MIN = 15
#: the most days a compound may set
NOTICE_DAYS_MAX = 90
#: a compound that sets nothing waits the legal minimum
NOTICE_DAYS_DEFAULT = NOTICE_DAYS_MIN


def notice_days_allowed(days: int) -> bool:
    """Whether a compound may set `days` as its notice period: the law's 15 to 90."""
    return NOTICE_DAYS_MIN <= days <= NOTICE_DAYS_MAX


# -- areas ----------------------------------------------------------------------------------

def area_to_centi(area: Decimal | int) -> int:
    """Convert an area in m² (``Decimal`` or ``int``) to integer hundredths of a m².

    The registry keeps areas to 0.01 m² (``Numeric(12, 2)``). An area that needs a third
    decimal (``Decimal("1.005")``) is refused with ``ValueError`` rather than rounded,
    because rounding would move the two-thirds line by a hair nobody can see. Trailing
    zeros are fine (``Decimal("1.500")``). Negative, non-finite and float areas are refused.
    """
    if isinstance(area, bool) or not isinstance(area, int | Decimal):
        raise TypeError(f"area must be Decimal or int, got {type(area).__name__}")
    if isinstance(area, Decimal) and not area.is_finite():
        raise ValueError(f"area must be finite, got {area}")
    centi = Fraction(area) * 100
    if centi.denominator != 1:
        raise ValueError(f"area {area} has more than two decimals")
    if centi < 0:
        raise ValueError(f"area must not be negative, got {area}")
    return int(centi)


def centi_to_area(area_c: int) -> Decimal:
    """Convert integer hundredths of a m² back to a ``Decimal`` with exactly two decimals.

    ``8765`` → ``Decimal("87.65")``; ``0`` → ``Decimal("0.00")``. Exact for any int.
    """
    if isinstance(area_c, bool) or not isinstance(area_c, int):
        raise TypeError(f"area_c must be an int, got {type(area_c).__name__}")
    if area_c < 0:
        raise ValueError(f"area_c must not be negative, got {area_c}")
    return Decimal(area_c).scaleb(-2)


# -- voters: who counts as one head -----------------------------------------------------------

class UnitLike(Protocol):
    """Anything with the four attributes ``group_voters`` reads (e.g. ``UnitRecord``)."""

    @property
    def unit_id(self) -> int: ...
    @property
    def area(self) -> Decimal | int: ...
    @property
    def holder_ids(self) -> frozenset[int]: ...
    @property
    def developer_held(self) -> bool: ...


@dataclass(frozen=True)
class UnitRecord:
    """One exclusive part (专有部分) as the law counts it.

    ``area`` in m² (at most two decimals); ``holder_ids`` are the person ids of its title
    holders (共有人 included); ``developer_held`` marks an unsold or undelivered unit.
    """

    unit_id: int
    area: Decimal
    holder_ids: frozenset[int] = frozenset()
    developer_held: bool = False


#: the registry's name for the same record
UnitFacts = UnitRecord

DEVELOPER_KEY = "developer"


@dataclass(frozen=True)
class VoterGroup:
    """One voter: one head, with the area of all of its units.

    ``key`` is stable and printable: ``"developer"``, ``"p:3,7"`` (the sorted holder ids)
    or ``"u:42"`` (a unit with no recorded holder).
    """

    key: str
    unit_ids: tuple[int, ...]
    area_c: int
    heads: int = 1

    @property
    def area(self) -> Decimal:
        """The group's area in m², two decimals."""
        return centi_to_area(self.area_c)


def group_voters(units: Iterable[UnitLike]) -> tuple[VoterGroup, ...]:
    """Group units into voters, each one head.

    * All developer-held units form one voter, key ``"developer"`` (whatever holders are
      recorded on them — the developer votes for unsold stock as one person).
    * Other units with the same set of title holders form one voter (``"p:3,7"``): one
      buyer is one person however many units they bought, and co-owners are one vote.
      A different set is a different voter (a person owning one unit alone and another with
      a spouse is two voters), which is how DOMAIN §2 identifies "one buyer".
    * A non-developer unit with no recorded holder is a voter of its own (``"u:42"``).

    Returns the groups ordered by their smallest unit id, each with sorted ``unit_ids``, so
    the result does not depend on the order of ``units``. Duplicate unit ids → ``ValueError``;
    areas are checked by ``area_to_centi``.
    """
    buckets: dict[str, list[tuple[int, int]]] = {}
    seen: set[int] = set()
    for unit in units:
        unit_id = unit.unit_id
        if isinstance(unit_id, bool) or not isinstance(unit_id, int):
            raise TypeError(f"unit_id must be an int, got {type(unit_id).__name__}")
        if unit_id in seen:
            raise ValueError(f"unit {unit_id} appears twice in the roll")
        seen.add(unit_id)
        area_c = area_to_centi(unit.area)
        holders = frozenset(unit.holder_ids)
        if unit.developer_held:
            key = DEVELOPER_KEY
        elif holders:
            key = "p:" + ",".join(str(h) for h in sorted(holders))
        else:
            # Nobody recorded: the unit still counts, as one person (一个专有部分按一人计算).
            key = f"u:{unit_id}"
        buckets.setdefault(key, []).append((unit_id, area_c))

    groups = [
        VoterGroup(key=key, unit_ids=tuple(sorted(uid for uid, _ in members)),
                   area_c=sum(a for _, a in members))
        for key, members in buckets.items()
    ]
    groups.sort(key=lambda g: g.unit_ids[0])
    return tuple(groups)


def roll_totals(groups: Iterable[VoterGroup]) -> tuple[int, int, int]:
    """The ``(area_c, heads, units)`` of these voters: the denominators of turnout."""
    area_c = heads = units = 0
    for group in groups:
        area_c += group.area_c
        heads += group.heads
        units += len(group.unit_ids)
    return area_c, heads, units


def groups_by_unit(groups: Iterable[VoterGroup]) -> dict[int, VoterGroup]:
    """Map every unit id to its voter, to find who a ballot for a unit is cast by."""
    return {uid: group for group in groups for uid in group.unit_ids}


# -- the compound page's totals -----------------------------------------------------------------

@dataclass(frozen=True)
class Totals:
    units: int
    area: Decimal
    heads: int
    developer_units: int


def totals(units: Iterable[UnitRecord]) -> Totals:
    """Units, total exclusive area and headcount (by `group_voters`) of a set of units."""
    units = list(units)
    return Totals(
        units=len(units),
        area=sum((u.area for u in units), Decimal("0.00")),
        heads=len(group_voters(units)),
        developer_units=sum(1 for u in units if u.developer_held),
    )
