"""What routing answers: a 405 carries Allow (RFC 9110), and a path whose id names nothing
is a 404 for every method — never a 405 because some other method's rule shares the
path's shape. Generated from the URL map."""

from __future__ import annotations

from collections import defaultdict

from core.errors import API_PREFIX
from core.loader import MAX_ID, IdConverter
from property.plugin import PeriodConverter

_TRY = ("PUT", "DELETE", "PATCH", "POST", "GET")


def _paths(app, *, api: bool):
    """{rule text: (a rule of it, its methods)} for the API's paths or the pages'."""
    out: dict[str, tuple] = {}
    methods = defaultdict(set)
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX + "/") != api or rule.endpoint == "static":
            continue
        methods[rule.rule] |= rule.methods
        out.setdefault(rule.rule, rule)
    return {text: (rule, methods[text]) for text, rule in out.items()}


def _url(rule, id_value) -> str:
    values = {}
    for name, conv in rule._converters.items():
        if isinstance(conv, IdConverter):
            values[name] = id_value
        elif isinstance(conv, PeriodConverter):
            values[name] = "2026Q1"
        else:
            values[name] = "1"
    return rule.build(values, append_unknown=False)[1]


def _undeclared(methods) -> str:
    return next(m for m in _TRY if m not in methods)


def test_a_405_names_the_methods_the_path_serves(app):
    client = app.test_client()
    wrong = []
    paths = _paths(app, api=True)
    assert len(paths) > 100
    for text, (rule, methods) in sorted(paths.items()):
        method = _undeclared(methods)
        resp = client.open(_url(rule, 1), method=method)
        allow = {m.strip() for m in resp.headers.get("Allow", "").split(",") if m.strip()}
        if resp.status_code != 405 or allow != methods:
            wrong.append(f"{method} {text}: {resp.status_code}, Allow {sorted(allow)} "
                         f"(serves {sorted(methods)})")
        elif resp.get_json()["error"]["code"] != "method_not_allowed":
            wrong.append(f"{method} {text}: {resp.get_json()}")
    assert wrong == [], "\n".join(wrong)


def test_a_page_answers_405_with_allow_too(app):
    resp = app.test_client().delete("/login")
    assert resp.status_code == 405
    assert {m.strip() for m in resp.headers["Allow"].split(",")} >= {"GET", "POST"}


def test_an_id_naming_nothing_is_404_for_every_method(app):
    """`/api/v1/votes/0/attachments` used to answer GET with 405: the POST rule of the same
    shape matched before the GET rule's converter refused the id."""
    client = app.test_client()
    wrong = []
    for api in (True, False):
        for text, (rule, methods) in sorted(_paths(app, api=api).items()):
            if not any(isinstance(c, IdConverter) for c in rule._converters.values()):
                continue
            for bad in (0, MAX_ID + 1):
                for method in [*sorted(methods - {"HEAD", "OPTIONS"}), _undeclared(methods)]:
                    resp = client.open(_url(rule, bad), method=method)
                    if resp.status_code != 404 or "Allow" in resp.headers:
                        wrong.append(f"{method} {text} with id {bad}: {resp.status_code}")
                    elif api and resp.get_json()["error"]["code"] != "not_found":
                        wrong.append(f"{method} {text}: {resp.get_json()}")
    assert wrong == [], f"{len(wrong)} routes:\n" + "\n".join(wrong[:50])
