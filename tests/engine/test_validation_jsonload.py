"""Strict JSON for responses (`engine.jsonload.loads`): hostile input is one JSONError, never
another exception, and never a value `json.loads` would have let through (NaN, last duplicate)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.jsonload import MAX_JSON_BYTES, MAX_JSON_DEPTH, JSONError, loads
from webapp.cli import cli

ROOT = Path(__file__).resolve().parents[2]

REFUSED: list[tuple[str, str | bytes]] = [
    ("nan", '{"count": NaN}'),
    ("infinity", '{"count": Infinity}'),
    ("minus-infinity", '{"count": -Infinity}'),
    ("overflowing-float", '{"count": 1e400}'),
    ("overflowing-negative-float", "[-1e999]"),
    ("5000-digit-integer", '{"count": ' + "9" * 5000 + "}"),
    ("5000-digit-negative-integer", "-" + "1" * 5000),
    ("5000-digit-fraction", "0." + "1" * 5000),
    ("100k-deep-arrays", "[" * 100_000 + "]" * 100_000),
    ("100k-deep-objects", '{"a":' * 100_000 + "1" + "}" * 100_000),
    ("100k-deep-unclosed", "[" * 100_000),
    ("65-deep", "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)),
    ("duplicate-key", '{"count": 1, "count": 2}'),
    ("nested-duplicate-key", '{"a": [{"b": 1, "b": 1}]}'),
    ("invalid-utf8", b'{"name": "\xff\xfe"}'),
    ("truncated-utf8", b'{"name": "\xc3"}'),
    ("overlong-utf8", b'{"name": "\xc0\xaf"}'),
    ("utf8-surrogate-bytes", b'{"name": "\xed\xa0\x80"}'),
    ("lone-surrogate-escape", '{"name": "\\ud800"}'),
    ("lone-low-surrogate-in-key", '{"\\udc00": 1}'),
    ("over-10-mib-bytes", b"[" + b"1," * (MAX_JSON_BYTES // 2) + b"1]"),
    ("over-10-mib-text", '"' + "é" * (MAX_JSON_BYTES // 2 + 1) + '"'),
    ("empty", ""),
    ("whitespace", "  \n"),
    ("trailing-comma", '{"a": 1,}'),
    ("single-quotes", "{'a': 1}"),
    ("comment", '{"a": 1} // no'),
    ("two-documents", '{"a": 1} {"b": 2}'),
    ("control-character-in-string", '{"a": "x\ty"}'.replace("\\t", "\t")),
    ("bare-word", "yes"),
]


@pytest.mark.parametrize("data", [d for _, d in REFUSED], ids=[name for name, _ in REFUSED])
def test_refused_with_json_error(data: str | bytes) -> None:
    with pytest.raises(JSONError) as raised:
        loads(data)
    error = raised.value
    assert error.message
    assert error.line >= 1
    assert error.column >= 1


ACCEPTED: list[tuple[str | bytes, object]] = [
    ('{"count": 2350.0}', {"count": 2350.0}),
    ('{"n": -0}', {"n": 0}),
    ("1e308", 1e308),
    ("[" + "1" * 1000 + "]", [int("1" * 1000)]),
    ('"\\ud83d\\ude00"', "😀"),
    ('"\\u0000"', "\x00"),  # a valid JSON string; validation refuses the control character
    ("\ufeff" + '{"a": 1}', {"a": 1}),
    (b'\xef\xbb\xbf{"a": "\xc3\xa9"}', {"a": "é"}),
    (
        "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH,
        eval("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH),
    ),
    ('{"a": "[[[[{{{{"}', {"a": "[[[[{{{{"}),  # brackets inside strings are not nesting
    ('{"a": "\\"[[["}', {"a": '"[[['}),
]


@pytest.mark.parametrize(("data", "expected"), ACCEPTED)
def test_accepted(data: str | bytes, expected: object) -> None:
    assert loads(data) == expected


def test_duplicate_key_names_the_key() -> None:
    with pytest.raises(JSONError, match="duplicate key 'count'"):
        loads('{"count": 1, "count": 2}')


def test_syntax_error_has_a_position() -> None:
    with pytest.raises(JSONError) as raised:
        loads('{\n  "a": 1,\n  "b": }')
    assert (raised.value.line, raised.value.column) == (3, 8)


def test_big_numbers_keep_their_value() -> None:
    assert loads("123456789012345678901234567890") == 123456789012345678901234567890
    assert loads("0.1") == 0.1
    assert not math.isinf(loads("1.7976931348623157e308"))


@settings(deadline=None, max_examples=200)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_never_another_exception(data: bytes | str) -> None:
    try:
        value = loads(data)
    except JSONError:
        return
    json.dumps(value, allow_nan=False)  # whatever is accepted is plain, finite JSON


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**300), 10**300)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(deadline=None, max_examples=80)
@given(JSON_VALUES)
def test_round_trip(value: object) -> None:
    text = json.dumps(value)
    assert loads(text) == value
    assert loads(text.encode("utf-8")) == value


def test_cli_reports_hostile_json_as_one_line(tmp_path: Path) -> None:
    definition = ROOT / "tests" / "cases" / "responses" / "types" / "definition.yaml"
    for name, data in [
        ("nan", '{"count": NaN}'),
        ("dup", '{"a": 1, "a": 2}'),
        ("deep", "[" * 100_000),
    ]:
        response = tmp_path / f"{name}.json"
        response.write_text(data, encoding="utf-8")
        result = CliRunner().invoke(cli, ["validate", str(definition), str(response)])
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        assert len(lines) == 1
        assert lines[0].startswith(f"{response}:")
        assert ": error: " in lines[0]


def test_validator_refuses_nan_and_booleans_as_numbers() -> None:
    """A Python caller can hand the Validator NaN or infinity directly: never an answer."""
    from engine.checker import check_file
    from engine.validation import Validator

    result = check_file(ROOT / "tests" / "cases" / "responses" / "types" / "definition.yaml")
    assert result.questionnaire is not None
    validator = Validator(result.questionnaire)
    for value in (math.nan, math.inf, -math.inf, True):
        checked = validator.validate({"count": value, "budget": value}, "draft")
        assert [(e.path, e.message) for e in checked.errors] == [
            ("/count", "must be a whole number"),
            ("/budget", "must be a number"),
        ]
    grid = validator.validate({"stats": {"men": {"y2024": math.nan}}}, "draft")
    assert [e.path for e in grid.errors] == ["/stats/men/y2024"]


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ('{"a": "NaN",\n  "b": -Infinity}', (2, 8)),
        ("[NaN]", (1, 2)),
        ('{"x": "\\"NaN", "y": Infinity}', (1, 21)),
    ],
)
def test_nan_and_infinity_are_located(data: str, where: tuple[int, int]) -> None:
    with pytest.raises(JSONError) as raised:
        loads(data)
    assert (raised.value.line, raised.value.column) == where
