"""The law and the arithmetic of owners' common decisions (业主共同决定事项).

Pure functions and frozen dataclasses, standard library only: no Flask, no database, no I/O.
Everything is exact — areas in integer hundredths of a square metre ("centi-m²", so
``Decimal("87.65")`` is ``8765``), money in integer fen, ratios as ``fractions.Fraction``.
There are no floats anywhere, and inputs that are floats are refused.

Sources (see docs/DOMAIN.md):

* Civil Code art. 278 — the nine matters, double-2/3 turnout, double-3/4 consent for items
  6–8 and double more-than-half consent for the others; art. 1259 — 以上 includes the
  number itself, 过半数 does not.
* SPC interpretation on building co-ownership arts. 8–9 — how area and heads are counted.
* 沪建房管联〔2020〕801号 — elevator retrofit subsidy (40 %, at most ¥280,000 per lift).
* MOHURD guidance (2009) — owners'-committee elections (matter 3).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any, NamedTuple, Protocol

__all__ = [
    "DEVELOPER_KEY",
    "ELEVATOR_LAND_RULE",
    "QUORUM",
    "Ballot",
    "CandidateTally",
    "Choice",
    "ElectionBallot",
    "ElectionResult",
    "ElevatorPlan",
    "ElevatorShare",
    "ElevatorSplit",
    "Matter",
    "Reason",
    "Rule",
    "TallyResult",
    "UnitLike",
    "UnitRecord",
    "VoterGroup",
    "apportion",
    "area_to_centi",
    "centi_to_area",
    "count_election",
    "group_voters",
    "groups_by_unit",
    "needed_for_quorum",
    "pct_floor",
    "roll_totals",
    "rule_for",
    "share_elevator_cost",
    "tally",
]


# ---------------------------------------------------------------------------
# Input checks shared by everything below
# ---------------------------------------------------------------------------


def _check_count(value: Any, name: str) -> int:
    """Return ``value`` if it is a non-negative int (bools are not counts)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return value


def _exact(value: Any, name: str) -> Fraction:
    """Turn an int, Fraction or finite Decimal into a Fraction; refuse floats and bools.

    Floats are refused rather than converted: 0.1 is not one tenth, and a coefficient table
    typed as floats would silently shift somebody's share by a fen.
    """
    if isinstance(value, bool):
        raise TypeError(f"{name} must be int, Fraction or Decimal, got bool")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{name} must be finite, got {value}")
        return Fraction(value)
    raise TypeError(f"{name} must be int, Fraction or Decimal, got {type(value).__name__}")


# ---------------------------------------------------------------------------
# Percentages and areas
# ---------------------------------------------------------------------------


def pct_floor(fr: Fraction | int) -> str:
    """Show a ratio as a percentage rounded *down* to exactly two decimals.

    ``Fraction(2, 3)`` → ``"66.66"``, ``1`` → ``"100.00"``, ``0`` → ``"0.00"``. Rounding is
    toward minus infinity, so the string never overstates the ratio (a notice must not claim
    support that was not there). Negative ratios are allowed and also rounded down.
    """
    hundredths = math.floor(_exact(fr, "ratio") * 10000)
    sign = "-" if hundredths < 0 else ""
    whole, frac = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{frac:02d}"


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
    return Decimal(_check_count(area_c, "area_c")).scaleb(-2)


# ---------------------------------------------------------------------------
# Matters and their rules (Civil Code art. 278)
# ---------------------------------------------------------------------------


class Matter(StrEnum):
    """A matter of Civil Code art. 278; the value is the API's ``matter`` string."""

    rules = "rules"
    covenant = "covenant"
    committee = "committee"
    manager = "manager"
    use_fund = "use_fund"
    raise_fund = "raise_fund"
    rebuild = "rebuild"
    common_use = "common_use"
    other = "other"

    @property
    def item(self) -> int:
        """The item number in art. 278, 1..9."""
        return _MATTER_INFO[self][0]

    @property
    def label_zh(self) -> str:
        """Short Chinese label, as on notices (e.g. ``使用维修资金``)."""
        return _MATTER_INFO[self][1]

    @property
    def label_en(self) -> str:
        """Short English label."""
        return _MATTER_INFO[self][2]

    @classmethod
    def from_item(cls, item: int) -> Matter:
        """The matter of art. 278 item ``item`` (1..9); ``ValueError`` otherwise."""
        for matter in cls:
            if matter.item == item:
                return matter
        raise ValueError(f"art. 278 has items 1..9, not {item!r}")


