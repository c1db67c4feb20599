"""Tree -> nested Python closures, built once, so validating a response walks no tree.

`compile_expression` picks a closure per node at compile time: constant sub-expressions are
folded, comparisons and arithmetic against a literal get specialised closures, and question
names read the environment through a C-level `operator.methodcaller`. The semantics are those
of `values.py`; the fast paths only skip work whose result is already known.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from . import clock
from . import values as v
from .ast import (
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
    walk,
)
from .numbers import SAFE_INTEGER, normalise

Env = Mapping[str, Any]
Compiled = Callable[[Env], Any]

_NO_CONSTANT = object()

_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": v.add,
    "-": v.subtract,
    "*": v.multiply,
    "/": v.divide,
}
_COMPARISON: dict[str, Callable[[Any, Any], Any]] = {
    "==": v.equals,
    "!=": v.not_equals,
    "<": v.less,
    "<=": v.less_equal,
    ">": v.greater,
    ">=": v.greater_equal,
    "in": v.contains,
    "not in": v.not_contains,
}
_ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_MIRRORED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_BOOLEAN_CALLS = frozenset({"selected", "answered"})


def compile_expression(node: Node) -> Compiled:
    """A function of the environment (question id -> answer; "value" -> the constrained answer).

    A missing key is null. The function never raises on JSON values.
    """
    return _compile(node)


@lru_cache(maxsize=512)
def _cached(node: Node) -> Compiled:
    return _compile(node)


def evaluate(node: Node, env: Env) -> Any:
    """`compile_expression(node)(env)`, with recently compiled trees kept for reuse."""
    return _cached(node)(env)


truthy = v.truthy


# -- helpers ----------------------------------------------------------------------------------


def _constant_closure(value: Any) -> Compiled:
    return lambda env: value


def _is_constant(node: Node) -> bool:
    """No names, no `value` and no clock: the result is known at compile time."""
    for part in walk(node):
        if isinstance(part, Name | ValueRef):
            return False
        if isinstance(part, Call) and part.name == "today":
            return False
    return True


def _constant(node: Node) -> Any:
    """The scalar value of a constant sub-expression, or _NO_CONSTANT."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, ListExpr) or not _is_constant(node):
        return _NO_CONSTANT
    result = _compile_general(node)({})
    return _NO_CONSTANT if isinstance(result, list | dict) else result


def _returns_boolean(node: Node) -> bool:
    """Whether the node's result is always True or False (never null or another type)."""
    match node:
        case Not() | And() | Or():
            return True
        case Literal(value=value):
            return isinstance(value, bool)
        case Compare(ops=ops):
            return len(ops) > 1 or ops[0] in ("==", "!=", "in", "not in")
        case Call(name=name):
            return name in _BOOLEAN_CALLS
    return False


def _as_boolean(node: Node) -> Compiled:
    """A closure returning the truthiness of `node` as True or False."""
    compiled = _compile(node)
    if _returns_boolean(node):
        return compiled
    truthy = v.truthy
    return lambda env: truthy(compiled(env))


def _getter(node: Node) -> Compiled:
    """How a function reads its question argument (a Name or `value`)."""
    key = node.name if isinstance(node, Name) else "value"
    return operator.methodcaller("get", key)


# -- compilation ------------------------------------------------------------------------------


def _compile(node: Node) -> Compiled:
    if isinstance(node, Literal):
        return _constant_closure(node.value)
    if not isinstance(node, ListExpr) and _is_constant(node):
        value = _compile_general(node)({})
        if not isinstance(value, list | dict):
            return _constant_closure(value)
    return _compile_general(node)


