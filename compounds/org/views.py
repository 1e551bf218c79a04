"""Pages of the 1+3+X: the overview picture, organisations and people, joint meetings and
their minutes, follow-up actions, resident requests, the illegal-structure register.

Parse the form → call the service of `compounds.org` → render. No rule lives here. What
higher packages show on the overview (open votes, the fund, the company's rating) are the
panels of the hook "org.overview_panels".
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from compounds.models import Compound, Unit
from compounds.org import actions as action_service
from compounds.org import forms as F
from compounds.org import meetings as meeting_service
from compounds.org import organisations as org_service
from compounds.org import picture
from compounds.org import resident_requests as request_service
from compounds.org import violations as violation_service
from compounds.org.models import (
    ACTION_MOVES,
    REQUEST_LIMIT_HOURS,
    Action,
    ActionStatus,
    AgendaItem,
    Decision,
    Meeting,
    Organisation,
    OrgKind,
    OrgMember,
    Position,
    RequestStatus,
    ResidentRequest,
    StructureViolation,
)
from compounds.registry import services as registry
from core import audit, hooks
from core.errors import DomainError
from core.inputs import SHANGHAI, local_today
from core.loader import as_id, load
from core.models import Role
from core.permissions import may, may_act_for, requires, roles_over, signed_in
from core.types import utcnow
from core.web import flash_error, pdf_response, saved
from reports.meeting_minutes import render as render_minutes

bp = Blueprint("org", __name__, template_folder="templates")

#: rows on one page of the actions' and the requests' lists
LIST_PAGE = 50


@bp.context_processor
def _labels():
    return {"KIND": F.KIND_LABELS, "POSITION": F.POSITION_LABELS,
            "PARTY_TYPE": F.PARTY_TYPE_LABELS, "ACTION_STATUS": F.ACTION_STATUS_LABELS,
            "CATEGORY": F.CATEGORY_LABELS, "REQUEST_STATUS": F.REQUEST_STATUS_LABELS,
            "VIOLATION": F.VIOLATION_LABELS, "OrgKind": OrgKind,
            "today": local_today(), "now": utcnow(), "senior": _senior,
            "has_endpoint": _has_endpoint}


def _senior(members):
    """Members by seniority of position (secretary, director, manager first)."""
    return sorted(members, key=lambda m: (SENIORITY.get(Position(m.position), 99),
                                          m.sort_order, m.id))


def _has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


def _org_choices(compound) -> list[SelectChoice]:
    """The compound's organisations, to assign an action or route a request to."""
    return [SelectChoice(str(o.id), f"{F.KIND_LABELS[OrgKind(o.kind)]} · {o.name}")
            for o in org_service.organisations(compound)]


# -- overview and organisations -------------------------------------------------------------

@bp.get("/compounds/<compound:cid>/org")
@requires("org.view")
def overview(cid: int):
    compound = load(Compound, cid, "org.view")
    return render_template("compounds/org/overview.html", compound=compound,
                           ov=picture.overview(compound),
                           panels=hooks.panels("org.overview_panels", compound))


def _save_organisation(compound, org, kind, form):
    return org_service.save_organisation(
        compound, org, kind=kind, name=form.name.data, party_type=form.party_type.data,
        seats=form.seats.data, term_starts_on=form.term_starts_on.data,
        term_ends_on=form.term_ends_on.data, contact_name=form.contact_name.data,
        contact_phone=form.contact_phone.data, note=form.note.data)


@bp.route("/compounds/<compound:cid>/org/new", methods=["GET", "POST"])
@requires("org.manage")
def org_new(cid: int):
    compound = load(Compound, cid, "org.manage")
    form = F.OrganisationForm()
    if request.method == "GET" and request.args.get("kind") in {k.value for k in OrgKind}:
        form.kind.data = request.args["kind"]
    done = saved(form, lambda: _save_organisation(compound, None, form.kind.data, form),
                 _("Organisation saved."), lambda org: url_for("org.org_show", oid=org.id))
    return done or render_template("compounds/org/org_form.html", form=form,
                                   compound=compound, org=None)