_MATTER_INFO: dict[Matter, tuple[int, str, str]] = {
    Matter.rules: (1, "议事规则", "Rules of procedure"),
    Matter.covenant: (2, "管理规约", "Management covenant"),
    Matter.committee: (3, "选举/更换业委会", "Electing or replacing the owners' committee"),
    Matter.manager: (4, "选聘/解聘物业", "Hiring or dismissing the property company"),
    Matter.use_fund: (5, "使用维修资金", "Using the maintenance fund"),
    Matter.raise_fund: (6, "筹集维修资金", "Raising the maintenance fund"),
    Matter.rebuild: (7, "改建/重建", "Rebuilding or reconstructing buildings and facilities"),
    Matter.common_use: (
        8,
        "改变共有部分用途/经营",
        "Changing the use of common parts or running a business on them",
    ),
    Matter.other: (9, "其他重大事项", "Other major matters"),
}

#: Turnout bar for every matter: at least two thirds of area and of heads (以上: inclusive).
QUORUM = Fraction(2, 3)

# Items 6–8 need the "double three quarters" (双四分之三); art. 278 para. 2.
_THREE_QUARTER_ITEMS = frozenset({6, 7, 8})

_FRACTION_ZH = {
    Fraction(2, 3): "三分之二",
    Fraction(3, 4): "四分之三",
    Fraction(1, 2): "半数",
}


@dataclass(frozen=True)
class Rule:
    """The thresholds a decision on ``matter`` must clear.

    Turnout: participating area ≥ ``quorum`` × roll area, and the same for heads.
    Consent: agreeing area against participating area, and the same for heads, must be
    ``> approval`` when ``approval_strict`` (过半数, more than half) or ``≥ approval``
    otherwise (四分之三以上, three quarters or more).
    """

    matter: Matter
    approval: Fraction
    approval_strict: bool
    quorum: Fraction = QUORUM

    @property
    def quorum_label(self) -> str:
        """``"2/3"`` — the API's ``rule.quorum``."""
        return f"{self.quorum.numerator}/{self.quorum.denominator}"

    @property
    def approval_label(self) -> str:
        """``"3/4"`` or ``"1/2"`` — the API's ``rule.approval`` (see ``approval_strict``)."""
        return f"{self.approval.numerator}/{self.approval.denominator}"

    @property
    def description_zh(self) -> str:
        """E.g. ``双三分之二参与，双四分之三同意`` / ``双三分之二参与，双过半数同意``."""
        quorum = _FRACTION_ZH.get(self.quorum, self.quorum_label)
        if self.approval_strict and self.approval == Fraction(1, 2):
            consent = "过半数"
        elif self.approval_strict:
            consent = "超过" + _FRACTION_ZH.get(self.approval, self.approval_label)
        else:
            consent = _FRACTION_ZH.get(self.approval, self.approval_label)
        return f"双{quorum}参与，双{consent}同意"

    @property
    def description_en(self) -> str:
        """E.g. ``"at least 2/3 of area and heads take part; at least 3/4 … agree"``."""
        bar = "more than" if self.approval_strict else "at least"
        return (
            f"at least {self.quorum_label} of area and of heads take part; "
            f"{bar} {self.approval_label} of the participating area and heads agree"
        )

    def quorum_reached(self, participated: int, roll: int) -> bool:
        """Whether ``participated`` out of ``roll`` reaches the turnout bar (inclusive).

        Integers only (area in hundredths or heads). An empty roll never reaches it: a
        decision nobody could take part in is not a decision.
        """
        _check_count(participated, "participated")
        _check_count(roll, "roll")
        if roll == 0:
            return False
        return participated * self.quorum.denominator >= self.quorum.numerator * roll

    def consent_reached(self, agree: int, participated: int) -> bool:
        """Whether ``agree`` out of ``participated`` clears the consent bar.

        ``2·y > p`` for more than half, ``4·y ≥ 3·p`` for three quarters. Nobody taking part
        means nobody agreed: ``False``.
        """
        _check_count(agree, "agree")
        _check_count(participated, "participated")
        if participated == 0:
            return False
        lhs = agree * self.approval.denominator
        rhs = self.approval.numerator * participated
        return lhs > rhs if self.approval_strict else lhs >= rhs

    def as_api(self) -> dict[str, str]:
        """The API's ``rule`` object: ``{"matter", "quorum", "approval"}``."""
        return {
            "matter": self.matter.value,
            "quorum": self.quorum_label,
            "approval": self.approval_label,
        }


