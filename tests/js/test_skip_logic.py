"""`skip-logic.js` against the Python engine: the same trees, environments and answers must give
the same values, visibility and calculated results (Node runs the script; CI has Node)."""

from __future__ import annotations

import json
import math
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from engine.checker import check_source
from engine.expressions import clock, from_json, parse, to_json
from engine.expressions.evaluate import evaluate
from tests.conftest import login, make_user
from tests.webapp.test_respond_html import Element, user_per_request
from tests.webapp.test_respond_html import parse as parse_html
from webapp.forms.logic import client_plan, compute
from webapp.forms.numbers import NumberError, parse_number

RUNNER = Path(__file__).with_name("run.js")
NODE = shutil.which("node")
TODAY = "2026-03-15"

__all__ = ["user_per_request"]
pytestmark = pytest.mark.skipif(
    NODE is None, reason="Node.js is not installed: the browser's evaluator cannot be compared"
)


def run_node(cases: dict[str, Any]) -> dict[str, Any]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(RUNNER)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def same(a: Any, b: Any) -> bool:
    """Type-strict equality of JSON values; 2 and 2.0 are the same number (JavaScript has one)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return False


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


ENV: dict[str, Any] = {
    "n": 3,
    "f": 2.5,
    "z": 0,
    "neg": -4,
    "big": 2**53,
    "huge": 1e308,
    "t": True,
    "no": False,
    "s": "abc",
    "e": "",
    "emoji": "😀x",
    "hi": "\uff5e",
    "d": "2024-02-29",
    "bad_date": "2023-02-29",
    "l": ["a", "b", 1],
    "nums": [1, 2.5, -3],
    "empty": [],
    "items": [{"x": 1, "y": "a"}, {"x": 2.5}, {"y": 3}, "junk", {"x": True}],
    "obj": {},
    "obj2": {"k": [1, {"m": None}]},
    "nul": None,
}

# A table of expressions covering every operator, function and rule of SPEC §1 and §8.
EXPRESSIONS = [
    # literals and names
    "1",
    "2.5",
    "-0",
    "'a'",
    '"b\\"c"',
    "true",
    "false",
    "null",
    "[1, 'a', null]",
    "missing",
    "n",
    "obj",
    # truthiness
    "not null",
    "not 0",
    "not ''",
    "not []",
    "not obj",
    "not 'a'",
    "not 0.0",
    "not -0",
    "n and s",
    "n and e",
    "z or s",
    "z or e",
    "nul or no",
    "not (n and nul)",
    # null rules
    "nul == null",
    "nul != null",
    "missing == null",
    "nul < 1",
    "1 < nul",
    "nul >= nul",
    "nul + 1",
    "nul * 2",
    "-nul",
    "nul in [null]",
    "nul not in [1]",
    "nul in 'abc'",
    # type-strict equality
    "t == 1",
    "1 == 1.0",
    "'1' == 1",
    "[1, 2] == [1, 2.0]",
    "[1] == [true]",
    "obj == obj",
    "obj2 == obj2",
    "l == ['a', 'b', 1]",
    "t != 1",
    "no == 0",
    "e == false",
    # ordering and mismatches
    "'a' < 1",
    "'a' < 'b'",
    "'B' < 'a'",
    "emoji > hi",
    "hi < emoji",
    "t < 2",
    "[1] < [2]",
    "1 < 2 < 3",
    "3 > 2 > 2",
    "1 < 'a' < 3",
    "n <= 3 >= f",
    "s >= 'abc'",
    "1 == 1 == true",
    # arithmetic, integral floats, division
    "1 + 2",
    "0.1 + 0.2",
    "f * 2",
    "n / 2",
    "4 / 2",
    "1 / 0",
    "1 / z",
    "z / z",
    "-n",
    "-(-0)",
    "'a' + 'b'",
    "'a' + 1",
    "t + 1",
    "huge * 10",
    "-huge * 10",
    "big + 1",
    "big * big",
    "7 - 10",
    "n - f",
    "2 * -0.0",
    "1 / 3",
    "10 / 4 * 4",
    "(1 + 2) * 3 - 4 / 2",
    # membership
    "'a' in l",
    "1 in l",
    "1.0 in l",
    "true in [1]",
    "'b' in s",
    "'z' not in s",
    "1 in s",
    "s in l",
    "[1] in [[1], 2]",
    "'a' in obj",
    "n in [1, 2, 3]",
    "n not in [1, 2]",
    # functions
    "selected(l, 'a')",
    "selected(s, 'abc')",
    "selected(s, 'a')",
    "selected(missing, 'a')",
    "selected(n, '3')",
    "count(l)",
    "count(missing)",
    "count(s)",
    "count(obj)",
    "count(empty)",
    "sum(nums)",
    "sum(l)",
    "sum(items, 'x')",
    "sum(items, 'y')",
    "sum(missing)",
    "sum(s)",
    "sum(nums, 'x')",
    "answered(n)",
    "answered(missing)",
    "answered(e)",
    "len(s)",
    "len(emoji)",
    "len(l)",
    "len(n)",
    "len(nul)",
    "min(3, 1, 2)",
    "max(3, 1, 2.5)",
    "min(nul, 2)",
    "max(nul)",
    "min(nums)",
    "max(l)",
    "min('b', 'a')",
    "max(emoji, hi)",
    "min(1, 'a')",
    "min(t, 1)",
    "max(empty)",
    "min(nums, 0)",
    "today()",
    "year(today())",
    "year(d)",
    "year(bad_date)",
    "year('0000-01-01')",
    "year('2024-1-01')",
    "year(n)",
    "today() > '2026-01-01'",
    # constraints use `value`
    "value",
    "value > 2",
    "value != null and len(value) > 1",
]


def _cases() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    cases = []
    for source in EXPRESSIONS:
        tree = to_json(parse(source))
        for value in (None, 3, "ab", ["x"]):
            cases.append((tree, {**ENV, "value": value}))
    return cases


def _python(tree: dict[str, Any], env: dict[str, Any]) -> Any:
    result = evaluate(from_json(tree), env)
    if isinstance(result, float) and not math.isfinite(result):
        raise AssertionError("the engine never returns a non-finite number")
    return result


def test_every_expression_evaluates_the_same_in_the_browser() -> None:
    cases = _cases()
    env_json = [json.loads(json.dumps(env)) for _, env in cases]
    results = run_node(
        {
            "evaluate": [
                {"tree": t, "env": e, "today": TODAY}
                for (t, _), e in zip(cases, env_json, strict=True)
            ]
        }
    )
    mismatches = []
    for (tree, env), got in zip(cases, results["evaluate"], strict=True):
        expected = _python(tree, env)
        if "value" not in got or not same(expected, got["value"]):
            mismatches.append((tree, env.get("value"), expected, got))
    assert mismatches == []


# -- random trees --------------------------------------------------------------------------------

NAMES = [
    "n",
    "f",
    "z",
    "s",
    "e",
    "emoji",
    "hi",
    "l",
    "nums",
    "items",
    "obj",
    "nul",
    "missing",
    "t",
    "d",
]
LITERALS: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2,
    0.5,
    -2.5,
    3,
    10,
    1e308,
    2**53,
    "",
    "a",
    "b",
    "B",
    "😀",
    "2024-02-29",
]
OPS = ["==", "!=", "<", "<=", ">", ">=", "in", "not in"]


def _tree(rng: random.Random, depth: int) -> dict[str, Any]:
    if depth <= 0 or rng.random() < 0.25:
        return {"lit": rng.choice(LITERALS)} if rng.random() < 0.5 else {"name": rng.choice(NAMES)}
    kind = rng.choice(["list", "not", "and", "or", "neg", "op", "cmp", "cmp", "call", "call"])
    sub = lambda: _tree(rng, depth - 1)  # noqa: E731
    if kind == "list":
        return {"list": [sub() for _ in range(rng.randint(0, 3))]}
    if kind in ("not", "neg"):
        return {kind: sub()}
    if kind in ("and", "or"):
        return {kind: [sub() for _ in range(rng.randint(2, 3))]}
    if kind == "op":
        return {"op": rng.choice("+-*/"), "args": [sub(), sub()]}
    if kind == "cmp":
        chain: list[Any] = [sub()]
        for _ in range(rng.randint(1, 2)):
            chain += [rng.choice(OPS), sub()]
        return {"cmp": chain}
    name = {"name": rng.choice(NAMES)}
    function = rng.choice(
        ["selected", "count", "sum", "answered", "len", "min", "max", "year", "today"]
    )
    if function == "selected":
        return {"call": "selected", "args": [name, {"lit": rng.choice(["a", "b", "abc", "1"])}]}
    if function in ("count", "answered"):
        return {"call": function, "args": [name]}
    if function == "sum":
        args = [name] + ([{"lit": rng.choice(["x", "y"])}] if rng.random() < 0.5 else [])
        return {"call": "sum", "args": args}
    if function in ("len", "year"):
        return {"call": function, "args": [sub()]}
    if function == "today":
        return {"call": "today", "args": []}
    return {"call": function, "args": [sub() for _ in range(rng.randint(1, 3))]}


def test_random_trees_evaluate_the_same_in_the_browser() -> None:
    rng = random.Random(20260315)
    trees = []
    while len(trees) < 3000:
        tree = _tree(rng, 4)
        try:
            from_json(tree)
        except ValueError:
            continue
        trees.append(tree)
    env = json.loads(json.dumps(ENV))
    results = run_node({"evaluate": [{"tree": t, "env": env, "today": TODAY} for t in trees]})
    mismatches = []
    for tree, got in zip(trees, results["evaluate"], strict=True):
        expected = _python(tree, env)
        if "value" not in got or not same(expected, got["value"]):
            mismatches.append((tree, expected, got))
    assert mismatches[:5] == []


# -- numbers typed in inputs ---------------------------------------------------------------------

TYPED = [
    "2024",
    " 2024 ",
    "٢٠٢٤",
    "۲۰۲۴",
    "２０２４",
    "١٫٥",
    "−3",
    "-0",
    "2350.0",
    "2.50",
    "007",
    ".5",
    "5.",
    " 1_000 ",
    "1,000",
    "1 000",
    "1,5",
    "1e3",
    "0x10",
    "+5",
    "12abc",
    "NaN",
    "Infinity",
    "1" * 50,
    "9007199254740993",
    "1" * 400,
    "1" * 401,
    "1" + "0" * 310 + ".5",
    "0." + "0" * 323 + "5",
    "",
    "   ",
]


def test_typed_numbers_are_read_alike() -> None:
    results = run_node({"numbers": TYPED})["numbers"]
    for text, got in zip(TYPED, results, strict=True):
        if not text.strip():
            assert got is None
            continue
        try:
            expected: Any = parse_number(text)
        except NumberError:
            expected = "unreadable"
        if isinstance(expected, int) and abs(expected) > 2**53:
            try:
                expected = float(expected)  # the nearest double: all JavaScript has
            except OverflowError:
                expected = "unreadable"  # beyond any double: unknown to the browser
        assert same(expected, got), (text, expected, got)


# -- visibility and calculated values, questionnaire by questionnaire ----------------------------

LOGIC = """
id: logic
version: 1
title: Logic
sections:
  - id: one
    pillar: crime_prevention
    title: One
    questions:
      - {id: kind, type: single_choice, choices: [{value: a, label: A}, {value: b, label: B}], label: Kind}
      - {id: count_a, type: integer, min: 0, when: "kind == 'a'", label: Count}
      - {id: double, type: calculated, expression: "count_a * 2", label: Double}
      - {id: big, type: yes_no, when: "double > 10", label: Big}
      - {id: name, type: text, max_length: 3, label: Name}
      - {id: long_name, type: yes_no, when: "len(name) >= 3", label: Long}
      - {id: since, type: date, max: today, label: Since}
      - {id: recent, type: yes_no, when: "year(since) >= 2020", label: Recent}
      - id: rows
        type: repeat
        label: Rows
        questions:
          - {id: amount, type: decimal, min: 0, label: Amount}
          - {id: kind_here, type: single_choice, choices: [{value: x, label: X}, {value: y, label: Y}], label: Here}
          - {id: detail, type: text, when: "kind_here == 'x' and amount > count_a", label: Detail}
          - {id: share, type: calculated, expression: "amount / sum(rows, 'amount')", label: Share}
      - {id: total, type: calculated, expression: "sum(rows, 'amount')", label: Total}
      - {id: many, type: yes_no, when: "count(rows) > 1 and total > 5", label: Many}
