"""A candidate's eligibility checks (DOMAIN.md §4), computed now from the data.

The facts come from where they are kept — the registry's title holdings and its register
of illegal structures (compounds), the repair fund's sub-ledgers (this package), the staff
register of the company serving the compound (property), the candidate's own declarations,
the latest property-fee arrears list of the last three months (property.fees) — and `rules`
says what they amount to. Here the findings are put into words.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from compounds import org_services
from compounds import services as registry
from core.template_helpers import yuan
from owners_committee.election import rules
from owners_committee.election.models import Candidate
from owners_committee.election.rules import Finding
from owners_committee.fund.accounts import unit_rows
from property import services as property_services

CHECK_LABELS = {
    "owner": _l("Owns a unit in the compound (not developer-held)"),
    "fund_arrears": _l("No arrears of repair-fund deposits"),
    "fee_arrears": _l("No arrears of property fees"),
    "property_staff": _l("Neither they nor a spouse or direct relative works for the "
                         "compound's property company"),
    "illegal_structure": _l("No uncorrected illegal structure or structural damage"),
    "civil_capacity": _l("Full civil capacity"),
}

_SOURCES = {
    "registry": _l("Registry (title holdings)"),
    "fund_unavailable": _l("Repair fund ledger: not available"),
    "fund_ledger": _l("Repair fund ledger (sub-ledgers)"),
    "fee_list_none": _l("No property-fee arrears list of the last three months"),
    "staff_register": _l("Property staff register"),
    "declaration": _l("The candidate's declaration"),
    "structures": _l("Register of illegal structures"),
}
_MISSING = {
    "no_own_id": _l("the candidate's ID number is not in the registry"),
    "no_declaration": _l("no declaration about spouse and relatives"),
}


@dataclass(frozen=True)
class Check:
    """One eligibility check: its state, where the answer comes from, and what it saw."""

    key: str
    state: str  # passed / failed / unknown
    source: str
    detail: str

    @property
    def label(self) -> str:
        return str(CHECK_LABELS[self.key])

    def as_dict(self) -> dict:
        return {"key": self.key, "state": self.state, "source": self.source,
                "detail": self.detail}


def _yuan(fen: int) -> str:
    return f"¥{yuan(fen)}"


def _fee_list(v) -> str:
    """"据物业公司2026年11月30日欠费清单" — who issued the list the check rests on, and its date."""
    issuer = _l("the property company") if v["issuer"] == "company" else \
        _l("the owners' committee")
    return str(_l("According to %(issuer)s's arrears list of %(date)s", issuer=issuer,
                  date=format_date(v["as_of"], "long")))


def _source(f: Finding) -> str:
    if f.source == "fee_list":
        return _fee_list(f.values) + (f"（{f.values['company']}）"
                                      if f.values.get("company") else "")
    if f.source == "staff_register_of":
        return str(_l("Staff register of %(c)s", c=f.values["company"]))
    return str(_SOURCES[f.source])


def _detail(f: Finding) -> str:
    v = f.values
    words = {
        "": lambda: "",
        "units": lambda: "、".join(v["units"]),
        "only_developer_units": lambda: str(_l("Only developer-held units: %(u)s",
                                               u="、".join(v["units"]))),
        "no_unit": lambda: str(_l("Holds no unit in this compound")),
        "owing": lambda: "、".join(f"{label} {_yuan(fen)}" for label, fen in v["owing"]),
        "no_deposit_on_record": lambda: str(_l("No deposit or rate on record for some units")),
        "ask_company": lambda: str(_l("No arrears list of the last three months: unknown. "
                                      "Ask the property company for a statement")),
        "fee_owing": lambda: "{}：{}（{}）".format(
            _fee_list(v), _l("owes %(amount)s yuan", amount=yuan(v["total_fen"])),
            "、".join(f"{label} {yuan(fen)}" for label, fen in v["owing"])),
        "fee_none": lambda: "{}：{}".format(_fee_list(v), _l("no arrears")),
        "no_contract": lambda: str(_l("No current property contract is recorded for the "
                                      "compound")),
        "on_register": lambda: str(_l("On the staff register: %(w)s", w="、".join(
            f"{h.name}（{h.id_masked}）" for h in v["hits"]))),
        "declares_relative": lambda: str(_l("Declares a spouse or direct relative working "
                                            "for the company")),
        "missing": lambda: "；".join(str(_MISSING[m]) for m in v["missing"]),
        "checked": lambda: str(_l("Not on the register (%(n)s ID numbers checked)",
                                  n=v["n"])),
        "open": lambda: "、".join(f"{label}（{on}）" for label, on in v["records"]),
        "none_open": lambda: str(_l("No uncorrected record for %(u)s",
                                    u="、".join(v["units"]))),
        "not_declared": lambda: str(_l("Not declared")),
    }
    return words[f.note]()


def in_words(f: Finding) -> Check:
    """A finding as the pages and the review record show it."""
    return Check(f.key, f.state, _source(f), _detail(f))


def _fee_list_of(compound_id: int, unit_ids: list[int]) -> rules.FeeList | None:
    found = property_services.latest_arrears(compound_id, unit_ids)
    if found is None:
        return None
    return rules.FeeList(found.issuer, found.as_of, found.owing, found.company_name)


def findings(candidate: Candidate) -> list[Finding]:
    """The checks of DOMAIN §4 as the data stand now, in `rules.CHECK_KEYS` order."""
    compound = candidate.election.compound
    units = registry.person_units(candidate.person_id, compound.id)
    ids = [u.id for u in units]
    ledgers = [rules.SubLedger(r.label, r.arrears_fen, r.initial_due_fen, r.initial_paid_fen)
               for r in unit_rows(compound, ids)] if units else []
    company = property_services.serving_company(compound.id)
    own_id = candidate.person.id_number
    relatives = candidate.relative_id_numbers.split()
    hits = [rules.StaffHit(m.name, m.id_masked)
            for m in property_services.staff_matches([x for x in [own_id, *relatives] if x],
                                                     compound.id)
            if m.current and m.serves_compound] if company is not None else []
    labels = {u.id: u.label for u in units}
    records = [(labels.get(v.unit_id, str(v.unit_id)), v.recorded_on)
               for v in org_services.open_violations(ids)] if units else []
    return [
        rules.owner_check([rules.HeldUnit(u.label, u.developer_held) for u in units]),
        rules.fund_check(ledgers),
        rules.fee_check(_fee_list_of(compound.id, ids)),
        rules.staff_check(company.name if company else None, own_id_known=bool(own_id),
                          relatives=len(relatives), hits=hits,
                          declared_relative_staff=candidate.declared_relative_staff),
        rules.structure_check([u.label for u in units], records),
        rules.capacity_check(candidate.declared_full_capacity),
    ]


def eligibility(candidate: Candidate) -> list[Check]:
    """The eligibility checks, computed now from the data, in words."""
    return [in_words(f) for f in findings(candidate)]
