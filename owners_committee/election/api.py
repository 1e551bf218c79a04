"""Owners'-committee elections in the JSON API: candidates' nomination, eligibility, reviews,
notice, objections, final list, the election ballot and count. Same services as the pages."""

from __future__ import annotations

from core.api import api_blueprint

bp = api_blueprint("election_api", __name__)
TAG = "elections"