"""

ANSWER_SETS: list[tuple[dict[str, Any], list[str]]] = [
    ({}, []),
    ({"kind": "a", "count_a": 6}, []),
    ({"kind": "b", "count_a": 6}, []),
    ({"kind": "a", "count_a": -1}, []),  # invalid: unknown, so what depends on it stays shown
    ({"kind": "a"}, ["count_a"]),  # typed but unreadable
    ({"name": "abc", "since": "2021-05-01"}, []),
    ({"name": "abcd", "since": "2999-01-01"}, []),
    (
        {
            "kind": "a",
            "count_a": 1,
            "rows": [
                {"amount": 2, "kind_here": "x"},
                {"amount": 0.5, "kind_here": "x", "detail": "kept?"},
                {"amount": 4, "kind_here": "y"},
                {},
            ],
        },
        [],
    ),
    ({"rows": [{"amount": -5, "kind_here": "x"}, {"amount": 1}]}, []),
    ({"rows": [{"amount": 3}, {"amount": 3}]}, []),
]


def test_visibility_and_calculated_values_agree_with_the_server() -> None:
    questionnaire = check_source(LOGIC, "logic.yaml").questionnaire
    assert questionnaire is not None
    data = client_plan(questionnaire, {}, TODAY)
    results = run_node(
        {
            "state": [
                {"data": data, "values": answers, "unknown": unknown}
                for answers, unknown in ANSWER_SETS
            ]
        }
    )["state"]
    for (answers, unknown), got in zip(ANSWER_SETS, results, strict=True):
        logic = compute(questionnaire, answers, unknown, TODAY)
        assert got["hidden"] == sorted(logic.hidden), answers
        assert got["itemHidden"] == {
            k: [sorted(s) for s in v] for k, v in logic.item_hidden.items()
        }, answers
        assert same(got["env"], json.loads(json.dumps(logic.env))), (answers, got["env"], logic.env)
        assert same(got["items"], json.loads(json.dumps(logic.items))), answers


# -- the script on real pages (a minimal DOM in tests/js/fakedom.js) -----------------------------


def _dom(element: Element) -> dict[str, Any]:
    return {
        "tag": element.tag,
        "attrs": element.attrs,
        "children": [c if isinstance(c, str) else _dom(c) for c in element.children],
    }


def _page(html: str) -> dict[str, Any]:
    document = parse_html(html)
    roots = document.find_all("html") or document.find_all("form")
    return _dom(roots[0])


def _shown(result: dict[str, Any]) -> dict[str, bool]:
    shown = {}
    for question in result["questions"]:
        key = (
            question["id"]
            if question["repeat"] is None
            else f"{question['repeat']}/{question['item']}/{question['id']}"
        )
        shown[key] = not question["hidden"]
    return shown


def test_the_page_script_shows_and_hides_questions_as_people_type(
    mini_cycle, client, user_per_request
) -> None:  # type: ignore[no-untyped-def]
    france = next(a.organisation for a in mini_cycle.assignments if a.organisation.slug == "FRA")
    login(client, make_user("focal_point", france))
    dom = _page(client.get(f"/cycles/{mini_cycle.id}/prevention?lang=en").get_data(as_text=True))
    pick = lambda value: {"name": "national_strategy", "value": value, "checked": True}  # noqa: E731
    results = run_node(
        {
            "pages": [
                {"dom": dom},
                {"dom": dom, "edits": [pick("full")]},
                {"dom": dom, "edits": [pick("full"), pick("none")]},
            ]
        }
    )["pages"]
    assert [_shown(r)["strategy_year"] for r in results] == [False, True, False]


def test_the_page_script_handles_repeats_and_calculated_values(app) -> None:  # type: ignore[no-untyped-def]
    from tests.webapp.test_forms_types import ALL_TYPES, ANSWERS
    from webapp.forms import prepare_section

    questionnaire = check_source(ALL_TYPES, "all.yaml").questionnaire
    assert questionnaire is not None
    with app.test_request_context():
        module = app.jinja_env.get_template("respond/_questions.html").make_module()
        pages = {}
        for section in questionnaire.sections:
            view = prepare_section(questionnaire, section, lang="en", answers=ANSWERS)
            pages[section.id] = _page(f"<form>{module.render_section(view)}</form>")
    results = run_node(
        {
            "pages": [
                {"dom": pages["tables"]},
                {
                    "dom": pages["tables"],
                    "edits": [
                        {"name": "projects-1-funded", "value": "true", "checked": True},
                        {"name": "projects-0-funded", "value": "false", "checked": True},
                        {"name": "projects-1-cost", "value": "٢٥٠٠"},
                    ],
                },
                {
                    "dom": pages["basics"],
                    "edits": [{"name": "staff", "value": "4"}, {"name": "budget", "value": "10"}],
                },
                {"dom": pages["basics"], "edits": [{"name": "staff", "value": "0"}]},
                {"dom": pages["basics"], "edits": [{"name": "staff", "value": "4 000"}]},
            ]
        }
    )["pages"]
    first, edited = _shown(results[0]), _shown(results[1])
    assert (first["projects/0/funder"], first["projects/1/funder"]) == (True, False)
    assert (edited["projects/0/funder"], edited["projects/1/funder"]) == (False, True)
    assert results[0]["outputs"]["projects-0-cost_k"] == "1.5"
    assert results[1]["outputs"]["projects-1-cost_k"] == "2.5"
    assert results[2]["outputs"]["per_staff"] == "2.5"
    assert results[3]["outputs"]["per_staff"] == "", "division by zero is null"
    assert results[4]["outputs"]["per_staff"] == str(2500.5 / 120), (
        "an unreadable number changes nothing"
    )


def test_grid_totals_and_character_counters(app) -> None:  # type: ignore[no-untyped-def]
    from tests.webapp.test_forms_types import ALL_TYPES, ANSWERS
    from webapp.forms import prepare_section

    questionnaire = check_source(ALL_TYPES, "all.yaml").questionnaire
    assert questionnaire is not None
    with app.test_request_context():
        module = app.jinja_env.get_template("respond/_questions.html").make_module()
        doms = {
            s.id: _page(
                f"<form data-kyoto-form>{module.render_section(prepare_section(questionnaire, s, lang='en', answers=ANSWERS))}</form>"
            )
            for s in questionnaire.sections
        }
    results = run_node(
        {
            "enhance": [
                {
                    "dom": doms["tables"],
                    "edits": [
                        {"name": "cases-women-acquitted", "value": "٥"},
                        {"name": "cases-men-convicted", "value": "x"},
                    ],
                },
                {"dom": doms["basics"], "edits": [{"name": "agency", "value": "😀" * 20}]},
                {"dom": doms["basics"], "edits": [{"name": "agency", "value": "😀" * 21}]},
            ]
        }
    )["enhance"]
    tables = results[0]["outputs"]
    assert tables["cases--row--men--total"] == "0"
    assert tables["cases--row--women--total"] == "8"
    assert tables["cases--column--convicted--total"] == "3"
    assert tables["cases--column--acquitted--total"] == "5"
    assert tables["all-4"] == "8"
    assert results[1]["counters"]["agency--count"] == {"text": "20 / 20", "over": False}
    assert results[2]["counters"]["agency--count"] == {"text": "21 / 20", "over": True}
    assert set(results[1]["limited"]) == {None}, (
        "maxlength (UTF-16 units) gives way to the code-point counter"
    )
