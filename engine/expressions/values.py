"""The meaning of every operator and function on JSON values (SPEC §1 and §8).

These rules are the contract a JavaScript port reproduces, so they never depend on Python's
own coercions: booleans are not numbers (`true == 1` is false, `true + 1` is null), an empty
object is true, and nothing here raises on any JSON value. Numbers are normalised as in
`numbers.py`. Strings compare by Unicode code point and `len` counts code points (a JavaScript
port must not use UTF-16 code units for either).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from . import clock
from .numbers import normalise

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def truthy(value: Any) -> bool:
    """False for null, false, 0, '' and []; true for everything else (including {})."""
    if value is None or value is False or value is True:
        return value is True
    kind = type(value)
    if kind is int or kind is float:
        return value != 0 and value == value  # NaN is false, as in JavaScript
    if kind is str or kind is list:
        return len(value) > 0
    return True


def is_number(value: Any) -> bool:
    """An int or a float, never a boolean."""
    kind = type(value)
    return kind is int or kind is float


def equals(a: Any, b: Any) -> bool:
    """Type-strict equality: numbers with numbers, lists and objects element by element."""
    kind = type(a)
    other = type(b)
    if kind is other:
        if kind is list:
            return len(a) == len(b) and all(equals(x, y) for x, y in zip(a, b, strict=True))
        if kind is dict:
            return a.keys() == b.keys() and all(equals(a[key], b[key]) for key in a)
        return bool(a == b)
    if (kind is int or kind is float) and (other is int or other is float):
        return bool(a == b)
    return False


def not_equals(a: Any, b: Any) -> bool:
    return not equals(a, b)


def _ordered(a: Any, b: Any) -> bool:
    """Whether `<` and friends apply: two numbers or two strings."""
    kind = type(a)
    other = type(b)
    if kind is int or kind is float:
        return other is int or other is float
    return kind is str and other is str


def less(a: Any, b: Any) -> bool | None:
    """`a < b`: false with a null, null for other mismatched types."""
    if _ordered(a, b):
        return bool(a < b)
    return False if a is None or b is None else None


def less_equal(a: Any, b: Any) -> bool | None:
    if _ordered(a, b):
        return bool(a <= b)
    return False if a is None or b is None else None


def greater(a: Any, b: Any) -> bool | None:
    if _ordered(a, b):
        return bool(a > b)
    return False if a is None or b is None else None


def greater_equal(a: Any, b: Any) -> bool | None:
    if _ordered(a, b):
        return bool(a >= b)
    return False if a is None or b is None else None


def contains(needle: Any, haystack: Any) -> bool:
    """`needle in haystack`: strict list membership or substring; false with a null."""
    if needle is None:
        return False
    kind = type(haystack)
    if kind is list:
        if type(needle) is str:  # str == non-str is never true, so Python's `in` is strict
            return needle in haystack
        return any(equals(needle, item) for item in haystack)
    if kind is str:
        return type(needle) is str and needle in haystack
    return False


def not_contains(needle: Any, haystack: Any) -> bool:
    return not contains(needle, haystack)


def add(a: Any, b: Any) -> Any:
    """Numbers add, two strings concatenate, anything else is null."""
    kind = type(a)
    other = type(b)
    if (kind is int or kind is float) and (other is int or other is float):
        try:
            return normalise(a + b)
        except OverflowError:
            return None
    if kind is str and other is str:
        return a + b
    return None


def subtract(a: Any, b: Any) -> Any:
    kind = type(a)
    other = type(b)
    if (kind is int or kind is float) and (other is int or other is float):
        try:
            return normalise(a - b)
        except OverflowError:
            return None
    return None


def multiply(a: Any, b: Any) -> Any:
    kind = type(a)
    other = type(b)
    if (kind is int or kind is float) and (other is int or other is float):
        try:
            return normalise(a * b)
        except OverflowError:  # a huge int times a float
            return None
    return None


def divide(a: Any, b: Any) -> Any:
    """True division; division by zero is null."""
    kind = type(a)
    other = type(b)
    if (kind is int or kind is float) and (other is int or other is float) and b != 0:
        try:
            return normalise(a / b)
        except OverflowError:  # a quotient of huge ints beyond the doubles
            return None
    return None


def negate(a: Any) -> Any:
    return normalise(-a) if is_number(a) else None


# -- functions --------------------------------------------------------------------------------


def count(answer: Any) -> int:
    """Items of a list, 0 when unanswered, 1 for any other answer."""
    if answer is None:
        return 0
    return len(answer) if type(answer) is list else 1


def _sum_numbers(numbers: list[Any]) -> Any:
    """Left-to-right sum, normalised at each step as JavaScript's doubles would be."""
    total: Any = 0
    for number in numbers:
        if total is None:
            return None
        try:
            total = normalise(total + number)
        except OverflowError:
            return None
    return total


def sum_of(answer: Any, field: str | None = None) -> Any:
    """Sum of the numbers of a list, or of one field of a list of objects; 0 when none."""
    if type(answer) is not list:
        return 0
    if field is None:
        return _sum_numbers([item for item in answer if is_number(item)])
    values = [item.get(field) for item in answer if type(item) is dict]
    return _sum_numbers([value for value in values if is_number(value)])


def answered(answer: Any) -> bool:
    return answer is not None


def selected(answer: Any, choice: str) -> bool:
    """The choice is in a list answer, or equals a string answer."""
    kind = type(answer)
    if kind is list:
        return choice in answer
    return kind is str and answer == choice


def length(value: Any) -> int | None:
    """Code points of a string, items of a list, null otherwise."""
    kind = type(value)
    if kind is str or kind is list:
        return len(value)
    return None


def _extreme(args: tuple[Any, ...], pick: Any) -> Any:
    values = args[0] if len(args) == 1 and type(args[0]) is list else args
    present = [value for value in values if value is not None]
    if not present:
        return None
    if all(is_number(value) for value in present):
        return normalise(pick(present))
    if all(type(value) is str for value in present):
        return pick(present)
    return None


def minimum(*args: Any) -> Any:
    """Smallest of numbers (or of strings), nulls ignored; null if nothing or mixed types."""
    return _extreme(args, min)


def maximum(*args: Any) -> Any:
    return _extreme(args, max)


def today() -> str:
    return clock.today()


def year(value: Any) -> int | None:
    """The year of a real 'YYYY-MM-DD' date (0001-9999), else null."""
    if type(value) is not str:
        return None
    match = _DATE.fullmatch(value)
    if match is None:
        return None
    numbers = [int(part) for part in match.groups()]
    try:
        date(*numbers)
    except ValueError:
        return None
    return numbers[0]