def rule_for(matter: Matter | str) -> Rule:
    """The rule of art. 278 for ``matter`` (a ``Matter`` or its API string).

    Items 6, 7, 8 → double 2/3 turnout and double ≥ 3/4 consent; every other item → double
    2/3 turnout and double > 1/2 consent. An unknown string raises ``ValueError``.
    """
    matter = Matter(matter)
    if matter.item in _THREE_QUARTER_ITEMS:
        return Rule(matter=matter, approval=Fraction(3, 4), approval_strict=False)
    return Rule(matter=matter, approval=Fraction(1, 2), approval_strict=True)


#: Shanghai elevator retrofit whose lift stands on the compound's common land: besides the
#: building's own ``rebuild`` vote, a compound-wide vote at double 2/3 turnout and double
#: *more-than-half* consent (沪建房管联〔2020〕801号) — milder than item 8's usual 3/4.
ELEVATOR_LAND_RULE = Rule(matter=Matter.common_use, approval=Fraction(1, 2), approval_strict=True)


# ---------------------------------------------------------------------------
# Voters: who counts as one head (SPC interpretation arts. 8–9)
# ---------------------------------------------------------------------------


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
    """One exclusive part in a vote's scope, as the roll sees it.

    ``area`` in m² (at most two decimals); ``holder_ids`` are the person ids of its title
    holders (共有人 included); ``developer_held`` marks an unsold or undelivered unit.
    """

    unit_id: int
    area: Decimal
    holder_ids: frozenset[int] = frozenset()
    developer_held: bool = False


DEVELOPER_KEY = "developer"


@dataclass(frozen=True)
class VoterGroup:
    """One voter: one head, with the area of all of its units in scope.

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
    """Group the units of a roll into voters, each one head.

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
        VoterGroup(
            key=key,
            unit_ids=tuple(sorted(uid for uid, _ in members)),
            area_c=sum(a for _, a in members),
        )
        for key, members in buckets.items()
    ]
    groups.sort(key=lambda g: g.unit_ids[0])
    return tuple(groups)


def roll_totals(groups: Iterable[VoterGroup]) -> tuple[int, int, int]:
    """The roll's ``(area_c, heads, units)``: the denominators of turnout."""
    area_c = heads = units = 0
    for group in groups:
        area_c += group.area_c
        heads += group.heads
        units += len(group.unit_ids)
    return area_c, heads, units


def groups_by_unit(groups: Iterable[VoterGroup]) -> dict[int, VoterGroup]:
    """Map every unit id to its voter, to find who a ballot for a unit is cast by."""
    return {uid: group for group in groups for uid in group.unit_ids}


# ---------------------------------------------------------------------------
# Tally
# ---------------------------------------------------------------------------


class Choice(StrEnum):
    """A ballot's choice; the value is the API's ``choice`` string."""

    agree = "agree"
    oppose = "oppose"
    abstain = "abstain"


class Ballot(NamedTuple):
    """What one voter (or an aggregate of voters) put in the box: area, heads, choice."""

    area_c: int
    heads: int
    choice: Choice


@dataclass(frozen=True)
class Reason:
    """Why a decision failed: a stable ``code`` plus a Chinese and an English sentence."""

    code: str
    zh: str
    en: str


def _turnout_reasons(
    area_ok: bool, heads_ok: bool, roll_area_c: int, roll_heads: int
) -> list[Reason]:
    if roll_area_c == 0 and roll_heads == 0:
        return [
            Reason(
                "empty_roll",
                "表决范围内没有业主，无法形成决定",
                "The roll is empty, so no decision can be taken",
            )
        ]
    reasons = []
    if not area_ok:
        reasons.append(
            Reason(
                "turnout_area",
                "参与表决的专有部分面积未达到总面积的三分之二",
                "Owners taking part hold less than two thirds of the total exclusive area",
            )
        )
    if not heads_ok:
        reasons.append(
            Reason(
                "turnout_heads",
                "参与表决的业主人数未达到总人数的三分之二",
                "Fewer than two thirds of all owners (by headcount) took part",
            )
        )
    return reasons


def _consent_reasons(rule: Rule, area_ok: bool, heads_ok: bool, participated: bool) -> list[Reason]:
    if not participated:
        return [
            Reason(
                "no_participation",
                "没有业主参与表决",
                "Nobody took part in the vote",
            )
        ]
    if rule.approval_strict and rule.approval == Fraction(1, 2):
        bar_zh, bar_en = "未超过参与表决{}的半数", "more than half of the participating {}"
    else:
        frac_zh = _FRACTION_ZH.get(rule.approval, rule.approval_label)
        bar_zh = "未达到参与表决{}的" + frac_zh
        bar_en = f"at least {rule.approval_label} of the participating {{}}"
    reasons = []
    if not area_ok:
        reasons.append(
            Reason(
                "consent_area",
                "同意的专有部分面积" + bar_zh.format("专有部分面积"),
                "Owners agreeing do not hold " + bar_en.format("area"),
            )
        )
    if not heads_ok:
        reasons.append(
            Reason(
                "consent_heads",
                "同意的业主人数" + bar_zh.format("人数"),
                "Owners agreeing are not " + bar_en.format("headcount"),
            )
        )
    return reasons


