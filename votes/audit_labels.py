"""The votes package's audit actions in words (hook "audit.action_labels")."""

from flask_babel import lazy_gettext as _l

AUDIT_LABELS = {
    "vote.create": _l("Vote drafted"),
    "vote.update": _l("Vote changed"),
    "vote.announce": _l("Vote announced"),
    "vote.open": _l("Vote opened"),
    "vote.extend": _l("Voting period extended"),
    "vote.close": _l("Vote closed"),
    "vote.publish": _l("Result published"),
    "vote.cancel": _l("Vote cancelled"),
    "vote.revoke": _l("Vote revoked"),
    "vote.remind": _l("Voters reminded"),
    "vote.deliver": _l("Delivery recorded"),
    "vote.ballot": _l("Ballot cast"),
    "vote.ballot_refused": _l("Ballot refused"),
    "vote.ballot_void": _l("Ballot voided"),
    "elevator.create": _l("Elevator project created"),
    "elevator.update": _l("Elevator project changed"),
    "elevator.new_votes": _l("Elevator votes drafted"),
    "elevator.withdraw": _l("Elevator project withdrawn"),
}
