"""What the repair fund shows on the pages of lower packages (core.hooks), declared in
`owners_committee/plugin.py`: each provider returns a Panel, or None for a user who may
not see the fund."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from compounds.models import Compound
from core.hooks import Panel
from core.permissions import may
from owners_committee.fund.accounts import summary


def overview_balance(compound: Compound) -> Panel | None:
    """org.overview_panels: the fund's balance on the compound's 1+3+X overview."""
    if not may("fund.view", compound):
        return None
    return Panel(_l("Repair fund balance (yuan)"), "owners_committee/fund/_overview_panel.html",
                 {"compound": compound, "balance_fen": summary(compound).balance_fen},
                 order=30)


def compound_summary(compound: Compound) -> Panel | None:
    """compound.page_panels: the balance, the arrears and the units below 30% of their first
    deposit, on the compound's page."""
    if not may("fund.view", compound):
        return None
    return Panel(_l("Repair fund"), "owners_committee/fund/_compound_panel.html",
                 {"compound": compound, "fund": summary(compound)}, order=30)