def _ratio(num: int, den: int) -> Fraction:
    # A ratio over nothing is shown as 0 %, never as a division error.
    return Fraction(num, den) if den else Fraction(0)


@dataclass(frozen=True)
class TallyResult:
    """The full count of a decision: the figures, the four ratios, and the outcome.

    Ratios are exact ``Fraction``s (0 when their denominator is 0); the ``*_pct`` strings are
    the same rounded down to two decimals. ``passed`` ⇔ ``quorum_met and approved`` ⇔
    ``reasons`` is empty.
    """

    rule: Rule
    roll_area_c: int
    roll_heads: int
    participated_area_c: int
    participated_heads: int
    agree_area_c: int
    agree_heads: int
    oppose_area_c: int
    oppose_heads: int
    abstain_area_c: int
    abstain_heads: int
    turnout_area: Fraction
    turnout_heads: Fraction
    consent_area: Fraction
    consent_heads: Fraction
    quorum_met: bool
    approved: bool
    passed: bool
    reasons: tuple[Reason, ...]

    @property
    def turnout_area_pct(self) -> str:
        """Participating area / roll area, in %, rounded down."""
        return pct_floor(self.turnout_area)

    @property
    def turnout_heads_pct(self) -> str:
        """Participating heads / roll heads, in %, rounded down."""
        return pct_floor(self.turnout_heads)

    @property
    def consent_area_pct(self) -> str:
        """Agreeing area / participating area, in %, rounded down."""
        return pct_floor(self.consent_area)

    @property
    def consent_heads_pct(self) -> str:
        """Agreeing heads / participating heads, in %, rounded down."""
        return pct_floor(self.consent_heads)

    def as_api(self) -> dict[str, Any]:
        """The API result body without ``status`` (which the service knows), plus the four
        ratios as percentage strings and the reasons' codes and texts."""

        def pair(area_c: int, heads: int) -> dict[str, Any]:
            return {"area": str(centi_to_area(area_c)), "heads": heads}

        return {
            "rule": self.rule.as_api(),
            "roll": pair(self.roll_area_c, self.roll_heads),
            "participated": pair(self.participated_area_c, self.participated_heads),
            "agree": pair(self.agree_area_c, self.agree_heads),
            "oppose": pair(self.oppose_area_c, self.oppose_heads),
            "abstain": pair(self.abstain_area_c, self.abstain_heads),
            "ratios": {
                "turnout_area": self.turnout_area_pct,
                "turnout_heads": self.turnout_heads_pct,
                "consent_area": self.consent_area_pct,
                "consent_heads": self.consent_heads_pct,
            },
            "quorum_met": self.quorum_met,
            "approved": self.approved,
            "passed": self.passed,
            "reasons": [{"code": r.code, "zh": r.zh, "en": r.en} for r in self.reasons],
        }


