"""Expected problems that services raise and the error handler explains to members.

This module knows nothing of Discord, so pure services can raise these too.
"""

from __future__ import annotations

from typing import Any


class UserFacingError(Exception):
    """An expected problem; the member sees the message ``key`` from the catalogue."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
