"""What a vote tells the owners (votes.notices): the notice to every owner in scope (co-owners
each, the developer none), the opening, each extension, the result, the secretary's daily
reminder to those who have not voted; written with the event, once, and not at all when
the event rolls back. The vote page shows the reach; the lobby poster's QR code scans to
the notice's public page."""

from __future__ import annotations

import datetime as dt
import subprocess

from pypdf import PdfReader
from sqlalchemy import func, select

from core.extensions import db
from core.messaging import outbox
from core.messaging.models import Message
from core.models import AuditEntry
from tests.pdf_tools import needs_poppler
from tests.votes.worlds import in_days, reload
from votes import notices
from votes.models import ElevatorProject, Vote

OWNERS = {"王芳", "李强", "张伟", "刘洋", "陈静", "赵敏"}


def _messages(event: str, vid: int | None = None) -> list[Message]:
    q = select(Message).where(Message.event == event)
    if vid is not None:
        q = q.where(Message.subject_type == "vote", Message.subject_id == vid)
    db.session.expire_all()
    return list(db.session.scalars(q.order_by(Message.id)))


def _by_channel(rows: list[Message]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for m in rows:
        out.setdefault(m.channel, set()).add(m.recipient_name)
    return out


def _announced(flow, **body) -> int:
    vid = flow.create(**body)
    assert flow.rc.post(f"/votes/{vid}/announce").status_code == 200
    return vid


def test_the_notice_reaches_every_owner_in_scope_in_tongxin_and_by_sms(flow):
    vid = _announced(flow)
    vote = reload(Vote, vid)
    rows = _messages("vote.announced", vid)
    # co-owners 张伟 and 刘洋 each; 李强 (two flats) once; the developer's units nobody
    assert _by_channel(rows) == {"in_app": OWNERS, "sms": OWNERS}
    assert len(rows) == 12
    assert {m.status for m in rows if m.channel == "sms"} == {"queued"}
    first = rows[0]
    assert first.link == f"/votes/public/{vote.public_key}"
    assert first.title == "表决公告：7号楼加装电梯"
    assert "梅岭苑居民委员会发布表决公告" in first.body and vote.public_key in first.body
    assert first.compound_id == flow.estate.compound.id


def test_a_building_vote_tells_only_that_buildings_owners(flow):
    _announced(flow, scope=[{"building": "8"}])
    assert _by_channel(_messages("vote.announced")) == {"in_app": {"赵敏"}, "sms": {"赵敏"}}


def test_an_owner_without_account_or_phone_is_recorded_skipped(flow, estate):
    wang = estate.people["a"]
    wang.phone = ""
    db.session.delete(estate.users["a"])
    db.session.commit()
    _announced(flow)
    rows = {(m.recipient_name, m.channel): m for m in _messages("vote.announced")}
    assert (rows["王芳", "in_app"].status, rows["王芳", "in_app"].reason) == ("skipped",
                                                                          "no_account")
    assert (rows["王芳", "sms"].status, rows["王芳", "sms"].reason) == ("skipped", "no_phone")


def test_told_once_and_not_at_all_when_the_event_rolls_back(app, flow):
    vid = flow.create()
    vote = db.session.get(Vote, vid)
    vote.public_key = Vote.new_public_key()
    assert notices.announced(vote) == 12  # written in the transaction …
    db.session.rollback()                 # … that then fails
    assert _messages("vote.announced") == []
    _announced(flow, title="第二次表决")
    vote2 = db.session.scalar(select(Vote).where(Vote.title == "第二次表决"))
    assert notices.announced(vote2) == 0  # the same event again writes nothing
    db.session.commit()
    assert len(_messages("vote.announced", vote2.id)) == 12


def test_opening_extension_and_result_tell_the_voters(flow):
    vid = flow.open()
    opened = _messages("vote.opened", vid)
    assert _by_channel(opened) == {"in_app": OWNERS}  # in Tongxin only
    assert opened[0].link == f"/votes/{vid}" and "开始投票" in opened[0].title

    for days, reason in ((40, "春节假期，业主返乡"), (50, "参与率不足")):
        resp = flow.rc.post(f"/votes/{vid}/extend", json={"closes_at": in_days(days),
                                                          "reason": reason})
        assert resp.status_code == 200, resp.get_json()
    ext = _messages("vote.extended", vid)
    assert len(ext) == 12  # two extensions, each told to the six owners
    assert any("春节假期，业主返乡" in m.body for m in ext)
    assert all("延长至" in m.body for m in ext)
    closes = reload(Vote, vid).closes_at
    assert notices._when(closes) in ext[-1].body  # the new closing time, Beijing time

    flow.cast(vid, "7-1-101")
    flow.close(vid)
    assert _messages("vote.result", vid) == []  # closing is not publishing
    assert flow.rc.post(f"/votes/{vid}/publish").status_code == 200
    result = _messages("vote.result", vid)
    assert _by_channel(result) == {"in_app": OWNERS, "sms": OWNERS}
    key = reload(Vote, vid).public_key
    assert result[0].link == f"/votes/public/{key}"
    assert "表决结果" in result[0].title and "未通过" in result[0].title


def test_reminder_goes_to_those_who_have_not_voted_once_a_day(flow):
    vid = flow.open()
    assert flow.cast(vid, "7-1-101", who="a").status_code == 201   # 王芳 votes
    assert flow.cast(vid, "7-1-201", who="c").status_code == 201   # 张伟 for 张伟 + 刘洋
    resp = flow.rc.post(f"/votes/{vid}/reminders")
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json() == {"sent": 3}
    rows = _messages("vote.reminder", vid)
    assert _by_channel(rows) == {"in_app": {"李强", "陈静", "赵敏"},
                                 "sms": {"李强", "陈静", "赵敏"}}
    assert "您尚未表决" in rows[0].body and rows[0].link == f"/votes/{vid}"
    again = flow.rc.post(f"/votes/{vid}/reminders")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "reminder_sent_today"
    assert len(_messages("vote.reminder", vid)) == 6
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "vote.remind")) == 1
    # an owner may not send it
    assert flow.client("b").post(f"/votes/{vid}/reminders").status_code == 403


