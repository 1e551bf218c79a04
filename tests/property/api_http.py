"""The property API tests' client: Bearer-authenticated JSON to /api/v1 with any method
(the shared `api` fixture sends GET, POST and PATCH only)."""

from __future__ import annotations

import pytest


class Http:
    """Bearer-authenticated JSON requests to /api/v1, any method."""

    def __init__(self, client, token=None):
        self.client, self.token = client, token

    def __call__(self, method, path, json=None, status=None):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        resp = self.client.open("/api/v1" + path, method=method, json=json, headers=headers)
        if status is not None:
            assert resp.status_code == status, (method, path, resp.get_data(as_text=True))
        return resp


@pytest.fixture
def http(client):
    def _as(user=None):
        if user is None:
            return Http(client)
        resp = client.post("/api/v1/auth/token",
                           json={"username": user.username, "password": "password"})
        assert resp.status_code == 200
        return Http(client, resp.get_json()["token"])
    return _as
