"""Tree <-> JSON, so the browser evaluates exactly the tree the server checked.

Every node is a JSON object with one distinguishing key (offsets are not included):

    {"lit": 3} {"lit": "full"} {"lit": true} {"lit": null}   literals
    {"name": "q"}                                            a question's answer
    {"value": true}                                          the keyword `value`
    {"list": [n, ...]}                                       [a, b]
    {"not": n}                                               not a
    {"and": [n, n, ...]}  {"or": [n, n, ...]}                two or more operands, flattened
    {"neg": n}                                               -a (a number literal is {"lit": -3})
    {"op": "+", "args": [a, b]}                              + - * /
    {"cmp": [a, "<", b, "<=", c]}                            a chain: operands and operators
                                                             alternate; operators are
                                                             == != < <= > >= in "not in"
    {"call": "sum", "args": [n, ...]}                        function call
"""

from __future__ import annotations

import re
from typing import Any

from .ast import (
    ARITHMETIC_OPS,
    COMPARISON_OPS,
    KEYWORDS,
    And,
    BinOp,
    Call,
    Compare,
    ListExpr,
    Literal,
    Name,
    Neg,
    Node,
    Not,
    Or,
    ValueRef,
)
from .functions import check_call
from .numbers import normalise
from .parser import MAX_DEPTH

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def to_json(node: Node) -> dict[str, Any]:
    """The JSON form of a tree (see the module docstring)."""
    match node:
        case Literal(value=value):
            return {"lit": value}
        case Name(name=name):
            return {"name": name}
        case ValueRef():
            return {"value": True}
        case ListExpr(items=items):
            return {"list": [to_json(item) for item in items]}
        case Not(operand=operand):
            return {"not": to_json(operand)}
        case And(operands=operands):
            return {"and": [to_json(operand) for operand in operands]}
        case Or(operands=operands):
            return {"or": [to_json(operand) for operand in operands]}
        case Neg(operand=operand):
            return {"neg": to_json(operand)}
        case BinOp(op=op, left=left, right=right):
            return {"op": op, "args": [to_json(left), to_json(right)]}
        case Compare(operands=operands, ops=ops):
            chain: list[Any] = [to_json(operands[0])]
            for op, operand in zip(ops, operands[1:], strict=True):
                chain += [op, to_json(operand)]
            return {"cmp": chain}
        case Call(name=name, args=args):
            return {"call": name, "args": [to_json(arg) for arg in args]}
    raise TypeError(f"not an expression node: {node!r}")


def from_json(data: dict[str, Any]) -> Node:
    """The tree of a JSON form; raises ValueError when `data` is not one `to_json` produces."""
    return _from_json(data, 1)


def _fail(message: str, data: object) -> ValueError:
    shown = repr(data)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return ValueError(f"invalid expression JSON: {message}: {shown}")


def _nodes(data: object, level: int, minimum: int = 0) -> tuple[Node, ...]:
    if not isinstance(data, list) or len(data) < minimum:
        raise _fail(f"expected a list of at least {minimum} nodes", data)
    return tuple(_from_json(item, level + 1) for item in data)


def _literal(value: object) -> Literal:
    if value is None or isinstance(value, bool | str):
        return Literal(value)
    if isinstance(value, int | float):
        if normalise(value) is None:
            raise _fail("a number literal must be finite", value)
        return Literal(value)
    raise _fail("a literal must be a number, string, boolean or null", value)


def _from_json(data: object, level: int) -> Node:
    if level > MAX_DEPTH:
        raise _fail(f"nested deeper than {MAX_DEPTH} levels", data)
    if not isinstance(data, dict) or not data:
        raise _fail("expected a node object", data)
    keys = set(data)
    if keys == {"lit"}:
        return _literal(data["lit"])
    if keys == {"name"}:
        name = data["name"]
        if not isinstance(name, str) or not _NAME.fullmatch(name) or name in KEYWORDS:
            raise _fail("a name must be an identifier that is not a keyword", name)
        return Name(name)
    if keys == {"value"}:
        if data["value"] is not True:
            raise _fail('the value node is {"value": true}', data)
        return ValueRef()
    if keys == {"list"}:
        return ListExpr(_nodes(data["list"], level))
    if keys == {"not"}:
        return Not(_from_json(data["not"], level + 1))
    if keys == {"neg"}:
        return Neg(_from_json(data["neg"], level + 1))
    if keys == {"and"}:
        return And(_nodes(data["and"], level, 2))
    if keys == {"or"}:
        return Or(_nodes(data["or"], level, 2))
    if keys == {"op", "args"}:
        op = data["op"]
        args = _nodes(data["args"], level, 2)
        if op not in ARITHMETIC_OPS or len(args) != 2:
            raise _fail("an operator node needs one of + - * / and two args", data)
        return BinOp(op, args[0], args[1])
    if keys == {"cmp"}:
        return _compare(data["cmp"], level)
    if keys == {"call", "args"}:
        name = data["call"]
        args = _nodes(data["args"], level)
        if not isinstance(name, str):
            raise _fail("a function name must be a string", name)
        problem = check_call(name, args, 0)
        if problem is not None:
            raise _fail(problem[0], data)
        return Call(name, args)
    raise _fail("unknown node", data)


def _compare(chain: object, level: int) -> Compare:
    if not isinstance(chain, list) or len(chain) < 3 or len(chain) % 2 == 0:
        raise _fail("a comparison is [operand, op, operand, ...]", chain)
    ops = tuple(chain[1::2])
    if any(op not in COMPARISON_OPS for op in ops):
        raise _fail("unknown comparison operator", chain)
    operands = tuple(_from_json(item, level + 1) for item in chain[0::2])
    return Compare(operands, ops)  # type: ignore[arg-type]
