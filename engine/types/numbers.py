"""Numeric question types: integer and decimal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.model import Question
from engine.types.base import (
    Issue,
    Path,
    QuestionType,
    SchemaOptions,
    bounds_schema,
    check_bounds,
    is_number,
    is_whole,
    not_an_answer,
)


class Integer(QuestionType):
    name = "integer"
    value_kind = "number"
    keys = {"min": {"type": "integer"}, "max": {"type": "integer"}}
    bounds_kind = "number"

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        return {"type": "integer", **bounds_schema(question)}

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        if not is_whole(value):
            yield not_an_answer(value, path) or Issue(path, "type_integer")
        elif issue := check_bounds(value, path, question.min, question.max):
            yield issue

    def normalise(self, question: Question, value: Any) -> Any:
        return int(value)


class Decimal(QuestionType):
    name = "decimal"
    value_kind = "number"
    keys = {"min": {"type": "number"}, "max": {"type": "number"}}
    bounds_kind = "number"

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        return {"type": "number", **bounds_schema(question)}

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        if not is_number(value):
            yield not_an_answer(value, path) or Issue(path, "type_number")
        elif issue := check_bounds(value, path, question.min, question.max):
            yield issue
