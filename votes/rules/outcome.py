"""What happened to a counted vote, in one word each: passed, turnout not reached, consent
under three quarters, consent not over half.

A result reads "not passed" for different reasons, and the notice must say which: a vote
that failed its 2/3 turnout did not fail a majority, and a 3/4 matter that got 70 % consent
was not "under half". Turnout is judged first (without it there is no decision to approve).
"""

from __future__ import annotations

import enum


class Outcome(enum.StrEnum):
    passed = "passed"  # 通过
    turnout = "turnout"  # 未达参与表决人数要求（未过三分之二）
    consent_three_quarters = "consent_3_4"  # 同意未达四分之三
    consent_half = "consent_half"  # 同意未过半数


#: the words of each outcome on Chinese pages and documents
OUTCOME_ZH = {
    Outcome.passed: "通过",
    Outcome.turnout: "未达参与表决人数要求（未过三分之二）",
    Outcome.consent_three_quarters: "同意未达四分之三",
    Outcome.consent_half: "同意未过半数",
}


def outcome_of(quorum_met: bool, approved: bool, approval: str) -> Outcome:
    """The outcome of a count: `approval` is the rule's consent bar as the API writes it
    ("3/4" or "1/2", see `Rule.approval_label`)."""
    if not quorum_met:
        return Outcome.turnout
    if approved:
        return Outcome.passed
    return Outcome.consent_three_quarters if approval == "3/4" else Outcome.consent_half


def outcome_of_result(result: dict) -> Outcome:
    """The outcome of a stored result (the body of GET /votes/{vid}/result)."""
    return outcome_of(bool(result["quorum_met"]), bool(result["approved"]),
                      str(result["rule"]["approval"]))
