"""Pages of owners' accounts: the residents' committee's activation page for a compound (how
far the owners are, letters to print, a reissue per owner) and the owner's /activate.

Parse the form → call compounds.accounts.services → render or send the PDF.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from compounds.accounts import services
from compounds.accounts.forms import ActivationForm
from compounds.accounts.web import activation_limit, letters_data
from compounds.models import Compound, Person
from core.auth import sign_in, sign_out
from core.errors import DomainError
from core.loader import load
from core.permissions import public, requires
from core.web import attempt, flash_error, pdf_response
from reports.activation_letters import render_letters

bp = Blueprint("owner_activation", __name__, template_folder="templates")

OWNERS_PER_PAGE = 50

STATE_LABELS = {
    services.ACTIVATED: ("ok", _l("Activated")),
    services.PENDING: ("", _l("Letter pending")),
    services.EXPIRED: ("warn", _l("Expired")),
    services.NONE: ("red", _l("No letter")),
}


@bp.get("/compounds/<compound:cid>/activation")
@requires("owner_accounts.view")
def overview(cid: int):
    compound = load(Compound, cid, "owner_accounts.view")
    building_id = request.args.get("building", type=int)
    state = request.args.get("state", "")
    view = services.overview(compound, building_id)
    # a compound has hundreds of owners: a page of them at a time, those in one state if
    # asked (the secretary looks for who has not activated yet)
    owners = [o for o in view.owners if state not in STATE_LABELS or o.state == state]
    pages = max(1, -(-len(owners) // OWNERS_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    shown = owners[(page - 1) * OWNERS_PER_PAGE:page * OWNERS_PER_PAGE]
    return render_template("accounts_owner/overview.html", compound=compound, view=view,
                           owners=shown, total=len(owners), page=page, pages=pages,
                           state=state if state in STATE_LABELS else "",
                           building_id=building_id, states=STATE_LABELS)


def _letters_pdf(compound: Compound, letters) -> object:
    return pdf_response(render_letters(letters_data(compound, letters)),
                        f"开通函-{compound.name}.pdf")


@bp.post("/compounds/<compound:cid>/activation/letters")
@requires("owner_accounts.manage")
def print_letters(cid: int):
    """Letters for the compound, a building (`building`) or an entrance (`entrance` too),
    given by their numbers as on the doors."""
    compound = load(Compound, cid, "owner_accounts.manage")
    building, entrance = request.form.get("building", ""), request.form.get("entrance", "")
    scope = [{"building": building, "entrance": entrance}] if building else None
    try:
        letters = services.issue_letters(compound, scope=scope)
    except DomainError as err:
        flash_error(err)
        return redirect(url_for("owner_activation.overview", cid=cid))
    return _letters_pdf(compound, letters)


@bp.post("/compounds/<compound:cid>/activation/persons/<person:pid>/reissue")
@requires("owner_accounts.manage")
def reissue(cid: int, pid: int):
    """A new letter for one owner: the old code is void (a lost letter, a lost password)."""
    compound = load(Compound, cid, "owner_accounts.manage")
    person = load(Person, pid, "owner_accounts.manage")
    try:
        letters = services.issue_letters(compound, person=person, reissue=True)
    except DomainError as err:
        flash_error(err)
        return redirect(url_for("owner_activation.overview", cid=cid))
    return _letters_pdf(compound, letters)


@bp.route("/activate", methods=["GET", "POST"])
@public
@activation_limit
def activate():
    """The owner's page: the code from the letter (filled in from the QR code), a username
    and a password of their choosing. Signs them in on success."""
    form = ActivationForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args.get("code", "")[:32]
    if form.validate_on_submit():
        done = attempt(form, lambda: services.activate(
            form.code.data, form.username.data, form.password.data, form.phone.data))
        if done is not None:
            if current_user.is_authenticated:
                sign_out()
            sign_in(done.user, remember=False)
            flash(_("Your account is ready. Welcome!") if not done.reset
                  else _("Your new password is set. Welcome back!"), "success")
            return redirect(url_for("compounds.my_units"))
    return render_template("accounts_owner/activate.html", form=form)
