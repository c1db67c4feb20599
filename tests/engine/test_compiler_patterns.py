"""Patterns in the response schema mean the same to every engine that reads them.

SPEC §8: a `pattern` matches the whole answer and `\\d` means `[0-9]`; `email` and `url` follow
fixed rules. The published schema is read by ECMA-262 engines (browsers), jsonschema-rs (Rust,
backtracking `fancy-regex`), python-jsonschema and fastjsonschema (Python `re`); the fast path
reads a linear-time copy (`regex` crate); the engine itself uses RE2 and `re`. All must agree.
"""

from __future__ import annotations

import re
from typing import Any

import fastjsonschema
import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator

from engine.model import Question
from engine.types import question_type
from engine.types.dates import DATE_PATTERN
from engine.types.text import EMAIL_PATTERN, URL_PATTERN, schema_pattern
from engine.validation import linear_schema


def _readers(pattern: str) -> dict[str, Any]:
    schema = {"type": "string", "pattern": pattern}
    fast = fastjsonschema.compile(schema)

    def fastjsonschema_reads(value: str) -> bool:
        try:
            fast(value)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return {
        "python-re": lambda value: re.search(pattern, value) is not None,
        "python-jsonschema": Draft202012Validator(schema).is_valid,
        "fastjsonschema": fastjsonschema_reads,
        "jsonschema-rs": jsonschema_rs.validator_for(schema).is_valid,
        "jsonschema-rs-linear": jsonschema_rs.validator_for(
            linear_schema(schema), pattern_options=jsonschema_rs.RegexOptions()
        ).is_valid,
    }


AUTHOR_PATTERNS = [
    (r"\d{4}", "2024", True),
    (r"\d{4}", "2024\n", False),
    (r"\d{4}", "\n2024", False),
    (r"\d{4}", "٢٠٢٤", False),  # Arabic-Indic digits are not [0-9]
    (r"\d{4}", "１２３４", False),  # nor fullwidth digits
    (r"\d{4}", "20245", False),  # the whole answer
    (r"[A-Z]{2}-\d+", "AB-12", True),
    (r"[A-Z]{2}-\d+", "xAB-12", False),
    (r".+", "a\rb", False),  # `.` is not a line break, as in JavaScript
    (r".+", "a\u2028b", False),
    (r".+", "a\nb", False),
    (r".+", "a\tb", True),
    (r".+", "😀", True),
    (r"[^x]+", "a\nb\n", True),  # a class can allow a final line feed
    (r"a|b", "a", True),
    (r"a|b", "ab", False),  # alternation inside the group: ^(?:a|b)$
    (r"(?:ab)*", "", True),
    (r"\.", ".", True),
    (r"[.]", "x", False),
]


@pytest.mark.parametrize(("pattern", "value", "expected"), AUTHOR_PATTERNS)
def test_author_pattern(pattern: str, value: str, expected: bool) -> None:
    compiled = schema_pattern(pattern)
    for reader, reads in _readers(compiled).items():
        assert reads(value) is expected, reader
    question = Question(id="q", type="text", label={"en": "Q"}, pattern=pattern)
    issues = list(question_type("text").check(question, value, ("q",), "2024-01-01"))
    if value:  # "" is "remove the key instead", whatever the pattern
        assert (issues == []) is expected
        assert all(issue.code == "pattern" for issue in issues)


FIXED = [
    (EMAIL_PATTERN, "name@example.org", True),
    (EMAIL_PATTERN, "josé@exämple.org", True),
    (EMAIL_PATTERN, "a..b@x.org", True),
    (EMAIL_PATTERN, "name@localhost", False),
    (EMAIL_PATTERN, "name@example.org\n", False),
    (EMAIL_PATTERN, "name @example.org", False),
    (EMAIL_PATTERN, "name\u00a0@example.org", False),  # no-break space
    (EMAIL_PATTERN, "name@example..org", False),
    (EMAIL_PATTERN, "a@b@c.org", False),
    (URL_PATTERN, "https://example.org", True),
    (URL_PATTERN, "HTTP://EXAMPLE.ORG/A?b=c#d", True),
    (URL_PATTERN, "https://exämple.org/über", True),
    (URL_PATTERN, "https://user@example.org/", True),
    (URL_PATTERN, "https://example.org/\n", False),
    (URL_PATTERN, "https://exa mple.org", False),
    (URL_PATTERN, "https://example.org/a\u3000b", False),  # ideographic space
    (URL_PATTERN, "ftp://example.org", False),
    (URL_PATTERN, "//example.org", False),
    (URL_PATTERN, "https://", False),
    (URL_PATTERN, "https:///path", False),
    (DATE_PATTERN, "2024-02-29", True),
    (DATE_PATTERN, "2024-02-29\n", False),
    (DATE_PATTERN, "2024-2-29", False),
    (DATE_PATTERN, "٢٠٢٤-٠٢-٢٩", False),
]


@pytest.mark.parametrize(("pattern", "value", "expected"), FIXED)
def test_fixed_pattern(pattern: str, value: str, expected: bool) -> None:
    for reader, reads in _readers(pattern).items():
        assert reads(value) is expected, reader


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (k, v, e)
        for p, v, e in FIXED
        for k in ("email", "url")
        if p is globals()[f"{k.upper()}_PATTERN"]
    ],
)
def test_engine_reads_fixed_patterns_the_same(kind: str, value: str, expected: bool) -> None:
    question = Question(id="q", type=kind, label={"en": "Q"})
    issues = list(question_type(kind).check(question, value, ("q",), "2024-01-01"))
    assert (issues == []) is expected


def test_linear_schema_only_drops_the_end_look_ahead() -> None:
    schema = {
        "properties": {"a": {"pattern": schema_pattern(r"\d+")}, "b": {"pattern": "^x$"}},
        "allOf": [{"pattern": EMAIL_PATTERN}],
    }
    linear = linear_schema(schema)
    assert linear["properties"]["a"]["pattern"] == "^(?:[0-9]+)$"
    assert linear["properties"]["b"]["pattern"] == "^x$"
    assert "(?!" not in linear["allOf"][0]["pattern"]
    assert schema["properties"]["a"]["pattern"].endswith("$(?!\\n)")  # the original is untouched
