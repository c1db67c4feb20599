"""The date question type: `YYYY-MM-DD` strings with bounds that may say `today`."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

from engine.model import Question
from engine.types.base import END, Issue, Path, QuestionType, SchemaOptions, not_an_answer

DATE_PATTERN = rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}{END}"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_BOUND = {"type": "string", "pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2}|today)$"}


def is_date(value: Any) -> bool:
    """A real calendar date written `YYYY-MM-DD` (no times, no other separators)."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def resolve_bound(bound: Any, today: str) -> str | None:
    return today if bound == "today" else bound


class Date(QuestionType):
    name = "date"
    value_kind = "date"
    keys = {"min": DATE_BOUND, "max": DATE_BOUND}
    bounds_kind = "date"

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        # Date bounds (and `today`) cannot be said in JSON Schema: the engine checks them.
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN}

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        if not is_date(value):
            yield not_an_answer(value, path) or Issue(path, "type_date")
            return
        low = resolve_bound(question.min, today)
        high = resolve_bound(question.max, today)
        if low is not None and value < low:
            yield Issue(path, "date_minimum", {"limit": low})
        elif high is not None and value > high:
            yield Issue(path, "date_maximum", {"limit": high})