@bp.route("/org/<org:oid>/edit", methods=["GET", "POST"])
@requires("org.manage")
def org_edit(oid: int):
    org = load(Organisation, oid, "org.manage")
    form = F.OrganisationForm(obj=org)
    form.kind.data = org.kind
    done = saved(form, lambda: _save_organisation(org.compound, org, org.kind, form),
                 _("Organisation saved."), url_for("org.org_show", oid=org.id))
    return done or render_template("compounds/org/org_form.html", form=form,
                                   compound=org.compound, org=org)


@bp.post("/org/<org:oid>/delete")
@requires("org.manage")
def org_delete(oid: int):
    org = load(Organisation, oid, "org.manage")
    cid = org.compound_id
    if F.CsrfForm().validate_on_submit():
        try:
            org_service.delete_organisation(org)
            flash(_("Removed."), "success")
            return redirect(url_for("org.overview", cid=cid))
        except DomainError as err:
            flash_error(err)
    return redirect(url_for("org.org_show", oid=oid))


def _member_form(org, form=None):
    form = form or F.MemberForm()
    form.position.choices = [SelectChoice(p.value, F.POSITION_LABELS[p])
                             for p in org_service.positions_for(org.kind)]
    others = [m for o in org_service.organisations(org.compound) if o.id != org.id
              for m in o.members]
    seen, same = set(), [SelectChoice("", _("— a new person or an owner —"))]
    for m in others:
        if m.person_id not in seen:
            seen.add(m.person_id)
            same.append(SelectChoice(str(m.id), f"{m.name}（{m.org.name}）"))
    form.same_as.choices = same
    return form


def _org_page(org, form, status: int = 200):
    """The organisation's page: its people (party members and cross-appointments
    flagged), the party share of an owners' committee, its history, and the member form."""
    orgs = org_service.organisations(org.compound)
    return render_template(
        "compounds/org/org.html", org=org, compound=org.compound, form=form,
        party_people=org_service.party_people(orgs),
        cross={c.person_id: c for c in picture.cross_appointments(orgs)},
        share=picture.party_share(orgs) if org.kind == OrgKind.owners_committee.value else None,
        history=audit.history("organisation", org.id, limit=30),
        entry_data=audit.entry_data), status


@bp.get("/org/<org:oid>")
@requires("org.view")
def org_show(oid: int):
    org = load(Organisation, oid, "org.view")
    return _org_page(org, _member_form(org) if may("org.manage", org) else None)


@bp.post("/org/<org:oid>/members")
@requires("org.manage")
def member_add(oid: int):
    org = load(Organisation, oid, "org.manage")
    form = _member_form(org)
    done = saved(form, lambda: org_service.add_member(
        org, name=form.name.data, phone=form.phone.data, id_number=form.id_number.data,
        same_as=form.same_as.data or None, unit=form.unit.data, position=form.position.data,
        party_member=form.party_member.data, dual_registered=form.dual_registered.data,
        work_unit=form.work_unit.data, note=form.note.data),
        _("Member added."), url_for("org.org_show", oid=org.id))
    return done or _org_page(org, form, 422)


@bp.route("/org/members/<member:mid>/edit", methods=["GET", "POST"])
@requires("org.manage")
def member_edit(mid: int):
    member = load(OrgMember, mid, "org.manage")
    form = F.MemberEditForm(obj=member)
    form.position.choices = [SelectChoice(p.value, F.POSITION_LABELS[p])
                             for p in org_service.positions_for(member.org.kind)]
    done = saved(form, lambda: org_service.update_member(
        member, position=form.position.data, party_member=form.party_member.data,
        dual_registered=form.dual_registered.data, work_unit=form.work_unit.data,
        note=form.note.data),
        _("Saved."), url_for("org.org_show", oid=member.org_id))
    return done or render_template("compounds/org/member_form.html", form=form, member=member,
                                   org=member.org)


@bp.post("/org/members/<member:mid>/remove")
@requires("org.manage")
def member_remove(mid: int):
    member = load(OrgMember, mid, "org.manage")
    oid = member.org_id
    if F.CsrfForm().validate_on_submit():
        org_service.remove_member(member)
        flash(_("Member removed."), "success")
    return redirect(url_for("org.org_show", oid=oid))


# -- joint meetings -------------------------------------------------------------------------

@bp.get("/compounds/<compound:cid>/meetings")
@requires("org.view")
def meetings(cid: int):
    compound = load(Compound, cid, "org.view")
    return render_template("compounds/org/meetings.html", compound=compound,
                           meetings=meeting_service.list_meetings(compound))


