"""Definition -> response JSON Schema (draft 2020-12), one per mode.

The schema is the contract for clients (`kyoto schema`, `/api/.../schema`) and, compiled with
jsonschema-rs, the engine's fast path. Rules it cannot say are listed by `engine.validation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.conditions import condition_schema
from engine.model import Question, Questionnaire
from engine.types import Mode, SchemaOptions
from engine.types.base import text_schema

DIALECT = "https://json-schema.org/draft/2020-12/schema"
OTHER_MAX_LENGTH = 500


def schema_id(questionnaire: Questionnaire, mode: Mode = "submit") -> str:
    suffix = "" if mode == "submit" else "/draft"
    return f"urn:kyoto-questionnaires:{questionnaire.id}:{questionnaire.version}:response{suffix}"


def compile_schema(
    questionnaire: Questionnaire, mode: Mode = "submit", lang: str | None = None
) -> dict[str, Any]:
    """The response schema of `questionnaire`; `draft` leaves out what waits for submission."""
    options = SchemaOptions(mode=mode, lang=lang or questionnaire.default_language)
    body = _object_schema(questionnaire, questionnaire.questions, options)
    description = questionnaire.text(questionnaire.description, options.lang)
    header: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": schema_id(questionnaire, mode),
        "title": questionnaire.text(questionnaire.title, options.lang),
    }
    if description:
        header["description"] = description
    header["x-questionnaire"] = {"id": questionnaire.id, "version": questionnaire.version}
    return {**header, **body}


def _object_schema(
    questionnaire: Questionnaire, questions: Iterable[Question], options: SchemaOptions
) -> dict[str, Any]:
    """The object holding `questions` (the response itself, or one repeat item)."""
    questions = [q for q in questions if q.takes_answer]
    scope = {q.id: q for q in questions}
    properties: dict[str, Any] = {}
    required: list[str] = []
    rules: list[dict[str, Any]] = []
    for question in questions:
        properties[question.id] = _property(questionnaire, question, options)
        if question.other:
            properties[question.other_key] = {
                "title": f"{questionnaire.text(question.label, options.lang)} (other)",
                **text_schema(max_length=OTHER_MAX_LENGTH),
            }
            rules.append(_other_rule(question, options.mode))
        rules += _visibility_rules(question, scope, options.mode)
        if options.mode == "submit" and question.required is True and question.when is None:
            required.append(question.id)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    if rules:
        schema["allOf"] = rules
    return schema


def _property(
    questionnaire: Questionnaire, question: Question, options: SchemaOptions
) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": questionnaire.text(question.label, options.lang)}
    hint = questionnaire.text(question.hint, options.lang)
    if hint:
        schema["description"] = hint
    schema.update(question.kind.value_schema(question, options))
    if question.type == "repeat":
        schema["items"] = _object_schema(questionnaire, question.questions, options)
    return schema


def _other_rule(question: Question, mode: Mode) -> dict[str, Any]:
    """`<id>_other` is required while 'other' is chosen (at submission) and forbidden otherwise."""
    rule: dict[str, Any] = {
        "if": {"required": [question.id], "properties": {question.id: {"const": "other"}}}
    }
    if mode == "submit":
        rule["then"] = {"required": [question.other_key]}
    rule["else"] = {"not": {"required": [question.other_key]}}
    return rule


def _visibility_rules(
    question: Question, scope: Mapping[str, Question], mode: Mode
) -> list[dict[str, Any]]:
    """Hidden answers must be absent; conditionally required ones present (at submission)."""
    shown = condition_schema(question.when.tree, scope) if question.when else None
    required = mode == "submit" and question.required is True
    if shown is not None:
        rule: dict[str, Any] = {"if": shown}
        if required:
            rule["then"] = {"required": [question.id]}
        rule["else"] = {"not": {"required": [question.id]}}
        rules = [rule]
    else:
        rules = []
    if mode != "submit" or isinstance(question.required, bool):
        return rules
    needed = condition_schema(question.required.tree, scope)
    if needed is not None and (question.when is None or shown is not None):
        condition = needed if shown is None else {"allOf": [shown, needed]}
        rules.append({"if": condition, "then": {"required": [question.id]}})
    return rules


def translated_conditions(question: Question, scope: Mapping[str, Question]) -> tuple[bool, bool]:
    """Whether the schema carries this question's `when` and `required` rules."""
    when_done = question.when is None or condition_schema(question.when.tree, scope) is not None
    if isinstance(question.required, bool):
        return when_done, when_done
    required_done = when_done and condition_schema(question.required.tree, scope) is not None
    return when_done, required_done
