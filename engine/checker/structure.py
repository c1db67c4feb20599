"""Structure: the definition checked against the definition JSON Schema, errors made readable."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema
import jsonschema_rs

from engine.definition_schema import SLUG_PATTERN, definition_schema
from engine.model import PILLARS
from engine.problems import Problem, did_you_mean
from engine.types import REGISTRY
from engine.yaml_source import SourceDocument

_TYPE_NAMES = {
    "string": "a text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "nothing",
}


@cache
def _validators() -> tuple[Any, jsonschema.Draft202012Validator]:
    """A compiled validator for the common, valid case and jsonschema for the messages."""
    schema = definition_schema()
    return jsonschema_rs.validator_for(schema), jsonschema.Draft202012Validator(schema)


def check_structure(document: SourceDocument) -> list[Problem]:
    fast, detailed = _validators()
    if fast.is_valid(document.data):
        return []
    problems: dict[tuple[int, int, str], Problem] = {}
    for error in detailed.iter_errors(document.data):
        for problem in _explain(document, error):
            problems.setdefault((problem.line, problem.column, problem.message), problem)
    return sorted(problems.values())


def _found(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if value is None:
        return "nothing"
    for python_type, name in ((str, "string"), (int, "integer"), (float, "number")):
        if isinstance(value, python_type):
            return _TYPE_NAMES[name]
    return _TYPE_NAMES["array" if isinstance(value, list) else "object"]


def _what(path: tuple) -> str:
    """How to name the node at `path` in a message: its key, or 'item' in a list."""
    for part in reversed(path):
        if isinstance(part, str):
            return f"'{part}'"
    return "the definition"


def _explain(document: SourceDocument, error: jsonschema.ValidationError) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    instance = error.instance
    keyword = error.validator
    if keyword == "required":
        for key in error.validator_value:
            if isinstance(instance, dict) and key not in instance:
                yield document.problem(path, f"missing required key '{key}'")
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        allowed = error.schema.get("properties", {})
        for key in instance:
            if key not in allowed:
                yield document.problem(
                    (*path, key), _unknown_key(key, allowed, instance), at_key=True
                )
    elif keyword == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, str) else expected[0]
        yield document.problem(
            path, f"{_what(path)} must be {_TYPE_NAMES[expected]}, not {_found(instance)}"
        )
    elif keyword == "enum":
        yield document.problem(path, _not_one_of(path, instance, error.validator_value))
    elif keyword in ("pattern", "maxLength") and "propertyNames" in error.absolute_schema_path:
        # A mapping key is wrong (a language code, a choice list name): point at the key.
        key_path = (*path, instance)
        yield document.problem(
            key_path, _malformed(key_path, instance, error.validator_value), at_key=True
        )
    elif keyword == "pattern":
        yield document.problem(path, _malformed(path, instance, error.validator_value))
    elif keyword == "anyOf":
        yield from _any_of(document, error)
    elif keyword in ("minimum", "maximum"):
        if len(path) > 1 and path[-2] == "kyoto":
            message = f"Kyoto Declaration paragraph {instance} does not exist: use 1 to 99"
        elif keyword == "minimum":
            message = f"{_what(path)} must be at least {error.validator_value}"
        else:
            message = f"{_what(path)} must be at most {error.validator_value}"
        yield document.problem(path, message)
    elif keyword == "maxLength":
        limit = error.validator_value
        yield document.problem(
            path, f"{_what(path)} is {len(instance)} characters long; the limit is {limit}"
        )
    elif keyword == "minLength":
        yield document.problem(path, f"{_what(path)} must not be empty")
    elif keyword == "minItems":
        yield document.problem(path, f"{_what(path)} must list at least one entry")
    elif keyword == "minProperties":
        yield document.problem(path, f"{_what(path)} must not be empty")
    elif keyword == "uniqueItems":
        yield document.problem(path, f"{_what(path)} lists the same entry twice")
    else:
        yield document.problem(path, error.message)


def _unknown_key(key: str, allowed: dict[str, Any], instance: dict[str, Any]) -> str:
    question_type = instance.get("type")
    if "label" in allowed and isinstance(question_type, str) and question_type in REGISTRY:
        owners = [name for name, kind in REGISTRY.items() if key in kind.keys]
        if owners:
            return f"'{key}' is not a key of a '{question_type}' question (only of {', '.join(owners)})"
        return f"unknown key '{key}' in a '{question_type}' question{did_you_mean(key, allowed)}"
    return f"unknown key '{key}'{did_you_mean(key, allowed)}"


def _not_one_of(path: tuple, value: Any, allowed: list[Any]) -> str:
    key = path[-1] if path else None
    shown = repr(value) if not isinstance(value, str) else f"'{value}'"
    if key == "type":
        return f"unknown question type {shown}{did_you_mean(str(value), allowed)}"
    if key == "pillar":
        return (
            f"unknown pillar {shown}{did_you_mean(str(value), allowed)}; "
            f"the pillars are {', '.join(PILLARS)}"
        )
    suggestion = did_you_mean(str(value), [str(a) for a in allowed])
    options = ", ".join(str(a) for a in allowed)
    return f"{shown} is not allowed for {_what(path)}{suggestion}; use one of: {options}"


def _malformed(path: tuple, value: str, pattern: str) -> str:
    key = path[-1] if path else None
    if pattern == SLUG_PATTERN:
        return (
            f"malformed questionnaire id '{value}': use lowercase letters, digits and '-' "
            "(a slug such as 'kyoto-core')"
        )
    if key in ("min", "max"):
        return f"'{value}' is not a date: write YYYY-MM-DD or today"
    if pattern == "^[a-z]{2}$":
        return f"'{value}' is not a two-letter ISO 639-1 language code"
    if key == "id" and ("rows" in path or "columns" in path):
        return (
            f"malformed row or column id '{value}': use letters, digits, '_' and '-', "
            "starting with a letter or digit"
        )
    return f"malformed id '{value}': use lowercase letters, digits and '_', starting with a letter"


def _any_of(document: SourceDocument, error: jsonschema.ValidationError) -> Iterator[Problem]:
    """Explain the branch meant for the value's type; else say which types are accepted."""
    deeper = [
        e for e in error.context if e.validator != "type" or e.absolute_path != error.absolute_path
    ]
    if deeper:
        for sub in deeper:
            yield from _explain(document, sub)
        return
    path = tuple(error.absolute_path)
    if path and path[-1] == "required":
        yield document.problem(path, "'required' must be true, false or an expression")
    elif path and path[-1] == "choices":
        yield document.problem(path, "'choices' must name a shared choice list or list choices")
    else:
        yield document.problem(
            path, f"{_what(path)} must be a text, or a mapping of language codes to texts"
        )
