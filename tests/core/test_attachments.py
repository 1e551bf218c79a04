"""Attachments: every kind of record takes, lists and serves files through the API and the
page; the type comes from the content; photos lose their EXIF (GPS); limits, scope,
withdrawal (never deletion) and `audit verify` catching a swapped file."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pytest
from PIL import Image
from sqlalchemy import event, func, select

from core.attachments import services, storage
from core.attachments.models import Attachment
from core.extensions import db
from core.models import AuditEntry, Role
from tests.core import attachment_files as files
from tests.core.test_object_scope import PERIOD, build_world

#: (the API's kind, the world's object)
KINDS = [("requests", "request"), ("meetings", "meeting"), ("actions", "action"),
         ("credit-records", "credit_record"), ("objections", "credit_objection"),
         ("rectifications", "rectification"), ("fund-projects", "fund_project"),
         ("votes", "vote"), ("elevator-projects", "elevator_project"),
         ("candidates", "candidate")]


@pytest.fixture
def world(app, make):
    """The object-scope world: one record of every kind, and one photo on its request (which
    the tests here leave out of what they count)."""
    w = build_world(app, make)
    PREEXISTING[:] = [w.pop("attachment").id]
    return w


PREEXISTING: list[int] = []


def _token(client, user) -> dict:
    resp = client.post("/api/v1/auth/token", json={"username": user.username,
                                                   "password": "password"})
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


def upload(client, headers, kind, rid, data: bytes, name="photo.jpg", caption=None):
    form = {"file": (io.BytesIO(data), name)}
    if caption is not None:
        form["caption"] = caption
    return client.post(f"/api/v1/{kind}/{rid}/attachments", data=form, headers=headers,
                       content_type="multipart/form-data")


def attachments() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Attachment.id))
                             .where(Attachment.id.not_in(PREEXISTING)))


@pytest.mark.parametrize(("kind", "key"), KINDS)
def test_each_kind_takes_lists_and_serves_a_file_through_the_api(client, world, kind, key):
    admin = _token(client, world["user"])
    rid = world[key].id
    resp = upload(client, admin, kind, rid, files.jpeg_with_gps(), "现场照片.jpg", "楼道")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert {"id", "name", "size", "content_type", "sha256"} <= set(body)
    assert body["name"] == "现场照片.jpg" and body["content_type"] == "image/jpeg"
    listed = client.get(f"/api/v1/{kind}/{rid}/attachments", headers=admin).get_json()
    assert [a["id"] for a in listed if a["id"] not in PREEXISTING] == [body["id"]]
    got = client.get(f"/api/v1/attachments/{body['id']}", headers=admin)
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    assert storage.sha256(got.data) == body["sha256"] and len(got.data) == body["size"]
    thumb = client.get(f"/api/v1/attachments/{body['id']}/thumbnail", headers=admin)
    assert thumb.status_code == 200 and max(Image.open(io.BytesIO(thumb.data)).size) <= 320
    # the SHA-256 is in the record's audit entry, in its compound's chain
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "attachment.add",
                                                       AuditEntry.object_id == str(body["id"])))
    assert body["sha256"] in entry.data


@pytest.mark.parametrize(("kind", "key"), KINDS)
def test_each_kind_takes_files_from_its_page(client, login, world, kind, key):
    login(world["user"])
    rid = world[key].id
    resp = client.post(f"/attachments/{kind}/{rid}", data={
        "file": [(io.BytesIO(files.jpeg_with_gps()), "a.jpg"), (io.BytesIO(files.pdf()),
                                                                 "会议纪要.pdf")],
        "next": "/somewhere"}, content_type="multipart/form-data")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/somewhere")
    rows = db.session.scalars(select(Attachment).where(
        Attachment.kind == kind, Attachment.id.not_in(PREEXISTING))).all()
    assert sorted(a.content_type for a in rows) == ["application/pdf", "image/jpeg"]
    for a in rows:
        assert client.get(f"/attachments/{a.id}").status_code == 200


def test_an_offsite_next_is_not_followed(client, login, world):
    login(world["user"])
    resp = client.post(f"/attachments/requests/{world['request'].id}", data={
        "file": (io.BytesIO(files.png()), "a.png"), "next": "//evil.example/x"},
        content_type="multipart/form-data")
    assert resp.status_code == 302 and "evil" not in resp.headers["Location"]


@pytest.mark.parametrize(("data", "name"), [
    (files.EXE, "photo.jpg"), (files.HTML, "photo.jpg"), (files.SVG, "photo.jpg"),
    (files.plain_zip(), "contract.docx"), (b"%PDF-1.7 no end", "x.pdf"),
    (b"GIF89a" + b"\x00" * 50, "x.gif")])
def test_anything_else_is_415_and_nothing_is_written(client, world, data, name):
    admin = _token(client, world["user"])
    resp = upload(client, admin, "requests", world["request"].id, data, name)
    assert resp.status_code == 415
    assert resp.get_json()["error"]["code"] == "unsupported_type"
    assert attachments() == 0


@pytest.mark.parametrize(("make_file", "name", "stored", "mime", "inline"), [
    (files.pdf, "scan.jpg", "scan.pdf", "application/pdf", True),
    (files.png, "p.png", "p.png", "image/png", True),
    (files.heic, "IMG_0001.HEIC", "IMG_0001.jpg", "image/jpeg", True),
    (files.docx, "合同.docx", "合同.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
    (files.xlsx, "发票.xlsx", "发票.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False)])
def test_the_type_comes_from_the_content(client, world, make_file, name, stored, mime,
                                         inline):
    admin = _token(client, world["user"])
    resp = upload(client, admin, "fund-projects", world["fund_project"].id, make_file(), name)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["name"], body["content_type"]) == (stored, mime)
    got = client.get(f"/api/v1/attachments/{body['id']}", headers=admin)
    assert got.mimetype == mime
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    disposition = got.headers["Content-Disposition"]
    assert disposition.startswith("inline" if inline else "attachment")
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    shown = unquote(match.group(1)) if match else re.search(r'filename="?([^";]+)',
                                                           disposition).group(1)
    assert shown == stored


def test_photos_lose_their_exif_and_gps_and_stand_upright(client, world):
    admin = _token(client, world["user"])
    original = files.jpeg_with_gps((640, 480), orientation=6)  # taken with the phone turned
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(files.GPS_IFD)
    body = upload(client, admin, "requests", world["request"].id, original).get_json()
    stored = client.get(f"/api/v1/attachments/{body['id']}", headers=admin).data
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif() and not image.getexif().get_ifd(files.GPS_IFD)
    assert b"Exif" not in stored[:4096] and b"TestPhone" not in stored
    assert image.size == (480, 640)  # orientation applied before the EXIF went


def test_over_the_file_limit_is_413(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", 20_000)
    admin = _token(client, world["user"])
    resp = upload(client, admin, "requests", world["request"].id, files.pdf() + b" " * 30_000)
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == "file_too_large"
    assert attachments() == 0


def test_a_decompression_bomb_is_refused_before_decoding(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_PIXELS", 10_000)
    admin = _token(client, world["user"])
    resp = upload(client, admin, "requests", world["request"].id, files.png((200, 100)))
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == "image_too_large"


def test_per_record_limits(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_PER_RECORD", 2)
    admin = _token(client, world["user"])
    rid = world["meeting"].id
    for color in ((1, 2, 3), (4, 5, 6)):
        assert upload(client, admin, "meetings", rid,
                      files.jpeg_with_gps(color=color)).status_code == 201
    resp = upload(client, admin, "meetings", rid, files.pdf())
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "too_many_attachments"
    # the same file twice on one record
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_PER_RECORD", 20)
    again = upload(client, admin, "meetings", rid, files.jpeg_with_gps(color=(1, 2, 3)))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_attached"
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_RECORD_BYTES", 1)
    full = upload(client, admin, "meetings", rid, files.pdf())
    assert full.status_code == 413 and full.get_json()["error"]["code"] == "record_full"


def test_out_of_scope_users_are_refused_through_the_loader(client, world, make):
    admin = _token(client, world["user"])
    aid = upload(client, admin, "requests", world["request"].id,
                 files.jpeg_with_gps()).get_json()["id"]
    rid = world["request"].id
    for user in (world["outsider"], world["neighbour"]):
        h = _token(client, user)
        assert client.get(f"/api/v1/requests/{rid}/attachments", headers=h).status_code in \
            (403, 404)
        assert upload(client, h, "requests", rid, files.png()).status_code in (403, 404)
        assert client.get(f"/api/v1/attachments/{aid}", headers=h).status_code in (403, 404)
        assert client.get(f"/api/v1/attachments/{aid}/thumbnail",
                          headers=h).status_code in (403, 404)
    # the owner of the unit sees the request's photo and adds their own
    owner = make.user("wangfang", Role.owner, person=world["unit"].holdings[0].person)
    h = _token(client, owner)
    assert client.get(f"/api/v1/attachments/{aid}", headers=h).status_code == 200
    assert upload(client, h, "requests", rid, files.png((300, 120))).status_code == 201
    # an owner may see a vote but not add to it
    vote = world["vote"].id
    assert upload(client, h, "votes", vote, files.png()).status_code == 403
    assert attachments() == 2


def test_withdrawal_needs_a_reason_is_audited_and_hides_the_file_from_owners(client, world,
                                                                              make):
    admin = _token(client, world["user"])
    rid = world["request"].id
    aid = upload(client, admin, "requests", rid, files.jpeg_with_gps()).get_json()["id"]
    no_reason = client.post(f"/api/v1/attachments/{aid}/withdraw", json={"reason": " "},
                            headers=admin)
    assert no_reason.status_code == 422
    ok = client.post(f"/api/v1/attachments/{aid}/withdraw", json={"reason": "拍错了楼道"},
                     headers=admin)
    assert ok.status_code == 200 and ok.get_json()["withdrawn"] is True
    again = client.post(f"/api/v1/attachments/{aid}/withdraw", json={"reason": "再撤"},
                        headers=admin)
    assert again.status_code == 409
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "attachment.withdraw", AuditEntry.object_id == str(aid)))
    assert "拍错了楼道" in entry.data and entry.compound_id == world["compound"].id
    # never deleted: the row and the file are there
    att = db.session.get(Attachment, aid)
    assert storage.path_of(att.sha256).is_file()

    owner = make.user("wangfang2", Role.owner, person=world["unit"].holdings[0].person)
    h = _token(client, owner)
    assert [a["id"] for a in client.get(f"/api/v1/requests/{rid}/attachments",
                                        headers=h).get_json()] == PREEXISTING
    assert client.get(f"/api/v1/attachments/{aid}", headers=h).status_code == 404
    district = make.user("district", Role.district_admin, world["compound"].street.district_id)
    h = _token(client, district)
    listed = client.get(f"/api/v1/requests/{rid}/attachments", headers=h).get_json()
    assert [(a["id"], a["withdrawn"], a.get("withdrawn_reason")) for a in listed] == [
        (PREEXISTING[0], False, None), (aid, True, "拍错了楼道")]
    assert client.get(f"/api/v1/attachments/{aid}", headers=h).status_code == 200


def test_withdrawing_needs_the_records_attach_permission(client, world, make):
    admin = _token(client, world["user"])
    aid = upload(client, admin, "votes", world["vote"].id, files.pdf()).get_json()["id"]
    owner = make.user("voter", Role.owner, person=world["unit"].holdings[0].person)
    h = _token(client, owner)
    assert client.get(f"/api/v1/attachments/{aid}", headers=h).status_code == 200
    resp = client.post(f"/api/v1/attachments/{aid}/withdraw", json={"reason": "x"}, headers=h)
    assert resp.status_code == 403
    assert db.session.get(Attachment, aid).withdrawn_at is None


def test_audit_verify_catches_a_swapped_file(app, client, world):
    admin = _token(client, world["user"])
    body = upload(client, admin, "credit-records", world["credit_record"].id,
                  files.pdf()).get_json()
    runner = app.test_cli_runner()
    good = runner.invoke(args=["audit", "verify"])
    assert good.exit_code == 0, good.output
    assert "attached files intact" in good.output
    path = storage.path_of(body["sha256"])
    original = path.read_bytes()
    try:
        path.write_bytes(original[:-40] + b"%% a different page  " + original[-19:])
        bad = runner.invoke(args=["audit", "verify"])
        assert bad.exit_code == 1
        assert f"attachment {body['id']}" in bad.output and "altered" in bad.output
    finally:
        path.write_bytes(original)


def test_a_list_gets_the_photos_of_all_its_records_in_one_query(app, client, world, make):
    admin = _token(client, world["user"])
    requests = [world["request"]]
    with app.test_request_context("/"):
        from flask_login import login_user

        from compounds import org_services

        login_user(world["user"])
        for n in range(4):
            requests.append(org_services.record_request(
                world["compound"], name=f"住户{n}", unit=world["unit"].label,
                category="repairs", text=f"第{n}件"))
    for i, r in enumerate(requests):
        upload(client, admin, "requests", r.id, files.jpeg_with_gps(color=(i, 9, 9)))
    ids = [r.id for r in requests]
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        found = services.files_for_list("requests", ids)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert sorted(found) == sorted(ids)


def _page(world, key) -> str:
    obj, district = world[key], world["compound"].street.district_id
    pages = {"request": "/requests/{id}", "meeting": "/meetings/{id}",
             "action": "/actions/{id}", "vote": "/votes/{id}",
             "elevator_project": "/elevator/{id}", "candidate": "/candidates/{id}",
             "fund_project": f"/compounds/{world['compound'].id}/fund/projects/{{id}}",
             "credit_record": f"/property/credit?district={district}&period={PERIOD}",
             "credit_objection": f"/property/objections?district={district}",
             "rectification": f"/property/rectifications?district={district}"}
    return pages[key].format(id=obj.id)


@pytest.mark.parametrize(("kind", "key"), KINDS)
def test_each_record_page_shows_its_files_and_the_upload_control(client, login, world, kind,
                                                                 key):
    admin = _token(client, world["user"])
    aid = upload(client, admin, kind, world[key].id, files.jpeg_with_gps(), "现场.jpg"
                 ).get_json()["id"]
    login(world["user"])
    page = client.get(_page(world, key))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'/attachments/{aid}/thumbnail"' in html
    assert 'type="file"' in html and 'capture="environment"' in html and "multiple" in html


def test_a_request_list_shows_the_thumbnails(client, login, world):
    admin = _token(client, world["user"])
    aid = upload(client, admin, "requests", world["request"].id,
                 files.jpeg_with_gps()).get_json()["id"]
    login(world["user"])
    html = client.get(f"/compounds/{world['compound'].id}/requests").get_data(as_text=True)
    assert f'/attachments/{aid}/thumbnail"' in html


def test_withdrawing_from_the_page_asks_for_a_reason(client, login, world):
    admin = _token(client, world["user"])
    aid = upload(client, admin, "requests", world["request"].id,
                 files.jpeg_with_gps()).get_json()["id"]
    login(world["user"])
    form = client.get(f"/attachments/{aid}/withdraw")
    assert form.status_code == 200 and 'name="reason"' in form.get_data(as_text=True)
    refused = client.post(f"/attachments/{aid}/withdraw", data={"reason": ""})
    assert refused.status_code == 200 and db.session.get(Attachment, aid).withdrawn_at is None
    done = client.post(f"/attachments/{aid}/withdraw",
                       data={"reason": "重复", "next": f"/requests/{world['request'].id}"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Attachment, aid).withdrawn_reason == "重复"
    shown = client.get(f"/requests/{world['request'].id}").get_data(as_text=True)
    assert "is-withdrawn" in shown and "重复" in shown


def test_the_minutes_pdf_lists_the_meetings_files_with_their_hashes(client, login, world,
                                                                    tmp_path):
    import subprocess

    admin = _token(client, world["user"])
    mid = world["meeting"].id
    signed = upload(client, admin, "meetings", mid, files.pdf(), "签到表.pdf").get_json()
    photo = upload(client, admin, "meetings", mid, files.jpeg_with_gps(), "会场.jpg").get_json()
    gone = upload(client, admin, "meetings", mid, files.png(), "错传.png").get_json()
    client.post(f"/api/v1/attachments/{gone['id']}/withdraw", json={"reason": "传错"},
                headers=admin)
    login(world["user"])
    resp = client.get(f"/meetings/{mid}/minutes.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(resp.data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")],
                   check=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert "附件" in text and "签到表.pdf" in flat and "会场.jpg" in flat
    for digest in (signed["sha256"], photo["sha256"]):  # printed in groups of 16
        assert all(digest[i:i + 16] in flat for i in range(0, 64, 16))
    assert "错传.png" not in flat  # withdrawn: not a file the minutes rest on
