"""Question types answered by choosing: yes_no, single_choice and multiple_choice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.model import Question
from engine.types.base import Issue, Path, QuestionType, SchemaOptions, not_an_answer

CHOICES_KEY = {"anyOf": [{"$ref": "#/$defs/id"}, {"$ref": "#/$defs/choice_list"}]}
COUNT = {"type": "integer", "minimum": 0}


class YesNo(QuestionType):
    name = "yes_no"
    value_kind = "boolean"

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        return {"type": "boolean"}

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        if not isinstance(value, bool):
            yield not_an_answer(value, path) or Issue(path, "type_boolean")


class SingleChoice(QuestionType):
    name = "single_choice"
    value_kind = "string"
    has_choices = True
    keys = {"choices": CHOICES_KEY, "other": {"type": "boolean"}}
    required_keys = ("choices",)

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        return {"type": "string", "enum": list(question.choice_values)}

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        if issue := not_an_answer(value, path):
            yield issue
        elif not isinstance(value, str):
            yield Issue(path, "type_choice")
        elif value not in question.choice_values:
            yield Issue(path, "choice", {"value": value})

    def export_columns(self, question: Question) -> tuple[str, ...]:
        return (question.id, question.other_key) if question.other else (question.id,)


class MultipleChoice(QuestionType):
    name = "multiple_choice"
    value_kind = "list"
    has_choices = True
    keys = {"choices": CHOICES_KEY, "min_selected": COUNT, "max_selected": COUNT}
    required_keys = ("choices",)

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "type": "array",
            "items": {"type": "string", "enum": list(question.choice_values)},
            "uniqueItems": True,
            "minItems": 1,
        }
        if options.mode == "submit" and question.min_selected:
            schema["minItems"] = max(1, question.min_selected)
        if question.max_selected is not None:
            schema["maxItems"] = question.max_selected
        return schema

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        if not isinstance(value, list):
            yield not_an_answer(value, path) or Issue(path, "type_list")
            return
        if not value:
            yield Issue(path, "empty")
            return
        allowed = question.choice_values
        seen: set[str] = set()
        problems = False
        for index, item in enumerate(value):
            if not isinstance(item, str) or item not in allowed:
                problems = True
                yield Issue((*path, index), "choice", {"value": item})
            elif item in seen:
                problems = True
                yield Issue((*path, index), "chosen_twice", {"value": item})
            if isinstance(item, str):
                seen.add(item)
        # One error per answer: the count is only meaningful once every element is a choice.
        if (
            not problems
            and question.max_selected is not None
            and len(value) > question.max_selected
        ):
            yield Issue(path, "max_selected", {"limit": question.max_selected})

    def incomplete(
        self, question: Question, value: Any, path: Path, required: bool
    ) -> Issue | None:
        if question.min_selected and len(value) < question.min_selected:
            return Issue(path, "min_selected", {"limit": question.min_selected})
        return None

    def export_columns(self, question: Question) -> tuple[str, ...]:
        return tuple(f"{question.id}/{value}" for value in question.choice_values)
