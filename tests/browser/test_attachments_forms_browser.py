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
    c = make.compound("枫林苑")
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


def test_files_too_large_are_refused_before_sending_and_nothing_typed_is_lost(
        make, live_server, live_app, page_factory, tmp_path):
    """A phone photo over the limit would be a 413 from the server and the form gone: the
    page refuses it first, says why under the control, keeps the text."""
    c = make.compound("枫林苑")
    b7 = make.building(c, "7", entrances=("1",))
    wang = make.person("王芳", n=903)
    make.unit(b7, "101", owners=[wang])
    make.user("wangfang", Role.owner, person=wang)
    big = tmp_path / "大照片.jpg"
    big.write_bytes(files.jpeg_with_gps((1600, 1200)) + b"\0" * 1_200_000)
    before = live_app.config["ATTACHMENT_MAX_BYTES"]
    live_app.config["ATTACHMENT_MAX_BYTES"] = 1_048_576
    try:
        phone = page_factory(viewport=PHONE)
        sign_in(phone, live_server, "wangfang")
        phone.goto(f"{live_server}/requests/new")
        phone.fill("textarea[name=text]", "楼道灯坏了")
        control = phone.locator("form input[type=file][name=files]")
        control.set_input_files([str(big)])
        control.locator("xpath=ancestor::form").locator("button[type=submit]").click()
        message = phone.locator(".files-field .error[role=alert]")
        message.wait_for()
        assert "大照片.jpg" in message.inner_text() and "1 MB" in message.inner_text()
        assert phone.url.endswith("/requests/new")
        assert phone.input_value("textarea[name=text]") == "楼道灯坏了"
        assert control.get_attribute("aria-invalid") == "true"
        assert phone.evaluate("document.activeElement.name") == "files"
        assert db.session.query(ResidentRequest).count() == 0
        shot(phone, "attachments-too-large-phone")
    finally:
        live_app.config["ATTACHMENT_MAX_BYTES"] = before
