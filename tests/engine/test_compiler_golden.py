"""Golden response schemas of the sample questionnaires (`kyoto schema`), submit and draft.

A change in the compiler shows up as a diff of `tests/golden/*.schema.json`; after checking the
diff is intended, rewrite the files with `UPDATE_GOLDEN=1 pytest tests/engine/test_compiler_golden.py`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from engine.checker import check_file
from engine.compiler import compile_schema
from engine.types import Mode
from webapp.cli import cli

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = sorted((ROOT / "questionnaires").glob("*.yaml"))
GOLDEN = ROOT / "tests" / "golden"
MODES: tuple[Mode, ...] = ("submit", "draft")


def _golden_path(definition: Path, mode: Mode) -> Path:
    suffix = ".schema.json" if mode == "submit" else ".draft.schema.json"
    return GOLDEN / f"{definition.stem}{suffix}"


def _dump(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _compiled(definition: Path, mode: Mode) -> dict[str, Any]:
    result = check_file(definition)
    assert result.questionnaire is not None, [str(p) for p in result.problems]
    return compile_schema(result.questionnaire, mode)


def _subschemas(schema: Any) -> Iterator[dict[str, Any]]:
    """Every schema inside `schema` (keyword values that hold schemas), itself included."""
    if not isinstance(schema, dict):
        return
    yield schema
    for key in ("items", "not", "if", "then", "else", "contains", "additionalProperties"):
        if key in schema:
            yield from _subschemas(schema[key])
    for key in ("properties", "$defs", "patternProperties"):
        for value in schema.get(key, {}).values():
            yield from _subschemas(value)
    for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
        for value in schema.get(key, []):
            yield from _subschemas(value)


CASES = [(definition, mode) for definition in QUESTIONNAIRES for mode in MODES]


def test_every_questionnaire_has_golden_files() -> None:
    assert len(QUESTIONNAIRES) >= 3
    expected = {_golden_path(d, m).name for d, m in CASES}
    present = {path.name for path in GOLDEN.glob("*.schema.json")}
    assert present == expected, "a golden file per questionnaire and mode, and no stale ones"


@pytest.mark.parametrize(("definition", "mode"), CASES, ids=[f"{d.stem}-{m}" for d, m in CASES])
def test_golden_schema(definition: Path, mode: Mode) -> None:
    text = _dump(_compiled(definition, mode))
    golden = _golden_path(definition, mode)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(("definition", "mode"), CASES, ids=[f"{d.stem}-{m}" for d, m in CASES])
def test_golden_schema_is_valid_draft_2020_12(definition: Path, mode: Mode) -> None:
    schema = json.loads(_golden_path(definition, mode).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    objects = [s for s in _subschemas(schema) if s.get("type") == "object"]
    assert objects
    for sub in objects:
        assert sub.get("additionalProperties") is False, sub.get("title", sub)
    # Titles from labels on every answer property.
    for name, prop in schema["properties"].items():
        assert prop.get("title"), name


def test_cli_schema_prints_the_golden_schema() -> None:
    definition = ROOT / "questionnaires" / "judicial-integrity.yaml"
    for mode in MODES:
        args = ["schema", str(definition)] + (["--draft"] if mode == "draft" else [])
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == json.loads(
            _golden_path(definition, mode).read_text(encoding="utf-8")
        )


def _asserted(schema: Any) -> Iterator[dict[str, Any]]:
    """Subschemas that must hold for an instance to be valid (not under `if` or `not`)."""
    if not isinstance(schema, dict):
        return
    yield schema
    for key in ("items", "then", "else", "contains", "additionalProperties"):
        if key in schema:
            yield from _asserted(schema[key])
    for value in schema.get("properties", {}).values():
        yield from _asserted(value)
    for value in schema.get("allOf", []):
        yield from _asserted(value)


@pytest.mark.parametrize("definition", QUESTIONNAIRES, ids=[d.stem for d in QUESTIONNAIRES])
def test_draft_schema_leaves_out_what_waits_for_submission(definition: Path) -> None:
    """`required`, `min_items` and `min_selected` wait for submission (SPEC §8)."""
    draft = _compiled(definition, "draft")
    for sub in _asserted(draft):
        assert "required" not in sub, sub
        assert sub.get("minItems", 1) == 1, sub
    submit = _compiled(definition, "submit")
    assert any("required" in sub for sub in _asserted(submit))
