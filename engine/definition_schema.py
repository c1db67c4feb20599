"""The JSON Schema of the YAML definition format, built from the question type registry.

Editors use it to autocomplete (`kyoto definition-schema`); the checker uses it for structure,
so typos in keys are caught everywhere (`additionalProperties: false`).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from engine.model import AGGREGATES, ORGANISATION_KINDS, PERIODS, PILLARS
from engine.types import REGISTRY

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ROW_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
MAX_ID_LENGTH = 64

COMMON_QUESTION_KEYS: dict[str, Any] = {
    "id": {"$ref": "#/$defs/id"},
    "type": {"enum": list(REGISTRY)},
    "label": {"$ref": "#/$defs/text"},
    "hint": {"$ref": "#/$defs/text"},
    "required": {"anyOf": [{"type": "boolean"}, {"$ref": "#/$defs/expression"}]},
    "when": {"$ref": "#/$defs/expression"},
    "constraint": {"$ref": "#/$defs/expression"},
    "constraint_message": {"$ref": "#/$defs/text"},
    "severity": {"enum": ["error", "warning"]},
    "default": {},
    "kyoto": {"$ref": "#/$defs/kyoto"},
    "indicator": {"type": "string", "minLength": 1},
    "renamed_from": {"$ref": "#/$defs/id"},
}
TEXT_KEYS = frozenset({"title", "description", "label", "hint", "constraint_message"})
"""Keys whose value is shown to respondents and may be translated."""
EXPRESSION_KEYS = ("when", "required", "constraint", "expression")


def question_schema(type_name: str) -> dict[str, Any]:
    """The full schema of a question of one type: common keys plus the type's own."""
    kind = REGISTRY[type_name]
    return {
        "type": "object",
        "required": ["id", "type", "label", *kind.required_keys],
        "properties": {**COMMON_QUESTION_KEYS, **kind.keys},
        "additionalProperties": False,
    }


@cache
def definition_schema() -> dict[str, Any]:
    text = {
        "anyOf": [
            {"type": "string", "minLength": 1},
            {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": "^[a-z]{2}$"},
                "additionalProperties": {"type": "string", "minLength": 1},
            },
        ]
    }
    question = {
        "type": "object",
        "required": ["id", "type", "label"],
        "properties": {"type": COMMON_QUESTION_KEYS["type"]},
        "allOf": [
            {
                "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
                "then": question_schema(name),
            }
            for name in REGISTRY
        ],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:kyoto-questionnaires:definition",
        "title": "Kyoto questionnaire definition",
        "description": "One questionnaire version, as written in YAML under questionnaires/.",
        "type": "object",
        "required": ["id", "version", "title", "sections"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": SLUG_PATTERN, "maxLength": MAX_ID_LENGTH},
            "version": {"type": "integer", "minimum": 1},
            "title": {"$ref": "#/$defs/text"},
            "description": {"$ref": "#/$defs/text"},
            "languages": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"type": "string", "pattern": "^[a-z]{2}$"},
            },
            "period": {"enum": list(PERIODS)},
            "audience": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"enum": list(ORGANISATION_KINDS)},
            },
            "choices": {
                "type": "object",
                "propertyNames": {"$ref": "#/$defs/id"},
                "additionalProperties": {"$ref": "#/$defs/choice_list"},
            },
            "sections": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/section"}},
            "indicators": {"type": "array", "items": {"$ref": "#/$defs/indicator"}},
        },
        "$defs": {
            "id": {"type": "string", "pattern": ID_PATTERN, "maxLength": MAX_ID_LENGTH},
            "text": text,
            "expression": {"type": "string", "minLength": 1},
            "kyoto": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1, "maximum": 99},
            },
            "pillar": {"enum": list(PILLARS)},
            "choice": {
                "type": "object",
                "required": ["value", "label"],
                "additionalProperties": False,
                "properties": {
                    "value": {"type": "string", "minLength": 1, "maxLength": 200},
                    "label": {"$ref": "#/$defs/text"},
                },
            },
            "choice_list": {"type": "array", "items": {"$ref": "#/$defs/choice"}},
            "row": {
                "type": "object",
                "required": ["id", "label"],
                "additionalProperties": False,
                "properties": {
                    "id": {
                        "type": "string",
                        "pattern": ROW_ID_PATTERN,
                        "maxLength": MAX_ID_LENGTH,
                    },
                    "label": {"$ref": "#/$defs/text"},
                },
            },
            "question": question,
            "section": {
                "type": "object",
                "required": ["id", "pillar", "title", "questions"],
                "additionalProperties": False,
                "properties": {
                    "id": {"$ref": "#/$defs/id"},
                    "pillar": {"$ref": "#/$defs/pillar"},
                    "title": {"$ref": "#/$defs/text"},
                    "description": {"$ref": "#/$defs/text"},
                    "kyoto": {"$ref": "#/$defs/kyoto"},
                    "questions": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"$ref": "#/$defs/question"},
                    },
                },
            },
            "indicator": {
                "type": "object",
                "required": ["id", "pillar", "label", "aggregate", "of"],
                "additionalProperties": False,
                "properties": {
                    "id": {"$ref": "#/$defs/id"},
                    "pillar": {"$ref": "#/$defs/pillar"},
                    "label": {"$ref": "#/$defs/text"},
                    "aggregate": {"enum": list(AGGREGATES)},
                    "of": {"$ref": "#/$defs/expression"},
                    "kyoto": {"$ref": "#/$defs/kyoto"},
                },
            },
        },
    }
