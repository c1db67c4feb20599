"""Static analysis: exact findings (offset, severity, message) and inferred kinds."""

from __future__ import annotations

import pytest

from engine.expressions import Finding, MappingScope, NameInfo, analyse, infer_kind, parse

IMPLEMENTATION = frozenset({"full", "partial", "none"})
SCOPE = MappingScope(
    {
        "national_strategy": NameInfo("string", choices=IMPLEMENTATION),
        "strategy_year": NameInfo("number"),
        "programmes": NameInfo(
            "items", fields={"name": NameInfo("string"), "budget_usd": NameInfo("number")}
        ),
        "areas": NameInfo("list", choices=frozenset({"youth", "cyber", "gender"})),
        "has_unit": NameInfo("boolean"),
        "adopted": NameInfo("date"),
        "notes": NameInfo("string"),
        "table": NameInfo("object"),
        "total": NameInfo("any"),
        "later": NameInfo("number", unusable="'later' belongs to another repeat"),
    }
)
E, W = "error", "warning"

FINDINGS: list[tuple[str, list[tuple[int, str, str]]]] = [
    ("national_strategy == 'full' and strategy_year >= 1990", []),
    ("count(programmes) > 0 and sum(programmes, 'budget_usd') > 100", []),
    ("'youth' in areas or selected(areas, 'cyber')", []),
    ("adopted < today() and adopted >= '2020-01-01'", []),
    ("strategy_year + total > 3", []),
    ("selected(total, 'x') and total == 'y' and total < 3", []),
    ("national_strategy == null or areas != null", []),
    (
        "nationl_strategy == 'full'",
        [(0, E, "unknown question 'nationl_strategy' (did you mean 'national_strategy'?)")],
    ),
    ("xyz > 1", [(0, E, "unknown question 'xyz'")]),
    ("True", [(0, E, "unknown question 'True' (did you mean 'true'?)")]),
    ("today < adopted", [(0, E, "unknown question 'today' (did you mean 'today()'?)")]),
    ("count(nope)", [(6, E, "unknown question 'nope' (did you mean 'notes'?)")]),
    ("later + 1", [(0, E, "'later' belongs to another repeat")]),
    ("value > 0", [(0, E, "'value' can only be used in a constraint")]),
    ("count(value) > 0", [(6, E, "'value' can only be used in a constraint")]),
    (
        "selected(national_strategy, 'maybe')",
        [(28, E, "'maybe' is not a choice of 'national_strategy'")],
    ),
    (
        "selected(areas, 'yuoth')",
        [(16, E, "'yuoth' is not a choice of 'areas' (did you mean 'youth'?)")],
    ),
    (
        "selected(notes, 'x')",
        [(9, E, "selected() needs a choice question, but 'notes' has no choices")],
    ),
    (
        "selected(strategy_year, '1')",
        [(9, E, "selected() needs a choice question, but 'strategy_year' has no choices")],
    ),
    (
        "sum(programmes, 'budget')",
        [(16, E, "'budget' is not a field of 'programmes' (did you mean 'budget_usd'?)")],
    ),
    (
        "sum(programmes, 'name')",
        [(16, W, "sum() adds numbers, but field 'name' of 'programmes' is a string")],
    ),
    (
        "sum(strategy_year, 'x')",
        [(4, E, "sum(strategy_year, 'x') needs a repeat, but 'strategy_year' is a number")],
    ),
    (
        "sum(programmes)",
        [(4, E, "'programmes' is a repeat: say which field to add, sum(programmes, 'field')")],
    ),
    (
        "sum(areas)",
        [(4, W, "sum() adds the numbers of a list, but 'areas' is a list of choices")],
    ),
    ("sum(notes)", [(4, W, "sum() adds the numbers of a list, but 'notes' is a string")]),
    (
        "national_strategy == 'ful'",
        [(21, W, "'ful' is not a choice of 'national_strategy' (did you mean 'full'?)")],
    ),
    (
        "'partal' != national_strategy",
        [(0, W, "'partal' is not a choice of 'national_strategy' (did you mean 'partial'?)")],
    ),
    (
        "national_strategy in ['full', 'maybe']",
        [(30, W, "'maybe' is not a choice of 'national_strategy'")],
    ),
    (
        "national_strategy not in ['nope', 'full']",
        [(26, W, "'nope' is not a choice of 'national_strategy' (did you mean 'none'?)")],
    ),
    ("'yuth' in areas", [(0, W, "'yuth' is not a choice of 'areas' (did you mean 'youth'?)")]),
    (
        "national_strategy == 1",
        [(18, W, "'==' compares a string and a number, which is always false")],
    ),
    (
        "national_strategy != 1",
        [(18, W, "'!=' compares a string and a number, which is always true")],
    ),
    ("has_unit == 1", [(9, W, "'==' compares a boolean and a number, which is always false")]),
    ("has_unit == 'yes'", [(9, W, "'==' compares a boolean and a string, which is always false")]),
    (
        "areas == 'youth'",
        [
            (
                6,
                W,
                "'==' compares a list and a string, which is always false"
                " (use selected(areas, 'youth'))",
            )
        ],
    ),
    ("table == 1", [(6, W, "'==' compares an object and a number, which is always false")]),
    ("notes + 1", [(6, W, "'+' on a string and a number gives null")]),
    ("1 + has_unit", [(2, W, "'+' on a number and a boolean gives null")]),
    ("notes - 'a'", [(6, W, "'-' on two strings gives null")]),
    ("areas * 2", [(6, W, "'*' on a list and a number gives null")]),
    ("total + has_unit", [(6, W, "'+' on a boolean gives null")]),
    ("notes - total", [(6, W, "'-' on a string gives null")]),
    ("adopted - adopted", [(8, W, "'-' on two dates gives null")]),
    ("programmes + 1", [(11, W, "'+' on a repeat and a number gives null")]),
    ("strategy_year + null", [(14, W, "'+' with null gives null")]),
    ("strategy_year / 0", [(14, W, "division by zero gives null")]),
    ("-notes", [(0, W, "'-' on a string gives null")]),
    ("'a' < 1", [(4, W, "'<' compares a string and a number, which gives null")]),
    ("adopted < 2020", [(8, W, "'<' compares a date and a number, which gives null")]),
    ("has_unit < true", [(9, W, "'<' compares two booleans, which gives null")]),
    ("total >= has_unit", [(6, W, "'>=' on a boolean gives null")]),
    ("strategy_year < null", [(14, W, "'<' with null is always false")]),
    (
        "1 < strategy_year <= 'x'",
        [(18, W, "'<=' compares a number and a string, which gives null")],
    ),
    ("strategy_year in 'abc'", [(14, W, "'in' looks for a number in a string: always false")]),
    (
        "strategy_year not in 3",
        [(14, W, "'not in' needs a list or a string on its right, not a number: always true")],
    ),
    (
        "national_strategy in [1, 2]",
        [(18, W, "'in' looks for a string among numbers: always false")],
    ),
    ("areas in ['youth']", [(6, W, "'in' looks for a list among strings: always false")]),
    ("null in areas", [(5, W, "'in' with null on its left is always false")]),
    ("len(strategy_year)", [(4, W, "len() of a number gives null")]),
    ("year(strategy_year) > 2000", [(5, W, "year() of a number gives null (it needs a date)")]),
    ("min(strategy_year, notes)", [(0, W, "min() mixes numbers and strings, which gives null")]),
    ("max(has_unit, 1)", [(0, W, "max() of a boolean gives null")]),
    # several findings come in source order
    (
        "xx == 1 or selected(national_strategy, 'maybe') or notes + 1 or value",
        [
            (0, E, "unknown question 'xx'"),
            (39, E, "'maybe' is not a choice of 'national_strategy'"),
            (57, W, "'+' on a string and a number gives null"),
            (64, E, "'value' can only be used in a constraint"),
        ],
    ),
]


