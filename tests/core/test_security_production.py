"""Production mode (TONGXIN_ENV=production, gunicorn's default): it refuses, in one line, to
start without SECRET_KEY or with per-worker rate limits under several workers; /healthz and
the CLI say plainly when the database cannot be reached."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.config import ConfigError
from tests.conftest import _db_url, make_test_app

ROOT = Path(__file__).resolve().parents[2]
CLOSED_DB = "postgresql+psycopg://postgres@127.0.0.1:1/x"
_OURS = ("SECRET_KEY", "TONGXIN_ENV", "DATABASE_URL", "WEB_CONCURRENCY",
         "RATELIMIT_STORAGE_URI", "SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE")


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _OURS}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def _run(args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=_env(**env), capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def _one_line(out: subprocess.CompletedProcess) -> str:
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert out.returncode == 1, (out.returncode, out.stderr[-1500:])
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr[-1500:]
    return lines[0]


# -- the app refuses to start ----------------------------------------------------------------

def test_production_app_refuses_to_start_without_secret_key(app):
    with pytest.raises(ConfigError) as err:
        make_test_app(TONGXIN_ENV="production", SECRET_KEY=None)
    assert "SECRET_KEY" in str(err.value) and "\n" not in str(err.value)


def test_production_app_refuses_per_worker_limits_with_several_workers(app, monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    with pytest.raises(ConfigError) as err:
        make_test_app(TONGXIN_ENV="production")
    assert "RATELIMIT_STORAGE_URI" in str(err.value) and "3 workers" in str(err.value)
    make_test_app(TONGXIN_ENV="production", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")
    make_test_app()  # development mode: several workers are the operator's business


def test_flask_cli_in_production_without_secret_key_says_so_in_one_line():
    line = _one_line(_run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
                          TONGXIN_ENV="production", DATABASE_URL=_db_url()))
    assert "SECRET_KEY" in line


def _gunicorn(*args):
    return [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{_free_port()}",
            *args, "app:create_app()"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_refuses_to_start_without_secret_key():
    """gunicorn.conf.py makes production the default and checks before any worker boots."""
    out = _run(_gunicorn("-w", "1"), DATABASE_URL=_db_url())
    line = [s for s in out.stderr.splitlines() if s.startswith("Error:")]
    assert out.returncode == 1 and len(line) == 1 and "SECRET_KEY" in line[0], out.stderr
    assert "Traceback" not in out.stderr


def test_gunicorn_refuses_memory_limits_with_several_workers():
    out = _run(_gunicorn("-w", "3"), DATABASE_URL=_db_url(), SECRET_KEY="k" * 32)
    line = [s for s in out.stderr.splitlines() if s.startswith("Error:")]
    assert out.returncode == 1 and len(line) == 1, out.stderr
    assert "3 workers" in line[0] and "RATELIMIT_STORAGE_URI" in line[0]
    assert "Traceback" not in out.stderr


def test_gunicorn_serves_in_production_mode(app):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}",
         "app:create_app()"], cwd=ROOT, env=_env(DATABASE_URL=_db_url(), SECRET_KEY="k" * 32),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/login")
                resp = conn.getresponse()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
                time.sleep(0.3)
        assert resp.status == 200
        cookie = resp.getheader("Set-Cookie")
        assert "Secure" in cookie and "SameSite=Lax" in cookie  # production's cookies
        assert resp.getheader("Content-Security-Policy")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# -- an unreachable database ----------------------------------------------------------------

def test_healthz_checks_the_database(app, client):
    ok = client.get("/healthz")
    assert ok.status_code == 200 and ok.get_json()["ok"] is True
    down = make_test_app(SQLALCHEMY_DATABASE_URI=CLOSED_DB).test_client().get("/healthz")
    assert down.status_code == 503
    assert down.get_json() == {"ok": False, "database": "unreachable"}


@pytest.mark.parametrize("command", [
    ["db", "upgrade"],
    ["create-admin", "boss", "--password", "long-enough-1"],
    ["audit", "verify"],
])
def test_cli_answers_an_unreachable_database_in_one_line(command):
    line = _one_line(_run([sys.executable, "-m", "flask", "--app", "app", *command],
                          DATABASE_URL=CLOSED_DB))
    assert line.startswith("Error: cannot reach the database at " + CLOSED_DB), line
    assert "Connection refused" in line
