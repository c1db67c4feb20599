"""How a number typed in a form becomes a JSON number (RELIABILITY §3.7, row C8).

Python's `int()` and `float()` accept `' 1_000 '`, `'٢٠٢٤'` and `'1e3'`; WTForms' numeric fields
call them on the raw text. We decide instead, and store only canonical numbers:

- surrounding white space is ignored;
- digits of any script are read as the digits they are (`'٢٠٢٤'` and `'２０２４'` are 2024), so
  people can type with their own keyboard; the Arabic decimal separator `٫` and the minus sign
  `−` (U+2212) are read as `.` and `-`;
- the grammar is then `-?digits[.digits]`: no `+`, no exponent (`1e3`), no hexadecimal, no
  underscores, no spaces or commas inside (thousands separators are ambiguous between languages:
  `1,500` is fifteen hundred in English and one and a half in French), each refused with a
  message that says what to type instead;
- what is stored is canonical: `-0` is `0`, `2.50` is `2.5`, an integral `12.0` is `12`, a
  decimal is the nearest finite double; at most 400 digits are read (no 5,000-digit `int()`).
  Integers stay exact, as the engine keeps them; beyond ±2**53 the browser's skip logic sees the
  nearest double, as any JavaScript reading the JSON would.

`skip-logic.js` applies the same grammar when it reads an input for skip logic.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal

from flask_babel import gettext as _

SAFE_INTEGER = 2**53
MAX_DIGITS = 400
"""Longer digit strings are refused before any conversion (enough for every double written out
in full, e.g. 1.7976931348623157e308 or 5e-324)."""

_GRAMMAR = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_SEPARATOR = "[,_' \u00a0\u202f\u2009]"
_THOUSANDS = re.compile(rf"-?[0-9]{{1,3}}(?:{_SEPARATOR}[0-9]{{3}})+(?:\.[0-9]+)?")
_DECIMAL_COMMA = re.compile(r"-?[0-9]*,[0-9]+")
_EXPONENT = re.compile(r"-?[0-9.]+[eE][-+]?[0-9]+")
_SEPARATORS = {"\u066b": ".", "\u2212": "-"}


class NumberError(ValueError):
    """A typed text that is not a number by our grammar; `message` says what to type."""

    def __init__(self, code: str, example: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.example = example

    @property
    def message(self) -> str:
        if self.code == "thousands":
            return _(
                "write the number without spaces or thousands separators, e.g. %(example)s",
                example=self.example,
            )
        if self.code == "decimal_comma":
            return _("use a dot for the decimal part, e.g. %(example)s", example=self.example)
        if self.code == "exponent":
            return _("write the number in full, without an exponent (1000, not 1e3)")
        if self.code == "too_large":
            return _("is too large")
        return _("must be a number written with digits, e.g. 1234 or 12.5")


def ascii_digits(text: str) -> str:
    """`text` with every decimal digit of any script as an ASCII digit, `٫` as `.`, `−` as `-`."""
    out = []
    for char in text:
        if char in _SEPARATORS:
            out.append(_SEPARATORS[char])
            continue
        digit = unicodedata.decimal(char, None) if not char.isascii() else None
        out.append(str(digit) if digit is not None else char)
    return "".join(out)


def parse_number(text: str, *, whole: bool = False) -> int | float:
    """The canonical JSON number of a typed text, or NumberError; `text` must not be blank.

    `whole` (an integer question or grid cell) keeps integers exact however large; otherwise a
    number beyond ±2**53 is the nearest double, as a decimal is stored.
    """
    typed = ascii_digits(text.strip())
    if not _GRAMMAR.fullmatch(typed):
        raise _classify(typed)
    if sum(char.isdigit() for char in typed) > MAX_DIGITS:
        raise NumberError("too_large")
    if "." not in typed and (whole or len(typed.lstrip("-")) <= 16):
        integer = int(typed)
        if whole or abs(integer) <= SAFE_INTEGER:
            return integer
    number = float(typed)
    if not math.isfinite(number):
        raise NumberError("too_large")
    if number.is_integer() and abs(number) <= SAFE_INTEGER:
        return int(number)
    return number


def _classify(typed: str) -> NumberError:
    if _EXPONENT.fullmatch(typed):
        return NumberError("exponent")
    if _THOUSANDS.fullmatch(typed):
        return NumberError("thousands", re.sub(_SEPARATOR, "", typed))
    if _DECIMAL_COMMA.fullmatch(typed):
        return NumberError("decimal_comma", typed.replace(",", ".").lstrip(".") or "0.5")
    compact = re.sub(r"[\s_]", "", typed)
    if compact != typed and _GRAMMAR.fullmatch(compact):
        return NumberError("thousands", compact)
    return NumberError("number")


def format_number(value: int | float) -> str:
    """How a stored number is shown in an input: plain ASCII digits, no exponent."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) <= SAFE_INTEGER:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text
