"""The law of an owners'-committee election's vetting (DOMAIN.md §4), as pure functions.

What makes a properly composed preparatory group, how many seats a committee has, how long
the list stands for objections, and — for each eligibility check — which state the facts
put it in: *passed*, *failed* or *unknown*, never passed without data to show for it.

No Flask, no session, no I/O: the services gather the facts (the registry, the fund's
sub-ledgers, the property company's staff register, the register of illegal structures,
the candidate's declarations) and put the findings into words. A `Finding` names its
source and its note by code, with the values the words need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

PASSED, FAILED, UNKNOWN = "passed", "failed", "unknown"

#: an owners' committee has 5 to 11 members, an odd number
SEATS_MIN, SEATS_MAX = 5, 11
#: the candidate list stands for objections this many days (7 unless the group says more)
NOTICE_DAYS_MIN, NOTICE_DAYS_MAX, DEFAULT_NOTICE_DAYS = 7, 30, 7
#: a joint nomination is made by several owners (联名): at least this many
JOINT_NOMINATORS_MIN = 2

#: the checks, in the order they are shown
CHECK_KEYS = ("owner", "fund_arrears", "fee_arrears", "property_staff", "illegal_structure",
              "civil_capacity")


def seats_allowed(n: int) -> bool:
    """An owners' committee has 5 to 11 members, an odd number."""
    return SEATS_MIN <= n <= SEATS_MAX and n % 2 == 1


def enough_candidates(candidates: int, seats: int) -> bool:
    """The final list names at least as many candidates as there are seats: a list of 2
    for 7 seats cannot fill the committee, whatever the owners vote."""
    return candidates >= seats


def notice_days_allowed(n: int) -> bool:
    """The list stands for objections 7 to 30 days."""
    return NOTICE_DAYS_MIN <= n <= NOTICE_DAYS_MAX


# -- the preparatory group ------------------------------------------------------------------

@dataclass(frozen=True)
class Seat:
    """A member of the preparatory group as the rules see them."""

    role: str  # GroupRole's value: owner, street, residents_committee, party, other
    leader: bool = False


def group_problems(members: Sequence[Seat]) -> list[str]:
    """What the group lacks, as codes (empty = properly made): owners at least half, a
    leader from the street office, the residents' committee and the party organisation."""
    if not members:
        return ["no_members"]
    roles = [m.role for m in members]
    problems = []
    if 2 * roles.count("owner") < len(members):
        problems.append("owners_below_half")
    if not any(m.role == "street" and m.leader for m in members):
        problems.append("no_street_leader")
    if "residents_committee" not in roles:
        problems.append("no_residents_committee")
    if "party" not in roles:
        problems.append("no_party")
    return problems


# -- eligibility ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """What one check found: its state, the source that answered (a code), and the note
    that explains it (a code, "" for none) with the values its words need."""

    key: str
    state: str
    source: str
    note: str = ""
    values: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class HeldUnit:
    label: str
    developer_held: bool


def owner_check(units: Sequence[HeldUnit]) -> Finding:
    """Owns a unit of the compound that is not the developer's (the registry's holdings)."""
    own = [u.label for u in units if not u.developer_held]
    if own:
        return Finding("owner", PASSED, "registry", "units", {"units": own})
    if units:
        return Finding("owner", FAILED, "registry", "only_developer_units",
                       {"units": [u.label for u in units]})
    return Finding("owner", FAILED, "registry", "no_unit")


@dataclass(frozen=True)
class SubLedger:
    """A unit's repair-fund standing: what it owes and what is known of its first deposit."""

    label: str
    arrears_fen: int
    initial_due_fen: int | None
    initial_paid_fen: int


def fund_check(ledgers: Sequence[SubLedger]) -> Finding:
    """No arrears of repair-fund deposits. Without a rate, a unit that never paid shows no
    arrears only because nothing is known: that is unknown, not passed."""
    if not ledgers:
        return Finding("fund_arrears", UNKNOWN, "fund_unavailable")
    owing = [(x.label, x.arrears_fen) for x in ledgers if x.arrears_fen > 0]
    if owing:
        return Finding("fund_arrears", FAILED, "fund_ledger", "owing", {"owing": owing})
    known = [x for x in ledgers if x.initial_due_fen is not None or x.initial_paid_fen > 0]
    if len(known) < len(ledgers):
        return Finding("fund_arrears", UNKNOWN, "fund_ledger", "no_deposit_on_record")
    return Finding("fund_arrears", PASSED, "fund_ledger", "units",
                   {"units": [x.label for x in ledgers]})


