"""Translate `when`/`required` expressions into JSON Schema where JSON Schema can say the same.

Only a safe subset is translated: comparisons of one answer with literals, `in` lists,
`answered`, `selected`, truthiness, and `and`/`or`/`not` over those. Each translated condition is
false exactly when the expression is false under the evaluator's null rules (an ordering or `==`
with an absent answer is false, `!=` and `not in` are their negations), so the schema and the
engine agree on every response whose answers are valid. Everything
else returns None and stays with the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.expressions.ast import (
    And,
    Call,
    Compare,
    ListExpr,
    Literal,
    Name,
    Node,
    Not,
    Or,
)
from engine.model import Question

Schema = dict[str, Any]
ALWAYS: Schema = {}
NEVER: Schema = {"not": {}}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_BOUND = {"<": "exclusiveMaximum", "<=": "maximum", ">": "exclusiveMinimum", ">=": "minimum"}
_FALSY = [False, 0, "", []]


class UntranslatableError(Exception):
    """The expression needs the engine."""


def condition_schema(node: Node, scope: Mapping[str, Question]) -> Schema | None:
    """A schema over the object holding the answers in `scope`, or None."""
    try:
        return _truth(node, scope)
    except UntranslatableError:
        return None


def _answer(node: Node, scope: Mapping[str, Question]) -> Question:
    """The question a name refers to, if its value is a plain client-sent answer."""
    if not isinstance(node, Name):
        raise UntranslatableError
    question = scope.get(node.name)
    if question is None or not question.takes_answer or question.type == "calculated":
        raise UntranslatableError
    return question


def _about(question: Question, schema: Schema) -> Schema:
    return {"required": [question.id], "properties": {question.id: schema}}


def _truth(node: Node, scope: Mapping[str, Question]) -> Schema:
    match node:
        case Literal(value=value):
            return ALWAYS if value not in (None, False, 0, "") else NEVER
        case Name():
            return _about(_answer(node, scope), {"not": {"enum": _FALSY}})
        case Not(operand=operand):
            return {"not": _truth(operand, scope)}
        case And(operands=operands):
            return {"allOf": [_truth(x, scope) for x in operands]}
        case Or(operands=operands):
            return {"anyOf": [_truth(x, scope) for x in operands]}
        case Compare(operands=operands, ops=ops):
            parts = [
                _comparison(left, op, right, scope)
                for left, op, right in zip(operands, ops, operands[1:], strict=False)
            ]
            return parts[0] if len(parts) == 1 else {"allOf": parts}
        case Call(name="answered", args=(target,)):
            return {"required": [_answer(target, scope).id]}
        case Call(name="selected", args=(target, Literal(value=str() as choice))):
            question = _answer(target, scope)
            if question.type == "multiple_choice":
                return _about(question, {"type": "array", "contains": {"const": choice}})
            return _about(question, {"const": choice})
    raise UntranslatableError


def _literal(node: Node) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, ListExpr) and all(isinstance(item, Literal) for item in node.items):
        return [item.value for item in node.items]  # type: ignore[union-attr]
    raise UntranslatableError


def _comparison(left: Node, op: str, right: Node, scope: Mapping[str, Question]) -> Schema:
    if op in ("in", "not in"):
        schema = _membership(left, right, scope)
        return {"not": schema} if op == "not in" else schema
    if isinstance(right, Name) and not isinstance(left, Name):
        left, right, op = right, left, _FLIPPED[op]
    question = _answer(left, scope)
    value = _literal(right)
    if op == "==":
        return (
            {"not": {"required": [question.id]}}
            if value is None
            else _about(question, {"const": value})
        )
    if op == "!=":
        # `x != v` is exactly `not (x == v)`: true when x is unanswered (as the evaluator says).
        if value is None:
            return {"required": [question.id]}
        return {"not": _about(question, {"const": value})}
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UntranslatableError  # ordering of strings (dates) has no JSON Schema keyword
    return _about(question, {"type": "number", _BOUND[op]: value})


def _membership(left: Node, right: Node, scope: Mapping[str, Question]) -> Schema:
    if isinstance(left, Name) and isinstance(right, ListExpr):
        question = _answer(left, scope)
        values = _literal(right)
        return _about(question, {"enum": values}) if values else NEVER
    if isinstance(right, Name) and isinstance(left, Literal):
        question = _answer(right, scope)
        if question.type == "multiple_choice":
            return _about(question, {"type": "array", "contains": {"const": left.value}})
    raise UntranslatableError
