"""The joint meeting's sign-in sheet counts people, not memberships (a cross-appointed
person is one), takes someone attending for an X organisation without members, and guests
(列席) listed and counted apart — on the page and in the minutes PDF."""

from __future__ import annotations

import re
import subprocess

import pytest

from compounds.org import meetings
from compounds.org import organisations as orgs
from core.errors import DomainError
from tests.acting import as_user
from tests.compounds.org.test_meetings import mt, ox  # noqa: F401  (fixtures)
from tests.pdf_tools import needs_poppler


@pytest.fixture
def crowd(mt):  # noqa: F811
    """王芳 is the party secretary and also on the owners' committee (交叉任职); a lawyer's
    office takes part in the X with nobody recorded; two guests."""
    m = mt["meeting"]
    with as_user(mt["ps"]):
        sec = next(a for a in m.attendees if a.name == "王芳")
        twice = orgs.add_member(mt["oc"], same_as=sec.member_id, position="committee_member")
        lawyers = orgs.save_organisation(mt["c"], None, kind="lawyer", name="社区法律顾问室")
        meetings.set_attendance(m, [a.member_id for a in m.attendees] + [twice.id])
        meetings.add_guest(m, name="张律师", org_id=lawyers.id)
        meetings.add_guest(m, name="赵大爷", affiliation="7-2-301")
        meetings.add_guest(m, name="钱工", affiliation="区房管局")
    return dict(mt, lawyers=lawyers)


def test_people_are_counted_once_and_guests_apart(crowd):
    m = crowd["meeting"]
    assert len([a for a in m.attendees if not a.guest]) == 7  # 6 memberships + the lawyer
    assert meetings.present_people(m) == 6  # 王芳 once
    assert [(g.name, g.org_name) for g in meetings.guests(m)] == [
        ("赵大爷", "7-2-301"), ("钱工", "区房管局")]
    with as_user(crowd["ps"]):
        lines = meetings.minutes_document(m).attendees
    wang = next(x for x in lines if x.name == "王芳")
    assert len(lines) == 6 and wang.org == f"{crowd['party'].name}、{crowd['oc'].name}"
    assert (wang.group, wang.position) == ("党组织、三驾马车", "书记、委员")
    assert any(x.name == "张律师" and x.org == "社区法律顾问室" and x.group == "X"
               for x in lines)


def test_ticking_members_again_keeps_guests(crowd):
    m = crowd["meeting"]
    with as_user(crowd["ps"]):
        meetings.set_attendance(m, [m.attendees[0].member_id])
    assert meetings.present_people(m) == 2  # 王芳 and the lawyer
    assert len(meetings.guests(m)) == 2


@pytest.mark.parametrize(("kw", "field"), [
    ({"name": "", "affiliation": "7-2-301"}, "name"),
    ({"name": "赵大爷", "affiliation": ""}, "affiliation"),
    ({"name": "赵大爷", "org_id": 999999}, "org_id"),
])
def test_a_guest_needs_a_name_and_where_from(mt, kw, field):  # noqa: F811
    with as_user(mt["ps"]), pytest.raises(DomainError) as err:
        meetings.add_guest(mt["meeting"], **kw)
    assert err.value.field == field


def test_guests_do_not_stand_for_the_convener(mt):  # noqa: F811
    m = mt["meeting"]
    with as_user(mt["ps"]):
        meetings.set_attendance(m, [])
        meetings.add_guest(m, name="王芳", affiliation="居民区党支部")
        meetings.update_meeting(m, title=m.title, held_at="2026-05-20T19:00",
                                minutes="纪要")
        with pytest.raises(DomainError) as err:
            meetings.finalise_minutes(m)
    assert err.value.code == "no_convener"


def test_remove_a_guest(crowd):
    m = crowd["meeting"]
    guest = meetings.guests(m)[0]
    with as_user(crowd["ps"]):
        meetings.remove_guest(m, guest.id)
        with pytest.raises(DomainError):
            meetings.remove_guest(m, m.attendees[0].id)  # a member's line: not this way
    assert [g.name for g in meetings.guests(m)] == ["钱工"]


def test_the_page_counts_people_and_signs_guests_in(crowd, login, client):
    mid = crowd["meeting"].id
    login(crowd["ps"])
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    count = re.search(r'id="present-count">([^<]*)<', page).group(1)
    assert "到会 6 人" in count and "列席 2 人" in count
    resp = client.post(f"/meetings/{mid}/guests", data={"name": "孙阿姨", "org_id": "",
                                                        "affiliation": "8-1-101"})
    assert resp.status_code == 302
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert "孙阿姨" in page and "列席 3 人" in page
    login(crowd["owner"])
    assert client.post(f"/meetings/{mid}/guests", data={"name": "x", "affiliation": "y"}
                       ).status_code == 403


@needs_poppler
def test_the_minutes_list_attendees_and_guests_with_their_counts(crowd, login, client,
                                                                  tmp_path):
    login(crowd["ps"])
    resp = client.get(f"/meetings/{crowd['meeting'].id}/minutes.pdf")
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(resp.data)
    flat = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-layout", str(pdf), "-"],
                                             capture_output=True, text=True,
                                             check=True).stdout)
    assert "到会人数6人" in flat and "列席人数2人" in flat
    assert "签到表（到会6人）" in flat and "列席人员（2人）" in flat
    assert flat.count("王芳") >= 1 and "书记、委员" in flat
    assert "张律师" in flat and "社区法律顾问室" in flat
    assert "赵大爷7-2-301" in flat and "钱工区房管局" in flat
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")],
                   check=True)
    assert list(tmp_path.glob("page*.png"))
