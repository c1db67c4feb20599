"""Tokens -> tree, by precedence climbing (a Pratt parser) with Python's precedence.

From loosest to tightest: `or`, `and`, `not`, comparisons (`== != < <= > >= in`, `not in`,
chained as in Python), `+ -`, `* /`, unary `-`, then atoms (literals, names, `value`, calls,
lists, parentheses). As in Python, `not` cannot be the operand of a tighter operator
(`a == not b` is an error; write `a == (not b)`). A `-` directly before a number literal is
folded into the literal.
"""

from __future__ import annotations

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
    depth,
)
from .errors import ExpressionSyntaxError
from .functions import check_call, unknown_function_message
from .lexer import Token, describe, tokenize
from .numbers import normalise

MAX_DEPTH = 100
"""Deepest tree accepted: keeps every recursive consumer far from Python's recursion limit."""

_OR, _AND, _NOT, _COMPARE, _ADD, _MUL, _UNARY = 1, 2, 3, 4, 5, 6, 7

_INFIX_OPS = {
    "==": _COMPARE,
    "!=": _COMPARE,
    "<": _COMPARE,
    "<=": _COMPARE,
    ">": _COMPARE,
    ">=": _COMPARE,
    "+": _ADD,
    "-": _ADD,
    "*": _MUL,
    "/": _MUL,
}
_INFIX_WORDS = {"or": _OR, "and": _AND, "in": _COMPARE, "not": _COMPARE}
_LITERAL_WORDS = {"true": True, "false": False, "null": None}


