"""Follow-up actions (督办事项) of the joint meetings' decisions, through the closed loop
上报 → 分拨 → 处置 → 反馈 → 评价: the party organisation dispatches and evaluates, the
assignee (or, for the X, the secretaries on its behalf) handles and reports back. Every
step is `Action.move_to`; each is one audited transaction.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, select

from compounds.models import Compound
from compounds.org import notices
from compounds.org.models import ACTION_OPEN, Action, ActionStatus
from compounds.org.organisations import authorize_act_for, org_in
from compounds.registry.services import Page, page_of
from core import audit, inputs
from core.attachments import services as attachments
from core.errors import invalid
from core.extensions import db
from core.permissions import authorize


def actions_query(compound: Compound, *, status: str | None = None,
                  org_id: int | None = None, overdue_only: bool = False) -> Select:
    """The compound's actions as one ordered Select (the lists page it in SQL): overdue
    first, the evaluated last, then by due date and id."""
    authorize("org.view", compound)
    q = select(Action).where(Action.compound_id == compound.id)
    if status == "open":
        q = q.where(Action.status.in_([s.value for s in ACTION_OPEN]))
    elif status:
        q = q.where(Action.status == status)
    if org_id:
        q = q.where(Action.org_id == org_id)
    today = inputs.local_today()
    if overdue_only:
        q = q.where(Action.overdue(today))
    return q.order_by(case((Action.overdue(today), 0), else_=1),
                      case((Action.status == ActionStatus.evaluated.value, 1), else_=0),
                      Action.due_on, Action.id)


def list_actions(compound: Compound, *, status: str | None = None, org_id: int | None = None,
                 overdue_only: bool = False) -> list[Action]:
    """Every action of `actions_query`, in its order."""
    return list(db.session.scalars(actions_query(compound, status=status, org_id=org_id,
                                                 overdue_only=overdue_only)))


def actions_page(compound: Compound, *, page: int = 1, size: int = 50, status: str | None = None,
                 org_id: int | None = None, overdue_only: bool = False) -> Page:
    """One page of `actions_query` (clamped to the pages there are), with the total."""
    return page_of(actions_query(compound, status=status, org_id=org_id,
                                 overdue_only=overdue_only), page, size)


def score_from(value, field: str) -> int:
    """A score of 1 to 5 (an evaluation, a resident's satisfaction), or a 422."""
    try:
        score = int(value)
    except (TypeError, ValueError):
        score = 0
    if isinstance(value, bool) or not 1 <= score <= 5:
        raise invalid(_l("Give a score from 1 to 5"), field)
    return score


def dispatch_action(action: Action, *, org_id=None, due_on=None, note="") -> Action:
    """分拨: the party organisation assigns the action (may change assignee and due date)."""
    authorize("meeting.manage", action)
    if org_id not in (None, ""):
        org = org_in(action.compound_id, org_id,
                     _l("Assign the action to one of the compound's organisations"))
        action.org_id, action.org = org.id, org
    if due_on not in (None, ""):
        action.due_on = inputs.date(due_on, "due_on", _l("Due date"))
    action.move_to(ActionStatus.dispatched)
    action.dispatch_note = inputs.text(note, "note", _l("Note"), 2000, required=False)
    audit.record("action.dispatch", "action", action.id,
                 {"org": action.org.name, "due_on": action.due_on, "note": action.dispatch_note},
                 compound_id=action.compound_id)
    notices.action_assigned(action)  # the assignee's people, with the event
    db.session.commit()
    return action


def start_handling(action: Action, *, note="", files=()) -> Action:
    """处置: the assignee takes the action in hand (with its "before" photos: `files`, saved
    with the step or not at all)."""
    authorize_act_for("action.respond", action.org)
    staged = attachments.stage(files)
    action.move_to(ActionStatus.handling)
    action.handling_note = inputs.text(note, "note", _l("Note"), 2000, required=False)
    audit.record("action.handle", "action", action.id, {"note": action.handling_note},
                 compound_id=action.compound_id)
    attachments.add_staged("actions", action, staged)
    db.session.commit()
    return action


def give_feedback(action: Action, *, feedback, files=()) -> Action:
    """反馈: the assignee reports what was done (with its "after" photos: `files`)."""
    authorize_act_for("action.respond", action.org)
    staged = attachments.stage(files)
    feedback = inputs.text(feedback, "feedback", _l("Feedback"), 5000)
    action.move_to(ActionStatus.feedback)
    action.feedback = feedback
    audit.record("action.feedback", "action", action.id, {"feedback": feedback},
                 compound_id=action.compound_id)
    attachments.add_staged("actions", action, staged)
    db.session.commit()
    return action


def evaluate_action(action: Action, *, accept: bool, score=None, note="") -> Action:
    """评价: the party organisation accepts the result with a score (closed), or sends it back
    to handling with its reason."""
    authorize("meeting.manage", action)
    note = inputs.text(note, "note", _l("Evaluation"), 2000, required=not accept)
    if accept:
        value = score_from(score, "score")
        action.move_to(ActionStatus.evaluated)
        action.score, action.evaluation = value, note
    else:
        action.move_to(ActionStatus.handling)
        action.evaluation = note
    audit.record("action.evaluate", "action", action.id,
                 {"accept": accept, "score": action.score, "note": note},
                 compound_id=action.compound_id)
    db.session.commit()
    return action
