"""The expression tree: one small frozen dataclass per construct.

Every node keeps `offset`, the 0-based character position in the source where it starts, so
errors and findings can point at it. Offsets are not part of equality: a tree parsed from
`unparse(tree)` or rebuilt by `from_json` equals the original.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeAlias

from .numbers import normalise

Scalar: TypeAlias = bool | int | float | str | None

ARITHMETIC_OPS = ("+", "-", "*", "/")
COMPARISON_OPS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null", "value"})


def _literal_key(value: Scalar) -> tuple[str, Scalar]:
    """Type-strict identity of a literal: `true` and `1` differ although Python says True == 1."""
    if value is None:
        return ("null", None)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("num", value)
    return ("str", value)


@dataclass(frozen=True, slots=True, eq=False)
class Literal:
    """A number, string, `true`, `false` or `null` (negative numbers are folded in)."""

    value: Scalar
    offset: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        """Keep numbers canonical (`2.0` is `2`), so equal trees compile to equal closures."""
        if type(self.value) in (int, float):
            number = normalise(self.value)  # type: ignore[arg-type]
            if number is None:
                raise ValueError(f"a number literal must be finite, not {self.value!r}")
            object.__setattr__(self, "value", number)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Literal):
            return NotImplemented
        return _literal_key(self.value) == _literal_key(other.value)

    def __hash__(self) -> int:
        return hash(_literal_key(self.value))


@dataclass(frozen=True, slots=True)
class Name:
    """A question id; its value comes from the environment (missing = null)."""

    name: str
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ValueRef:
    """The keyword `value`: the answer a constraint is about."""

    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ListExpr:
    """`[a, b, ...]`."""

    items: tuple[Node, ...]
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    """`not x`, always a boolean."""

    operand: Node
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class And:
    """`a and b and ...` flattened (two or more operands), always a boolean."""

    operands: tuple[Node, ...]
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Or:
    """`a or b or ...` flattened (two or more operands), always a boolean."""

    operands: tuple[Node, ...]
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Neg:
    """Unary minus on something that is not a number literal."""

    operand: Node
    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class BinOp:
    """`left op right` for `+ - * /` (left-associative, so `a - b - c` nests on the left)."""

    op: str
    left: Node
    right: Node
    offset: int = field(default=0, compare=False)
    op_offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Compare:
    """A comparison chain `a op1 b op2 c`: Python's `a op1 b and b op2 c`, b evaluated once.

    `operands` has one more element than `ops`; a single comparison is a chain of one.
    """

    operands: tuple[Node, ...]
    ops: tuple[str, ...]
    offset: int = field(default=0, compare=False)
    op_offsets: tuple[int, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    """`name(args...)`; the parser has already checked the name, the arity and argument forms."""

    name: str
    args: tuple[Node, ...]
    offset: int = field(default=0, compare=False)


Node: TypeAlias = (
    Literal | Name | ValueRef | ListExpr | Not | And | Or | Neg | BinOp | Compare | Call
)


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of a node, in source order."""
    match node:
        case ListExpr(items=items):
            return items
        case Not(operand=operand) | Neg(operand=operand):
            return (operand,)
        case And(operands=operands) | Or(operands=operands) | Compare(operands=operands):
            return operands
        case BinOp(left=left, right=right):
            return (left, right)
        case Call(args=args):
            return args
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children, in source order (no recursion)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def depth(node: Node) -> int:
    """Height of the tree (a leaf is 1), computed without recursion."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(current))
    return deepest
