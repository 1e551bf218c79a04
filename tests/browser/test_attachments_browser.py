"""An owner photographs the broken lamp for their request on a 375 px phone: the file input
(the camera on a real phone) takes the photo, the request's page shows its thumbnail, and the
stored photo has no GPS; the secretary sees the thumbnail in the compound's request list."""

from sqlalchemy import select

from compounds import org_services
from core.attachments import storage
from core.attachments.models import Attachment
from core.extensions import db
from core.models import Role
from tests.acting import as_user
from tests.browser.harness import DESKTOP, PHONE, no_horizontal_overflow, shot, sign_in
from tests.core import attachment_files as files


def test_owner_attaches_a_photo_to_a_request_on_a_phone(make, live_server, page_factory,
                                                        tmp_path):
    c = make.compound("枫林苑")
    b7 = make.building(c, "7", entrances=("1",))
    wang = make.person("王芳", n=901)
    unit = make.unit(b7, "101", owners=[wang])
    make.user("wangfang", Role.owner, person=wang)
    rc = make.user("rc", Role.rc_secretary, c)
    with as_user(rc):
        req = org_services.record_request(c, name="王芳", unit=unit.label, category="repairs",
                                          text="7号楼1单元楼道灯坏了，晚上看不见台阶")
    photo = tmp_path / "楼道灯.jpg"
    photo.write_bytes(files.jpeg_with_gps((1600, 1200)))

    phone = page_factory(viewport=PHONE)
    sign_in(phone, live_server, "wangfang")
    phone.goto(f"{live_server}/requests/{req.id}")
    control = phone.locator("section.attachments input[type=file]")
    assert control.get_attribute("capture") == "environment"
    assert "image/*" in control.get_attribute("accept")
    control.set_input_files(str(photo))
    phone.fill("section.attachments input[name=caption]", "晚上拍的")
    phone.click("section.attachments button[type=submit]")
    phone.wait_for_url(f"{live_server}/requests/{req.id}")
    assert "已上传 1 个附件" in phone.inner_text("body")
    thumb = phone.locator("section.attachments img.thumb")
    assert thumb.count() == 1
    thumb.scroll_into_view_if_needed()
    assert phone.evaluate("(img) => img.complete && img.naturalWidth > 0",
                          thumb.element_handle())
    assert "楼道灯.jpg" in phone.inner_text("section.attachments")
    assert no_horizontal_overflow(phone)
    shot(phone, "attachments-request-phone")

    att = db.session.scalar(select(Attachment))
    stored = storage.path_of(att.sha256).read_bytes()
    assert b"TestPhone" not in stored and att.uploaded_by_name == "wangfang"

    desk = page_factory(viewport=DESKTOP)
    sign_in(desk, live_server, "rc")
    desk.goto(f"{live_server}/compounds/{c.id}/requests")
    strip = desk.locator("#request-table img.thumb-sm")
    assert strip.count() == 1
    assert no_horizontal_overflow(desk)
    shot(desk, "attachments-request-list-desktop")
    desk.goto(f"{live_server}/requests/{req.id}")
    shot(desk, "attachments-request-desktop")