def test_reminder_refused_before_the_vote_opens(flow):
    vid = _announced(flow)
    resp = flow.rc.post(f"/votes/{vid}/reminders")
    assert resp.status_code == 409
    assert _messages("vote.reminder") == []


def test_reminder_button_on_the_door_list(flow, client, login, estate):
    vid = flow.open()
    login(estate.users["rc"])
    page = client.get(f"/votes/{vid}/doors").get_data(as_text=True)
    assert 'id="send-reminder"' in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    first = client.post(f"/votes/{vid}/reminders", data={"csrf_token": token},
                        follow_redirects=True).get_data(as_text=True)
    assert "6" in first and len(_messages("vote.reminder", vid)) == 12
    second = client.post(f"/votes/{vid}/reminders", data={"csrf_token": token},
                         follow_redirects=True)
    assert second.status_code == 200
    assert len(_messages("vote.reminder", vid)) == 12


def test_vote_page_shows_the_reach_to_staff_only(flow, client, login, estate):
    vid = _announced(flow)
    login(estate.users["rc"])
    page = client.get(f"/votes/{vid}").get_data(as_text=True)
    assert 'id="reach"' in page and 'id="poster-link"' in page
    r = outbox.reach("vote", vid, "vote.announced")
    assert (r.people, r.count("in_app", "sent"), r.count("sms", "queued")) == (6, 6, 6)
    client.post("/logout")
    login(estate.users["b"])
    page = client.get(f"/votes/{vid}").get_data(as_text=True)
    assert 'id="reach"' not in page


@needs_poppler
def test_poster_409_before_the_notice_then_a_page_whose_qr_opens_the_notice(flow, tmp_path):
    vid = flow.create(question="拟在7号楼加装电梯一台，费用按楼层系数分摊。",
                      paper_collection="7号楼1单元门厅表决箱")
    resp = flow.rc.get(f"/votes/{vid}/poster.pdf")
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] == "not_announced"
    assert flow.rc.post(f"/votes/{vid}/announce").status_code == 200
    resp = flow.client("a").get(f"/votes/{vid}/poster.pdf")  # an owner may print it too
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    path = tmp_path / "poster.pdf"
    path.write_bytes(resp.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    squeezed = "".join(text.split())
    for words in ("业主表决通知", "7号楼加装电梯", "拟在7号楼加装电梯一台", "投票时间",
                  "手机扫码查看表决公告全文", "如何投票", "7号楼1单元门厅表决箱",
                  "梅岭苑居民委员会"):
        assert words in squeezed, words
    assert len(PdfReader(str(path)).pages) == 1
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(path), str(tmp_path / "page")],
                   check=True)
    png = next(tmp_path.glob("page*.png"))
    scanned = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sqrcode.enable=1", str(png)],
                             capture_output=True, text=True).stdout.split()
    key = reload(Vote, vid).public_key
    assert scanned == [f"http://localhost/votes/public/{key}"]


def test_poster_page_route_and_refused_for_a_cancelled_vote(flow, client, login, estate):
    vid = _announced(flow)
    login(estate.users["rc"])
    assert client.get(f"/votes/{vid}/poster.pdf").status_code == 200
    assert flow.rc.post(f"/votes/{vid}/cancel", json={"reason": "方案调整"}).status_code == 200
    assert client.get(f"/votes/{vid}/poster.pdf").status_code == 409


def test_elevator_plan_posted_tells_the_buildings_owners_once_per_notice_date(flow, estate):
    body = {"building": "7", "entrance": "2", "title": "7号楼2单元加装电梯", "cost": "600000",
            "notice_from": "2026-12-01"}
    resp = flow.rc.post(f"/compounds/{estate.compound.id}/elevator-projects", json=body)
    assert resp.status_code == 201, resp.get_json()
    pid = resp.get_json()["id"]
    rows = _messages("elevator.plan_posted")
    # entrance 2 of building 7: 李强 (7-2-601) and 陈静 (7-2-302); the developer's 301 nobody
    assert _by_channel(rows) == {"in_app": {"李强", "陈静"}}
    assert rows[0].link == f"/elevator/{pid}" and "2026年12月01日" in rows[0].body
    project = reload(ElevatorProject, pid)
    assert notices.elevator_plan_posted(project) == 0
    project.notice_from = dt.date(2026, 12, 8)  # the notice moved: told again
    assert notices.elevator_plan_posted(project) == 2
    db.session.commit()
    assert len(_messages("elevator.plan_posted")) == 4
