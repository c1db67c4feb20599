"""What every question type provides: its definition keys, JSON Schema, value checks and columns.

A type is a stateless class in a read-only registry (`engine.types.REGISTRY`); the question it
applies to is passed in. Adding a type means adding one class, not editing `if type == ...` chains.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from engine.model import Question

Mode = Literal["draft", "submit"]
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """A problem with one answer, before it is given a message in the respondent's language."""

    path: Path
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SchemaOptions:
    mode: Mode = "submit"
    lang: str | None = None


# Refused in text (SPEC §8): C0 controls but tab, LF and CR; DEL; C1 controls. The pattern uses
# only `\xHH` escapes, which Python, JavaScript, Rust and RE2 all read the same way.
CONTROL_FREE_PATTERN = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
# The end of the answer. `$` alone also matches before a final line feed in Python's `re` (which
# python-jsonschema, fastjsonschema and hypothesis use), so '2024\n' would pass `^[0-9]{4}$`
# there; the look-ahead makes every engine read the end the same way. (The fast path drops it
# again, see `engine.validation.linear_schema`: RE2-like engines read `$` as the very end.)
END = r"$(?!\n)"
_CONTROLS = frozenset([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)])
CONTROL_TRANSLATION = dict.fromkeys(_CONTROLS)


def has_control_characters(text: str) -> bool:
    return text.translate(CONTROL_TRANSLATION) != text


def is_number(value: Any) -> bool:
    """JSON numbers only: booleans are not numbers, NaN and infinities are not JSON."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and (isinstance(value, int) or math.isfinite(value))
    )


def is_whole(value: Any) -> bool:
    return is_number(value) and (isinstance(value, int) or value.is_integer())


def text_schema(*patterns: str, max_length: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1}
    if max_length is not None:
        schema["maxLength"] = max_length
    schema["pattern"] = CONTROL_FREE_PATTERN
    if patterns:
        schema["allOf"] = [{"pattern": pattern} for pattern in patterns]
    return schema


def not_an_answer(value: Any, path: Path) -> Issue | None:
    """`null`, `""` and `{}` are never answers (SPEC §8: "remove the key instead")."""
    if value is None:
        return Issue(path, "null")
    if (isinstance(value, str) and value == "") or (isinstance(value, dict) and not value):
        return Issue(path, "empty")
    return None


def check_text(value: Any, path: Path, max_length: int | None = None) -> Issue | None:
    """The checks every free-text answer shares: a non-empty string without control characters."""
    if not isinstance(value, str) or value == "":
        return not_an_answer(value, path) or Issue(path, "type_text")
    if has_control_characters(value):
        return Issue(path, "control_characters")
    if max_length is not None and len(value) > max_length:  # code points, like JSON Schema
        return Issue(path, "max_length", {"limit": max_length})
    return None


def bounds_schema(question: Question) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    if question.min is not None:
        schema["minimum"] = question.min
    if question.max is not None:
        schema["maximum"] = question.max
    return schema


def check_bounds(value: float, path: Path, low: Any, high: Any) -> Issue | None:
    if low is not None and value < low:
        return Issue(path, "minimum", {"limit": low})
    if high is not None and value > high:
        return Issue(path, "maximum", {"limit": high})
    return None


class QuestionType:
    """Base of all question types. Subclasses set the class variables and override the hooks."""

    name: ClassVar[str]
    takes_answer: ClassVar[bool] = True
    value_kind: ClassVar[str] = "any"
    """The kind of value expressions see ("string", "number", "boolean", "date", "list", ...)."""
    keys: ClassVar[Mapping[str, dict[str, Any]]] = {}
    """Definition keys of this type beyond the common ones, with their JSON Schema."""
    required_keys: ClassVar[tuple[str, ...]] = ()
    has_choices: ClassVar[bool] = False
    bounds_kind: ClassVar[str | None] = None
    """"number" or "date" when `min`/`max` apply to the answer itself."""

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        """The response JSON Schema of one answer (the compiler adds title and conditions)."""
        raise NotImplementedError

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        """Type, range and choice problems of a present answer: at most one per answer."""
        raise NotImplementedError

    def incomplete(
        self, question: Question, value: Any, path: Path, required: bool
    ) -> Issue | None:
        """For submission: a present but incomplete answer (partial matrix, too few items)."""
        return None

    def normalise(self, question: Question, value: Any) -> Any:
        """The value as stored, once it is known to be valid (`2350.0` -> `2350`)."""
        return value

    def export_columns(self, question: Question) -> tuple[str, ...]:
        """Column keys of the `Responses` sheet (SPEC §7)."""
        return (question.id,)
