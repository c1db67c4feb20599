"""Free-text question types: text, textarea, email and url."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import re2

from engine.model import Question
from engine.patterns import anchored
from engine.types.base import (
    Issue,
    Path,
    QuestionType,
    SchemaOptions,
    check_text,
    text_schema,
)

POSITIVE = {"type": "integer", "minimum": 1}

# `local@domain` with a dot in the domain (SPEC §8); `[^...]` classes read the same everywhere.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"
# An absolute http or https URL; non-ASCII characters are allowed and stored as sent.
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@]+(@[^\s/?#@]+)?([/?#][^\s]*)?$"


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Any:
    """Author patterns run on RE2, which is linear-time: no catastrophic backtracking."""
    return re2.compile(anchored(pattern))


class Text(QuestionType):
    name = "text"
    value_kind = "string"
    keys = {"max_length": POSITIVE, "pattern": {"type": "string", "minLength": 1}}

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        patterns = (anchored(question.pattern),) if question.pattern else ()
        return text_schema(*patterns, max_length=question.max_length)

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        issue = check_text(value, path, question.max_length)
        if issue is None and question.pattern and not _compiled(question.pattern).search(value):
            issue = Issue(path, "pattern")
        if issue:
            yield issue


class Textarea(Text):
    name = "textarea"
    keys = {"max_length": POSITIVE}


class _Formatted(QuestionType):
    """A text answer that must match one fixed pattern (shared by schema and engine)."""

    value_kind = "string"
    pattern: str
    format: str | None = None
    code: str

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        schema = text_schema(self.pattern)
        if self.format:
            schema["format"] = self.format
        return schema

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        issue = check_text(value, path)
        if issue is None and not _compiled(self.pattern).search(value):
            issue = Issue(path, self.code)
        if issue:
            yield issue


class Email(_Formatted):
    name = "email"
    pattern = EMAIL_PATTERN
    format = "email"
    code = "email"


class Url(_Formatted):
    name = "url"
    pattern = URL_PATTERN
    code = "url"
