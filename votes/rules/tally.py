"""Counting a decision: turnout and consent by area and by heads, exactly, with the reasons
a decision failed; and what the live progress still needs for the 2/3 turnout."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any, NamedTuple

from votes.rules.matters import FRACTION_ZH, QUORUM, Rule
from votes.rules.numbers import centi_to_area, check_count, pct_floor


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


def turnout_reasons(
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
        frac_zh = FRACTION_ZH.get(rule.approval, rule.approval_label)
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


def ratio(num: int, den: int) -> Fraction:
    # A ratio over nothing is shown as 0 %, never as a division error.
    return Fraction(num, den) if den else Fraction(0)


class TurnoutShown:
    """The turnout ratios as notices show them (a count with `turnout_area`/`_heads`)."""

    @property
    def turnout_area_pct(self) -> str:
        """Participating area / roll area, in %, rounded down."""
        return pct_floor(self.turnout_area)

    @property
    def turnout_heads_pct(self) -> str:
        """Participating heads / roll heads, in %, rounded down."""
        return pct_floor(self.turnout_heads)


class ConsentShown:
    """The consent ratios as notices show them (a count with `consent_area`/`_heads`)."""

    @property
    def consent_area_pct(self) -> str:
        """Agreeing area / participating area, in %, rounded down."""
        return pct_floor(self.consent_area)

    @property
    def consent_heads_pct(self) -> str:
        """Agreeing heads / participating heads, in %, rounded down."""
        return pct_floor(self.consent_heads)


@dataclass(frozen=True)
class TallyResult(TurnoutShown, ConsentShown):
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


def turnout_reached(
    rule: Rule, p_area: int, p_heads: int, roll_area_c: int, roll_heads: int
) -> tuple[bool, bool]:
    """Whether the participating area and heads each reach the turnout bar. Participation
    beyond the roll → ``ValueError``: a broken roll or a double count, which must not be
    published as a result."""
    if p_area > roll_area_c or p_heads > roll_heads:
        raise ValueError(
            f"ballots cover {p_area} centi-m² / {p_heads} heads, "
            f"more than the roll's {roll_area_c} / {roll_heads}"
        )
    return rule.quorum_reached(p_area, roll_area_c), rule.quorum_reached(p_heads, roll_heads)


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
    check_count(roll_area_c, "roll_area_c")
    check_count(roll_heads, "roll_heads")
    area = dict.fromkeys(Choice, 0)
    heads = dict.fromkeys(Choice, 0)
    for ballot in ballots:
        b_area, b_heads, b_choice = ballot
        choice = Choice(b_choice)
        area[choice] += check_count(b_area, "ballot area_c")
        heads[choice] += check_count(b_heads, "ballot heads")

    p_area = sum(area.values())
    p_heads = sum(heads.values())
    t_area_ok, t_heads_ok = turnout_reached(rule, p_area, p_heads, roll_area_c, roll_heads)
    c_area_ok = rule.consent_reached(area[Choice.agree], p_area)
    c_heads_ok = rule.consent_reached(heads[Choice.agree], p_heads)
    quorum_met = t_area_ok and t_heads_ok
    approved = c_area_ok and c_heads_ok

    reasons: list[Reason] = []
    if not quorum_met:
        reasons += turnout_reasons(t_area_ok, t_heads_ok, roll_area_c, roll_heads)
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
        turnout_area=ratio(p_area, roll_area_c),
        turnout_heads=ratio(p_heads, roll_heads),
        consent_area=ratio(area[Choice.agree], p_area),
        consent_heads=ratio(heads[Choice.agree], p_heads),
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
        check_count(value, name)
    return (
        _more_for_quorum(participated_area_c, roll_area_c),
        _more_for_quorum(participated_heads, roll_heads),
    )
