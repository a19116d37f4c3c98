"""The only error the expression language raises."""

from __future__ import annotations


class ExprError(ValueError):
    """A problem in an expression, with the 0-based character position at fault.

    `message` is Korean and meant for the administrator who wrote the expression; `str()`
    prefixes the 1-based column so it reads well on its own."""

    def __init__(self, message: str, pos: int = 0, source: str = "") -> None:
        self.message = message
        self.pos = max(0, pos)
        self.source = source
        super().__init__(f"{self.pos + 1}번째 글자: {message}")
