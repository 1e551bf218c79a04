"""Models of the owners' committee package.

The repair fund's tables live in `fund_models` (the committee elections will have their
own module); importing them here lets the app factory and Alembic see every table.
"""

from owners_committee.election_models import (  # noqa: F401
    Candidate,
    CandidateReview,
    Election,
    ElectionBallot,
    GroupMember,
    Objection,
)
from owners_committee.fund_models import (  # noqa: F401
    EmergencyKind,
    FundAccount,
    FundEntry,
    FundPosting,
    PostingKind,
    ProjectStatus,
    RepairProject,
    RepairProjectScope,
    RepairProjectShare,
    TopUpPlan,
    TopUpPlanLine,
    UnitFundAccount,
)