@bp.route("/compounds/<compound:cid>/meetings/new", methods=["GET", "POST"])
@requires("meeting.manage")
def meeting_new(cid: int):
    compound = load(Compound, cid, "meeting.manage")
    form = F.MeetingForm()
    done = saved(form, lambda: meeting_service.create_meeting(
        compound, title=form.title.data, held_at=form.held_at.data, place=form.place.data,
        chair=form.chair.data, recorder=form.recorder.data),
        _("Meeting created. Now record who attended, the agenda and the decisions."),
        lambda meeting: url_for("org.meeting", mid=meeting.id))
    return done or render_template("compounds/org/meeting_form.html", form=form,
                                   compound=compound, meeting=None)


@bp.route("/meetings/<meeting:mid>/edit", methods=["GET", "POST"])
@requires("meeting.manage")
def meeting_edit(mid: int):
    meeting = load(Meeting, mid, "meeting.manage")
    form = F.MeetingForm(obj=meeting)
    if request.method == "GET":
        form.held_at.data = meeting.held_at.astimezone(SHANGHAI).replace(tzinfo=None)
    done = saved(form, lambda: meeting_service.update_meeting(
        meeting, title=form.title.data, held_at=form.held_at.data, place=form.place.data,
        chair=form.chair.data, recorder=form.recorder.data, minutes=form.minutes.data),
        _("Saved."), url_for("org.meeting", mid=meeting.id))
    return done or render_template("compounds/org/meeting_form.html", form=form,
                                   compound=meeting.compound, meeting=meeting)


def _decision_form(meeting, form=None):
    form = form or F.DecisionForm()
    form.org_id.choices = _org_choices(meeting.compound)
    form.agenda_item_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(i.id), f"{i.position}. {i.title}") for i in meeting.agenda]
    return form


@bp.get("/meetings/<meeting:mid>")
@requires("org.view")
def meeting(mid: int):
    m = load(Meeting, mid, "org.view")
    manage = may("meeting.manage", m) and not m.final
    orgs = org_service.organisations(m.compound) if manage else []
    return render_template(
        "compounds/org/meeting.html", meeting=m, compound=m.compound, manage=manage, orgs=orgs,
        present={a.member_id for a in m.attendees}, gaps=meeting_service.attendance_gaps(m),
        people=meeting_service.present_people(m), guests=meeting_service.guests(m),
        walk_ins=[a for a in meeting_service.members_present(m) if a.member_id is None],
        guest_form=_guest_form(m) if manage else None,
        agenda_form=F.AgendaForm(), decision_form=_decision_form(m) if manage else None,
        csrf_form=F.CsrfForm())


def _meeting_post(mid: int, fn):
    m = load(Meeting, mid, "meeting.manage")
    try:
        fn(m)
    except DomainError as err:
        flash_error(err)
    return redirect(url_for("org.meeting", mid=mid))


@bp.post("/meetings/<meeting:mid>/attendance")
@requires("meeting.manage")
def meeting_attendance(mid: int):
    if not F.CsrfForm().validate_on_submit():
        abort(400)
    present = [i for i in map(as_id, request.form.getlist("member")) if i is not None]

    def go(m):
        meeting_service.set_attendance(m, present)
        flash(_("Sign-in sheet saved."), "success")
    return _meeting_post(mid, go)


def _guest_form(meeting, form=None):
    form = form or F.GuestForm()
    form.org_id.choices = [SelectChoice("", _("— a guest (列席) —")),
                           *_org_choices(meeting.compound)]
    return form


@bp.post("/meetings/<meeting:mid>/guests")
@requires("meeting.manage")
def meeting_guest(mid: int):
    """Sign in a guest (列席), or someone attending for an organisation without members."""
    m = load(Meeting, mid, "meeting.manage")
    form = _guest_form(m)

    def go(m):
        if not form.validate_on_submit():
            flash(_("Give the full name."), "error")
            return
        meeting_service.add_guest(m, name=form.name.data, org_id=form.org_id.data or None,
                                  affiliation=form.affiliation.data or "")
        flash(pgettext("meeting", "Signed in."), "success")
    return _meeting_post(mid, go)


@bp.post("/meetings/<meeting:mid>/guests/remove")
@requires("meeting.manage")
def meeting_guest_remove(mid: int):
    if not F.CsrfForm().validate_on_submit():
        abort(400)
    return _meeting_post(mid, lambda m: meeting_service.remove_guest(
        m, request.form.get("attendee", "")))


