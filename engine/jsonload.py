"""Strict JSON for responses: no NaN or Infinity, no duplicate keys, bounded size and depth.

`json.loads` accepts `NaN` (which then passes `maximum`), keeps the last of duplicate keys and
raises ValueError or RecursionError on hostile input; here every such case is one JSONError.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_JSON_BYTES = 10 * 1024 * 1024
MAX_JSON_DEPTH = 64
MAX_NUMBER_DIGITS = 1000


class JSONError(ValueError):
    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class _ConstantError(JSONError):
    """NaN or Infinity: `json` does not say where, `loads` finds it in the text."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not a JSON number")
        self.name = name


def _reject_constant(name: str) -> Any:
    raise _ConstantError(name)


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


def _position(text: str, name: str) -> tuple[int, int]:
    """Line and column of the first `name` outside strings (1, 1 when not found)."""
    for match in _TOKENS.finditer(text):
        if match.group(1) == name:
            offset = match.start(1)
            line = text.count("\n", 0, offset) + 1
            return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
    return 1, 1


def _integer(text: str) -> int:
    """Converting a huge integer is quadratic (Python refuses beyond 4,300 digits): refuse early."""
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise JSONError(f"a number has more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _finite(text: str) -> float:
    """`1e400` is a valid JSON number that Python reads as infinity: refuse it like Infinity."""
    if len(text) > MAX_NUMBER_DIGITS + 10:
        raise JSONError(f"a number has more than {MAX_NUMBER_DIGITS} digits")
    number = float(text)
    if math.isinf(number):
        raise JSONError(f"the number {text[:20]} is too large")
    return number


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _lone_surrogate(value: Any) -> bool:
    """Whether a string anywhere in `value` holds half of a UTF-16 pair (`"\\ud800"`)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
    return False


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise JSONError(f"duplicate key '{key}'")
        result[key] = value
    return result


def _depth(text: str) -> int:
    """Nesting depth, counted without parsing (strings skipped), so deep input is refused early."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def loads(data: str | bytes) -> Any:
    """Parse untrusted JSON strictly; raises JSONError with a position when it can."""
    too_large = JSONError(f"the JSON document is larger than {MAX_JSON_BYTES // (1024 * 1024)} MiB")
    if len(data) > MAX_JSON_BYTES:
        raise too_large
    if (  # a str counts in UTF-8 bytes, not characters (encoded only when it could be too large)
        isinstance(data, str)
        and len(data) * 4 > MAX_JSON_BYTES
        and len(data.encode("utf-8", "surrogatepass")) > MAX_JSON_BYTES
    ):
        raise too_large
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise JSONError(f"the JSON document is not valid UTF-8 ({error.reason})") from None
    data = data.removeprefix("\ufeff")  # a byte order mark is not part of the document
    if _depth(data) > MAX_JSON_DEPTH:
        raise JSONError(f"the JSON document nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        value = json.loads(
            data,
            parse_constant=_reject_constant,
            parse_float=_finite,
            parse_int=_integer,
            object_pairs_hook=_no_duplicates,
        )
    except _ConstantError as error:
        raise JSONError(error.message, *_position(data, error.name)) from None
    except JSONError:
        raise
    except json.JSONDecodeError as error:
        raise JSONError(error.msg, error.lineno, error.colno) from None
    except (ValueError, RecursionError) as error:
        raise JSONError(str(error)) from None
    if _SURROGATE_ESCAPE.search(data) and _lone_surrogate(value):
        raise JSONError("the JSON document has a lone UTF-16 surrogate (\\ud800-\\udfff)")
    return value
