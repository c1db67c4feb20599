"""Question types that shape the form rather than hold a plain value: repeat, calculated, note."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.model import Question
from engine.types.base import Issue, Path, QuestionType, SchemaOptions, not_an_answer

COUNT = {"type": "integer", "minimum": 0}


class Repeat(QuestionType):
    """A list of items, each answering the member questions; `[]` is an answer ("none")."""

    name = "repeat"
    value_kind = "items"
    keys = {
        "questions": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/question"}},
        "min_items": COUNT,
        "max_items": COUNT,
    }
    required_keys = ("questions",)

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        # The compiler fills in `items` from the member questions.
        schema: dict[str, Any] = {"type": "array"}
        if options.mode == "submit":
            low = question.min_items or 0
            if question.always_required:
                low = max(low, 1)
            if low:
                schema["minItems"] = low
        if question.max_items is not None:
            schema["maxItems"] = question.max_items
        return schema

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        if not isinstance(value, list):
            yield not_an_answer(value, path) or Issue(path, "type_items")
            return
        if question.max_items is not None and len(value) > question.max_items:
            yield Issue(path, "max_items", {"limit": question.max_items})
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                yield Issue((*path, index), "type_item")

    def incomplete(
        self, question: Question, value: Any, path: Path, required: bool
    ) -> Issue | None:
        low = max(question.min_items or 0, 1 if required else 0)
        if len(value) < low:
            return Issue(path, "min_items", {"limit": low})
        return None

    def export_columns(self, question: Question) -> tuple[str, ...]:
        return ()  # a repeat gets a sheet of its own, keyed by its members


class Calculated(QuestionType):
    """Computed by the engine; a value sent by a client is ignored and replaced."""

    name = "calculated"
    keys = {"expression": {"$ref": "#/$defs/expression"}}
    required_keys = ("expression",)

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        return {"readOnly": True}

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        return iter(())


class Note(QuestionType):
    """Text shown to the respondent; it takes no answer."""

    name = "note"
    takes_answer = False

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        return {"not": {}}

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        yield Issue(path, "note_answered")

    def export_columns(self, question: Question) -> tuple[str, ...]:
        return ()