@bp.post("/meetings/<meeting:mid>/agenda")
@requires("meeting.manage")
def meeting_agenda(mid: int):
    form = F.AgendaForm()

    def go(m):
        if not form.validate_on_submit():
            flash(_("Give the agenda item a title."), "error")
            return
        meeting_service.add_agenda_item(m, title=form.title.data,
                                        raised_by=form.raised_by.data)
    return _meeting_post(mid, go)


@bp.post("/meetings/<meeting:mid>/agenda/<agenda_item:iid>/remove")
@requires("meeting.manage")
def meeting_agenda_remove(mid: int, iid: int):
    if not F.CsrfForm().validate_on_submit():
        abort(400)
    return _meeting_post(mid, lambda m: meeting_service.remove_agenda_item(
        m, load(AgendaItem, iid, "meeting.manage", parent=m).id))


@bp.post("/meetings/<meeting:mid>/decisions")
@requires("meeting.manage")
def meeting_decision(mid: int):
    m = load(Meeting, mid, "meeting.manage")
    form = _decision_form(m)
    if form.validate_on_submit():
        try:
            meeting_service.add_decision(
                m, text=form.text.data, org_id=form.org_id.data, due_on=form.due_on.data,
                agenda_item_id=form.agenda_item_id.data, action_title=form.action_title.data)
            flash(_("Decision recorded; its action is reported to the assignee."), "success")
        except DomainError as err:
            flash_error(err)
    else:
        flash(_("Write the decision, choose who carries it out and by when."), "error")
    return redirect(url_for("org.meeting", mid=mid) + "#decisions")


@bp.post("/meetings/<meeting:mid>/decisions/<decision:did>/remove")
@requires("meeting.manage")
def meeting_decision_remove(mid: int, did: int):
    if not F.CsrfForm().validate_on_submit():
        abort(400)
    return _meeting_post(mid, lambda m: meeting_service.remove_decision(
        m, load(Decision, did, "meeting.manage", parent=m).id))


@bp.post("/meetings/<meeting:mid>/finalise")
@requires("meeting.manage")
def meeting_finalise(mid: int):
    if not F.CsrfForm().validate_on_submit():
        abort(400)

    def go(m):
        meeting_service.finalise_minutes(m)
        flash(_("The minutes are final."), "success")
    return _meeting_post(mid, go)


@bp.get("/meetings/<meeting:mid>/minutes.pdf")
@requires("org.view")
def meeting_pdf(mid: int):
    m = load(Meeting, mid, "org.view")
    pdf = render_minutes(meeting_service.minutes_document(m))
    return pdf_response(pdf, f"meeting-{m.id}.pdf")


# -- the one way a button on an action's or a request's page works ----------------------------

def _post_and_return(obj, form, fn, back: str):
    """Validate the form, apply `fn(obj)`, flash the outcome, go back to the object's page."""
    if not form.validate_on_submit():
        flash(_("Please fill in the form."), "error")
        return redirect(back)
    try:
        fn(obj)
        flash(_("Saved."), "success")
    except DomainError as err:
        flash_error(err)
    return redirect(back)


# -- follow-up actions ----------------------------------------------------------------------

@bp.get("/compounds/<compound:cid>/actions")
@requires("org.view")
def actions(cid: int):
    compound = load(Compound, cid, "org.view")
    status = request.args.get("status", "open")
    org_id = request.args.get("org", type=int)
    overdue = request.args.get("overdue") == "1"
    result = action_service.actions_page(
        compound, page=request.args.get("page", 1, type=int), size=LIST_PAGE,
        status=None if status == "all" else status, org_id=org_id, overdue_only=overdue)
    return render_template("compounds/org/actions.html", compound=compound, result=result,
                           actions=result.items, status=status, org_id=org_id,
                           overdue=overdue, orgs=org_service.organisations(compound))


@bp.get("/actions/<action:aid>")
@requires("org.view")
def action(aid: int):
    return _action_page(load(Action, aid, "org.view"))


