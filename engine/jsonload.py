"""Strict JSON for responses: no NaN or Infinity, no duplicate keys, bounded size and depth.

`json.loads` accepts `NaN` (which then passes `maximum`), keeps the last of duplicate keys and
raises ValueError or RecursionError on hostile input; here every such case is one JSONError.
"""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_BYTES = 10 * 1024 * 1024
MAX_JSON_DEPTH = 64


class JSONError(ValueError):
    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _reject_constant(name: str) -> Any:
    raise JSONError(f"{name} is not a JSON number")


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
    if len(data) > MAX_JSON_BYTES:
        raise JSONError(f"the JSON document is larger than {MAX_JSON_BYTES // (1024 * 1024)} MiB")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise JSONError(f"the JSON document is not valid UTF-8 ({error.reason})") from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise JSONError(f"the JSON document nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(data, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except JSONError:
        raise
    except json.JSONDecodeError as error:
        raise JSONError(error.msg, error.lineno, error.colno) from None
    except (ValueError, RecursionError) as error:
        raise JSONError(str(error)) from None
