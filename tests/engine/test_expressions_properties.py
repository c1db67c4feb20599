"""Property tests: round trips, and the compiled closures against a plain tree-walking reference.

The reference evaluator below is written from SPEC §1/§8 independently of `values.py`, so the
compiler's specialisations and constant folding are checked against the rules themselves.
"""

from __future__ import annotations

import json
import math
import operator
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.expressions import (
    And,
    BinOp,
    Call,
    Compare,
    ExpressionSyntaxError,
    ListExpr,
    Literal,
    Name,
    Neg,
    Node,
    Not,
    Or,
    ValueRef,
    clock,
    compile_expression,
    from_json,
    parse,
    referenced_names,
    to_json,
    truthy,
    unparse,
    uses_value,
)
from engine.expressions.ast import COMPARISON_OPS

NAMES = ["a", "b", "m", "p", "count", "True", "x_1"]
STRINGS = ["a", "b", "", "f", "ab", "2024-02-29", "2023-02-29", "it's", 'say "x"', "back\\"]
SAFE = 2**53

# -- strategies -------------------------------------------------------------------------------


def _normalised(number: float) -> int | float:
    if number.is_integer() and abs(number) <= SAFE:
        return int(number)
    return number


numbers = (
    st.integers(-5, 5)
    | st.integers(-SAFE, SAFE)
    | st.floats(allow_nan=False, allow_infinity=False).map(_normalised)
)
texts = st.sampled_from(STRINGS) | st.text(max_size=6)
# Values where a careless implementation goes wrong: booleans next to 0 and 1, integral floats,
# empty containers, numeric strings, dates.
TRICKY = [None, True, False, 0, 1, -1, 0.0, 1.0, 2.5, "", "a", "1", "2024-02-29", "b"]
tricky_scalars = st.sampled_from(TRICKY)
tricky_values = st.sampled_from(
    [
        *TRICKY,
        [],
        [1],
        [True],
        [1.0, "a"],
        ["a", "b"],
        [None],
        {},
        {"f": 1},
        [{"f": 2}, {"f": True}],
        # where ints become doubles, or overflow
        SAFE,
        SAFE + 1,
        -SAFE - 3,
        10**400,
        1e308,
    ]
)
literals = st.builds(
    Literal, tricky_scalars.map(lambda x: _normalised(x) if isinstance(x, float) else x)
) | st.builds(Literal, st.none() | st.booleans() | numbers | texts)
questions = st.sampled_from(NAMES).map(Name) | st.just(ValueRef())
leaves = literals | questions


def _calls(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    field = st.sampled_from(["a", "f", "g"]).map(Literal)
    some = st.lists(children, min_size=1, max_size=3).map(tuple)
    return st.one_of(
        st.builds(lambda q, v: Call("selected", (q, v)), questions, field),
        st.builds(lambda q: Call("count", (q,)), questions),
        st.builds(lambda q: Call("answered", (q,)), questions),
        st.builds(lambda q: Call("sum", (q,)), questions),
        st.builds(lambda q, f: Call("sum", (q, f)), questions, field),
        st.builds(lambda x: Call("len", (x,)), children),
        st.builds(lambda x: Call("year", (x,)), children),
        st.builds(lambda xs: Call("min", xs), some),
        st.builds(lambda xs: Call("max", xs), some),
        st.just(Call("today", ())),
    )


def _comparisons(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    ops = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "in", "not in"])
    return st.integers(1, 3).flatmap(
        lambda n: st.builds(
            lambda operands, chosen: Compare(tuple(operands), tuple(chosen)),
            st.lists(children, min_size=n + 1, max_size=n + 1),
            st.lists(ops, min_size=n, max_size=n),
        )
    )


def _branches(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    several = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(
        st.lists(children, max_size=3).map(lambda items: ListExpr(tuple(items))),
        st.builds(Not, children),
        st.builds(And, several),
        st.builds(Or, several),
        st.builds(Neg, children),
        st.builds(BinOp, st.sampled_from(["+", "-", "*", "/"]), children, children),
        _comparisons(children),
        _calls(children),
    )


nodes = st.recursive(leaves, _branches, max_leaves=16)

plain_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_scalars = tricky_values | plain_scalars
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["f", "g"]) | st.text(max_size=2), children, max_size=3)
    ),
    max_leaves=10,
)
environments = st.dictionaries(st.sampled_from([*NAMES, "value"]), json_values)

# -- the reference evaluator ------------------------------------------------------------------


def is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def norm(x: int | float) -> int | float | None:
    if isinstance(x, int) and abs(x) > SAFE:
        try:
            x = float(x)
        except OverflowError:
            return None
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return None
        if x.is_integer() and abs(x) <= SAFE:
            return int(x)
    return x


