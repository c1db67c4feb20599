"""Source text -> tokens, with the offset of each so errors can point at it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import ExpressionSyntaxError
from .numbers import normalise

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_AFTER_NUMBER = re.compile(r"[A-Za-z0-9_.]")
_NUMBER_LIKE = re.compile(r"[A-Za-z0-9_.]*")
_SPACE = " \t\r\n"
_TWO_CHAR = ("==", "!=", "<=", ">=")
_ONE_CHAR = "<>+-*/()[],"
_HINTS = {
    "=": "unexpected '=' (use '==' to compare)",
    "!": "unexpected '!' (use 'not')",
    "&": "unexpected '&' (use 'and')",
    "|": "unexpected '|' (use 'or')",
}
_ESCAPABLE = "'\"\\"


@dataclass(frozen=True, slots=True)
class Token:
    """`kind` is "num", "str", "name" (keywords too), "op" or "eof"; `text` is the source text."""

    kind: str
    text: str
    value: object
    offset: int


def describe(token: Token) -> str:
    """How an error message names a token."""
    if token.kind == "eof":
        return "end of expression"
    if token.kind == "str":
        return f"string {token.text}"
    return f"'{token.text}'"


def _number(text: str, offset: int) -> int | float:
    """The value of a number literal: ints stay exact, integral floats become ints (as in JS)."""
    try:
        value: int | float = int(text)
    except ValueError:  # a decimal point, an exponent, or more digits than int() accepts
        value = float(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise ExpressionSyntaxError("number is too large", offset)
    result = normalise(value)
    assert result is not None
    return result


def _string(source: str, start: int) -> tuple[str, int]:
    """The content of the string literal opened at `start` and the offset just after it."""
    quote = source[start]
    parts: list[str] = []
    i = start + 1
    n = len(source)
    while i < n:
        char = source[i]
        if char == quote:
            return "".join(parts), i + 1
        if char == "\\":
            if i + 1 == n:
                break
            escaped = source[i + 1]
            if escaped not in _ESCAPABLE:
                raise ExpressionSyntaxError(
                    f"invalid escape '\\{escaped}' in a string "
                    "(a backslash may only escape a quote or a backslash)",
                    i,
                )
            parts.append(escaped)
            i += 2
            continue
        parts.append(char)
        i += 1
    raise ExpressionSyntaxError("unterminated string", start)


def tokenize(source: str) -> list[Token]:
    """All tokens of `source`, ending with an "eof" token at offset len(source)."""
    tokens: list[Token] = []
    i = 0
    n = len(source)
    while i < n:
        char = source[i]
        if char in _SPACE:
            i += 1
            continue
        if char in "'\"":
            value, end = _string(source, i)
            tokens.append(Token("str", source[i:end], value, i))
            i = end
            continue
        match = _NAME.match(source, i)
        if match:
            text = match.group()
            tokens.append(Token("name", text, text, i))
            i = match.end()
            continue
        match = _NUMBER.match(source, i)
        if match:
            end = match.end()
            if end < n and _AFTER_NUMBER.match(source, end):
                bad = _NUMBER_LIKE.match(source, i)
                assert bad is not None
                raise ExpressionSyntaxError(f"invalid number '{bad.group()}'", i)
            text = match.group()
            tokens.append(Token("num", text, _number(text, i), i))
            i = end
            continue
        pair = source[i : i + 2]
        if pair in _TWO_CHAR:
            tokens.append(Token("op", pair, pair, i))
            i += 2
            continue
        if char in _ONE_CHAR:
            tokens.append(Token("op", char, char, i))
            i += 1
            continue
        if pair in ("&&", "||"):
            word = "and" if char == "&" else "or"
            raise ExpressionSyntaxError(f"unexpected '{pair}' (use '{word}')", i)
        if char in _HINTS:
            raise ExpressionSyntaxError(_HINTS[char], i)
        shown = char if char.isprintable() else f"U+{ord(char):04X}"
        raise ExpressionSyntaxError(f"unexpected character '{shown}'", i)
    tokens.append(Token("eof", "", None, n))
    return tokens
