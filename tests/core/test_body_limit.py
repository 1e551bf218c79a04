"""Request bodies over MAX_CONTENT_LENGTH (10 MiB) are a 413 on every route, nothing written.

Real servers and real chunked requests (http.client, encode_chunked=True): the Werkzeug dev
server in a thread, and gunicorn in a subprocess with the production settings, since both
set wsgi.input_terminated, which is what let a chunked body be cut at the limit and
imported as if it ended there (core/body_limit.py tells the story).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from compounds.models import Unit
from core.extensions import db
from core.models import Role
from tests.conftest import _db_url

LIMIT = 10 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]
HEADER = "楼号,单元,室号,楼层,建筑面积,面积来源,开发商持有,业主姓名,身份证号\r\n".encode()


def ledger_row(n: int, length: int) -> bytes:
    """A developer-held unit (no owner needed), padded with spaces to `length` bytes: a
    body cut anywhere in the padding still reads as a good ledger."""
    row = f"{n // 1000 + 1},1,{n % 1000 + 1},1,89.50,登记,1,,".encode()
    return row + b" " * (length - len(row) - 2) + b"\r\n"


def ledger_csv(total: int, row_length: int = 1_900) -> bytes:
    """A valid ledger CSV of exactly `total` bytes."""
    parts, size, n = [HEADER], len(HEADER), 0
    while total - size >= 2 * row_length:
        parts.append(ledger_row(n, row_length))
        size, n = size + row_length, n + 1
    rest = total - size  # between one and two rows' worth: two rows share it
    parts += [ledger_row(n, rest // 2), ledger_row(n + 1, rest - rest // 2)]
    body = b"".join(parts)
    assert len(body) == total
    return body


def units() -> int:
    db.session.rollback()  # see what the server committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit))


def chunks(body: bytes, size: int = 64 * 1024):
    for start in range(0, len(body), size):
        yield body[start:start + size]


def send(port: int, method: str, path: str, body: bytes = b"", headers=None, *,
         chunked: bool = True) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(method, path, chunks(body) if chunked else body, headers or {},
                     encode_chunked=chunked)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


@pytest.fixture
def port(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def compound(make):
    c = make.compound("同心苑")
    make.user("rc", Role.rc_secretary, c)
    return c


def token(port: int) -> str:
    status, _, body = send(port, "POST", "/api/v1/auth/token",
                           json.dumps({"username": "rc", "password": "password"}).encode(),
                           {"Content-Type": "application/json"}, chunked=False)
    assert status == 200, body
    return json.loads(body)["token"]


def import_csv(port: int, cid: int, body: bytes, **kw):
    return send(port, "POST", f"/api/v1/compounds/{cid}/units/import", body,
                {"Authorization": f"Bearer {token(port)}", "Content-Type": "text/csv"}, **kw)


def assert_json_413(status: int, headers: dict, body: bytes) -> None:
    assert status == 413, body[:300]
    assert json.loads(body)["error"]["code"] == "payload_too_large"


def test_a_chunked_ledger_over_the_limit_is_refused_whole(port, compound):
    """The audit's case: 11 MiB chunked, to the API and to the page. Before the fix the API
    imported the first 10 MiB (thousands of units) and answered 200."""
    body = ledger_csv(11 * 1024 * 1024)
    assert_json_413(*import_csv(port, compound.id, body))
    assert units() == 0

    status, headers, _ = send(port, "POST", "/login", b"username=rc&password=password",
                              {"Content-Type": "application/x-www-form-urlencoded"},
                              chunked=False)
    assert status == 302
    cookie = headers["Set-Cookie"].split(";")[0]
    form = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="l.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n" + body + b"\r\n--b--\r\n")
    status, _, page = send(port, "POST", f"/compounds/{compound.id}/ledger/import", form,
                           {"Cookie": cookie, "Content-Type": "multipart/form-data; boundary=b"})
    assert status == 413
    assert "上传的文件过大" in page.decode()
    assert units() == 0


def test_exactly_the_limit_is_accepted_and_one_byte_more_is_not(port, compound):
    body = ledger_csv(LIMIT)
    assert_json_413(*import_csv(port, compound.id, body + b" "))
    assert units() == 0
    status, _, answer = import_csv(port, compound.id, body)
    assert status == 200, answer[:300]
    assert json.loads(answer)["created"] == units() > 5_000


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_every_route_refuses_an_oversized_body(port, compound, chunked):
    """Also routes that never read a body, and JSON (which arrived cut, as malformed)."""
    big = b" " * (LIMIT + 1)
    status, _, page = send(port, "GET", "/login", big, chunked=chunked)
    assert status == 413 and "上传的文件过大" in page.decode()
    assert send(port, "GET", "/healthz", big, chunked=chunked)[0] == 413
    assert_json_413(*send(port, "GET", "/api/v1/openapi.json", big, chunked=chunked))
    login = b'{"username": "rc", "password": "password"}' + big
    assert_json_413(*send(port, "POST", "/api/v1/auth/token", login,
                          {"Content-Type": "application/json"}, chunked=chunked))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_refuses_a_chunked_body_over_the_limit(app, compound):
    """Production's server, with gunicorn.conf.py (gthread workers)."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _db_url(), "SECRET_KEY": "test-secret",
           "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "2",
           "GUNICORN_BIND": f"127.0.0.1:{port}"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "-c", "gunicorn.conf.py", "app:create_app()"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                if send(port, "GET", "/healthz", chunked=False)[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        assert_json_413(*import_csv(port, compound.id, ledger_csv(11 * 1024 * 1024)))
        assert units() == 0
        status, _, answer = import_csv(port, compound.id, ledger_csv(LIMIT))
        assert status == 200, answer[:300]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