def _compile_general(node: Node) -> Compiled:
    match node:
        case Literal(value=value):
            return _constant_closure(value)
        case Name(name=name):
            return operator.methodcaller("get", name)
        case ValueRef():
            return operator.methodcaller("get", "value")
        case ListExpr(items=items):
            parts = tuple(_compile(item) for item in items)
            return lambda env: [part(env) for part in parts]
        case Not(operand=operand):
            inner = _as_boolean(operand)
            return lambda env: not inner(env)
        case And(operands=operands):
            return _and([_as_boolean(operand) for operand in operands])
        case Or(operands=operands):
            return _or([_as_boolean(operand) for operand in operands])
        case Neg(operand=operand):
            return _negation(_compile(operand))
        case BinOp(op=op, left=left, right=right):
            return _arithmetic(op, left, right)
        case Compare(operands=operands, ops=ops):
            if len(ops) == 1:
                return _comparison(ops[0], operands[0], operands[1])
            return _chain(operands, ops)
        case Call(name=name, args=args):
            return _call(name, args)
    raise TypeError(f"not an expression node: {node!r}")


def _and(parts: list[Compiled]) -> Compiled:
    if len(parts) == 2:
        first, second = parts
        return lambda env: first(env) and second(env)
    every = tuple(parts)

    def all_true(env: Env) -> bool:
        for part in every:  # noqa: SIM110 - a plain loop is faster than all() over a generator
            if not part(env):
                return False
        return True

    return all_true


def _or(parts: list[Compiled]) -> Compiled:
    if len(parts) == 2:
        first, second = parts
        return lambda env: first(env) or second(env)
    every = tuple(parts)

    def any_true(env: Env) -> bool:
        for part in every:  # noqa: SIM110 - a plain loop is faster than any() over a generator
            if part(env):
                return True
        return False

    return any_true


def _negation(inner: Compiled) -> Compiled:
    def negation(env: Env) -> Any:
        x = inner(env)
        kind = type(x)
        if kind is int or kind is float:
            return normalise(-x)  # -0.0 becomes 0, ints beyond 2**53 become doubles
        return None

    return negation


def _arithmetic(op: str, left: Node, right: Node) -> Compiled:
    function = _ARITHMETIC[op]
    left_fn = _compile(left)
    right_fn = _compile(right)
    constant = _constant(right)
    if op == "+" and constant is _NO_CONSTANT:

        def add(env: Env) -> Any:
            x = left_fn(env)
            y = right_fn(env)
            if type(x) is int and type(y) is int:
                total = x + y
                if -SAFE_INTEGER <= total <= SAFE_INTEGER:
                    return total
            return function(x, y)

        return add
    if constant is not _NO_CONSTANT:
        if op in "+-" and type(constant) is int and abs(constant) <= SAFE_INTEGER:
            step = constant if op == "+" else -constant

            def shift(env: Env) -> Any:
                x = left_fn(env)
                if type(x) is int:
                    total = x + step
                    if -SAFE_INTEGER <= total <= SAFE_INTEGER:
                        return total
                return function(x, constant)

            return shift
        return lambda env: function(left_fn(env), constant)
    constant = _constant(left)
    if constant is not _NO_CONSTANT:
        return lambda env: function(constant, right_fn(env))
    return lambda env: function(left_fn(env), right_fn(env))


def _comparison(op: str, left: Node, right: Node) -> Compiled:
    """A single comparison, specialised when one side is a literal."""
    right_constant = _constant(right)
    if right_constant is _NO_CONSTANT and op in _MIRRORED:
        left_constant = _constant(left)
        if left_constant is not _NO_CONSTANT:  # `3 < q` is `q > 3`
            return _against_constant(_MIRRORED[op], _compile(right), left_constant)
    if right_constant is not _NO_CONSTANT and op in _MIRRORED:
        return _against_constant(op, _compile(left), right_constant)
    if op in ("in", "not in"):
        return _membership(op, left, right)
    function = _COMPARISON[op]
    left_fn = _compile(left)
    right_fn = _compile(right)
    return lambda env: function(left_fn(env), right_fn(env))


def _against_constant(op: str, fn: Compiled, constant: Any) -> Compiled:
    """`fn(env) op constant` for the operators other than `in`."""
    if op in ("==", "!="):
        equal = _equal_to_constant(fn, constant)
        if op == "==":
            return equal
        return lambda env: not equal(env)
    compare = _ORDERING[op]
    kind = type(constant)
    if kind is int or kind is float:

        def against_number(env: Env) -> bool | None:
            x = fn(env)
            other = type(x)
            if other is int or other is float:
                return compare(x, constant)  # type: ignore[no-any-return]
            return False if x is None else None

        return against_number
    if kind is str:

        def against_string(env: Env) -> bool | None:
            x = fn(env)
            if type(x) is str:
                return compare(x, constant)  # type: ignore[no-any-return]
            return False if x is None else None

        return against_string
    function = _COMPARISON[op]
    return lambda env: function(fn(env), constant)