def _action_page(a: Action, *, note_form=None, feedback_form=None, status: int = 200):
    """The action's page; a step's form sent back refused keeps what was typed."""
    dispatch = None
    if may("meeting.manage", a) and a.can_move_to(ActionStatus.dispatched):
        dispatch = F.DispatchForm(org_id=str(a.org_id), due_on=a.due_on)
        dispatch.org_id.choices = _org_choices(a.compound)
    return render_template(
        "compounds/org/action.html", action=a, compound=a.compound, dispatch_form=dispatch,
        note_form=note_form or F.HandleForm(), feedback_form=feedback_form or F.FeedbackForm(),
        evaluate_form=F.EvaluateForm(),
        acting=may_act_for(a.org.kind, a.org), manage=may("meeting.manage", a),
        moves={s.value for s in ACTION_MOVES[ActionStatus(a.status)]},
        history=list(reversed(audit.history("action", a.id))),
        entry_data=audit.entry_data), status


def _action_post(a: Action, form, fn):
    return _post_and_return(a, form, fn, url_for("org.action", aid=a.id))


@bp.post("/actions/<action:aid>/dispatch")
@requires("meeting.manage")
def action_dispatch(aid: int):
    a = load(Action, aid, "meeting.manage")
    form = F.DispatchForm()
    form.org_id.choices = _org_choices(a.compound)
    return _action_post(a, form, lambda x: action_service.dispatch_action(
        x, org_id=form.org_id.data, due_on=form.due_on.data, note=form.note.data))


@bp.post("/actions/<action:aid>/handle")
@requires("action.respond")
def action_handle(aid: int):
    a = load(Action, aid, "action.respond")
    form = F.HandleForm()
    done = saved(form, lambda: action_service.start_handling(
        a, note=form.note.data, files=form.files.data), _("Saved."),
        url_for("org.action", aid=a.id))
    return done or _action_page(a, note_form=form, status=422)


@bp.post("/actions/<action:aid>/feedback")
@requires("action.respond")
def action_feedback(aid: int):
    a = load(Action, aid, "action.respond")
    form = F.FeedbackForm()
    done = saved(form, lambda: action_service.give_feedback(
        a, feedback=form.feedback.data, files=form.files.data), _("Saved."),
        url_for("org.action", aid=a.id))
    return done or _action_page(a, feedback_form=form, status=422)


@bp.post("/actions/<action:aid>/evaluate")
@requires("meeting.manage")
def action_evaluate(aid: int):
    form = F.EvaluateForm()
    return _action_post(load(Action, aid, "meeting.manage"), form,
                        lambda x: action_service.evaluate_action(
                            x, accept=form.accept.data == "yes", score=form.score.data,
                            note=form.note.data))


# -- resident requests ----------------------------------------------------------------------

@bp.get("/compounds/<compound:cid>/requests")
@requires("request.view")
def requests_list(cid: int):
    compound = load(Compound, cid, "request.view")
    status = request.args.get("status", "open")
    category = request.args.get("category") or None
    result = request_service.requests_page(
        compound, page=request.args.get("page", 1, type=int), size=LIST_PAGE,
        status=None if status == "all" else status, category=category)
    return render_template("compounds/org/requests.html", compound=compound, result=result,
                           requests=result.items, status=status, category=category)


@bp.route("/requests/new", methods=["GET", "POST"])
@requires("request.file")
def request_new():
    units = registry.my_units(current_user.person_id) if current_user.person_id else []
    form = F.RequestForm()
    form.unit_id.choices = [SelectChoice(str(u.id), f"{u.compound.name} {u.label}")
                            for u in units]
    if not units:
        flash(_("Your account is not linked to a unit."), "error")
        return redirect(url_for("home.index"))
    done = saved(form, lambda: request_service.file_request(
        load(Unit, int(form.unit_id.data), "request.file"), category=form.category.data,
        text=form.text.data, phone=form.phone.data, files=form.files.data),
        _("Your request is filed. You will see the answer here."), _request_page)
    return done or render_template("compounds/org/request_form.html", form=form,
                                   compound=None, limits=REQUEST_LIMIT_HOURS)


@bp.route("/compounds/<compound:cid>/requests/record", methods=["GET", "POST"])
@requires("request.record")
def request_record(cid: int):
    compound = load(Compound, cid, "request.record")
    form = F.RecordRequestForm()
    done = saved(form, lambda: request_service.record_request(
        compound, name=form.name.data, phone=form.phone.data, unit=form.unit.data,
        category=form.category.data, text=form.text.data, files=form.files.data),
        _("Request recorded."), _request_page)
    return done or render_template("compounds/org/request_form.html", form=form,
                                   compound=compound, limits=REQUEST_LIMIT_HOURS)


