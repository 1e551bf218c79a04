"""Sign-in limits that hold: keyed by username and client address (plus a looser limit per
address), the address taken from X-Forwarded-For only behind trusted proxies, and one count
shared by every worker through Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from core.extensions import limiter
from tests.conftest import _db_url, make_test_app

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")

PER_USER = "3 per minute"
PER_ADDRESS = "5 per minute"


@pytest.fixture
def limited(app):
    """limited(**config) → a test client of an app whose sign-in limits are on (3 per
    username and address, 5 per address)."""

    def _make(**config):
        cfg = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": PER_USER,
               "LOGIN_ADDRESS_RATE_LIMIT": PER_ADDRESS, **config}
        return make_test_app(**cfg).test_client()

    try:
        yield _make
    finally:
        # the limiter is one object shared by every app of the process: switch it back off
        limiter.enabled = False
        limiter.reset()


def _login(client, username, forwarded=None, peer="127.0.0.1"):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/login", data={"username": username, "password": "wrong"},
                       headers=headers, environ_base={"REMOTE_ADDR": peer}).status_code


def test_spoofed_forwarded_for_gives_no_fresh_bucket_without_trusted_proxies(limited):
    client = limited()  # TRUSTED_PROXIES defaults to 0
    codes = [_login(client, "rc1", forwarded=f"198.51.100.{n}") for n in range(4)]
    assert codes == [200, 200, 200, 429]


def test_one_address_cannot_spray_many_usernames(limited):
    client = limited()
    codes = [_login(client, f"user{n}", forwarded=f"198.51.100.{n}") for n in range(6)]
    assert codes == [200] * 5 + [429]
    # and another address is not held back by it
    assert _login(client, "user0", peer="192.0.2.50") == 200


def test_two_usernames_from_one_address_have_their_own_buckets(limited):
    client = limited(LOGIN_ADDRESS_RATE_LIMIT="20 per minute")
    assert [_login(client, "rc1") for _ in range(4)] == [200, 200, 200, 429]
    # case and spaces do not make a fresh bucket for the same name
    assert _login(client, " RC1 ") == 429
    assert _login(client, "oc1") == 200


def test_clients_behind_one_trusted_proxy_have_their_own_buckets(limited):
    client = limited(TRUSTED_PROXIES=1)
    proxy = "10.0.0.2"
    first = [_login(client, "rc1", forwarded="203.0.113.7", peer=proxy) for _ in range(4)]
    assert first == [200, 200, 200, 429]
    assert _login(client, "rc1", forwarded="203.0.113.8", peer=proxy) == 200
    # a client that writes its own X-Forwarded-For is still known by the address the
    # proxy appended (the right-most one)
    assert _login(client, "rc1", forwarded="192.0.2.1, 203.0.113.7", peer=proxy) == 429


def test_api_token_limit_keys_on_the_json_username_too(limited):
    client = limited()

    def token(username):
        return client.post("/api/v1/auth/token",
                           json={"username": username, "password": "wrong"}).status_code

    assert [token("rc1") for _ in range(4)] == [401, 401, 401, 429]
    assert token("oc1") == 401
    limiter.reset()
    assert [token(f"user{n}") for n in range(6)] == [401] * 5 + [429]  # per address


_WORKER = """
import json, sys
from tests.conftest import make_test_app
app = make_test_app(**json.loads(sys.argv[1]))
client = app.test_client()
codes = [client.post("/login", data={"username": "rc1", "password": "wrong"}).status_code
         for _ in range(int(sys.argv[2]))]
print(json.dumps(codes))
"""


def _worker(config: dict, attempts: int) -> list[int]:
    """One gunicorn-like worker: its own process, its own app, the shared storage."""
    out = subprocess.run([sys.executable, "-c", _WORKER, json.dumps(config), str(attempts)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (TEST_REDIS_URL)")
def test_two_workers_sharing_redis_share_the_count(app):
    import redis

    prefix = f"tongxin-test-{uuid.uuid4().hex}"
    config = {"SQLALCHEMY_DATABASE_URI": _db_url(), "RATELIMIT_ENABLED": True,
              "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
              "LOGIN_RATE_LIMIT": PER_USER, "LOGIN_ADDRESS_RATE_LIMIT": PER_ADDRESS}
    try:
        assert _worker(config, 2) == [200, 200]
        # the second worker has seen two attempts it did not serve
        assert _worker(config, 2) == [200, 429]
    finally:
        store = redis.Redis.from_url(REDIS_URL)
        keys = list(store.scan_iter(match=f"{prefix}*"))
        if keys:
            store.delete(*keys)
