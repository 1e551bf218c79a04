"""The one state-machine mechanism of the models: a `status` column whose moves are a table.

A model names its status enum (`STATUS`) and its moves (`MOVES[from] = {to, …}`), and says in
`refused(to)` why a move there is not possible now (a 409; the default is invalid_state).
`move_to` is the one way the status changes; `check_move` asks first, for a service that
must refuse before it checks anything else.
"""

from __future__ import annotations

import enum
from typing import ClassVar

from flask_babel import lazy_gettext as _l

from core.errors import DomainError, conflict


class StateMachine:
    STATUS: ClassVar[type[enum.StrEnum]]
    MOVES: ClassVar[dict]

    def refused(self, status) -> DomainError:
        """The 409 that refuses a move into `status`."""
        return conflict("invalid_state", _l("This step is not possible now"))

    def can_move_to(self, status) -> bool:
        return self.STATUS(status) in self.MOVES[self.STATUS(self.status)]

    def check_move(self, status) -> None:
        if not self.can_move_to(status):
            raise self.refused(self.STATUS(status))

    def move_to(self, status) -> str:
        """Make the move, or refuse it (409) and change nothing; returns the state it left."""
        status = self.STATUS(status)
        self.check_move(status)
        before, self.status = self.status, status.value
        return before
