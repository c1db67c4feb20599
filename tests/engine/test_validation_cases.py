"""Response cases: `tests/cases/responses/<case>/definition.yaml` and one JSON file per response.

Each response file carries its expectations (add a case by adding a file):

    {"mode": "submit" | "draft", "lang": "en",
     "answers": {...}            the answers, or
     "response": ...             the whole document `kyoto validate` reads (an envelope, a list...),
     "expect": ["/path: message", ...],        errors, in order ([] = valid)
     "warnings": ["/path: message", ...],      optional
     "stored": {...},                          optional: the answers as stored when valid
     "cli": ["{response}:1:11: error: ..."]}   optional: what `kyoto validate` prints instead,
                                               when the file is not even strict JSON (NaN)

Every file runs through `Validator.validate` and through `kyoto validate` (with `--draft` in draft
mode); both must print exactly the expected lines and the CLI must exit 1 on any error.
`{today}` in an expected line is the server's date (UTC).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from engine.checker import check_file
from engine.expressions.clock import today
from engine.model import Questionnaire
from engine.validation import Validator, split_envelope
from webapp.cli import cli

CASES = Path(__file__).resolve().parents[1] / "cases" / "responses"
KNOWN_KEYS = {"about", "mode", "lang", "answers", "response", "expect", "warnings", "stored", "cli"}


def _response_files() -> list[Path]:
    return sorted(CASES.glob("*/*.json"))


def _load_case(path: Path) -> dict[str, Any]:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert set(case) <= KNOWN_KEYS, f"{path.name}: unknown keys {set(case) - KNOWN_KEYS}"
    assert case["mode"] in ("submit", "draft")
    assert ("answers" in case) != ("response" in case), "give `answers` or `response`"
    return case


_MODELS: dict[Path, Questionnaire] = {}


def _questionnaire(folder: Path) -> Questionnaire:
    if folder not in _MODELS:
        result = check_file(folder / "definition.yaml")
        assert result.questionnaire is not None, [str(p) for p in result.problems]
        _MODELS[folder] = result.questionnaire
    return _MODELS[folder]


def _lines(lines: list[str]) -> list[str]:
    return [line.replace("{today}", today()) for line in lines]


def _document(case: dict[str, Any]) -> Any:
    return case["response"] if "response" in case else case["answers"]


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


FILES = _response_files()


def test_case_folders_exist() -> None:
    folders = {path.parent.name for path in FILES}
    assert {"types", "required", "rules"} <= folders
    for folder in folders:
        assert (CASES / folder / "definition.yaml").is_file()


def test_definitions_check_cleanly() -> None:
    for folder in sorted({path.parent for path in FILES}):
        result = check_file(folder / "definition.yaml")
        assert result.problems == [], [str(p) for p in result.problems]


@pytest.mark.parametrize("path", FILES, ids=_case_id)
def test_validator(path: Path) -> None:
    case = _load_case(path)
    questionnaire = _questionnaire(path.parent)
    answers, justifications = split_envelope(_document(case), questionnaire)
    result = Validator(questionnaire).validate(answers, case["mode"], case["lang"], justifications)
    errors = [f"{e.path or '/'}: {e.message}" for e in result.errors]
    warnings = [f"{w.path}: {w.message}" for w in result.warnings]
    assert errors == _lines(case["expect"])
    assert warnings == _lines(case.get("warnings", []))
    assert all(e.severity == "error" for e in result.errors)
    assert all(w.severity == "warning" for w in result.warnings)
    if "stored" in case:
        assert result.answers == case["stored"]
        assert json.dumps(result.answers, sort_keys=True) == json.dumps(
            case["stored"], sort_keys=True
        ), "stored values keep their JSON types (2350, not 2350.0)"
    if not errors:
        assert result.valid
    # The API shape: path, question, message (and severity only for warnings).
    for error in result.errors:
        assert set(error.as_dict()) == {"path", "question", "message"}
    for warning in result.warnings:
        assert warning.as_dict()["severity"] == "warning"


@pytest.mark.parametrize("path", FILES, ids=_case_id)
def test_cli(path: Path, tmp_path: Path) -> None:
    case = _load_case(path)
    response = tmp_path / "response.json"
    response.write_text(json.dumps(_document(case), ensure_ascii=False), encoding="utf-8")
    args = ["validate", str(path.parent / "definition.yaml"), str(response), "--lang", case["lang"]]
    if case["mode"] == "draft":
        args.append("--draft")
    result = CliRunner().invoke(cli, args)
    expected = _lines(case["expect"]) + [
        line.replace(": ", ": warning: ", 1) for line in _lines(case.get("warnings", []))
    ]
    if "cli" in case:
        expected = [line.replace("{response}", str(response)) for line in case["cli"]]
    assert result.stdout.splitlines() == expected
    assert result.exit_code == (1 if case["expect"] else 0), result.output


def test_validator_path_and_question_of_errors() -> None:
    """`question` names the question an error is about: a member inside a repeat."""
    questionnaire = _questionnaire(CASES / "types")
    result = Validator(questionnaire).validate(
        {"pick": "other", "programmes": [{"budget_usd": "x"}], "zzz": 1}
    )
    assert [(e.path, e.question) for e in result.errors] == [
        ("/pick_other", "pick"),
        ("/programmes/0/programme_name", "programme_name"),
        ("/programmes/0/budget_usd", "budget_usd"),
        ("/zzz", "zzz"),
    ]


REDOS_DEFINITION = """
id: redos
version: 1
title: Catastrophic patterns
sections:
  - id: s
    pillar: rule_of_law
    title: S
    questions:
      - {id: alternation, type: text, pattern: '(a|a)*b', label: A}
      - {id: overlapping, type: text, pattern: '(?:a|aa)+c', label: B}
      - {id: nested, type: text, pattern: '(x+x+)+y', label: C}
"""


@pytest.mark.parametrize("mode", ["draft", "submit"])
def test_catastrophic_patterns_stay_linear(mode: str) -> None:
    """RELIABILITY C10: an author pattern that backtracks exponentially elsewhere is matched in
    linear time, on the fast path (jsonschema-rs) as on the full path (RE2)."""
    import time

    from engine.checker import check_source

    result = check_source(REDOS_DEFINITION)
    assert result.questionnaire is not None, [str(p) for p in result.problems]
    validator = Validator(result.questionnaire)
    attacks = {"alternation": "a" * 40 + "!", "overlapping": "a" * 40 + "!", "nested": "x" * 40}
    for key, attack in attacks.items():
        started = time.perf_counter()
        checked = validator.validate({key: attack}, mode)  # type: ignore[arg-type]
        assert time.perf_counter() - started < 0.1, key
        assert [e.path for e in checked.errors] == [f"/{key}"]
    valid = {
        "alternation": "a" * 40 + "b",
        "overlapping": "a" * 41 + "c",
        "nested": "xx" * 20 + "y",
    }
    started = time.perf_counter()
    assert validator.validate(valid, mode).valid  # type: ignore[arg-type]
    assert validator._fast[mode].is_valid(valid)
    assert time.perf_counter() - started < 0.1
