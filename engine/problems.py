"""Problems found in a definition, as data: where, how bad, what, and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One line of `kyoto check` output: `FILE:LINE:COLUMN: severity: message`.

    Lines and columns are 1-based, as editors count them.
    """

    file: str
    line: int
    column: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class DefinitionLoadError(Exception):
    """A definition that cannot be read at all (syntax, size, depth, aliases)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate a misspelt `word` most likely meant, or None."""
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A ` (did you mean 'x'?)` suffix when a close candidate exists, else ''."""
    match = closest(word, candidates)
    return f" (did you mean '{match}'?)" if match else ""
