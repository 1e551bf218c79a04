"""What the pages and the API share: the rate limit on activation attempts, and turning the
letters a service issued into the report's data."""

from __future__ import annotations

from flask import current_app, request, url_for

from compounds.accounts.services import Letter
from compounds.models import Compound
from core.extensions import limiter
from core.inputs import local_today
from reports.activation_letters import LettersData, LetterSheet


def _limit() -> str:
    return current_app.config.get("ACTIVATION_RATE_LIMIT", "10 per minute")


def _client_address() -> str:
    return request.remote_addr or "-"  # ProxyFix has set it when proxies are trusted


#: one count per client address for the page and the API together (guessing codes is
#: guessing codes, whichever door)
activation_limit = limiter.shared_limit(_limit, scope="activation", key_func=_client_address,
                                        methods=["POST"])


def letters_data(compound: Compound, letters: list[Letter]) -> LettersData:
    page = url_for("owner_activation.activate", _external=True)
    return LettersData(
        compound=compound.name, issuer=f"{compound.name}居民委员会", issued_on=local_today(),
        activation_url=page,
        letters=tuple(LetterSheet(name=x.name, units=tuple(x.units), code=x.code,
                                  expires_on=x.expires_on,
                                  url=f"{page}?code={x.code}")  # [A-Z0-9-]: no escaping
                      for x in letters))
