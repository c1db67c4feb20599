"""Structure: the definition checked against the definition JSON Schema, errors made readable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema
import jsonschema_rs

from engine.definition_schema import SLUG_PATTERN, definition_schema
from engine.model import PILLARS
from engine.problems import Problem, closest, did_you_mean
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


@cache
def _part_validators(name: str) -> tuple[Any, jsonschema.Draft202012Validator]:
    """The same pair for one part of the format (`question`, `choice_list`, ...)."""
    schema = definition_schema()
    part = {"$schema": schema["$schema"], "$ref": f"#/$defs/{name}", "$defs": schema["$defs"]}
    return jsonschema_rs.validator_for(part), jsonschema.Draft202012Validator(part)


def is_valid(part: str, data: Any) -> bool:
    """Whether `data` has the structure of that part: meaning checks that need it ask first."""
    return bool(_part_validators(part)[0].is_valid(data))


_VALID_QUESTION = {"id": "q", "type": "note", "label": "q"}


def _errors(data: Any) -> list[jsonschema.ValidationError]:
    """Every structure error, with jsonschema (slow, but it explains) only where they are.

    Questions are validated one by one, and only those the compiled validator finds wrong are
    read by jsonschema; the rest of the definition is read with each list of questions cut to
    one valid stand-in (a question's validity does not depend on its neighbours).
    """
    _, detailed = _validators()
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        return list(detailed.iter_errors(data))
    fast_question, detailed_question = _part_validators("question")
    errors: list[jsonschema.ValidationError] = []
    sections: list[Any] = []
    for s_index, section in enumerate(data["sections"]):
        questions = section.get("questions") if isinstance(section, dict) else None
        if isinstance(questions, list) and questions:
            for q_index, question in enumerate(questions):
                if fast_question.is_valid(question):
                    continue
                for error in detailed_question.iter_errors(question):
                    error.path.extendleft(reversed(("sections", s_index, "questions", q_index)))
                    errors.append(error)
            section = {**section, "questions": [_VALID_QUESTION]}
        sections.append(section)
    errors += detailed.iter_errors({**data, "sections": sections})
    return errors


def check_structure(document: SourceDocument) -> list[Problem]:
    fast, _ = _validators()
    if fast.is_valid(document.data):
        return []
    errors = _errors(document.data)
    typos = _typos(errors)
    problems: dict[tuple[int, int, str], Problem] = {}
    for error in errors:
        for problem in _explain(document, error, typos):
            problems.setdefault((problem.line, problem.column, problem.message), problem)
    return sorted(problems.values())


def _typos(errors: list[jsonschema.ValidationError]) -> set[tuple[tuple, str]]:
    """(mapping path, missing key) for each unknown key that is a typo of a missing key.

    `lable: X` is one mistake: it is reported as an unknown key with "did you mean 'label'",
    not a second time as a missing 'label'.
    """
    typos: set[tuple[tuple, str]] = set()
    for error in _flatten(errors):
        instance = error.instance
        if error.validator != "additionalProperties" or not isinstance(instance, dict):
            continue
        allowed = error.schema.get("properties", {})
        for key in instance:
            if key not in allowed:
                meant = closest(key, allowed)
                if meant and meant not in instance:
                    typos.add((tuple(error.absolute_path), meant))
    return typos


def _flatten(errors: list[jsonschema.ValidationError]) -> Iterator[jsonschema.ValidationError]:
    for error in errors:
        yield error
        yield from _flatten(list(error.context or ()))


def _found(value: Any) -> str:
    """The value an author wrote, shown back in a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "an empty value"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the text '{shown}'"
    if isinstance(value, int | float):
        return repr(value)
    return _TYPE_NAMES["array" if isinstance(value, list) else "object"]


def _what(path: tuple) -> str:
    """How to name the node at `path` in a message: its key, or an entry of a list."""
    for index, part in enumerate(reversed(path)):
        if isinstance(part, str):
            return f"'{part}'" if index == 0 else f"an entry of '{part}'"
    return "the definition"


def _explain(
    document: SourceDocument, error: jsonschema.ValidationError, typos: set[tuple[tuple, str]]
) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    instance = error.instance
    keyword = error.validator
    if keyword == "required":
        for key in error.validator_value:
            if isinstance(instance, dict) and key not in instance and (path, key) not in typos:
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
        message = f"{_what(path)} must be {_TYPE_NAMES[expected]}, not {_found(instance)}"
        if (
            expected == "array"
            and isinstance(instance, int | str)
            and not isinstance(instance, bool)
        ):
            message += f": write [{instance}]"
        yield document.problem(path, message)
    elif keyword == "enum":
        yield document.problem(path, _not_one_of(path, instance, error.validator_value))
    elif keyword in ("pattern", "maxLength") and "propertyNames" in error.absolute_schema_path:
        # A mapping key is wrong (a language code, a choice list name): point at the key.
        key_path = (*path, instance)
        yield document.problem(
            key_path, _malformed(key_path, instance, error.validator_value), at_key=True
        )
    elif keyword in ("pattern", "maxLength") and path and path[-1] == "choices":
        return  # a list name that cannot exist: reported as an unknown list, with a suggestion
    elif keyword == "pattern":
        yield document.problem(path, _malformed(path, instance, error.validator_value))
    elif keyword == "anyOf":
        yield from _any_of(document, error, typos)
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
        yield _twice(document, path, instance)
    else:
        yield document.problem(path, error.message)


def _unknown_key(key: str, allowed: dict[str, Any], instance: dict[str, Any]) -> str:
    question_type = instance.get("type")
    if "label" in allowed and isinstance(question_type, str) and question_type in REGISTRY:
        owners = [name for name, kind in REGISTRY.items() if key in kind.keys]
        if owners:
            return f"'{key}' does not apply to type '{question_type}' (only to {', '.join(owners)})"
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
        if re.fullmatch("[A-Za-z]{2}", value):
            return f"'{value}' is not an ISO 639-1 language code: write it in lowercase, '{value.lower()}'"
        return f"'{value}' is not a two-letter ISO 639-1 language code"
    if key == "id" and ("rows" in path or "columns" in path):
        return (
            f"malformed row or column id '{value}': use letters, digits, '_' and '-', "
            "starting with a letter or digit"
        )
    return f"malformed id '{value}': use lowercase letters, digits and '_', starting with a letter"


def _twice(document: SourceDocument, path: tuple, items: list[Any]) -> Problem:
    """Point at the second occurrence of the first entry listed twice."""
    seen: list[tuple[type, Any]] = []  # with the type: 1 and true are different entries
    for index, item in enumerate(items):
        if (type(item), item) in seen:
            shown = f"'{item}'" if isinstance(item, str) else "the same entry"
            return document.problem((*path, index), f"{_what(path)} lists {shown} twice")
        seen.append((type(item), item))
    return document.problem(path, f"{_what(path)} lists the same entry twice")


def _any_of(
    document: SourceDocument, error: jsonschema.ValidationError, typos: set[tuple[tuple, str]]
) -> Iterator[Problem]:
    """Explain the branch meant for the value's type; else say which types are accepted."""
    deeper = [
        e for e in error.context if e.validator != "type" or e.absolute_path != error.absolute_path
    ]
    if deeper:
        for sub in deeper:
            yield from _explain(document, sub, typos)
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