def _request_page(req: ResidentRequest) -> str:
    return url_for("org.request_show", rid=req.id)


@bp.get("/requests/<request:rid>")
@requires("request.view")
def request_show(rid: int):
    req = load(ResidentRequest, rid, "request.view")
    route = None
    if may("request.route", req) and req.can_move_to(RequestStatus.routed):
        route = F.RouteForm(org_id=str(req.org_id or ""), invalid=not req.valid,
                            invalid_reason=req.invalid_reason)
        route.org_id.choices = _org_choices(req.compound)
    reply = None
    if req.org is not None and req.can_move_to(RequestStatus.replied) \
            and may_act_for(req.org.kind, req.org) and may("request.respond", req):
        reply = F.ReplyForm()
    close = F.CloseForm() if request_service.may_close_request(req) else None
    staff = bool(roles_over(req.compound) - {Role.owner})  # anyone serving, not only owning
    return render_template("compounds/org/request.html", req=req, compound=req.compound,
                           route_form=route, reply_form=reply, close_form=close, staff=staff,
                           history=list(reversed(audit.history("request", req.id)))
                           if staff else [], entry_data=audit.entry_data)


def _request_post(req: ResidentRequest, form, fn):
    return _post_and_return(req, form, fn, url_for("org.request_show", rid=req.id))


@bp.post("/requests/<request:rid>/route")
@requires("request.route")
def request_route(rid: int):
    req = load(ResidentRequest, rid, "request.route")
    form = F.RouteForm()
    form.org_id.choices = _org_choices(req.compound)
    return _request_post(req, form, lambda r: request_service.route_request(
        r, org_id=form.org_id.data, note=form.note.data, valid=not form.invalid.data,
        invalid_reason=form.invalid_reason.data))


@bp.post("/requests/<request:rid>/reply")
@requires("request.respond")
def request_reply(rid: int):
    form = F.ReplyForm()
    return _request_post(load(ResidentRequest, rid, "request.respond"), form,
                         lambda r: request_service.reply_request(r, reply=form.reply.data))


@bp.post("/requests/<request:rid>/close")
@signed_in
def request_close(rid: int):
    form = F.CloseForm()
    return _request_post(load(ResidentRequest, rid, "signed_in"), form,
                         lambda r: request_service.close_request(
                             r, satisfaction=form.satisfaction.data, comment=form.comment.data))


@bp.get("/my/requests")
@signed_in
def my_requests():
    result = request_service.my_requests_page(page=request.args.get("page", 1, type=int),
                                              size=LIST_PAGE)
    return render_template("compounds/org/my_requests.html", result=result,
                           requests=result.items, can_file=may("request.file"))


# -- illegal structures ---------------------------------------------------------------------

@bp.route("/compounds/<compound:cid>/violations", methods=["GET", "POST"])
@requires("compound.view")
def violations(cid: int):
    compound = load(Compound, cid, "compound.view")
    form = F.ViolationForm() if may("registry.edit", compound) else None
    done = form is not None and saved(form, lambda: violation_service.record_violation(
        compound, unit=form.unit.data, kind=form.kind.data,
        description=form.description.data, recorded_on=form.recorded_on.data),
        _("Recorded."), url_for("org.violations", cid=cid))
    return done or render_template("compounds/org/violations.html", compound=compound,
                                   form=form, rows=violation_service.violations(compound),
                                   csrf_form=F.CsrfForm())


@bp.post("/violations/<violation:vid>/correct")
@requires("registry.edit")
def violation_correct(vid: int):
    v = load(StructureViolation, vid, "registry.edit")
    if F.CsrfForm().validate_on_submit():
        try:
            violation_service.correct_violation(v)
            flash(_("Marked as corrected."), "success")
        except DomainError as err:
            flash_error(err)
    return redirect(url_for("org.violations", cid=v.compound_id))


#: positions in order of seniority, for the picture
SENIORITY = {p: i for i, p in enumerate([
    Position.secretary, Position.director, Position.manager, Position.deputy_secretary,
    Position.deputy_director, Position.deputy_manager, Position.committee_member,
    Position.contact, Position.member])}
