"""The owners' committee package's audit actions in words (hook "audit.action_labels")."""

from flask_babel import lazy_gettext as _l

AUDIT_LABELS = {
    "fund.post": _l("Fund entry posted"),
    "fund.spread": _l("Fund amount spread over units"),
    "fund.reverse": _l("Fund posting reversed"),
    "fund.import_opening": _l("Opening balances imported"),
    "fund.project": _l("Repair project charged"),
    "fund.project_notice": _l("Repair project notice published"),
    "fund.top_up_plan": _l("Top-up plan made"),
    "election.create": _l("Election created"),
    "election.update": _l("Election changed"),
    "election.cancel": _l("Election cancelled"),
    "election.group_add": _l("Preparatory group member added"),
    "election.group_remove": _l("Preparatory group member removed"),
    "election.nominate": _l("Candidate nominated"),
    "election.declarations": _l("Candidate's declarations recorded"),
    "election.withdraw": _l("Candidate withdrawn"),
    "election.group_review": _l("Preparatory group's review"),
    "election.party_review": _l("Party organisation's review"),
    "election.notice": _l("Candidate list published for objections"),
    "election.objection": _l("Objection to a candidate"),
    "election.objection_answer": _l("Objection to a candidate answered"),
    "election.final": _l("Final candidate list"),
    "election.vote": _l("Election vote drafted"),
    "election.ballot": _l("Election ballot cast"),
    "election.count": _l("Election counted"),
}