@pytest.mark.parametrize(("source", "expected"), FINDINGS)
def test_findings(source: str, expected: list[tuple[int, str, str]]) -> None:
    assert analyse(parse(source), SCOPE) == [Finding(*finding) for finding in expected]


def test_value_in_a_constraint() -> None:
    choice = NameInfo("list", choices=frozenset({"a", "b"}))
    assert analyse(parse("count(value) <= 2 and selected(value, 'a')"), SCOPE, value=choice) == []
    assert analyse(parse("selected(value, 'c')"), SCOPE, value=choice) == [
        Finding(16, "error", "'c' is not a choice of 'value'")
    ]
    assert analyse(parse("value > 0"), SCOPE, value=choice) == [
        Finding(6, "warning", "'>' compares a list and a number, which gives null")
    ]
    assert analyse(parse("value >= strategy_year"), SCOPE, value=NameInfo("number")) == []


KINDS = [
    ("1", "number"),
    ("'a'", "string"),
    ("true", "boolean"),
    ("null", "any"),
    ("[1]", "list"),
    ("strategy_year * 2", "number"),
    ("strategy_year + total", "number"),
    ("total + total", "any"),
    ("notes + '!'", "string"),
    ("notes + 1", "any"),
    ("-strategy_year", "number"),
    ("not notes", "boolean"),
    ("notes and has_unit", "boolean"),
    ("a < b", "boolean"),
    ("count(programmes)", "number"),
    ("sum(programmes, 'budget_usd')", "number"),
    ("answered(notes)", "boolean"),
    ("selected(areas, 'youth')", "boolean"),
    ("len(notes)", "number"),
    ("today()", "date"),
    ("year(adopted)", "number"),
    ("min(1, strategy_year)", "number"),
    ("max(adopted, today())", "date"),
    ("max(adopted, notes)", "string"),
    ("max(areas)", "string"),
    ("max([1, 2])", "number"),
    ("min(total)", "any"),
    ("national_strategy", "string"),
    ("programmes", "items"),
    ("table", "object"),
    ("unknown_name", "any"),
]


@pytest.mark.parametrize(("source", "kind"), KINDS)
def test_infer_kind(source: str, kind: str) -> None:
    assert infer_kind(parse(source), SCOPE) == kind


def test_infer_kind_of_value() -> None:
    assert infer_kind(parse("value"), SCOPE, NameInfo("date")) == "date"
    assert infer_kind(parse("value"), SCOPE) == "any"
