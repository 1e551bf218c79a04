"""Every table of the owners' committee package, so that the app factory and Alembic see
them: the repair fund's (`fund.models`) and the committee elections' (`election.models`)."""

from owners_committee.election.models import (  # noqa: F401
    Candidate,
    CandidateReview,
    Election,
    ElectionBallot,
    GroupMember,
    Objection,
)
from owners_committee.fund.models import (  # noqa: F401
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
