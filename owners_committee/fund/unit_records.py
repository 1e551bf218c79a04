"""The repair fund's records of a unit, for the hook "registry.unit_records": its
sub-ledger (分户账), entries, a repair's scope or shares, a top-up plan's lines."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from compounds.registry.unit_records import present
from owners_committee.fund.models import (
    FundEntry,
    RepairProjectScope,
    RepairProjectShare,
    TopUpPlanLine,
    UnitFundAccount,
)


def records(unit_id: int) -> list[str]:
    return present(unit_id, [
        (UnitFundAccount, UnitFundAccount.unit_id, _l("a repair-fund sub-ledger")),
        (FundEntry, FundEntry.unit_id, _l("repair-fund entries")),
        (RepairProjectScope, RepairProjectScope.unit_id, _l("the scope of a repair project")),
        (RepairProjectShare, RepairProjectShare.unit_id, _l("shares of a repair project")),
        (TopUpPlanLine, TopUpPlanLine.unit_id, _l("a top-up plan")),
    ])
