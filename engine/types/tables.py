"""Table question types: `matrix` (a choice per row) and `grid` (a number per row and column)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
from engine.types.choices import CHOICES_KEY

ROWS = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/row"}}


def keyed_schema(keys: list[str], entry: dict[str, Any], complete: bool) -> dict[str, Any]:
    """An object keyed by row (or column) ids: never empty, no other key, all keys if complete."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": dict.fromkeys(keys, entry),
        "additionalProperties": False,
        "minProperties": 1,
    }
    if complete:
        schema["required"] = list(keys)
    return schema


def check_keyed(
    value: Any,
    path: Path,
    keys: list[str],
    check_entry: Callable[[Any, Path], Iterator[Issue]],
    unknown: str,
) -> Iterator[Issue]:
    """The checks `keyed_schema` makes, each entry by `check_entry`, in the keys' order."""
    if not isinstance(value, dict):
        yield not_an_answer(value, path) or Issue(path, "type_object")
        return
    if not value:
        yield Issue(path, "empty")
        return
    for key in keys:
        if key in value:
            yield from check_entry(value[key], (*path, key))
    for key in value:
        if key not in keys:
            yield Issue((*path, key), unknown)


class Matrix(QuestionType):
    name = "matrix"
    value_kind = "object"
    has_choices = True
    keys = {"rows": ROWS, "choices": CHOICES_KEY}
    required_keys = ("rows", "choices")

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        cell = {"type": "string", "enum": list(question.choice_values)}
        complete = options.mode == "submit" and question.always_required
        return keyed_schema([row.id for row in question.rows], cell, complete)

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        def choice(answer: Any, row_path: Path) -> Iterator[Issue]:
            if issue := not_an_answer(answer, row_path):
                yield issue
            elif not isinstance(answer, str):
                yield Issue(row_path, "type_choice")
            elif answer not in question.choice_values:
                yield Issue(row_path, "choice", {"value": answer})

        yield from check_keyed(value, path, [r.id for r in question.rows], choice, "unknown_row")

    def incomplete(
        self, question: Question, value: Any, path: Path, required: bool
    ) -> Issue | None:
        if not required:
            return None  # a matrix may be partial unless required (SPEC §8)
        missing = [row.id for row in question.rows if row.id not in value]
        return Issue(path, "missing_rows", {"missing": missing}) if missing else None

    def export_columns(self, question: Question) -> tuple[str, ...]:
        return tuple(f"{question.id}/{row.id}" for row in question.rows)


class Grid(QuestionType):
    name = "grid"
    value_kind = "object"
    keys = {
        "rows": ROWS,
        "columns": ROWS,
        "cell": {"enum": ["integer", "decimal"]},
        "min": {"type": "number"},
        "max": {"type": "number"},
    }
    required_keys = ("rows", "columns")
    bounds_kind = "number"

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        number = "integer" if question.cell == "integer" else "number"
        cell = {"type": number, **bounds_schema(question)}
        complete = options.mode == "submit" and question.always_required
        row = keyed_schema([column.id for column in question.columns], cell, complete)
        return keyed_schema([row.id for row in question.rows], row, complete)

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        whole = question.cell == "integer"
        columns = [column.id for column in question.columns]

        def number(cell: Any, cell_path: Path) -> Iterator[Issue]:
            if not (is_whole(cell) if whole else is_number(cell)):
                yield not_an_answer(cell, cell_path) or Issue(
                    cell_path, "type_integer" if whole else "type_number"
                )
            elif issue := check_bounds(cell, cell_path, question.min, question.max):
                yield issue

        def row(cells: Any, row_path: Path) -> Iterator[Issue]:
            yield from check_keyed(cells, row_path, columns, number, "unknown_column")

        yield from check_keyed(value, path, [r.id for r in question.rows], row, "unknown_row")

    def incomplete(
        self, question: Question, value: Any, path: Path, required: bool
    ) -> Issue | None:
        if not required:
            return None  # a grid may be partial unless required (SPEC §8)
        missing = [
            f"{row.id}/{column.id}"
            for row in question.rows
            for column in question.columns
            if column.id not in value.get(row.id, {})
        ]
        return Issue(path, "missing_cells", {"missing": missing}) if missing else None

    def normalise(self, question: Question, value: Any) -> Any:
        if question.cell != "integer":
            return value
        return {
            row: {col: int(cell) for col, cell in cells.items()} for row, cells in value.items()
        }

    def export_columns(self, question: Question) -> tuple[str, ...]:
        return tuple(
            f"{question.id}/{row.id}/{column.id}"
            for row in question.rows
            for column in question.columns
        )
