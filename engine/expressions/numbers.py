"""Number normalisation shared by literals and arithmetic, so results match JavaScript's.

JavaScript has one number type (IEEE doubles). To produce the same JSON on both sides:
an integral result within the safe-integer range is an int (`4 / 2` is `2`, `-0.0` is `0`),
integers beyond 2**53 become doubles (as JavaScript would round them), and results that are
not finite (overflow, NaN) are null.
"""

from __future__ import annotations

import math

SAFE_INTEGER = 2**53


def normalise(number: int | float) -> int | float | None:
    """The canonical form of a numeric result, or None when it is not finite."""
    if type(number) is int:
        if -SAFE_INTEGER <= number <= SAFE_INTEGER:
            return number
        try:  # beyond 2**53 JavaScript has only doubles
            number = float(number)
        except OverflowError:
            return None
    if not math.isfinite(number):
        return None
    if number.is_integer() and -SAFE_INTEGER <= number <= SAFE_INTEGER:
        return int(number)
    return number
