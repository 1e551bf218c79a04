"""Who counts as one head (SPC interpretation on building co-ownership arts. 8–9).

That is the registry's law and lives in `compounds.rules` (pure, like these modules): the
compound page's headcount and every vote's frozen roll group the same units with the same
function, so they can never disagree. The votes' rules use it as it is.
"""

from compounds.rules import (
    DEVELOPER_KEY,
    UnitLike,
    UnitRecord,
    VoterGroup,
    group_voters,
    groups_by_unit,
    roll_totals,
)

__all__ = ["DEVELOPER_KEY", "UnitLike", "UnitRecord", "VoterGroup", "group_voters",
           "groups_by_unit", "roll_totals"]