def ref_truthy(x: Any) -> bool:
    if x is None or x is False:
        return False
    if is_number(x):
        return x != 0
    if isinstance(x, str | list):
        return len(x) > 0
    return True


def ref_eq(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(ref_eq(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(ref_eq(a[k], b[k]) for k in a)
    return False


ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def ref_compare(op: str, a: Any, b: Any) -> bool | None:
    if op == "==":
        return ref_eq(a, b)
    if op == "!=":
        return not ref_eq(a, b)
    if op == "in":
        return ref_in(a, b)
    if op == "not in":
        return not ref_in(a, b)
    if a is None or b is None:
        return False
    if (is_number(a) and is_number(b)) or (isinstance(a, str) and isinstance(b, str)):
        return bool(ORDER[op](a, b))
    return None


def ref_in(x: Any, y: Any) -> bool:
    if x is None or y is None:
        return False
    if isinstance(y, list):
        return any(ref_eq(x, item) for item in y)
    if isinstance(y, str):
        return isinstance(x, str) and x in y
    return False


def ref_arith(op: str, a: Any, b: Any) -> Any:
    if op == "+" and isinstance(a, str) and isinstance(b, str):
        return a + b
    if not (is_number(a) and is_number(b)):
        return None
    if op == "/" and b == 0:
        return None
    try:
        if op == "+":
            return norm(a + b)
        if op == "-":
            return norm(a - b)
        if op == "*":
            return norm(a * b)
        return norm(a / b)
    except OverflowError:
        return None


def ref_sum(numbers: list[Any]) -> Any:
    total: Any = 0
    for number in numbers:
        total = None if total is None else ref_arith("+", total, number)
    return total


def ref_extreme(pick: Any, args: list[Any]) -> Any:
    values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    values = [value for value in values if value is not None]
    if values and all(is_number(value) for value in values):
        return norm(pick(values))
    if values and all(isinstance(value, str) for value in values):
        return pick(values)
    return None


def ref_year(d: Any) -> int | None:
    if not isinstance(d, str) or len(d) != 10 or d[4] != "-" or d[7] != "-":
        return None
    parts = d[:4], d[5:7], d[8:]
    if not all(len(part) == len(part.encode()) and part.isdigit() for part in parts):
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2])).year
    except ValueError:
        return None


def ref_call(node: Call, env: dict[str, Any]) -> Any:
    args = node.args
    if node.name in ("selected", "count", "answered", "sum"):
        answer = reference(args[0], env)
        if node.name == "selected":
            choice = args[1].value  # type: ignore[union-attr]
            if isinstance(answer, list):
                return any(ref_eq(choice, item) for item in answer)
            return isinstance(answer, str) and answer == choice
        if node.name == "count":
            return 0 if answer is None else len(answer) if isinstance(answer, list) else 1
        if node.name == "answered":
            return answer is not None
        if not isinstance(answer, list):
            return 0
        if len(args) == 1:
            return ref_sum([item for item in answer if is_number(item)])
        field = args[1].value  # type: ignore[union-attr]
        items = [item.get(field) for item in answer if isinstance(item, dict)]
        return ref_sum([item for item in items if is_number(item)])
    values = [reference(arg, env) for arg in args]
    if node.name == "len":
        return len(values[0]) if isinstance(values[0], str | list) else None
    if node.name == "min":
        return ref_extreme(min, values)
    if node.name == "max":
        return ref_extreme(max, values)
    if node.name == "year":
        return ref_year(values[0])
    assert node.name == "today"
    return clock.today()


def reference(node: Node, env: dict[str, Any]) -> Any:
    """SPEC §8, walked directly over the tree."""
    match node:
        case Literal(value=value):
            return value
        case Name(name=name):
            return env.get(name)
        case ValueRef():
            return env.get("value")
        case ListExpr(items=items):
            return [reference(item, env) for item in items]
        case Not(operand=operand):
            return not ref_truthy(reference(operand, env))
        case And(operands=operands):
            return all(ref_truthy(reference(operand, env)) for operand in operands)
        case Or(operands=operands):
            return any(ref_truthy(reference(operand, env)) for operand in operands)
        case Neg(operand=operand):
            value = reference(operand, env)
            return norm(-value) if is_number(value) else None
        case BinOp(op=op, left=left, right=right):
            return ref_arith(op, reference(left, env), reference(right, env))
        case Compare(operands=operands, ops=ops):
            values = [reference(operand, env) for operand in operands]
            results = [ref_compare(op, values[i], values[i + 1]) for i, op in enumerate(ops)]
            if len(results) == 1:
                return results[0]
            return all(ref_truthy(result) for result in results)
        case Call():
            return ref_call(node, env)
    raise AssertionError(node)


def same(a: Any, b: Any) -> bool:
    return json.dumps(a) == json.dumps(b)


# -- properties -------------------------------------------------------------------------------


