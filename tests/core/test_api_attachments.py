"""The attachments API's schema: what an upload answers, the paged list, the withdrawal's
body, and the statuses the document declares for uploads."""

from __future__ import annotations

import datetime as dt

from core.attachments.models import Attachment
from core.extensions import db
from tests.core import attachment_files as files
from tests.core.test_attachments import _token, upload, world  # noqa: F401  (fixture)


def test_an_upload_answers_the_file_as_the_schema_says(client, world):  # noqa: F811
    admin = _token(client, world["user"])
    rid = world["request"].id
    resp = upload(client, admin, "requests", rid, files.png((210, 90)), name="楼道.png",
                  caption="漏水")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["name"], body["caption"], body["content_type"], body["thumbnail"],
            body["withdrawn"], body["withdrawn_at"]) == ("楼道.png", "漏水", "image/png", True,
                                                          False, None)
    att = db.session.get(Attachment, body["id"])
    assert (body["size"], body["sha256"]) == (att.size, att.sha256)
    assert dt.datetime.fromisoformat(body["uploaded_at"]).tzinfo is not None
    listed = client.get(f"/api/v1/requests/{rid}/attachments?per_page=1", headers=admin)
    assert listed.headers["X-Total-Count"] == "2" and len(listed.get_json()) == 1
    thumb = client.get(f"/api/v1/attachments/{body['id']}/thumbnail", headers=admin)
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"


def test_a_withdrawal_body_is_checked_before_anything_changes(client, world):  # noqa: F811
    admin = _token(client, world["user"])
    aid = upload(client, admin, "requests", world["request"].id,
                 files.png((220, 90))).get_json()["id"]
    for body, field in (({}, "reason"), ({"reason": 5}, "reason"),
                        ({"reason": "x", "why": "y"}, "why"), ({"reason": "x" * 501}, "reason")):
        resp = client.post(f"/api/v1/attachments/{aid}/withdraw", json=body, headers=admin)
        assert resp.status_code == 422, body
        assert field in resp.get_json()["error"]["details"]["fields"]
    db.session.expire_all()
    assert db.session.get(Attachment, aid).withdrawn_at is None


def test_the_document_declares_the_upload_refusals(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    post = paths["/api/v1/requests/{rid}/attachments"]["post"]
    assert {"201", "409", "413", "415", "422"} <= set(post["responses"])
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert paths["/api/v1/requests/{rid}/attachments"]["get"]["responses"][
        "200"]["headers"]["X-Total-Count"]
