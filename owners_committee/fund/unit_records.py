"""The repair fund's records of a unit (hook "registry.unit_records"): its sub-ledger
(分户账), entries, a repair's scope or shares, a top-up plan's lines."""

from flask_babel import lazy_gettext as _l

from owners_committee.fund.models import (
    FundEntry,
    RepairProjectScope,
    RepairProjectShare,
    TopUpPlanLine,
    UnitFundAccount,
)

UNIT_RECORDS = [
    (UnitFundAccount.unit_id, _l("a repair-fund sub-ledger")),
    (FundEntry.unit_id, _l("repair-fund entries")),
    (RepairProjectScope.unit_id, _l("the scope of a repair project")),
    (RepairProjectShare.unit_id, _l("shares of a repair project")),
    (TopUpPlanLine.unit_id, _l("a top-up plan")),
]
