"""Parsing: precedence, chains, literals, the JSON tree, and every syntax error with its offset."""

from __future__ import annotations

from typing import Any

import pytest

from engine.expressions import (
    BinOp,
    Compare,
    ExpressionSyntaxError,
    Literal,
    Name,
    from_json,
    parse,
    to_json,
    unparse,
)


def a(name: str) -> dict[str, Any]:
    return {"name": name}


def lit(value: Any) -> dict[str, Any]:
    return {"lit": value}


def op(symbol: str, left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    return {"op": symbol, "args": [left, right]}


def cmp(*chain: Any) -> dict[str, Any]:
    return {"cmp": list(chain)}


PRECEDENCE = [
    ("1 + 2 * 3", op("+", lit(1), op("*", lit(2), lit(3)))),
    ("(1 + 2) * 3", op("*", op("+", lit(1), lit(2)), lit(3))),
    ("a - b - c", op("-", op("-", a("a"), a("b")), a("c"))),
    ("a - (b - c)", op("-", a("a"), op("-", a("b"), a("c")))),
    ("a / b * c", op("*", op("/", a("a"), a("b")), a("c"))),
    ("-a * b", op("*", {"neg": a("a")}, a("b"))),
    ("-(a * b)", {"neg": op("*", a("a"), a("b"))}),
    ("--a", {"neg": {"neg": a("a")}}),
    ("-3", lit(-3)),
    ("- 3.5", lit(-3.5)),
    ("-(3)", {"neg": lit(3)}),
    ("a - -3", op("-", a("a"), lit(-3))),
    ("a + b < c * d", cmp(op("+", a("a"), a("b")), "<", op("*", a("c"), a("d")))),
    ("a < b < c", cmp(a("a"), "<", a("b"), "<", a("c"))),
    ("a == b != c", cmp(a("a"), "==", a("b"), "!=", a("c"))),
    ("a in b == c", cmp(a("a"), "in", a("b"), "==", a("c"))),
    ("(a < b) < c", cmp(cmp(a("a"), "<", a("b")), "<", a("c"))),
    ("a not in b", cmp(a("a"), "not in", a("b"))),
    ("not a == b", {"not": cmp(a("a"), "==", a("b"))}),
    ("not a in b", {"not": cmp(a("a"), "in", a("b"))}),
    ("not not a", {"not": {"not": a("a")}}),
    ("a == (not b)", cmp(a("a"), "==", {"not": a("b")})),
    ("not a and b", {"and": [{"not": a("a")}, a("b")]}),
    ("a and b and c", {"and": [a("a"), a("b"), a("c")]}),
    ("a and (b and c)", {"and": [a("a"), {"and": [a("b"), a("c")]}]}),
    ("a or b and c", {"or": [a("a"), {"and": [a("b"), a("c")]}]}),
    ("(a or b) and c", {"and": [{"or": [a("a"), a("b")]}, a("c")]}),
    ("a or b or c and d", {"or": [a("a"), a("b"), {"and": [a("c"), a("d")]}]}),
    ("a and b or c and d", {"or": [{"and": [a("a"), a("b")]}, {"and": [a("c"), a("d")]}]}),
    ("not a or not b", {"or": [{"not": a("a")}, {"not": a("b")}]}),
    ("value >= 0", cmp({"value": True}, ">=", lit(0))),
    ("true", lit(True)),
    ("false", lit(False)),
    ("null", lit(None)),
    ("[]", {"list": []}),
    ("[1, 'a', [null]]", {"list": [lit(1), lit("a"), {"list": [lit(None)]}]}),
    (
        "q in ['full', 'partial']",
        cmp(a("q"), "in", {"list": [lit("full"), lit("partial")]}),
    ),
    ("selected(q, 'v')", {"call": "selected", "args": [a("q"), lit("v")]}),
    ("sum(p, 'budget')", {"call": "sum", "args": [a("p"), lit("budget")]}),
    ("sum(p)", {"call": "sum", "args": [a("p")]}),
    ("count(value)", {"call": "count", "args": [{"value": True}]}),
    ("today()", {"call": "today", "args": []}),
    ("max(a, b + 1, 3)", {"call": "max", "args": [a("a"), op("+", a("b"), lit(1)), lit(3)]}),
    (
        "year(today()) - 1",
        op("-", {"call": "year", "args": [{"call": "today", "args": []}]}, lit(1)),
    ),
    ("count", a("count")),  # a function name without parentheses is a question id
    ("year + 1", op("+", a("year"), lit(1))),
    ("True", a("True")),  # keywords are lower case; the analysis suggests 'true'
    ("_x9", a("_x9")),
    ("a\n and\tb", {"and": [a("a"), a("b")]}),
]


@pytest.mark.parametrize(("source", "tree"), PRECEDENCE)
def test_parse_builds_the_expected_tree(source: str, tree: dict[str, Any]) -> None:
    assert to_json(parse(source)) == tree


@pytest.mark.parametrize(("source", "tree"), PRECEDENCE)
def test_json_and_source_round_trip(source: str, tree: dict[str, Any]) -> None:
    node = parse(source)
    assert from_json(tree) == node
    assert to_json(from_json(tree)) == tree
    assert parse(unparse(node)) == node


LITERALS = [
    ("3", 3),
    ("3.5", 3.5),
    ("3.0", 3),  # an integral number is an int, as JSON from JavaScript would be
    ("0.25e2", 25),
    ("1e3", 1000),
    ("1.5E-3", 0.0015),
    ("1e20", 1e20),  # beyond 2**53 numbers are doubles, as in JavaScript
    ("9007199254740993", 2**53),  # rounded to the nearest double, as JavaScript reads it
    ("9007199254740995", 9007199254740996.0),
    ("007", 7),
    ("'it\\'s'", "it's"),
    ('"say \\"hi\\""', 'say "hi"'),
    ("'a\\\\b'", "a\\b"),
    ("'\\\"'", '"'),
    ('"\\\'"', "'"),
    ("'He said \"yes\"'", 'He said "yes"'),
    ('"l\'eau"', "l'eau"),
    ("''", ""),
    ("'line\nbreak'", "line\nbreak"),
    ("'日本語 😀'", "日本語 😀"),
]


@pytest.mark.parametrize(("source", "value"), LITERALS)
def test_literals(source: str, value: Any) -> None:
    node = parse(source)
    assert isinstance(node, Literal)
    assert node.value == value
    assert type(node.value) is type(value)


def test_nodes_keep_their_start_offsets() -> None:
    node = parse("  x + (y * 2) < 10")
    assert isinstance(node, Compare)
    assert node.offset == 2
    assert node.op_offsets == (14,)
    left = node.operands[0]
    assert isinstance(left, BinOp)
    assert (left.offset, left.op_offset) == (2, 4)
    assert isinstance(left.left, Name)
    assert left.left.offset == 2
    assert left.right.offset == 7  # inside the parentheses
    assert node.operands[1].offset == 16


def test_offsets_do_not_take_part_in_equality() -> None:
    assert parse("a+1") == parse("  a  +  1 ")
    assert hash(parse("a+1")) == hash(parse("  a  +  1 "))
    assert parse("1") != parse("true")  # literals are type-strict although True == 1
    assert parse("0") != parse("false")


SYNTAX_ERRORS = [
    ("", 0, "empty expression"),
    ("   ", 0, "empty expression"),
    (")", 0, "unexpected ')'"),
    ("a)", 1, "unexpected ')'"),
    ("(a))", 3, "unexpected ')'"),
    ("a b", 2, "unexpected 'b'"),
    ("a 'b'", 2, "unexpected string 'b'"),
    ("a 3", 2, "unexpected '3'"),
    ("value value", 6, "unexpected 'value'"),
    ("(a", 0, "'(' was never closed"),
    ("x + ((a)", 4, "'(' was never closed"),
    ("(a b", 3, "unexpected 'b' (expected ')')"),
    ("[1, 2", 0, "'[' was never closed"),
    ("[1 2]", 3, "unexpected '2' (expected ',' or ']')"),
    ("[1,]", 3, "expected an expression after ','"),
    ("[,]", 1, "expected an expression after '['"),
    ("len('a'", 3, "'(' was never closed"),
    ("len(1 2)", 6, "unexpected '2' (expected ',' or ')')"),
    ("count(q,)", 8, "expected an expression after ','"),
    ("()", 1, "expected an expression after '('"),
    ("a and", 5, "expected an expression after 'and'"),
    ("a and )", 6, "expected an expression after 'and'"),
    ("a or and b", 5, "expected an expression after 'or'"),
    ("not", 3, "expected an expression after 'not'"),
    ("a +", 3, "expected an expression after '+'"),
    ("1 +* 2", 3, "expected an expression after '+'"),
    ("a ** 2", 3, "expected an expression after '*'"),
    ("+1", 0, "unexpected '+'"),
    ("a < < b", 4, "expected an expression after '<'"),
    ("a in", 4, "expected an expression after 'in'"),
    ("in a", 0, "unexpected 'in'"),
    ("a not b", 6, "expected 'in' after 'not', got 'b'"),
    ("a not", 5, "expected 'in' after 'not', got end of expression"),
    ("a == not b", 5, "'not' after '==' must be in parentheses"),
    ("1 + not b", 4, "'not' after '+' must be in parentheses"),
    ("-not a", 1, "'not' after '-' must be in parentheses"),
    ("true(1)", 4, "unexpected '('"),
    ("'abc", 0, "unterminated string"),
    ("x == 'abc", 5, "unterminated string"),
    ('"ab\\"', 0, "unterminated string"),
    ("'ab\\", 0, "unterminated string"),
    (
        "'a\\nb'",
        2,
        "invalid escape '\\n' in a string (a backslash may only escape a quote or a backslash)",
    ),
    ("3abc", 0, "invalid number '3abc'"),
    ("1.", 0, "invalid number '1.'"),
    ("1.2.3", 0, "invalid number '1.2.3'"),
    ("1e", 0, "invalid number '1e'"),
    ("1_000", 0, "invalid number '1_000'"),
    ("1e999", 0, "number is too large"),
    ("a = b", 2, "unexpected '=' (use '==' to compare)"),
    ("a ! b", 2, "unexpected '!' (use 'not')"),
    ("a && b", 2, "unexpected '&&' (use 'and')"),
    ("a || b", 2, "unexpected '||' (use 'or')"),
    ("a & b", 2, "unexpected '&' (use 'and')"),
    ("a | b", 2, "unexpected '|' (use 'or')"),
    ("a £ b", 2, "unexpected character '£'"),
    ("x.y", 1, "unexpected character '.'"),
    ("a # note", 2, "unexpected character '#'"),
    ("a\x00", 1, "unexpected character 'U+0000'"),
    ("sume(q, 'f')", 0, "unknown function 'sume' (did you mean 'sum'?)"),
    ("x + selectd(q, 'a')", 4, "unknown function 'selectd' (did you mean 'selected'?)"),
    ("foo(1)", 0, "unknown function 'foo'"),
    ("count(q, r)", 0, "count() takes 1 argument, got 2"),
    ("count()", 0, "count() takes 1 argument, got 0"),
    ("answered()", 0, "answered() takes 1 argument, got 0"),
    ("selected(q)", 0, "selected() takes 2 arguments, got 1"),
    ("sum(q, 'a', 'b')", 0, "sum() takes 1 or 2 arguments, got 3"),
    ("len(a, b)", 0, "len() takes 1 argument, got 2"),
    ("year()", 0, "year() takes 1 argument, got 0"),
    ("today(1)", 0, "today() takes no arguments, got 1"),
    ("min()", 0, "min() takes at least 1 argument, got 0"),
    ("1 + max()", 4, "max() takes at least 1 argument, got 0"),
    ("selected(1, 'a')", 9, "the first argument of selected() must be a question name"),
    ("selected('q', 'a')", 9, "the first argument of selected() must be a question name"),
    ("count(q + 1)", 6, "the first argument of count() must be a question name"),
    ("answered([q])", 9, "the first argument of answered() must be a question name"),
    ("sum(-q, 'f')", 4, "the first argument of sum() must be a question name"),
    (
        "selected(q, a)",
        12,
        "the second argument of selected() must be a choice value in quotes",
    ),
    ("selected(q, 1)", 12, "the second argument of selected() must be a choice value in quotes"),
    ("sum(q, 1)", 7, "the second argument of sum() must be a field name in quotes"),
    ("sum(q, 'a' + 'b')", 7, "the second argument of sum() must be a field name in quotes"),
    ("(" * 101 + "a" + ")" * 101, 100, "expression is too deeply nested (more than 100 levels)"),
    ("+".join(["a"] * 120), 0, "expression is too deeply nested (more than 100 levels)"),
]


@pytest.mark.parametrize(("source", "offset", "message"), SYNTAX_ERRORS)
def test_syntax_errors_say_what_and_where(source: str, offset: int, message: str) -> None:
    with pytest.raises(ExpressionSyntaxError) as raised:
        parse(source)
    assert (raised.value.offset, raised.value.message) == (offset, message)
    assert str(raised.value) == f"{message} (at offset {offset})"


def test_deep_but_acceptable_nesting_parses() -> None:
    source = "(" * 99 + "a" + ")" * 99
    assert parse(source) == Name("a")
    chain = parse(" + ".join(["a"] * 100))
    assert isinstance(chain, BinOp)


def test_parenthesised_question_counts_as_a_bare_name() -> None:
    assert parse("count((q))") == parse("count(q)")


UNPARSE = [
    ("a+b*c", "a + b * c"),
    ("(a+b)*c", "(a + b) * c"),
    ("a-(b-c)", "a - (b - c)"),
    ("a-(b+c)", "a - (b + c)"),
    ("(a-b)-c", "a - b - c"),
    ("-(a+b)", "-(a + b)"),
    ("-(3)", "-(3)"),
    ("- -3", "-(-3)"),
    ("-a*-3", "-a * -3"),
    ("not (a and b)", "not (a and b)"),
    ("(not a) and b", "not a and b"),
    ("a == (not b)", "a == (not b)"),
    ("(a<b)<c", "(a < b) < c"),
    ("a<b<c", "a < b < c"),
    ("(a or b) and c", "(a or b) and c"),
    ('"it\'s"', "'it\\'s'"),
    ("'back\\\\slash'", "'back\\\\slash'"),
    ("1.50", "1.5"),
    ("2.0", "2"),
    ("1e-7", "1e-07"),
    ("x not in [1,2]", "x not in [1, 2]"),
    ("selected( q , 'a' )", "selected(q, 'a')"),
    ("value", "value"),
]


@pytest.mark.parametrize(("source", "text"), UNPARSE)
def test_unparse_is_canonical(source: str, text: str) -> None:
    assert unparse(parse(source)) == text
    assert parse(text) == parse(source)


INVALID_JSON = [
    {},
    {"lit": [1]},
    {"lit": float("nan")},
    {"lit": float("inf")},
    {"lit": {"a": 1}},
    {"name": "and"},
    {"name": "a-b"},
    {"name": 3},
    {"value": False},
    {"list": {"lit": 1}},
    {"and": [{"lit": 1}]},
    {"or": []},
    {"not": [{"lit": 1}]},
    {"op": "%", "args": [{"lit": 1}, {"lit": 2}]},
    {"op": "+", "args": [{"lit": 1}]},
    {"op": "+", "args": [{"lit": 1}, {"lit": 2}, {"lit": 3}]},
    {"cmp": [{"lit": 1}, "<"]},
    {"cmp": [{"lit": 1}, "=", {"lit": 2}]},
    {"cmp": [{"lit": 1}, {"lit": 2}, {"lit": 3}]},
    {"call": "sume", "args": []},
    {"call": "count", "args": []},
    {"call": "count", "args": [{"lit": 1}]},
    {"call": "selected", "args": [{"name": "q"}, {"name": "v"}]},
    {"call": 3, "args": []},
    {"lit": 1, "name": "a"},
    {"nope": 1},
    [1],
    "a",
]


@pytest.mark.parametrize("data", INVALID_JSON, ids=repr)
def test_from_json_refuses_what_to_json_never_produces(data: Any) -> None:
    with pytest.raises(ValueError, match="invalid expression JSON"):
        from_json(data)


def test_from_json_refuses_absurd_depth() -> None:
    data: dict[str, Any] = {"lit": 1}
    for _ in range(150):
        data = {"not": data}
    with pytest.raises(ValueError, match="nested deeper"):
        from_json(data)


def test_from_json_normalises_numbers_like_the_parser() -> None:
    assert from_json({"lit": 2.0}) == parse("2")
    assert type(from_json({"lit": 2.0}).value) is int  # type: ignore[union-attr]
    assert from_json({"lit": -0.0}) == Literal(0)


def test_to_json_is_plain_json() -> None:
    import json

    node = parse("a < 1.5 and not selected(m, 'x') or [null, true, -2] == value")
    text = json.dumps(to_json(node))
    assert from_json(json.loads(text)) == node
