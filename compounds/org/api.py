"""The 1+3+X in the JSON API: organisations, follow-up actions, resident requests and the
valid-complaint count that feeds the property ratings. Same services as the pages."""

from __future__ import annotations

import datetime as dt

from compounds.models import Compound
from compounds.org import organisations as org_service
from compounds.org import picture
from core.api import api_blueprint, doc
from core.loader import load
from core.permissions import requires

bp = api_blueprint("org_api", __name__)
TAG = "organisations"


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat()


def org_json(org, party_people: set[int], cross: set[int]) -> dict:
    return {"id": org.id, "kind": org.kind, "group": org.group, "name": org.name,
            "party_type": org.party_type, "seats": org.seats,
            "term": {"starts_on": org.term_starts_on and org.term_starts_on.isoformat(),
                     "ends_on": org.term_ends_on and org.term_ends_on.isoformat()},
            "contact": {"name": org.contact_name, "phone": org.contact_phone},
            "members": [{"id": m.id, "person_id": m.person_id, "name": m.name,
                         "position": m.position,
                         "party_member": m.party_member or m.person_id in party_people,
                         "dual_registered": m.dual_registered,
                         "cross_appointed": m.person_id in cross} for m in org.members]}


@bp.get("/compounds/<compound:cid>/organisations")
@requires("org.view")
@doc("The compound's 1+3+X: organisations, members, cross-appointments, party share",
     tag=TAG, responses={"200": "organisations", "403": "out of scope", "404": "not found"})
def organisations(cid: int):
    compound = load(Compound, cid, "org.view")
    orgs = org_service.organisations(compound)
    party_people = org_service.party_people(orgs)
    cross = picture.cross_appointments(orgs)
    share = picture.party_share(orgs)
    company = org_service.serving_company(compound.id)
    return {"compound": compound.id,
            "organisations": [org_json(o, party_people, {c.person_id for c in cross})
                              for o in orgs],
            "property_company": None if company is None else {"id": company.id,
                                                              "name": company.name},
            "cross_appointments": [{"person_id": c.person_id, "name": c.name,
                                    "appointments": [{"org_id": a.org_id, "position": a.position}
                                                     for a in c.appointments]} for c in cross],
            "owners_committee_party_members": {"party": share.party, "total": share.total}}