def tally(
    rule: Rule,
    roll_area_c: int,
    roll_heads: int,
    ballots: Iterable[tuple[int, int, Choice | str]],
) -> TallyResult:
    """Count ``ballots`` against a roll of ``roll_area_c`` hundredths of m² and ``roll_heads``.

    Each ballot is ``(area_c, heads, choice)``; ``choice`` may be a ``Choice`` or its string.
    Abstentions have taken part: they count toward turnout and in the consent denominator,
    never as agreeing. Owners who did not vote are not counted at all (no 从众).
    Comparisons are exact integer ones (``3·p ≥ 2·T``; ``4·y ≥ 3·p``; ``2·y > p``).
    An empty roll never meets the quorum; no participation is never approved.
    Ballots adding up to more area or heads than the roll → ``ValueError`` (a broken roll
    or a double count, which must not be published as a result).
    """
    _check_count(roll_area_c, "roll_area_c")
    _check_count(roll_heads, "roll_heads")
    area = dict.fromkeys(Choice, 0)
    heads = dict.fromkeys(Choice, 0)
    for ballot in ballots:
        b_area, b_heads, b_choice = ballot
        choice = Choice(b_choice)
        area[choice] += _check_count(b_area, "ballot area_c")
        heads[choice] += _check_count(b_heads, "ballot heads")

    p_area = sum(area.values())
    p_heads = sum(heads.values())
    if p_area > roll_area_c or p_heads > roll_heads:
        raise ValueError(
            f"ballots cover {p_area} centi-m² / {p_heads} heads, "
            f"more than the roll's {roll_area_c} / {roll_heads}"
        )

    t_area_ok = rule.quorum_reached(p_area, roll_area_c)
    t_heads_ok = rule.quorum_reached(p_heads, roll_heads)
    c_area_ok = rule.consent_reached(area[Choice.agree], p_area)
    c_heads_ok = rule.consent_reached(heads[Choice.agree], p_heads)
    quorum_met = t_area_ok and t_heads_ok
    approved = c_area_ok and c_heads_ok

    reasons: list[Reason] = []
    if not quorum_met:
        reasons += _turnout_reasons(t_area_ok, t_heads_ok, roll_area_c, roll_heads)
    if not approved:
        reasons += _consent_reasons(rule, c_area_ok, c_heads_ok, p_area > 0 or p_heads > 0)

    return TallyResult(
        rule=rule,
        roll_area_c=roll_area_c,
        roll_heads=roll_heads,
        participated_area_c=p_area,
        participated_heads=p_heads,
        agree_area_c=area[Choice.agree],
        agree_heads=heads[Choice.agree],
        oppose_area_c=area[Choice.oppose],
        oppose_heads=heads[Choice.oppose],
        abstain_area_c=area[Choice.abstain],
        abstain_heads=heads[Choice.abstain],
        turnout_area=_ratio(p_area, roll_area_c),
        turnout_heads=_ratio(p_heads, roll_heads),
        consent_area=_ratio(area[Choice.agree], p_area),
        consent_heads=_ratio(heads[Choice.agree], p_heads),
        quorum_met=quorum_met,
        approved=approved,
        passed=quorum_met and approved,
        reasons=tuple(reasons),
    )


