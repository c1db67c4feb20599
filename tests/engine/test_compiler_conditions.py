"""`when`/`required` translated to JSON Schema must mean what the evaluator says.

For random conditions over every kind of answer and random (valid) answers, a translated
condition holds for an answers object exactly when the expression is true under the SPEC's rules
(the evaluator of `engine.expressions`); what cannot be said in JSON Schema is left to the engine.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from engine.checker import check_source
from engine.conditions import condition_schema
from engine.expressions import evaluate, parse, truthy
from engine.model import Question

DEFINITION = {
    "id": "conditions",
    "version": 1,
    "title": "Conditions",
    "sections": [
        {
            "id": "s",
            "pillar": "rule_of_law",
            "title": "S",
            "questions": [
                {"id": "yn", "type": "yes_no", "label": "Y"},
                {"id": "n", "type": "integer", "label": "N"},
                {"id": "d", "type": "decimal", "label": "D"},
                {
                    "id": "s",
                    "type": "single_choice",
                    "label": "S",
                    "choices": [{"value": v, "label": v} for v in "abc"],
                },
                {
                    "id": "m",
                    "type": "multiple_choice",
                    "label": "M",
                    "choices": [{"value": v, "label": v} for v in "abc"],
                },
                {"id": "t", "type": "text", "label": "T"},
                {
                    "id": "r",
                    "type": "repeat",
                    "label": "R",
                    "questions": [{"id": "r_x", "type": "integer", "label": "X"}],
                },
                {"id": "c", "type": "calculated", "expression": "n + 1", "label": "C"},
                {"id": "info", "type": "note", "label": "I"},
            ],
        }
    ],
}


def _scope() -> dict[str, Question]:
    result = check_source(json.dumps(DEFINITION))
    assert result.questionnaire is not None, [str(p) for p in result.problems]
    return {q.id: q for q in result.questionnaire.questions if q.takes_answer}


SCOPE = _scope()

LITERALS = ["0", "1", "2", "2.5", "-1", "'a'", "'b'", "''", "true", "false", "null"]
LISTS = ["[]", "['a']", "['a', 'b']", "[1, 2]", "[1, 'a', true]", "[0, '', false]"]
NAMES = ["yn", "n", "d", "s", "m", "t", "r"]
OPS = ["==", "!=", "<", "<=", ">", ">="]


def _atoms() -> st.SearchStrategy[str]:
    name = st.sampled_from(NAMES)
    literal = st.sampled_from(LITERALS)
    return st.one_of(
        name,
        literal,
        st.builds(lambda a, op, b: f"{a} {op} {b}", name, st.sampled_from(OPS), literal),
        st.builds(lambda a, op, b: f"{a} {op} {b}", literal, st.sampled_from(OPS), name),
        st.builds(lambda a, b, c: f"{a} < {b} < {c}", literal, name, literal),
        st.builds(lambda a, lst: f"{a} in {lst}", name, st.sampled_from(LISTS)),
        st.builds(lambda a, lst: f"{a} not in {lst}", name, st.sampled_from(LISTS)),
        st.builds(lambda lit, a: f"{lit} in {a}", literal, name),
        st.builds(lambda a: f"answered({a})", st.sampled_from([*NAMES, "c"])),
        st.builds(lambda a, v: f"selected({a}, '{v}')", name, st.sampled_from("abz")),
        st.sampled_from(["n + 1 > 2", "count(m) > 1", "len(t) > 1", "c > 1", "t < 'b'"]),
    )


CONDITIONS = st.recursive(
    _atoms(),
    lambda inner: st.one_of(
        st.builds(lambda a: f"not ({a})", inner),
        st.builds(lambda a, b: f"({a}) and ({b})", inner, inner),
        st.builds(lambda a, b: f"({a}) or ({b})", inner, inner),
    ),
    max_leaves=4,
)

ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "yn": st.booleans(),
        "n": st.integers(-2, 4),
        "d": st.sampled_from([0.0, 1.0, 2.5, -1.5, 2.0]),
        "s": st.sampled_from("abc"),
        "m": st.lists(st.sampled_from("abc"), min_size=1, max_size=3, unique=True),
        "t": st.sampled_from(["a", "b", "ab", "0", "true"]),
        "r": st.lists(st.fixed_dictionaries({}, optional={"r_x": st.integers(0, 3)}), max_size=2),
    },
)


@settings(deadline=None, max_examples=400)
@given(source=CONDITIONS, answers=ANSWERS)
def test_translated_condition_agrees_with_the_evaluator(source: str, answers: dict) -> None:
    tree = parse(source)
    schema = condition_schema(tree, SCOPE)
    if schema is None:
        return  # the engine checks it
    Draft202012Validator.check_schema(schema)
    expected = truthy(evaluate(tree, answers))
    assert Draft202012Validator(schema).is_valid(answers) == expected, (source, schema)
    assert jsonschema_rs.validator_for(schema).is_valid(answers) == expected, (source, schema)


@pytest.mark.parametrize(
    ("source", "translated"),
    [
        ("yn == true", True),
        ("s in ['a', 'b']", True),
        ("s not in ['a']", True),
        ("s != 'a'", True),
        ("n > 2 and d <= 1", True),
        ("selected(m, 'a') or answered(t)", True),
        ("'a' in m", True),
        ("not yn", True),
        ("n + 1 > 2", False),  # arithmetic
        ("t < 'b'", False),  # ordering of strings (dates) has no keyword
        ("c > 1", False),  # a calculated value is the engine's
        ("count(m) > 1", False),
        ("n == d", False),  # two answers
    ],
)
def test_what_is_translated(source: str, translated: bool) -> None:
    assert (condition_schema(parse(source), SCOPE) is not None) == translated


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("s != 'a'", {}, True),  # `!=` is `not ==`: true when unanswered
        ("s != 'a'", {"s": "a"}, False),
        ("s != null", {}, False),
        ("s == null", {}, True),
        ("s not in ['a']", {}, True),
        ("s in ['a']", {}, False),
        ("n > 0", {}, False),
        ("not (n > 0)", {}, True),
        ("yn", {"yn": False}, False),
        ("m", {"m": ["a"]}, True),
        ("r", {"r": []}, False),  # [] is false
        ("answered(r)", {"r": []}, True),  # but an answer
    ],
)
def test_null_rules(source: str, answers: dict[str, Any], expected: bool) -> None:
    schema = condition_schema(parse(source), SCOPE)
    assert schema is not None
    assert truthy(evaluate(parse(source), answers)) == expected
    assert Draft202012Validator(schema).is_valid(answers) == expected
