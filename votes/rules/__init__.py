"""The law and the arithmetic of owners' common decisions (业主共同决定事项).

Pure functions and frozen dataclasses, standard library only: no Flask, no database, no I/O.
By section: `numbers` (exact checks, percentages, areas), `matters` (art. 278 and its rules),
`voters` (who is one head), `tally` (the count), `apportion` (shares to the fen), `election`
(matter 3). Everything other code uses is importable from `votes.rules` itself.
Everything is exact — areas in integer hundredths of a square metre ("centi-m²", so
``Decimal("87.65")`` is ``8765``), money in integer fen, ratios as ``fractions.Fraction``.
There are no floats anywhere, and inputs that are floats are refused.

Sources (see docs/DOMAIN.md):

* Civil Code art. 278 — the nine matters, double-2/3 turnout, double-3/4 consent for items
  6–8 and double more-than-half consent for the others; art. 1259 — 以上 includes the
  number itself, 过半数 does not.
* SPC interpretation on building co-ownership arts. 8–9 — how area and heads are counted.
* 沪建房管联〔2020〕801号 — elevator retrofit subsidy (in votes.elevator.rules).
* MOHURD guidance (2009) — owners'-committee elections (matter 3).
"""

from votes.rules.apportion import apportion
from votes.rules.election import CandidateTally, ElectionBallot, ElectionResult, count_election
from votes.rules.matters import ELEVATOR_LAND_RULE, QUORUM, Matter, Rule, rule_for
from votes.rules.numbers import area_to_centi, centi_to_area, pct_floor
from votes.rules.tally import Ballot, Choice, Reason, TallyResult, needed_for_quorum, tally
from votes.rules.voters import (
    DEVELOPER_KEY,
    UnitLike,
    UnitRecord,
    VoterGroup,
    group_voters,
    groups_by_unit,
    roll_totals,
)

__all__ = [
    "DEVELOPER_KEY",
    "ELEVATOR_LAND_RULE",
    "QUORUM",
    "Ballot",
    "CandidateTally",
    "Choice",
    "ElectionBallot",
    "ElectionResult",
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
    "tally",
]