@dataclass(frozen=True)
class FeeList:
    """What the latest property-fee arrears list of the last three months says of the
    candidate's units: who issued it ("company" / "owners_committee"), its date, and the
    units that owed something with their amounts in fen."""

    issuer: str
    as_of: dt.date
    owing: tuple[tuple[str, int], ...] = ()
    company: str = ""


def fee_check(fee_list: FeeList | None = None) -> Finding:
    """No arrears of property fees, by the latest arrears list of the last three months
    (property.fees): failed if it lists the candidate's units as owing, passed if not;
    unknown without a list that recent — then the group verifies it itself."""
    if fee_list is None:
        return Finding("fee_arrears", UNKNOWN, "fee_list_none", "ask_company")
    values = {"issuer": fee_list.issuer, "company": fee_list.company,
              "as_of": fee_list.as_of, "owing": list(fee_list.owing),
              "total_fen": sum(fen for _label, fen in fee_list.owing)}
    if fee_list.owing:
        return Finding("fee_arrears", FAILED, "fee_list", "fee_owing", values)
    return Finding("fee_arrears", PASSED, "fee_list", "fee_none", values)


@dataclass(frozen=True)
class StaffHit:
    """A current employee of the company serving the compound whose ID number matched."""

    name: str
    id_masked: str


def staff_check(company: str | None, *, own_id_known: bool, relatives: int,
                hits: Sequence[StaffHit], declared_relative_staff: bool | None) -> Finding:
    """Neither the candidate nor a spouse or direct relative works for the company serving
    the compound (its staff register, matched by ID number, and the candidate's
    declaration). `relatives`: how many relatives' ID numbers were matched too."""
    if company is None:
        return Finding("property_staff", UNKNOWN, "staff_register", "no_contract")
    source_values = {"company": company}
    if hits:
        return Finding("property_staff", FAILED, "staff_register_of", "on_register",
                       {**source_values, "hits": list(hits)})
    if declared_relative_staff:
        return Finding("property_staff", FAILED, "declaration", "declares_relative")
    missing = []
    if not own_id_known:
        missing.append("no_own_id")
    if declared_relative_staff is None:
        missing.append("no_declaration")
    if missing:
        return Finding("property_staff", UNKNOWN, "staff_register_of", "missing",
                       {**source_values, "missing": missing})
    return Finding("property_staff", PASSED, "staff_register_of", "checked",
                   {**source_values, "n": 1 + relatives})


def structure_check(units: Sequence[str], open_records: Iterable[tuple[str, dt.date]]
                    ) -> Finding:
    """No uncorrected illegal structure or structural damage recorded for the candidate's
    units (labels), given the open records as (unit label, recorded on)."""
    if not units:
        return Finding("illegal_structure", UNKNOWN, "structures")
    records = list(open_records)
    if records:
        return Finding("illegal_structure", FAILED, "structures", "open", {"records": records})
    return Finding("illegal_structure", PASSED, "structures", "none_open",
                   {"units": list(units)})


def capacity_check(declared_full_capacity: bool | None) -> Finding:
    """Full civil capacity, as the candidate declares it."""
    if declared_full_capacity is None:
        return Finding("civil_capacity", UNKNOWN, "declaration", "not_declared")
    return Finding("civil_capacity", PASSED if declared_full_capacity else FAILED,
                   "declaration")


def approval_refused(findings: Sequence[Finding], *, pledge_on_file: bool,
                     verified: Iterable[str]) -> tuple[str, str] | None:
    """Why the group may not approve a candidate yet, as (code, check key) — or None.

    The written pledge must be on file, no check may have failed, and every unknown check
    needs the group's note on how it verified it (`verified`: the keys with a note)."""
    if not pledge_on_file:
        return "no_pledge", ""
    failed = [f for f in findings if f.state == FAILED]
    if failed:
        return "check_failed", failed[0].key
    notes = set(verified)
    unconfirmed = [f for f in findings if f.state == UNKNOWN and f.key not in notes]
    if unconfirmed:
        return "check_unknown", unconfirmed[0].key
    return None


# -- the notice -----------------------------------------------------------------------------

def gender_and_age(id_number: str | None, on: dt.date) -> tuple[str, str]:
    """Gender and age in years on `on`, read from an 18-digit ID number ("" when unknown)."""
    if not id_number or len(id_number) != 18:
        return "", ""
    gender = "男" if int(id_number[16]) % 2 == 1 else "女"
    born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return gender, str(age)
