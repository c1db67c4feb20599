"""Evaluation: every operator, function and null rule of SPEC §1 and §8, one row each.

Results are compared through `json.dumps`, so `1`, `1.0` and `true` are all different: the
browser must produce the very same JSON.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.expressions import (
    clock,
    compile_expression,
    evaluate,
    parse,
    referenced_names,
    truthy,
    uses_value,
)

ENV: dict[str, Any] = {
    "n": 3,
    "f": 2.5,
    "zero": 0,
    "s": "full",
    "empty": "",
    "t": True,
    "no": False,
    "d": "2024-02-29",
    "m": ["a", "b"],
    "none_selected": [],
    "nums": [1, 2.5, True, "x", None, 4],
    "p": [{"budget": 10, "name": "x"}, {"budget": 2.5}, {"budget": "7"}, {"budget": True}, 3],
    "grid": {"r1": "yes"},
    "empty_obj": {},
    "emoji": "a😀b",
}


def run(source: str, env: dict[str, Any] | None = None) -> Any:
    return compile_expression(parse(source))(ENV if env is None else env)


def same(result: Any, expected: Any) -> bool:
    return json.dumps(result) == json.dumps(expected)


CASES = [
    # literals and names
    ("3", 3),
    ("'x'", "x"),
    ("null", None),
    ("n", 3),
    ("missing", None),  # unanswered or hidden = null
    ("[n, missing, 'a']", [3, None, "a"]),
    # truthiness through not / and / or (they always return booleans)
    ("not null", True),
    ("not 0", True),
    ("not 0.0", True),
    ("not ''", True),
    ("not []", True),
    ("not false", True),
    ("not empty_obj", False),  # an empty object is true
    ("not grid", False),
    ("not 'a'", False),
    ("not [0]", False),
    ("not -1", False),
    ("n and s", True),
    ("n and zero", False),
    ("missing and n", False),
    ("zero or empty", False),
    ("zero or s", True),
    ("n or missing", True),
    ("n and s and m", True),
    ("n and s and none_selected", False),
    ("zero or empty or m", True),
    ("zero or empty or none_selected", False),
    # equality: type-strict, null-aware
    ("missing == null", True),
    ("null == null", True),
    ("n == null", False),
    ("missing != null", False),
    ("n != null", True),
    ("missing == 0", False),
    ("missing == ''", False),
    ("missing == false", False),
    ("missing != 0", True),
    ("true == 1", False),
    ("false == 0", False),
    ("t == true", True),
    ("t != 1", True),
    ("3 == 3.0", True),
    ("f == 2.5", True),
    ("'3' == 3", False),
    ("s == 'full'", True),
    ("s == 'Full'", False),
    ("m == ['a', 'b']", True),
    ("m == ['b', 'a']", False),
    ("[1, true] == [1.0, true]", True),
    ("[1] == [true]", False),
    ("[[1, 'a']] == [[1, 'a']]", True),
    ("none_selected == []", True),
    ("grid == grid", True),
    ("m == 'a'", False),
    # ordering: numbers with numbers, strings with strings; null gives false, others null
    ("1 < 2", True),
    ("2 <= 2", True),
    ("3 > 2.5", True),
    ("2 >= 3", False),
    ("f < n", True),
    ("'a' < 'b'", True),
    ("'B' < 'a'", True),  # code point order
    ("'2024-01-31' < d", True),
    ("d >= '2024-03-01'", False),
    ("missing < 1", False),
    ("missing >= 1", False),
    ("1 > missing", False),
    ("null <= null", False),
    ("'a' < 1", None),
    ("1 >= 'a'", None),
    ("t > false", None),
    ("t < 2", None),
    ("m < m", None),
    ("grid <= grid", None),
    # chained comparisons
    ("1 < n < 5", True),
    ("1 < n < 3", False),
    ("5 > n > zero", True),
    ("1 < n <= 3 == n", True),
    ("missing < 1 < 2", False),
    ("'a' < 1 < 2", False),  # a null link makes the chain false
    ("1 < 2 < 'a'", False),
    ("1 == 1.0 == 1", True),
    ("zero < n > 1", True),
    ("'a' in m in [m]", True),
    ("(1 < 2) < 3", None),  # a boolean is not ordered
    ("(1 < 2) == true", True),
    # membership
    ("s in ['full', 'partial']", True),
    ("s in ['partial']", False),
    ("missing in ['full', null]", False),  # x in [...] is false when x is null
    ("missing not in ['full', null]", True),
    ("null in [null]", False),
    ("n in [1, 2, 3]", True),
    ("n in [1.0, 3.0]", True),
    ("1 in [true]", False),
    ("t in [1]", False),
    ("t in [true]", True),
    ("'a' in m", True),
    ("'c' in m", False),
    ("'c' not in m", True),
    ("['a', 'b'] in [m]", True),
    ("'ul' in s", True),
    ("'' in s", True),
    ("1 in s", False),
    ("'x' in missing", False),
    ("'x' not in missing", True),
    ("'x' in n", False),
    ("'r1' in grid", False),
    ("s in 'full time'", True),
    ("n in [n]", True),
    ("s in [n, s]", True),
    ("n not in [1, 2]", True),
    # arithmetic
    ("1 + 2", 3),
    ("n + f", 5.5),
    ("0.1 + 0.2", 0.30000000000000004),
    ("n - 5", -2),
    ("n * f", 7.5),
    ("n * 2", 6),
    ("7 / 2", 3.5),
    ("4 / 2", 2),  # an integral float result is an int
    ("f * 2", 5),
    ("f + 0.5", 3),
    ("1 / 3", 0.3333333333333333),
    ("n / zero", None),  # division by zero
    ("n / 0.0", None),
    ("0 / 0", None),
    ("zero / n", 0),
    ("-6 / 4", -1.5),
    ("1e308 * 10", None),  # not finite
    ("-1e308 - 1e308", None),
    ("9007199254740992 + 2", 9007199254740994.0),  # beyond 2**53 numbers are doubles
    ("'a' + 'b'", "ab"),
    ("s + '-' + s", "full-full"),
    ("'a' + 1", None),
    ("1 + 'a'", None),
    ("'a' - 'b'", None),
    ("'ab' * 2", None),
    ("t + 1", None),  # booleans are not numbers
    ("1 - t", None),
    ("t * t", None),
    ("missing + 1", None),
    ("1 + missing", None),
    ("missing - missing", None),
    ("missing * 2", None),
    ("missing / 2", None),
    ("m + m", None),
    ("grid + 1", None),
    ("(1 + 2) * 3", 9),
    ("1 + 2 * 3", 7),
    ("10 - 2 - 3", 5),
    ("12 / 2 / 3", 2),
    # unary minus
    ("-n", -3),
    ("-f", -2.5),
    ("-zero", 0),
    ("-(0.0)", 0),
    ("--n", 3),
    ("-s", None),
    ("-t", None),
    ("-missing", None),
    ("-m", None),
    # count
    ("count(m)", 2),
    ("count(none_selected)", 0),
    ("count(missing)", 0),
    ("count(s)", 1),
    ("count(zero)", 1),
    ("count(no)", 1),
    ("count(grid)", 1),
    ("count(p)", 5),
    # sum
    ("sum(p, 'budget')", 12.5),
    ("sum(p, 'name')", 0),
    ("sum(p, 'nope')", 0),
    ("sum(missing, 'budget')", 0),
    ("sum(none_selected, 'budget')", 0),
    ("sum(n, 'budget')", 0),
    ("sum(nums)", 7.5),
    ("sum(m)", 0),
    ("sum(missing)", 0),
    ("sum(n)", 0),
    # answered
    ("answered(n)", True),
    ("answered(zero)", True),
    ("answered(empty)", True),
    ("answered(none_selected)", True),
    ("answered(missing)", False),
    # selected
    ("selected(m, 'a')", True),
    ("selected(m, 'c')", False),
    ("selected(s, 'full')", True),
    ("selected(s, 'ful')", False),
    ("selected(missing, 'a')", False),
    ("selected(n, '3')", False),
    ("selected(grid, 'r1')", False),
    # len
    ("len(s)", 4),
    ("len(emoji)", 3),  # code points, not UTF-16 units
    ("len(empty)", 0),
    ("len(m)", 2),
    ("len([1, 2, 3])", 3),
    ("len(n)", None),
    ("len(missing)", None),
    ("len(grid)", None),
    ("len(t)", None),
    # min and max
    ("min(3, 1, 2)", 1),
    ("max(3, 1, 2)", 3),
    ("min(n, f)", 2.5),
    ("max(2.0, 1)", 2),
    ("min(n, missing)", 3),
    ("max(missing, missing)", None),
    ("min(missing)", None),
    ("min(nums)", None),  # a list with a boolean and a string in it: mixed types
    ("max([1, 5, null, 2])", 5),
    ("min([])", None),
    ("max(m)", "b"),
    ("min('b', 'a')", "a"),
    ("max(d, '2025-01-01')", "2025-01-01"),
    ("min(1, 'a')", None),
    ("min(t, 1)", None),
    ("max(t)", None),
    ("min(m, 1)", None),
    ("max(1)", 1),
    ("max([n, f], 1)", None),  # a list among several arguments is not a number
    ("min(-0.0)", 0),
    # year
    ("year(d)", 2024),
    ("year('1999-12-31')", 1999),
    ("year('2023-02-29')", None),  # not a real date
    ("year('2024-13-01')", None),
    ("year('0000-01-01')", None),
    ("year('2024-1-01')", None),
    ("year('20240101')", None),
    ("year('2024-01-01T00:00')", None),
    ("year('２０２４-01-01')", None),  # only ASCII digits
    ("year(2024)", None),
    ("year(missing)", None),
    # value
    ("value", None),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_evaluation(source: str, expected: Any) -> None:
    result = run(source)
    assert same(result, expected), f"{source} -> {result!r}, expected {expected!r}"


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_evaluate_is_compile_then_call(source: str, expected: Any) -> None:
    assert same(evaluate(parse(source), ENV), expected)


def test_value_is_the_constrained_answer() -> None:
    check = compile_expression(parse("value >= 0 and value <= n"))
    assert check({"value": 2, "n": 3}) is True
    assert check({"value": 4, "n": 3}) is False
    assert check({"n": 3}) is False
    count = compile_expression(parse("count(value) <= 2 and not selected(value, 'none')"))
    assert count({"value": ["a", "b"]}) is True
    assert count({"value": ["a", "none"]}) is False


def test_environment_may_be_any_mapping() -> None:
    from collections import ChainMap

    env = ChainMap({"name": "x"}, {"name": "outer", "n": 1})  # a repeat item over the top level
    assert compile_expression(parse("name + '/' + (n + 1)"))(env) is None
    assert compile_expression(parse("name == 'x' and n == 1"))(env) is True


def test_today_reads_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    check = compile_expression(parse("today() >= '2026-01-01' and year(today()) == 2026"))
    monkeypatch.setattr(clock, "today", lambda: "2026-06-30")
    assert evaluate(parse("today()"), {}) == "2026-06-30"
    assert check({}) is True
    monkeypatch.setattr(clock, "today", lambda: "2025-12-31")
    assert check({}) is False


def test_today_is_an_iso_date_in_utc() -> None:
    from datetime import UTC, datetime

    value = evaluate(parse("today()"), {})
    assert isinstance(value, str)
    assert value in {datetime.now(UTC).date().isoformat(), clock.today()}
    assert evaluate(parse("year(today())"), {}) >= 2024


def test_results_are_fresh_lists() -> None:
    compiled = compile_expression(parse("[1, 2]"))
    first = compiled({})
    first.append(3)
    assert compiled({}) == [1, 2]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (False, False),
        (0, False),
        (0.0, False),
        ("", False),
        ([], False),
        (float("nan"), False),
        (True, True),
        (1, True),
        (-0.5, True),
        ("0", True),
        ("false", True),
        ([None], True),
        ({}, True),
        ({"a": 1}, True),
    ],
)
def test_truthy(value: Any, expected: bool) -> None:
    assert truthy(value) is expected


@pytest.mark.parametrize(
    ("source", "names", "value"),
    [
        ("a + b", {"a", "b"}, False),
        ("count(p) > 0 and sum(p, 'budget') > x", {"p", "x"}, False),
        ("selected(m, 'a') or value == 1", {"m"}, True),
        ("today() < d", {"d"}, False),
        ("count(value)", set(), True),
        ("[a, [b, not c]]", {"a", "b", "c"}, False),
        ("1 < 2", set(), False),
    ],
)
def test_references(source: str, names: set[str], value: bool) -> None:
    node = parse(source)
    assert referenced_names(node) == frozenset(names)
    assert uses_value(node) is value


def test_compiled_expression_is_fast() -> None:
    """The hot path of validation: a typical condition takes microseconds, not milliseconds."""
    import timeit

    source = "national_strategy in ['full', 'partial'] and year >= 1990 and count(p) > 0"
    compiled = compile_expression(parse(source))
    env = {"national_strategy": "full", "year": 2000, "p": [1]}
    assert compiled(env) is True
    best = min(timeit.repeat(lambda: compiled(env), number=2000, repeat=5)) / 2000
    assert best < 50e-6  # generous: about 1 µs on a laptop
