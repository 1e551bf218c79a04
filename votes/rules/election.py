"""Counting an owners'-committee election (art. 278 item 3; MOHURD guidance 2009, DOMAIN
§4): double 2/3 turnout, each candidate double more-than-half of the participants, seats by
agreeing heads then area, ties across the last seat flagged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from votes.rules.matters import Matter, Rule, rule_for
from votes.rules.numbers import check_count
from votes.rules.tally import (
    Choice,
    ConsentShown,
    Reason,
    TurnoutShown,
    ratio,
    turnout_reached,
    turnout_reasons,
)


class ElectionBallot(NamedTuple):
    """One voter's election ballot: area, heads, and a choice per candidate id."""

    area_c: int
    heads: int
    choices: Mapping[int, Choice]


@dataclass(frozen=True)
class CandidateTally(ConsentShown):
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


@dataclass(frozen=True)
class ElectionResult(TurnoutShown):
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
    if check_count(seats, "seats") < 1:
        raise ValueError("an election has at least one seat")
    check_count(roll_area_c, "roll_area_c")
    check_count(roll_heads, "roll_heads")
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
        check_count(b_area, "ballot area_c")
        check_count(b_heads, "ballot heads")
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

    t_area_ok, t_heads_ok = turnout_reached(rule, p_area, p_heads, roll_area_c, roll_heads)
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
                consent_area=ratio(y_area, p_area),
                consent_heads=ratio(y_heads, p_heads),
                approved=approved,
                rank=rank if approved else None,
                elected=cid in elected,
                tied=cid in tied,
            )
        )

    reasons = [] if quorum_met else turnout_reasons(t_area_ok, t_heads_ok, roll_area_c, roll_heads)
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
        turnout_area=ratio(p_area, roll_area_c),
        turnout_heads=ratio(p_heads, roll_heads),
        quorum_met=quorum_met,
        candidates=tuple(tallies),
        elected=tuple(elected),
        tie=bool(tied),
        tied=tuple(tied),
        open_seats=seats - len(elected),
        reasons=tuple(reasons),
    )
