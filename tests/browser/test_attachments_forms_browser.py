"""An owner files a request with a photo from the phone's camera, in one go, on a 375 px
phone: the camera control sits in the request form; the request page then shows the photo,
and the secretary sees it at 1280 px."""

from compounds.org.models import ResidentRequest
from core.attachments.models import Attachment
from core.extensions import db
from core.models import Role
from tests.browser.harness import DESKTOP, PHONE, no_horizontal_overflow, shot, sign_in
from tests.core import attachment_files as files


def test_owner_files_a_request_with_a_photo_on_a_phone(make, live_server, page_factory,
                                                        tmp_path):
    c = make.compound("枫林苑", notice_days=0)
    b7 = make.building(c, "7", entrances=("1",))
    wang = make.person("王芳", n=902)
    make.unit(b7, "101", owners=[wang])
    make.user("wangfang", Role.owner, person=wang)
    make.user("rc", Role.rc_secretary, c)
    photo = tmp_path / "楼道积水.jpg"
    photo.write_bytes(files.jpeg_with_gps((1600, 1200)))
    scan = tmp_path / "报修单.pdf"
    scan.write_bytes(files.pdf())

    phone = page_factory(viewport=PHONE)
    sign_in(phone, live_server, "wangfang")
    phone.goto(f"{live_server}/requests/new")
    control = phone.locator("form input[type=file][name=files]")
    assert control.get_attribute("capture") == "environment"
    assert "image/*" in control.get_attribute("accept")
    assert control.locator("xpath=ancestor::form").get_attribute("enctype") == \
        "multipart/form-data"
    phone.fill("textarea[name=text]", "7号楼1单元地下室积水，照片见附件")
    control.set_input_files([str(photo), str(scan)])
    assert no_horizontal_overflow(phone)
    shot(phone, "attachments-request-form-phone")
    control.locator("xpath=ancestor::form").locator("button[type=submit]").click()
    phone.wait_for_url(f"{live_server}/requests/*")
    req = db.session.query(ResidentRequest).one()
    assert [a.name for a in db.session.query(Attachment).filter_by(
        kind="requests", record_id=req.id).order_by(Attachment.id)] == ["楼道积水.jpg",
                                                                         "报修单.pdf"]
    thumb = phone.locator("section.attachments img.thumb")
    assert thumb.count() == 1
    assert no_horizontal_overflow(phone)

    desk = page_factory(viewport=DESKTOP)
    sign_in(desk, live_server, "rc")
    desk.goto(f"{live_server}/requests/{req.id}")
    assert "报修单.pdf" in desk.inner_text("section.attachments")
    assert no_horizontal_overflow(desk)
    shot(desk, "attachments-request-with-files-desktop")