@settings(deadline=None, max_examples=300)
@given(nodes)
def test_unparse_then_parse_gives_the_same_tree(node: Node) -> None:
    text = unparse(node)
    assert parse(text) == node
    assert unparse(parse(text)) == text


@settings(deadline=None, max_examples=300)
@given(nodes)
def test_json_round_trip(node: Node) -> None:
    data = to_json(node)
    assert from_json(data) == node
    assert from_json(json.loads(json.dumps(data))) == node


@settings(deadline=None, max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(nodes, environments)
def test_compiled_agrees_with_the_reference(node: Node, env: dict[str, Any]) -> None:
    expected = reference(node, env)
    assert same(compile_expression(node)(env), expected)
    assert same(compile_expression(parse(unparse(node)))(env), expected)


@settings(deadline=None, max_examples=300)
@given(nodes, environments)
def test_evaluation_never_raises(node: Node, env: dict[str, Any]) -> None:
    result = compile_expression(node)(env)
    json.dumps(result, allow_nan=False)  # a JSON value, never NaN or Infinity
    truthy(result)


@settings(deadline=None)
@given(json_values, json_values)
def test_not_in_is_not_of_in(x: Any, y: Any) -> None:
    env = {"a": x, "b": y}
    not_in = compile_expression(parse("a not in b"))(env)
    assert not_in is (not compile_expression(parse("a in b"))(env))
    assert not_in is compile_expression(parse("not (a in b)"))(env)


@settings(deadline=None, max_examples=300)
@given(json_values, tricky_scalars | plain_scalars, st.sampled_from(list(COMPARISON_OPS)))
def test_every_comparison_form_follows_the_rules(x: Any, y: Any, op: str) -> None:
    """`a op b`, `a op literal` and `literal op a` take different compiled paths."""
    y = norm(y) if is_number(y) else y
    expected, mirrored = ref_compare(op, x, y), ref_compare(op, y, x)
    env = {"a": x, "b": y}
    literal = unparse(Literal(y))
    assert same(compile_expression(parse(f"a {op} b"))(env), expected)
    assert same(compile_expression(parse(f"a {op} {literal}"))(env), expected)
    assert same(compile_expression(parse(f"{literal} {op} a"))(env), mirrored)
    assert same(
        compile_expression(parse(f"a {op} [b, {literal}]"))(env), ref_compare(op, x, [y, y])
    )
    assert same(compile_expression(parse(f"a {op} [{literal}]"))(env), ref_compare(op, x, [y]))


@settings(deadline=None, max_examples=300)
@given(json_values, tricky_scalars | plain_scalars, st.sampled_from(["+", "-", "*", "/"]))
def test_every_arithmetic_form_follows_the_rules(x: Any, y: Any, op: str) -> None:
    y = norm(y) if is_number(y) else y
    env = {"a": x, "b": y}
    literal = unparse(Literal(y))
    assert same(compile_expression(parse(f"a {op} b"))(env), ref_arith(op, x, y))
    assert same(compile_expression(parse(f"a {op} {literal}"))(env), ref_arith(op, x, y))
    assert same(compile_expression(parse(f"({literal}) {op} a"))(env), ref_arith(op, y, x))
    assert same(compile_expression(parse("-a"))(env), norm(-x) if is_number(x) else None)


@settings(deadline=None)
@given(nodes)
def test_references_are_the_names_in_the_tree(node: Node) -> None:
    names = referenced_names(node)
    assert names <= set(NAMES)
    assert all(name in unparse(node) for name in names)
    assert uses_value(node) == ('{"value": true}' in json.dumps(to_json(node)))


TOKENS = [
    "a", "m", "1", "2.5", "-", "'s'", '"t"', "(", ")", "[", "]", ",", "+", "*", "/", "<", "==",
    "!=", ">=", "not", "in", "and", "or", "count", "sum", "selected", "min", "value", "null",
    "true", "today", "year", "'a'",
]  # fmt: skip


@settings(deadline=None, max_examples=500)
@given(st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join), environments)
def test_parse_accepts_or_explains_any_token_soup(source: str, env: dict[str, Any]) -> None:
    result = _parse_or_error(source)
    if isinstance(result, ExpressionSyntaxError):
        assert 0 <= result.offset <= len(source)
        assert result.message
        return
    assert parse(unparse(result)) == result
    assert same(compile_expression(result)(env), reference(result, env))


@settings(deadline=None)
@given(st.text(max_size=30))
def test_parse_never_fails_with_anything_but_a_syntax_error(source: str) -> None:
    result = _parse_or_error(source)
    if isinstance(result, ExpressionSyntaxError):
        assert 0 <= result.offset <= len(source)


def _parse_or_error(source: str) -> Node | ExpressionSyntaxError:
    try:
        return parse(source)
    except ExpressionSyntaxError as error:
        return error


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: "2026-03-15")
