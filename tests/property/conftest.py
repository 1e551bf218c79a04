"""The property API tests' fixture `http` (tests.property.api_http)."""

from tests.property.api_http import http  # noqa: F401