def parse(source: str) -> Node:
    """The tree of `source`; raises ExpressionSyntaxError pointing at the problem."""
    return _Parser(source).parse()


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.pos = 0
        self.nesting = 0

    # -- token helpers ------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "eof":
            self.pos += 1
        return token

    def is_word(self, token: Token, word: str) -> bool:
        return token.kind == "name" and token.text == word

    def is_op(self, token: Token, op: str) -> bool:
        return token.kind == "op" and token.text == op

    def binding_power(self, token: Token) -> int:
        if token.kind == "op":
            return _INFIX_OPS.get(token.text, 0)
        if token.kind == "name":
            return _INFIX_WORDS.get(token.text, 0)
        return 0

    # -- grammar ------------------------------------------------------------------------------

    def parse(self) -> Node:
        first = self.peek()
        if first.kind == "eof":
            raise ExpressionSyntaxError("empty expression", 0)
        node = self.expression(0)
        extra = self.peek()
        if extra.kind != "eof":
            raise ExpressionSyntaxError(f"unexpected {describe(extra)}", extra.offset)
        if depth(node) > MAX_DEPTH:
            raise ExpressionSyntaxError(
                f"expression is too deeply nested (more than {MAX_DEPTH} levels)", node.offset
            )
        return node

    def expression(self, right_power: int) -> Node:
        """An expression whose infix operators all bind tighter than `right_power`."""
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            token = self.peek()
            message = f"expression is too deeply nested (more than {MAX_DEPTH} levels)"
            raise ExpressionSyntaxError(message, token.offset)
        left = self.prefix(right_power)
        while self.binding_power(self.peek()) > right_power:
            left = self.infix(left)
        self.nesting -= 1
        return left

    def prefix(self, right_power: int) -> Node:
        before = self.pos
        token = self.advance()
        offset = token.offset
        if token.kind == "num":
            return Literal(token.value, offset)  # type: ignore[arg-type]
        if token.kind == "str":
            return Literal(token.value, offset)  # type: ignore[arg-type]
        if token.kind == "name":
            word = token.text
            if word in _LITERAL_WORDS:
                return Literal(_LITERAL_WORDS[word], offset)
            if word == "value":
                return ValueRef(offset)
            if word == "not":
                if right_power > _NOT:
                    previous = self.tokens[before - 1].text
                    raise ExpressionSyntaxError(
                        f"'not' after '{previous}' must be in parentheses", offset
                    )
                return Not(self.expression(_NOT), offset)
            if word in ("and", "or", "in"):
                raise self._missing(before, token)
            if self.is_op(self.peek(), "("):
                return self.call(token)
            return Name(word, offset)
        if token.kind == "op":
            if token.text == "(":
                inner = self.expression(0)
                self.close(token, ")", "')'")
                return inner
            if token.text == "[":
                return ListExpr(self.sequence(token, "]"), offset)
            if token.text == "-":
                following = self.peek()
                if following.kind == "num":
                    self.advance()
                    negated = normalise(-following.value)  # type: ignore[operator]
                    return Literal(negated, offset)
                return Neg(self.expression(_MUL), offset)
        raise self._missing(before, token)

    def _missing(self, before: int, token: Token) -> ExpressionSyntaxError:
        """The error for `token`, which cannot start an expression."""
        if before == 0:
            return ExpressionSyntaxError(f"unexpected {describe(token)}", token.offset)
        previous = self.tokens[before - 1]
        return ExpressionSyntaxError(
            f"expected an expression after '{previous.text}'", token.offset
        )

    def close(self, opener: Token, closer: str, expected: str) -> None:
        """Consume `closer`, or explain why it is not there."""
        token = self.peek()
        if self.is_op(token, closer):
            self.advance()
            return
        if token.kind == "eof":
            raise ExpressionSyntaxError(f"'{opener.text}' was never closed", opener.offset)
        raise ExpressionSyntaxError(
            f"unexpected {describe(token)} (expected {expected})", token.offset
        )

    def sequence(self, opener: Token, closer: str) -> tuple[Node, ...]:
        """Comma-separated expressions up to `closer` (the opener is already consumed)."""
        items: list[Node] = []
        if self.is_op(self.peek(), closer):
            self.advance()
            return ()
        while True:
            items.append(self.expression(0))
            if self.is_op(self.peek(), ","):
                self.advance()
                continue
            self.close(opener, closer, f"',' or '{closer}'")
            return tuple(items)

    def call(self, name_token: Token) -> Call:
        unknown = unknown_function_message(name_token.text)
        if unknown is not None:
            raise ExpressionSyntaxError(unknown, name_token.offset)
        opener = self.advance()
        args = self.sequence(opener, ")")
        problem = check_call(name_token.text, args, name_token.offset)
        if problem is not None:
            raise ExpressionSyntaxError(*problem)
        return Call(name_token.text, args, name_token.offset)

    def infix(self, left: Node) -> Node:
        token = self.advance()
        text = token.text
        if token.kind == "name" and text in ("and", "or"):
            operands = [left]
            power = _AND if text == "and" else _OR
            while True:
                operands.append(self.expression(power))
                if not self.is_word(self.peek(), text):
                    break
                self.advance()
            kind = And if text == "and" else Or
            return kind(tuple(operands), left.offset)
        if self.binding_power(token) == _COMPARE:
            return self.comparison(left, token)
        right = self.expression(self.binding_power(token))
        return BinOp(text, left, right, left.offset, token.offset)

    def comparison_op(self, token: Token) -> str:
        """The operator `token` starts, consuming the `in` of `not in`."""
        if self.is_word(token, "not"):
            following = self.peek()
            if not self.is_word(following, "in"):
                raise ExpressionSyntaxError(
                    f"expected 'in' after 'not', got {describe(following)}", following.offset
                )
            self.advance()
            return "not in"
        return token.text

    def comparison(self, left: Node, token: Token) -> Compare:
        operands = [left]
        ops: list[str] = []
        offsets: list[int] = []
        while True:
            ops.append(self.comparison_op(token))
            offsets.append(token.offset)
            operands.append(self.expression(_COMPARE))
            if self.binding_power(self.peek()) != _COMPARE:
                break
            token = self.advance()
        return Compare(tuple(operands), tuple(ops), left.offset, tuple(offsets))
