"""The votes' fixtures (tests/votes/worlds.py): the small estate 梅岭苑 and its vote driver."""

from tests.votes.worlds import estate, flow  # noqa: F401  (fixtures for tests/votes/**)
