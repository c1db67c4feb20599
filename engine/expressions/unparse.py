"""Tree -> canonical source text, the inverse of `parse` (`parse(unparse(n)) == n`).

Used to show expressions in messages and to test the parser. Parentheses are added only where
precedence or the tree's shape needs them; strings use single quotes.
"""

from __future__ import annotations

from .ast import And, BinOp, Call, Compare, ListExpr, Literal, Name, Neg, Node, Not, Or, ValueRef

_ATOM = 8
_PRECEDENCE_OF_OP = {"+": 5, "-": 5, "*": 6, "/": 6}


def _literal(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return repr(value)  # ints, and floats in the shortest form that reads back exactly


def _precedence(node: Node) -> int:
    match node:
        case Or():
            return 1
        case And():
            return 2
        case Not():
            return 3
        case Compare():
            return 4
        case BinOp(op=op):
            return _PRECEDENCE_OF_OP[op]
        case Neg():
            return 7
        case Literal(value=value) if isinstance(value, int | float) and not isinstance(value, bool):
            return 7 if value < 0 else _ATOM
    return _ATOM


def _wrapped(node: Node, minimum: int) -> str:
    text = unparse(node)
    return f"({text})" if _precedence(node) < minimum else text


def unparse(node: Node) -> str:
    """Source text that parses back to an equal tree."""
    match node:
        case Literal(value=value):
            return _literal(value)
        case Name(name=name):
            return name
        case ValueRef():
            return "value"
        case ListExpr(items=items):
            return "[" + ", ".join(unparse(item) for item in items) + "]"
        case Not(operand=operand):
            return "not " + _wrapped(operand, 3)
        case And(operands=operands):
            return " and ".join(_wrapped(operand, 3) for operand in operands)
        case Or(operands=operands):
            return " or ".join(_wrapped(operand, 2) for operand in operands)
        case Neg(operand=operand):
            if isinstance(operand, Literal):  # `-3` would read back as the literal -3
                return f"-({unparse(operand)})"
            return "-" + _wrapped(operand, 7)
        case BinOp(op=op, left=left, right=right):
            level = _PRECEDENCE_OF_OP[op]
            return f"{_wrapped(left, level)} {op} {_wrapped(right, level + 1)}"
        case Compare(operands=operands, ops=ops):
            parts = [_wrapped(operands[0], 5)]
            for op, operand in zip(ops, operands[1:], strict=True):
                parts.append(f"{op} {_wrapped(operand, 5)}")
            return " ".join(parts)
        case Call(name=name, args=args):
            return f"{name}(" + ", ".join(unparse(arg) for arg in args) + ")"
    raise TypeError(f"not an expression node: {node!r}")
