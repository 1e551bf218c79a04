"""Every registered route declares its permission; the API documents every route."""

import re

from core.permissions import POLICY, route_permission


def test_every_route_declares_a_permission(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        perm = route_permission(app.view_functions[rule.endpoint])
        if perm is None:
            missing.append(rule.rule)
        else:
            assert perm in POLICY or perm in {"public", "signed_in"}, (rule.rule, perm)
    assert missing == [], f"routes without a permission rule: {missing}"


def test_openapi_documents_every_api_route(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = {(p, m.upper()) for p, ops in doc["paths"].items() for m in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)
    assert doc["paths"]["/api/v1/compounds/{cid}/units"]["get"]["security"] == [{"bearer": []}]


def test_api_errors_are_json_never_html(client):
    for path in ("/api/v1/nope", "/api/v1/compounds/1/units"):
        resp = client.get(path)
        assert resp.is_json, path
        assert set(resp.get_json()["error"]) >= {"code", "message"}
    assert client.get("/api/v1/compounds/1/units").status_code == 401
