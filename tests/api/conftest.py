"""The API's own tests: the fuzz harness (marker `fuzz`, SQLite pass only) and the
document, 405 and pagination tests beside it."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "fuzz: schemathesis over the OpenAPI document (SQLite pass of make test only)")
