"""Table question types: `matrix` (a choice per row) and `grid` (a number per row and column)."""

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
from engine.types.choices import CHOICES_KEY

ROWS = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/row"}}


class Matrix(QuestionType):
    name = "matrix"
    value_kind = "object"
    has_choices = True
    keys = {"rows": ROWS, "choices": CHOICES_KEY}
    required_keys = ("rows", "choices")

    def value_schema(self, question: Question, options: SchemaOptions) -> dict[str, Any]:
        cell = {"type": "string", "enum": list(question.choice_values)}
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {row.id: cell for row in question.rows},
            "additionalProperties": False,
            "minProperties": 1,
        }
        if options.mode == "submit" and question.always_required:
            schema["required"] = [row.id for row in question.rows]
        return schema

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        if not isinstance(value, dict):
            yield not_an_answer(value, path) or Issue(path, "type_object")
            return
        if not value:
            yield Issue(path, "empty")
            return
        rows = {row.id for row in question.rows}
        for row in question.rows:
            if row.id in value:
                answer = value[row.id]
                row_path = (*path, row.id)
                if issue := not_an_answer(answer, row_path):
                    yield issue
                elif not isinstance(answer, str):
                    yield Issue(row_path, "type_choice")
                elif answer not in question.choice_values:
                    yield Issue(row_path, "choice", {"value": answer})
        for key in value:
            if key not in rows:
                yield Issue((*path, key), "unknown_row")

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
        row_schema: dict[str, Any] = {
            "type": "object",
            "properties": {column.id: cell for column in question.columns},
            "additionalProperties": False,
            "minProperties": 1,
        }
        complete = options.mode == "submit" and question.always_required
        if complete:
            row_schema = {**row_schema, "required": [column.id for column in question.columns]}
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {row.id: row_schema for row in question.rows},
            "additionalProperties": False,
            "minProperties": 1,
        }
        if complete:
            schema["required"] = [row.id for row in question.rows]
        return schema

    def check(self, question: Question, value: Any, path: Path, today: str) -> Iterator[Issue]:
        if not isinstance(value, dict):
            yield not_an_answer(value, path) or Issue(path, "type_object")
            return
        if not value:
            yield Issue(path, "empty")
            return
        rows = {row.id for row in question.rows}
        columns = {column.id for column in question.columns}
        whole = question.cell == "integer"
        for row in question.rows:
            if row.id not in value:
                continue
            cells = value[row.id]
            row_path = (*path, row.id)
            if not isinstance(cells, dict):
                yield not_an_answer(cells, row_path) or Issue(row_path, "type_object")
                continue
            if not cells:
                yield Issue(row_path, "empty")
                continue
            for column in question.columns:
                if column.id not in cells:
                    continue
                cell = cells[column.id]
                cell_path = (*row_path, column.id)
                if not (is_whole(cell) if whole else is_number(cell)):
                    yield not_an_answer(cell, cell_path) or Issue(
                        cell_path, "type_integer" if whole else "type_number"
                    )
                elif issue := check_bounds(cell, cell_path, question.min, question.max):
                    yield issue
            for key in cells:
                if key not in columns:
                    yield Issue((*row_path, key), "unknown_column")
        for key in value:
            if key not in rows:
                yield Issue((*path, key), "unknown_row")

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