def _equal_to_constant(fn: Compiled, constant: Any) -> Compiled:
    if constant is None or constant is True or constant is False:
        return lambda env: fn(env) is constant
    kind = type(constant)
    if kind is str:

        def equal_string(env: Env) -> bool:
            x = fn(env)
            return type(x) is str and x == constant

        return equal_string
    if kind is int or kind is float:

        def equal_number(env: Env) -> bool:
            x = fn(env)
            other = type(x)
            return (other is int or other is float) and x == constant

        return equal_number
    equals = v.equals
    return lambda env: equals(fn(env), constant)


def _membership(op: str, left: Node, right: Node) -> Compiled:
    left_fn = _compile(left)
    result: Compiled
    if isinstance(right, ListExpr):
        items = [_constant(item) for item in right.items]
        if all(item is not _NO_CONSTANT for item in items):
            if all(type(item) is str for item in items):
                strings = frozenset(items)

                def in_strings(env: Env) -> bool:
                    x = left_fn(env)
                    return type(x) is str and x in strings

                result = in_strings
            else:
                contains = v.contains
                result = lambda env: contains(left_fn(env), items)  # noqa: E731
            return result if op == "in" else _negated(result)
    needle = _constant(left)
    right_fn = _compile(right)
    if type(needle) is str:

        def has_string(env: Env) -> bool:
            y = right_fn(env)
            kind = type(y)
            return (kind is list or kind is str) and needle in y

        result = has_string
    else:
        contains = v.contains
        result = lambda env: contains(left_fn(env), right_fn(env))  # noqa: E731
    return result if op == "in" else _negated(result)


def _negated(fn: Compiled) -> Compiled:
    return lambda env: not fn(env)


def _chain(operands: tuple[Node, ...], ops: tuple[str, ...]) -> Compiled:
    """`a < b <= c`: each link must be true; each operand is evaluated at most once."""
    first = _compile(operands[0])
    links = tuple(
        (_COMPARISON[op], _compile(operand)) for op, operand in zip(ops, operands[1:], strict=True)
    )

    def chain(env: Env) -> bool:
        x = first(env)
        for compare, operand in links:
            y = operand(env)
            if compare(x, y) is not True:  # comparisons return True, False or None
                return False
            x = y
        return True

    return chain


def _call(name: str, args: tuple[Node, ...]) -> Compiled:
    if name == "selected":
        return _selected(_getter(args[0]), args[1].value)  # type: ignore[union-attr]
    if name == "count":
        return _count(_getter(args[0]))
    if name == "answered":
        get = _getter(args[0])
        return lambda env: get(env) is not None
    if name == "sum":
        get = _getter(args[0])
        field = args[1].value if len(args) == 2 else None  # type: ignore[union-attr]
        sum_of = v.sum_of
        return lambda env: sum_of(get(env), field)
    if name == "today":
        return lambda env: clock.today()
    parts = tuple(_compile(arg) for arg in args)
    if name in ("min", "max"):
        function = v.minimum if name == "min" else v.maximum
        if len(parts) == 1:
            only = parts[0]
            return lambda env: function(only(env))
        return lambda env: function(*[part(env) for part in parts])
    single = {"len": v.length, "year": v.year}[name]
    only = parts[0]
    return lambda env: single(only(env))


def _selected(get: Compiled, choice: str) -> Compiled:
    def selected(env: Env) -> bool:
        answer = get(env)
        kind = type(answer)
        if kind is list:
            return choice in answer
        return kind is str and answer == choice

    return selected


def _count(get: Compiled) -> Compiled:
    def count(env: Env) -> int:
        answer = get(env)
        if answer is None:
            return 0
        return len(answer) if type(answer) is list else 1

    return count
