"""Without a CJK font a PDF route says how to install one — JSON on the API, a page else."""

from core.models import Role
from reports import fonts


def test_pdf_route_without_font_says_how_to_install(make, api, login, client, monkeypatch,
                                                    tmp_path):
    c = make.compound()
    oc = make.user("oc", Role.oc_member, c)
    monkeypatch.setenv("TONGXIN_CJK_FONT", str(tmp_path / "missing.ttc"))
    monkeypatch.setattr(fonts, "_registered", None)
    resp = api(oc).get(f"/compounds/{c.id}/fund/statement.pdf")
    assert resp.status_code == 503
    err = resp.get_json()["error"]
    assert err["code"] == "font_missing" and "fonts-wqy-microhei" in err["message"]
    login(oc)
    page = client.get(f"/compounds/{c.id}/fund/statement.pdf")
    assert page.status_code == 503 and "fonts-wqy-microhei" in page.get_data(as_text=True)
