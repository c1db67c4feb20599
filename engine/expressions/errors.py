"""The one exception of the package: a source text that is not a valid expression."""

from __future__ import annotations


class ExpressionSyntaxError(Exception):
    """Raised by `parse`; `offset` is the 0-based character position of the problem.

    Callers turn the offset into a line and column of the YAML file, so it must point at the
    offending token (or at the end of the source when something is missing there).
    """

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at offset {offset})")
        self.message = message
        self.offset = offset
