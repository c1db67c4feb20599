"""Read values as written where a string is expected (SPEC §8: `value: 012` is the string "012").

The loader resolves plain scalars to numbers and booleans; in places that take a string, the
author's text is what they meant, so it is put back before the structure is checked.
"""

from __future__ import annotations

from typing import Any

from engine.definition_schema import EXPRESSION_KEYS, TEXT_KEYS
from engine.yaml_source import Path, SourceDocument

_STRING_KEYS = frozenset({"id", "pattern", "renamed_from", "indicator", "of", *EXPRESSION_KEYS})
_STRING_ANSWER_TYPES = frozenset(
    {"text", "textarea", "email", "url", "date", "single_choice", "multiple_choice"}
)


def coerce_strings(document: SourceDocument) -> None:
    """Rewrite, in place, scalars in string places to the text the author wrote."""
    _walk(document, document.data, ())


def _as_written(document: SourceDocument, path: Path, value: Any) -> Any:
    """The source text of a plain scalar resolved to a number or boolean, else the value."""
    if isinstance(value, bool | int | float):
        scalar = document.scalars.get(path)
        if scalar is not None:
            return scalar.text
    return value


def _walk(document: SourceDocument, node: Any, path: Path) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _walk(document, item, (*path, index))
        return
    if not isinstance(node, dict):
        return
    question_type = node.get("type") if isinstance(node.get("type"), str) else None
    for key, value in node.items():
        child: Path = (*path, key)
        if key in TEXT_KEYS:
            if isinstance(value, dict):
                for lang in value:
                    value[lang] = _as_written(document, (*child, lang), value[lang])
            else:
                node[key] = _as_written(document, child, value)
        elif key == "required" and isinstance(value, bool):
            continue
        elif (
            key in _STRING_KEYS
            or (key == "value" and _in_choice_list(path))
            or (key in ("min", "max") and question_type == "date")
        ):
            node[key] = _as_written(document, child, value)
        elif key == "default" and question_type in _STRING_ANSWER_TYPES:
            if isinstance(value, list):
                node[key] = [_as_written(document, (*child, i), v) for i, v in enumerate(value)]
            else:
                node[key] = _as_written(document, child, value)
        elif key == "choices" and not isinstance(value, list | dict):
            node[key] = _as_written(document, child, value)
        else:
            _walk(document, value, child)


def _in_choice_list(path: Path) -> bool:
    """True for `choices: {name: [ {value: ...} ]}` and inline `choices: [ {value: ...} ]`."""
    return len(path) >= 2 and isinstance(path[-1], int) and "choices" in path[-3:-1]
