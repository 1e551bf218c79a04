"""Files sent with the form that creates a record (a phone's camera on the request, action
and evidence forms): the record and its files are saved in one transaction — a refused
file saves nothing and the form comes back with what was typed; the stray bytes of a failed
write are swept after an hour; the attachment settings live in core.config; the hook is
documented."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from compounds.org.models import Action, ResidentRequest
from core import config as core_config
from core import hooks
from core.attachments import storage
from core.attachments.models import Attachment
from core.extensions import db
from core.models import AuditEntry, Role
from property.ratings.models import CreditObjection, CreditRecord
from tests.acting import as_user
from tests.core import attachment_files as files
from tests.core.test_object_scope import build_world


@pytest.fixture
def world(app, make):
    return build_world(app, make)


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def _files_of(kind: str, rid: int) -> list[Attachment]:
    db.session.rollback()
    return list(db.session.scalars(select(Attachment).where(
        Attachment.kind == kind, Attachment.record_id == rid).order_by(Attachment.id)))


def _owner(world, make):
    return make.user("wangfang", Role.owner, person=world["unit"].holdings[0].person)


def _is_camera_control(html: str) -> bool:
    control = re.search(r'<input type="file"[^>]*name="files"[^>]*>', html)
    return bool(control) and 'capture="environment"' in control.group(0) \
        and "multiple" in control.group(0) and "image/*" in control.group(0) \
        and 'enctype="multipart/form-data"' in html


def test_every_creation_form_has_the_camera_control(client, login, world, make):
    d = world["compound"].street.district_id
    login(world["user"])
    action = world["action"]
    with as_user(world["user"]):
        from compounds.org import actions as action_service

        action_service.dispatch_action(action, org_id=action.org_id)
    pages = [f"/compounds/{world['compound'].id}/requests/record",
             f"/actions/{action.id}",
             f"/property/credit?district={d}"]
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        assert _is_camera_control(html), page
    pm = make.user("pm", Role.property_manager, world["company"].id)
    record = CreditRecord(company_id=world["company"].id, district_id=d, kind="bad", points=-3,
                          occurred_on=dt.date(2020, 1, 9), period="2020Q1", evidence="堆物")
    db.session.add(record)
    db.session.commit()
    login(pm)
    for page in (f"/property/records/{record.id}/objection",
                 f"/property/companies/{world['company'].id}/rectification?district={d}"
                 f"&period=2020Q1"):
        html = client.get(page).get_data(as_text=True)
        assert _is_camera_control(html), page
    login(_owner(world, make))
    assert _is_camera_control(client.get("/requests/new").get_data(as_text=True))


def test_an_owner_files_a_request_with_its_photos_in_one_go(client, login, world, make):
    owner = _owner(world, make)
    login(owner)
    before = _count(ResidentRequest)
    resp = client.post("/requests/new", data={
        "unit_id": str(world["unit"].id), "category": "repairs", "text": "楼道灯坏了，附照片",
        "files": [(io.BytesIO(files.jpeg_with_gps()), "楼道灯.jpg"),
                  (io.BytesIO(files.pdf()), "物业回执.pdf")]},
        content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:800]
    assert _count(ResidentRequest) == before + 1
    req = db.session.scalars(select(ResidentRequest).order_by(ResidentRequest.id.desc())).first()
    got = _files_of("requests", req.id)
    assert [a.name for a in got] == ["楼道灯.jpg", "物业回执.pdf"]
    assert all(a.uploaded_by == owner.id for a in got)
    photo = storage.path_of(got[0].sha256).read_bytes()
    assert b"TestPhone" not in photo  # the EXIF (GPS) went, as on the record's page
    audited = {e.object_id for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "attachment.add"))}
    assert {str(a.id) for a in got} <= audited
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f"/attachments/{got[0].id}/thumbnail" in page


@pytest.mark.parametrize(("bad", "name", "message"), [
    (files.EXE, "照片.jpg", "只能"), (files.HTML, "scan.pdf", "只能")])
def test_a_refused_file_saves_nothing_and_keeps_what_was_typed(client, login, world, bad,
                                                               name, message):
    login(world["user"])
    requests, atts = _count(ResidentRequest), _count(Attachment)
    resp = client.post(f"/compounds/{world['compound'].id}/requests/record", data={
        "name": "赵敏", "phone": "13800000000", "unit": world["unit"].label,
        "category": "repairs", "text": "三楼水管漏水，已拍照",
        "files": [(io.BytesIO(files.jpeg_with_gps()), "漏水.jpg"), (io.BytesIO(bad), name)]},
        content_type="multipart/form-data")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "三楼水管漏水，已拍照" in html and 'value="赵敏"' in html  # kept
    error = re.search(r'files-field has-error.*?<div class="error" role="alert">(.*?)</div>',
                      html, re.S)
    assert error and name in error.group(1) and message in error.group(1)
    assert (_count(ResidentRequest), _count(Attachment)) == (requests, atts)


def test_too_many_files_for_one_record_saves_nothing(app, client, login, world, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_PER_RECORD", 1)
    login(world["user"])
    requests = _count(ResidentRequest)
    resp = client.post(f"/compounds/{world['compound'].id}/requests/record", data={
        "name": "赵敏", "category": "repairs", "text": "两张照片",
        "files": [(io.BytesIO(files.png()), "a.png"),
                  (io.BytesIO(files.png((300, 200))), "b.png")]},
        content_type="multipart/form-data")
    assert resp.status_code == 200 and "两张照片" in resp.get_data(as_text=True)
    assert _count(ResidentRequest) == requests


def test_an_action_takes_before_and_after_photos_with_its_steps(client, login, world):
    action = world["action"]
    with as_user(world["user"]):
        from compounds.org import actions as action_service

        action_service.dispatch_action(action, org_id=action.org_id)
    login(world["user"])
    resp = client.post(f"/actions/{action.id}/handle", data={
        "note": "已派人查看", "files": (io.BytesIO(files.jpeg_with_gps()), "整改前.jpg")},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    refused = client.post(f"/actions/{action.id}/feedback", data={
        "feedback": "堆物已全部清运", "files": (io.BytesIO(files.SVG), "整改后.jpg")},
        content_type="multipart/form-data")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "堆物已全部清运" in html and "整改后.jpg" in html
    db.session.rollback()
    assert db.session.get(Action, action.id).status == "handling"  # the step not taken
    done = client.post(f"/actions/{action.id}/feedback", data={
        "feedback": "堆物已全部清运",
        "files": (io.BytesIO(files.jpeg_with_gps(color=(200, 10, 10))), "整改后.jpg")},
        content_type="multipart/form-data")
    assert done.status_code == 302
    db.session.rollback()
    assert db.session.get(Action, action.id).status == "feedback"
    assert [a.name for a in _files_of("actions", action.id)] == ["整改前.jpg", "整改后.jpg"]


def test_a_credit_record_and_an_objection_carry_their_evidence(client, login, world, make):
    d = world["compound"].street.district_id
    login(world["user"])
    resp = client.post(f"/property/credit?district={d}", data={
        "company_id": str(world["company"].id), "kind": "bad", "veto_reason": "",
        "points": "3", "occurred_on": dt.date.today().isoformat(), "compound_id": "0",
        "evidence": "消防通道堆物，见照片",
        "files": (io.BytesIO(files.jpeg_with_gps()), "消防通道.jpg")},
        content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:1500]
    record = db.session.scalars(select(CreditRecord).where(
        CreditRecord.evidence == "消防通道堆物，见照片")).one()
    assert [a.name for a in _files_of("credit-records", record.id)] == ["消防通道.jpg"]

    pm = make.user("pm", Role.property_manager, world["company"].id)
    login(pm)
    objections = _count(CreditObjection)
    bad = client.post(f"/property/records/{record.id}/objection", data={
        "grounds": "当日已清理，见附件", "files": (io.BytesIO(files.EXE), "清理记录.docx")},
        content_type="multipart/form-data")
    assert bad.status_code == 200 and "当日已清理，见附件" in bad.get_data(as_text=True)
    assert _count(CreditObjection) == objections
    ok = client.post(f"/property/records/{record.id}/objection", data={
        "grounds": "当日已清理，见附件", "files": (io.BytesIO(files.docx()), "清理记录.docx")},
        content_type="multipart/form-data")
    assert ok.status_code == 302
    objection = db.session.scalars(select(CreditObjection).where(
        CreditObjection.record_id == record.id)).one()
    got = _files_of("objections", objection.id)
    assert [a.name for a in got] == ["清理记录.docx"] and got[0].uploaded_by == pm.id


# -- the sweep ---------------------------------------------------------------------------------

def _age(path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_sweep_removes_only_old_files_no_row_names(app, client, login, world):
    login(world["user"])
    # a write that failed after its first file was stored: the same photo twice on one new
    # record is refused at the second — the request is not saved, the first file's bytes are
    photo = files.jpeg_with_gps(color=(1, 99, 7))
    requests = _count(ResidentRequest)
    resp = client.post(f"/compounds/{world['compound'].id}/requests/record", data={
        "name": "赵敏", "category": "repairs", "text": "同一张照片选了两次",
        "files": [(io.BytesIO(photo), "a.jpg"), (io.BytesIO(photo), "b.jpg")]},
        content_type="multipart/form-data")
    assert resp.status_code == 200 and _count(ResidentRequest) == requests
    root = storage.root()
    named = {a.sha256 for a in db.session.scalars(select(Attachment))} | {
        a.thumb_sha256 for a in db.session.scalars(select(Attachment)) if a.thumb_sha256}
    stray = [p for p in root.glob("??/??/*") if p.name not in named]
    assert stray, "the refused write left its bytes behind"
    # a withdrawn file stays: its row names it
    kept = db.session.scalars(select(Attachment)).first()
    with as_user(world["user"]):
        from core.attachments import services

        services.withdraw(kept, "传错了")
    young = storage.path_of(storage.put(b"%PDF-1.4 young stray %%EOF"))
    (root / "tmp").mkdir(exist_ok=True)
    leftover = root / "tmp" / "abc.half"
    leftover.write_bytes(b"half a file")
    foreign = root / "ab" / "cd" / "README"
    foreign.parent.mkdir(parents=True, exist_ok=True)
    foreign.write_text("not the store's")
    for p in [*root.glob("??/??/*"), leftover]:
        if p != young:
            _age(p, 2)

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["attachments", "sweep", "--dry-run"])
    assert dry.exit_code == 0 and "would be removed" in dry.output
    assert all(p.exists() for p in stray)
    result = runner.invoke(args=["attachments", "sweep"])
    assert result.exit_code == 0, result.output
    assert f"{len(stray) + 1} unreferenced file(s) removed" in result.output
    assert not any(p.exists() for p in stray) and not leftover.exists()
    assert young.exists() and foreign.exists()  # too young; not a stored file
    for a in db.session.scalars(select(Attachment)):
        assert storage.path_of(a.sha256).exists()
        assert a.thumb_sha256 is None or storage.path_of(a.thumb_sha256).exists()
    assert storage.path_of(kept.sha256).exists()
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0, verify.output


def test_storing_the_same_bytes_again_makes_them_young(app):
    with app.app_context():
        path = storage.path_of(storage.put(b"%PDF-1.4 again %%EOF"))
        _age(path, 3)
        storage.put(b"%PDF-1.4 again %%EOF")
        assert time.time() - path.stat().st_mtime < 60


# -- configuration and the hook list -----------------------------------------------------------

def test_the_attachment_settings_are_in_core_config(tmp_path, monkeypatch):
    for name in ("ATTACHMENT_ROOT", "ATTACHMENT_MAX_BYTES", "ATTACHMENT_MAX_PER_RECORD",
                 "ATTACHMENT_MAX_RECORD_MB", "ATTACHMENT_MAX_PIXELS"):
        monkeypatch.delenv(name, raising=False)
    cfg = core_config.load(str(tmp_path))
    assert cfg["ATTACHMENT_ROOT"] == str(tmp_path / "attachments")
    assert cfg["ATTACHMENT_MAX_BYTES"] == 10 * 1024 * 1024 - 64 * 1024
    assert (cfg["ATTACHMENT_MAX_PER_RECORD"], cfg["ATTACHMENT_MAX_RECORD_BYTES"],
            cfg["ATTACHMENT_MAX_PIXELS"]) == (20, 100 * 1024 * 1024, 50_000_000)
    assert cfg["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    monkeypatch.setenv("ATTACHMENT_MAX_BYTES", str(30 * 1024 * 1024))
    monkeypatch.setenv("ATTACHMENT_MAX_RECORD_MB", "7")
    cfg = core_config.load(str(tmp_path))
    assert cfg["MAX_CONTENT_LENGTH"] == 30 * 1024 * 1024 + 64 * 1024  # the body fits
    assert cfg["ATTACHMENT_MAX_RECORD_BYTES"] == 7 * 1024 * 1024
    # values the app is created with win over the environment
    assert core_config.load(str(tmp_path), {"ATTACHMENT_MAX_PER_RECORD": 3})[
        "ATTACHMENT_MAX_PER_RECORD"] == 3
    for bad in ("0", "ten", "-1"):
        monkeypatch.setenv("ATTACHMENT_MAX_PER_RECORD", bad)
        with pytest.raises(core_config.ConfigError, match="ATTACHMENT_MAX_PER_RECORD"):
            core_config.load(str(tmp_path))


def test_the_attachments_hook_is_in_the_documented_list():
    import importlib

    import app as app_module

    documented = set(re.findall(r"^#:\s{3}([a-z_]+\.[a-z_]+)", Path(hooks.__file__).read_text(),
                                re.M))
    providers = [name for name in app_module.PACKAGES if "attachments.kinds" in getattr(
        importlib.import_module(f"{name}.plugin"), "HOOKS", {})]
    assert len(providers) == 4 and "attachments.kinds" in documented
