"""Free-text question types: text, textarea, email and url."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import re2

from engine.model import Question
from engine.patterns import portable
from engine.types.base import (
    END,
    Issue,
    Path,
    QuestionType,
    SchemaOptions,
    check_text,
    text_schema,
)

POSITIVE = {"type": "integer", "minimum": 1}

# White space, spelt out: `\s` means different sets in RE2 (ASCII), Python and JavaScript.
_SPACE = r" \t\n\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# `local@domain` with a dot in the domain (SPEC §8).
EMAIL_PATTERN = rf"^[^@{_SPACE}]+@[^@.{_SPACE}]+(\.[^@.{_SPACE}]+)+{END}"
# An absolute http or https URL; non-ASCII characters are allowed and stored as sent.
URL_PATTERN = (
    rf"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@{_SPACE}]+(@[^/?#@{_SPACE}]+)?([/?#][^{_SPACE}]*)?{END}"
)

# JavaScript's `.` (what JSON Schema patterns mean) matches neither line terminators nor CR;
# Python's and RE2's only exclude LF. Spelling `.` out makes every engine agree.
_DOT_SCHEMA = r"[^\n\r\u2028\u2029]"
_DOT_RE2 = "[^\n\r\u2028\u2029]"  # RE2 has no \u escape: the characters themselves


def _spell_dots(pattern: str, dot: str) -> str:
    """`pattern` with every `.` outside a character class replaced by `dot`."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        elif char == "." and not in_class:
            char = dot
        out.append(char)
        i += 1
    return "".join(out)


def schema_pattern(pattern: str) -> str:
    """An author pattern as a JSON Schema `pattern`: the whole answer, read alike everywhere."""
    return f"^(?:{_spell_dots(portable(pattern), _DOT_SCHEMA)}){END}"


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Any:
    """Author patterns run on RE2, which is linear-time: no catastrophic backtracking."""
    return re2.compile(f"^(?:{_spell_dots(portable(pattern), _DOT_RE2)})$")


class Text(QuestionType):
    name = "text"
    value_kind = "string"
    keys = {"max_length": POSITIVE, "pattern": {"type": "string", "minLength": 1}}

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        patterns = (schema_pattern(question.pattern),) if question.pattern else ()
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
    """A text answer that must match one fixed pattern (shared by schema and engine).

    No `format` keyword: validators disagree on what `email` means (jsonschema-rs refuses
    `a..b@x.org`, python-jsonschema only wants an `@`); the pattern is the rule, read alike by all.
    """

    value_kind = "string"
    pattern: str
    code: str

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        return text_schema(self.pattern)

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        issue = check_text(value, path)
        if issue is None and not _fixed(self.pattern).search(value):
            issue = Issue(path, self.code)
        if issue:
            yield issue


@lru_cache(maxsize=8)
def _fixed(pattern: str) -> re.Pattern[str]:
    """Our own fixed patterns (no nested quantifiers) run on `re`, which reads `\\u` escapes."""
    return re.compile(pattern)


class Email(_Formatted):
    name = "email"
    pattern = EMAIL_PATTERN
    code = "email"


class Url(_Formatted):
    name = "url"
    pattern = URL_PATTERN
    code = "url"