def _more_for_quorum(participated: int, roll: int) -> int:
    # Least x ≥ 0 with 3·(p + x) ≥ 2·T, i.e. x = ⌈(2T − 3p) / 3⌉ when positive.
    shortfall = QUORUM.numerator * roll - QUORUM.denominator * participated
    return max(0, -(-shortfall // QUORUM.denominator))


def needed_for_quorum(
    roll_area_c: int, roll_heads: int, participated_area_c: int, participated_heads: int
) -> tuple[int, int]:
    """``(more_area_c, more_heads)``: the least extra area (hundredths) and heads still needed
    for the 2/3 turnout bars; 0 for a bar already reached.

    For the secretary's live progress page. Adding exactly these amounts meets the quorum,
    one hundredth or one head less does not. An empty roll needs nothing more yet can never
    meet the quorum (see ``Rule.quorum_reached``), so it returns ``(0, 0)``.
    """
    for name, value in (
        ("roll_area_c", roll_area_c),
        ("roll_heads", roll_heads),
        ("participated_area_c", participated_area_c),
        ("participated_heads", participated_heads),
    ):
        _check_count(value, name)
    return (
        _more_for_quorum(participated_area_c, roll_area_c),
        _more_for_quorum(participated_heads, roll_heads),
    )


# ---------------------------------------------------------------------------
# Apportionment (largest remainder, to the fen)
# ---------------------------------------------------------------------------


def apportion(
    total_fen: int, weights: Iterable[tuple[Any, int | Fraction | Decimal]]
) -> dict[Any, int]:
    """Split ``total_fen`` among keys in proportion to their weights, to the fen.

    Largest-remainder (Hamilton) rounding: everyone gets the floor of their exact share, and
    the fen left over go one each to the largest fractional parts, ties to the smaller key.
    Guarantees: the shares add up exactly to ``total_fen``; each share differs from the exact
    proportional share by less than one fen; a zero weight gets 0; the result does not
    depend on the order of ``weights``.

    ``total_fen`` ≥ 0; weights are non-negative ints, Fractions or Decimals (floats refused);
    keys are distinct and mutually comparable. All weights zero (or none) with
    ``total_fen`` > 0 → ``ValueError``. Returns ``{key: fen}``.
    """
    total = _check_count(total_fen, "total_fen")
    exact: dict[Any, Fraction] = {}
    for key, weight in weights:
        if key in exact:
            raise ValueError(f"key {key!r} appears twice")
        w = _exact(weight, f"weight of {key!r}")
        if w < 0:
            raise ValueError(f"weight of {key!r} must not be negative, got {weight}")
        exact[key] = w
    weight_sum = sum(exact.values(), Fraction(0))
    if weight_sum == 0:
        if total > 0:
            raise ValueError(f"cannot share {total} fen: every weight is zero")
        return dict.fromkeys(exact, 0)

    shares: dict[Any, int] = {}
    remainders: list[tuple[Fraction, Any]] = []
    for key, w in exact.items():
        quota = total * w / weight_sum
        floor = math.floor(quota)
        shares[key] = floor
        remainders.append((quota - floor, key))
    left = total - sum(shares.values())
    # Largest fractional part first; equal parts go to the smaller key (deterministic).
    remainders.sort(key=lambda item: (-item[0], item[1]))
    for _, key in remainders[:left]:
        shares[key] += 1
    return shares


# ---------------------------------------------------------------------------
# Elevator retrofit cost sharing (既有多层住宅加装电梯, Shanghai)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ElevatorPlan:
    """An elevator retrofit's money plan (data, agreed by the building's owners).

    ``cost_fen``: estimated construction cost. ``lifts``: number of lifts (≥ 1).
    ``subsidy_rate`` and ``subsidy_cap_fen`` (per lift): Shanghai's 40 % and ¥280,000.
    ``fund_fen``: what the maintenance fund contributes. ``coefficients``: floor → share
    coefficient (int, Fraction or Decimal ≥ 0); a floor not listed pays nothing.
    """

    cost_fen: int
    lifts: int = 1
    coefficients: Mapping[int, int | Fraction | Decimal] = field(default_factory=dict)
    fund_fen: int = 0
    subsidy_rate: Fraction = Fraction(2, 5)
    subsidy_cap_fen: int = 28_000_000


@dataclass(frozen=True)
class ElevatorShare:
    """One unit's part of the owners' share."""

    unit_id: int
    floor: int
    coefficient: Fraction
    share_fen: int


@dataclass(frozen=True)
class ElevatorSplit:
    """How the cost divides: subsidy + fund + owners' share = cost, and the owners' share
    is split exactly into ``shares`` (sorted by unit id)."""

    cost_fen: int
    subsidy_fen: int
    fund_fen: int
    owners_fen: int
    shares: tuple[ElevatorShare, ...]

    def by_unit(self) -> dict[int, int]:
        """``{unit_id: share_fen}``."""
        return {s.unit_id: s.share_fen for s in self.shares}


def share_elevator_cost(plan: ElevatorPlan, units: Iterable[tuple[int, int]]) -> ElevatorSplit:
    """Divide an elevator retrofit's cost between subsidy, fund and the units' owners.

    * subsidy = min(⌊cost × subsidy_rate⌋, subsidy_cap_fen × lifts) — rounded down so the
      plan never counts on more subsidy than the government pays;
    * owners' share = cost − subsidy − fund contribution. A fund contribution larger than
      what is left after the subsidy raises ``ValueError``: the fund would pay money nobody
      spends, so the plan is wrong and must be fixed rather than quietly capped;
    * each unit ``(unit_id, floor)`` pays by its floor's coefficient, with largest-remainder
      rounding (``apportion``) so the shares add up exactly to the owners' share, ties going
      to the smaller unit id.

    Negative amounts, ``lifts`` < 1, a subsidy rate outside [0, 1], duplicate unit ids, or an
    owners' share > 0 with every coefficient in play zero → ``ValueError``.
    """
    cost = _check_count(plan.cost_fen, "cost_fen")
    lifts = _check_count(plan.lifts, "lifts")
    if lifts < 1:
        raise ValueError("an elevator plan has at least one lift")
    fund = _check_count(plan.fund_fen, "fund_fen")
    cap = _check_count(plan.subsidy_cap_fen, "subsidy_cap_fen")
    rate = _exact(plan.subsidy_rate, "subsidy_rate")
    if not 0 <= rate <= 1:
        raise ValueError(f"subsidy_rate must be between 0 and 1, got {plan.subsidy_rate}")
    coefficients = {
        floor: _exact(c, f"coefficient of floor {floor}") for floor, c in plan.coefficients.items()
    }
    for floor, c in coefficients.items():
        if c < 0:
            raise ValueError(f"coefficient of floor {floor} must not be negative")

    subsidy = min(math.floor(cost * rate), cap * lifts)
    after_subsidy = cost - subsidy
    if fund > after_subsidy:
        raise ValueError(
            f"fund contribution {fund} fen exceeds the {after_subsidy} fen left after the subsidy"
        )
    owners = after_subsidy - fund

    unit_floors: dict[int, int] = {}
    for unit_id, floor in units:
        if unit_id in unit_floors:
            raise ValueError(f"unit {unit_id} appears twice")
        unit_floors[unit_id] = floor
    weights = [(uid, coefficients.get(fl, Fraction(0))) for uid, fl in unit_floors.items()]
    if owners > 0 and not any(w for _, w in weights):
        raise ValueError(
            f"owners' share is {owners} fen but every unit's floor coefficient is zero; "
            "the plan's coefficient table must give some floor a positive coefficient"
        )
    split = apportion(owners, weights)
    shares = tuple(
        ElevatorShare(
            unit_id=uid,
            floor=unit_floors[uid],
            coefficient=coefficients.get(unit_floors[uid], Fraction(0)),
            share_fen=split[uid],
        )
        for uid in sorted(unit_floors)
    )
    return ElevatorSplit(
        cost_fen=cost, subsidy_fen=subsidy, fund_fen=fund, owners_fen=owners, shares=shares
    )


# ---------------------------------------------------------------------------
# Owners'-committee election (matter 3)
# ---------------------------------------------------------------------------


class ElectionBallot(NamedTuple):
    """One voter's election ballot: area, heads, and a choice per candidate id."""

    area_c: int
    heads: int
    choices: Mapping[int, Choice]


@dataclass(frozen=True)
class CandidateTally:
    """One candidate's count.

    ``abstain_*`` is every participant who neither agreed nor opposed: explicit abstentions,
    candidates left unmarked, and void (over-voted) ballots. ``rank`` is the position among
    passing candidates (1 = best), ``None`` for one who did not pass.
    """

    candidate_id: int
    agree_area_c: int
    agree_heads: int
    oppose_area_c: int
    oppose_heads: int
    abstain_area_c: int
    abstain_heads: int
    consent_area: Fraction
    consent_heads: Fraction
    approved: bool
    rank: int | None
    elected: bool
    tied: bool

    @property
    def consent_area_pct(self) -> str:
        """Agreeing area / participating area, in %, rounded down."""
        return pct_floor(self.consent_area)

    @property
    def consent_heads_pct(self) -> str:
        """Agreeing heads / participating heads, in %, rounded down."""
        return pct_floor(self.consent_heads)


@dataclass(frozen=True)
class ElectionResult:
    """An election's count.

    ``candidates`` are ordered: passing ones by agreeing heads, then agreeing area (both
    descending), then id; then the others in the same order. ``elected`` holds the ids sure
    of a seat; when candidates tie across the last seat, ``tie`` is True, ``tied`` lists them
    and ``open_seats`` counts the seats left for the decision the rules of procedure prescribe
    (a run-off, lots…). ``open_seats`` also counts seats nobody passed for.
    """

    rule: Rule
    seats: int
    roll_area_c: int
    roll_heads: int
    participated_area_c: int
    participated_heads: int
    void_area_c: int
    void_heads: int
    turnout_area: Fraction
    turnout_heads: Fraction
    quorum_met: bool
    candidates: tuple[CandidateTally, ...]
    elected: tuple[int, ...]
    tie: bool
    tied: tuple[int, ...]
    open_seats: int
    reasons: tuple[Reason, ...]

    @property
    def turnout_area_pct(self) -> str:
        """Participating area / roll area, in %, rounded down."""
        return pct_floor(self.turnout_area)

    @property
    def turnout_heads_pct(self) -> str:
        """Participating heads / roll heads, in %, rounded down."""
        return pct_floor(self.turnout_heads)


def count_election(
    seats: int,
    roll_area_c: int,
    roll_heads: int,
    ballots: Iterable[tuple[int, int, Mapping[int, Choice | str]]],
    candidates: Iterable[int] | None = None,
) -> ElectionResult:
    """Count an owners'-committee election (art. 278 item 3; DOMAIN §4).

    Each ballot is ``(area_c, heads, {candidate_id: choice})``. Every ballot has taken part
    (turnout and every candidate's consent denominator). A ballot that *agrees* with more
    candidates than there are seats is void for its candidate part: it still counts as
    taking part — the owner came and voted — but agrees with and opposes nobody
    (``void_area_c``/``void_heads``). A candidate not marked on a ballot is not agreed with.

    Turnout: double 2/3 of the roll. A candidate passes with double more-than-half of the
    participants agreeing. If the quorum is met, the seats go to passing candidates by
    agreeing heads, then agreeing area; candidates equal on both across the last seat are a
    tie, flagged and not decided here. Without the quorum nobody is elected.

    ``candidates`` (optional) lists every candidate so that one nobody marked still appears;
    a ballot naming someone outside it → ``ValueError``. ``seats`` ≥ 1.
    """
    if _check_count(seats, "seats") < 1:
        raise ValueError("an election has at least one seat")
    _check_count(roll_area_c, "roll_area_c")
    _check_count(roll_heads, "roll_heads")
    rule = rule_for(Matter.committee)
    known = None if candidates is None else frozenset(candidates)

    figures: dict[int, dict[Choice, list[int]]] = {}

    def figure(cid: int) -> dict[Choice, list[int]]:
        return figures.setdefault(cid, {Choice.agree: [0, 0], Choice.oppose: [0, 0]})

    for cid in known or ():
        figure(cid)

    p_area = p_heads = void_area = void_heads = 0
    for ballot in ballots:
        b_area, b_heads, b_choices = ballot
        _check_count(b_area, "ballot area_c")
        _check_count(b_heads, "ballot heads")
        p_area += b_area
        p_heads += b_heads
        marks = {cid: Choice(ch) for cid, ch in b_choices.items()}
        if known is not None and not marks.keys() <= known:
            raise ValueError(f"ballot names unknown candidates {sorted(marks.keys() - known)}")
        for cid in marks:
            figure(cid)
        if sum(1 for ch in marks.values() if ch is Choice.agree) > seats:
            void_area += b_area
            void_heads += b_heads
            continue
        for cid, ch in marks.items():
            if ch is not Choice.abstain:
                figure(cid)[ch][0] += b_area
                figure(cid)[ch][1] += b_heads

    if p_area > roll_area_c or p_heads > roll_heads:
        raise ValueError(
            f"ballots cover {p_area} centi-m² / {p_heads} heads, "
            f"more than the roll's {roll_area_c} / {roll_heads}"
        )
    t_area_ok = rule.quorum_reached(p_area, roll_area_c)
    t_heads_ok = rule.quorum_reached(p_heads, roll_heads)
    quorum_met = t_area_ok and t_heads_ok

    rows = []
    for cid, fig in figures.items():
        y_area, y_heads = fig[Choice.agree]
        n_area, n_heads = fig[Choice.oppose]
        approved = rule.consent_reached(y_area, p_area) and rule.consent_reached(y_heads, p_heads)
        rows.append((cid, y_area, y_heads, n_area, n_heads, approved))

    # Seats by agreeing heads, then agreeing area; the id only fixes the display order.
    rows.sort(key=lambda r: (not r[5], -r[2], -r[1], r[0]))
    passing = [r for r in rows if r[5]]

    elected: list[int] = []
    tied: list[int] = []
    if quorum_met:
        if len(passing) <= seats:
            elected = [r[0] for r in passing]
        else:
            boundary = (passing[seats - 1][2], passing[seats - 1][1])
            if (passing[seats][2], passing[seats][1]) == boundary:
                elected = [r[0] for r in passing if (r[2], r[1]) > boundary]
                tied = [r[0] for r in passing if (r[2], r[1]) == boundary]
            else:
                elected = [r[0] for r in passing[:seats]]

    tallies = []
    rank = 0
    previous: tuple[int, int] | None = None
    for position, (cid, y_area, y_heads, n_area, n_heads, approved) in enumerate(rows, 1):
        # Competition ranking (1, 2, 2, 4): candidates equal on heads and area share a rank.
        if approved and (y_heads, y_area) != previous:
            rank, previous = position, (y_heads, y_area)
        tallies.append(
            CandidateTally(
                candidate_id=cid,
                agree_area_c=y_area,
                agree_heads=y_heads,
                oppose_area_c=n_area,
                oppose_heads=n_heads,
                abstain_area_c=p_area - y_area - n_area,
                abstain_heads=p_heads - y_heads - n_heads,
                consent_area=_ratio(y_area, p_area),
                consent_heads=_ratio(y_heads, p_heads),
                approved=approved,
                rank=rank if approved else None,
                elected=cid in elected,
                tied=cid in tied,
            )
        )

    reasons = [] if quorum_met else _turnout_reasons(t_area_ok, t_heads_ok, roll_area_c, roll_heads)
    if tied:
        reasons.append(
            Reason(
                "seat_tie",
                "候选人得票相同，最后席位需另行决定",
                "Candidates tie for the last seat; it must be decided separately",
            )
        )
    elif quorum_met and len(elected) < seats:
        reasons.append(
            Reason(
                "seats_unfilled",
                "获得双过半数同意的候选人少于应选名额",
                "Fewer candidates won double-majority consent than there are seats",
            )
        )
    return ElectionResult(
        rule=rule,
        seats=seats,
        roll_area_c=roll_area_c,
        roll_heads=roll_heads,
        participated_area_c=p_area,
        participated_heads=p_heads,
        void_area_c=void_area,
        void_heads=void_heads,
        turnout_area=_ratio(p_area, roll_area_c),
        turnout_heads=_ratio(p_heads, roll_heads),
        quorum_met=quorum_met,
        candidates=tuple(tallies),
        elected=tuple(elected),
        tie=bool(tied),
        tied=tuple(tied),
        open_seats=seats - len(elected),
        reasons=tuple(reasons),
    )
