"""`kyoto check` beyond single cases: rules across files, folders, the model, hostile input, the CLI.

Single-file messages are pinned by the case folder (test_checker_cases.py); this file covers what
a case file cannot: several files in one run, what the API returns and raises, and the command.
"""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from engine.checker import (
    CheckResult,
    DefinitionError,
    check_file,
    check_paths,
    check_source,
    definition_files,
    load_questionnaire,
)
from engine.checker.versions import check_versions
from engine.yaml_source import MAX_BYTES, MAX_DEPTH
from webapp.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "questionnaires"
CASES = ROOT / "tests" / "cases" / "definitions"


def definition(questions: str, *, id: str = "demo", version: int = 1, extra: str = "") -> str:
    """A valid one-section questionnaire around `questions` (YAML list items, any indentation)."""
    body = textwrap.indent(textwrap.dedent(questions).strip("\n"), " " * 6)
    return (
        f"id: {id}\nversion: {version}\ntitle: Demo\n{extra}"
        "sections:\n"
        "  - id: prevention\n"
        "    pillar: crime_prevention\n"
        "    title: Prevention\n"
        "    questions:\n"
        f"{body}\n"
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def lines(results: list[CheckResult]) -> list[str]:
    return [str(p) for r in results for p in r.problems]


V1 = """\
- {id: has_strategy, type: yes_no, label: Strategy?}
- {id: strategy_year, type: integer, label: Year}
- {id: budget, type: decimal, label: Budget}
"""


# --- several files ---------------------------------------------------------------------------


def test_two_files_with_the_same_id_and_version_are_an_error(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", definition(V1))
    second = write(tmp_path, "b.yaml", definition(V1))
    results = check_paths([tmp_path])
    assert [r.file for r in results] == [str(first), str(second)]
    assert results[0].problems == []
    assert lines(results) == [
        f"{second}:2:10: error: questionnaire 'demo' version 1 is also defined in {first}"
    ]
    assert results[1].questionnaire is None  # no model from a file with an error


def test_the_same_id_with_other_versions_is_fine(tmp_path: Path) -> None:
    write(tmp_path, "v1.yaml", definition(V1))
    write(tmp_path, "v2.yaml", definition(V1, version=2))
    write(tmp_path, "other.yaml", definition(V1, id="other"))
    results = check_paths([tmp_path])
    assert lines(results) == []
    assert all(r.questionnaire is not None for r in results)


def test_renamed_from_names_a_question_of_the_previous_version(tmp_path: Path) -> None:
    write(tmp_path, "v1.yaml", definition(V1))
    v2 = write(
        tmp_path,
        "v2.yaml",
        definition(
            """\
            - {id: strategy_adopted, type: yes_no, label: Adopted?, renamed_from: has_strategy}
            - {id: adoption_year, type: integer, label: Year, renamed_from: strategy_yr}
            - {id: budget_usd, type: integer, label: Budget, renamed_from: budget}
            """,
            version=2,
        ),
    )
    assert lines(check_paths([tmp_path])) == [
        f"{v2}:10:71: error: 'strategy_yr' is not a question of version 1",
        f"{v2}:11:70: error: 'budget' was a decimal question in version 1; a rename keeps the type",
    ]


def test_renamed_from_looks_at_the_previous_version_only(tmp_path: Path) -> None:
    """Each version names only its previous version; exports follow the chain."""
    write(tmp_path, "v1.yaml", definition(V1))
    write(
        tmp_path,
        "v2.yaml",
        definition(
            "- {id: strategy_adopted, type: yes_no, label: A, renamed_from: has_strategy}",
            version=2,
        ),
    )
    v3 = write(
        tmp_path,
        "v3.yaml",
        definition(
            """\
            - {id: adopted, type: yes_no, label: A, renamed_from: strategy_adopted}
            - {id: year, type: integer, label: Year, renamed_from: strategy_year}
            """,
            version=3,
        ),
    )
    assert lines(check_paths([tmp_path])) == [
        f"{v3}:10:62: error: 'strategy_year' is not a question of version 2"
    ]


def test_renamed_from_without_the_previous_version_is_not_checked(tmp_path: Path) -> None:
    """Checked only when the previous version is in the run or already published."""
    path = write(
        tmp_path,
        "v2.yaml",
        definition("- {id: a, type: yes_no, label: A, renamed_from: gone}", version=2),
    )
    assert lines(check_paths([path])) == []


def test_renamed_from_is_checked_against_published_versions(tmp_path: Path) -> None:
    published = load_questionnaire(write(tmp_path, "v1.yaml", definition(V1)))
    v2 = write(
        tmp_path,
        "v2.yaml",
        definition("- {id: a, type: yes_no, label: A, renamed_from: gone}", version=2),
    )
    same = write(tmp_path, "again.yaml", definition(V1))
    results = [check_file(v2), check_file(same)]
    check_versions(results, published=[published])
    assert lines(results) == [
        f"{v2}:9:55: error: 'gone' is not a question of version 1",
        f"{same}:2:10: error: questionnaire 'demo' version 1 is also defined in the database",
    ]


def test_renamed_from_naming_an_id_that_still_exists_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "v1.yaml",
        definition(
            """\
            - {id: strategy_adopted, type: yes_no, label: A, renamed_from: has_strategy}
            - {id: has_strategy, type: yes_no, label: B}
            """
        ),
    )
    assert lines(check_paths([path])) == [
        f"{path}:9:70: error: renamed_from 'has_strategy' names a question that still exists "
        "in this version (line 10)"
    ]


def test_a_folder_is_searched_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path, "b.yaml", definition(V1, id="b"))
    write(tmp_path, "nested/deeper/c.yml", definition(V1, id="c"))
    write(tmp_path, "nested/a.yaml", definition(V1, id="a"))
    write(tmp_path, "nested/notes.txt", "not a definition")
    write(tmp_path, "nested/broken.yaml.bak", "id: [")
    found = definition_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "b.yaml",
        "nested/a.yaml",
        "nested/deeper/c.yml",
    ]
    results = check_paths([tmp_path])
    assert [r.questionnaire.id for r in results if r.questionnaire] == ["b", "a", "c"]


def test_files_and_folders_mix(tmp_path: Path) -> None:
    one = write(tmp_path, "one/a.yaml", definition(V1, id="a"))
    two = write(tmp_path, "two/b.yaml", definition("- {id: x, type: txt, label: X}", id="b"))
    results = check_paths([one, tmp_path / "two"])
    assert [r.file for r in results] == [str(one), str(two)]
    assert lines(results) == [
        f"{two}:9:23: error: unknown question type 'txt' (did you mean 'text'?)"
    ]


def test_the_sample_questionnaires_have_no_problem() -> None:
    results = check_paths([SAMPLES])
    assert len(results) >= 3
    assert lines(results) == []
    assert all(r.questionnaire is not None for r in results)


# --- the model and DefinitionError -----------------------------------------------------------


def test_load_questionnaire_returns_the_model(tmp_path: Path) -> None:
    model = load_questionnaire(CASES / "choice-values-norway.yaml")
    country = model.by_id["country"]
    assert [c.value for c in country.choices] == [
        "no", "NO", "012", "12", "2024-01-01", "1", "1.0", "yes", "off",
    ]  # fmt: skip
    assert country.default == "no"
    visit = model.by_id["visit"]
    assert (visit.min, visit.max, visit.default) == ("2024-01-01", "today", "2024-06-30")
    assert model.languages == ("en",)
    assert model.period == "annual"
    assert model.audience == ("member_state",)


def test_load_questionnaire_raises_definition_error_with_every_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "broken.yaml",
        definition(
            """\
            - {id: a, type: txt, label: A}
            - {id: b, type: yes_no, label: {en: B}}
            """
        )
        + "languages: [en, fr]\n",
    )
    with pytest.raises(DefinitionError) as caught:
        load_questionnaire(path)
    problems = caught.value.problems
    assert [p.message for p in problems] == ["unknown question type 'txt' (did you mean 'text'?)"]
    assert all(p.is_error for p in problems)  # warnings are not the reason for refusing
    assert str(caught.value) == str(problems[0])


def test_load_questionnaire_of_an_unreadable_file_raises_definition_error(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_questionnaire(tmp_path / "missing.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column) == (1, 1)
    assert problem.message.startswith("cannot read the file")


def test_every_problem_of_a_broken_file_is_reported_in_one_pass() -> None:
    source = textwrap.dedent(
        """\
        id: Demo
        version: 0
        title: Demo
        languages: [en, xx]
        sections:
          - id: prevention
            pillar: prevention
            title: Prevention
            questions:
              - {id: a, type: integer, label: A, min: 5, max: 1}
              - {id: a, type: singel_choice, label: B}
              - {id: c, type: text, label: C, lable: x, when: "d != null"}
              - {id: d, type: text, label: D, pattern: '\\w+', when: c != null}
              - {id: e, type: single_choice, label: E, choices: nothing}
        """
    )
    result = check_source(source, "q.yaml")
    assert [f"{p.line}:{p.column}: {p.message}" for p in result.problems] == [
        "1:5: malformed questionnaire id 'Demo': use lowercase letters, digits and '-' "
        "(a slug such as 'kyoto-core')",
        "2:10: 'version' must be at least 1",
        "4:17: 'xx' is not an ISO 639-1 language code",
        "7:13: unknown pillar 'prevention' (did you mean 'crime_prevention'?); the pillars are "
        "crime_prevention, criminal_justice, rule_of_law, international_cooperation",
        "10:47: min (5) is above max (1)",
        "11:14: duplicate question id 'a' (first at line 10)",
        "11:23: unknown question type 'singel_choice' (did you mean 'single_choice'?)",
        "12:39: unknown key 'lable' (did you mean 'label'?)",
        "12:55: circular reference: c -> d -> c",
        "13:49: the escape \\w is not allowed: write [A-Za-z0-9_]",
        "14:57: unknown choice list 'nothing'",
    ]
    assert result.questionnaire is None
    assert not result.ok


def test_a_warning_alone_still_builds_the_model() -> None:
    source = definition("- {id: a, type: yes_no, label: A}", extra="languages: [en, fr]\n")
    result = check_source(source)
    assert result.ok
    assert {p.severity for p in result.problems} == {"warning"}
    assert result.questionnaire is not None


# --- hostile input (RELIABILITY D2, D3): one clean error, never an exception -----------------


def only_error(path: Path) -> str:
    started = time.perf_counter()
    result = check_file(path)
    assert time.perf_counter() - started < 2
    (problem,) = result.problems
    assert problem.is_error
    assert result.questionnaire is None
    return f"{problem.line}:{problem.column}: {problem.message}"


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    levels = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    path = write(tmp_path, "bomb.yaml", "\n".join(levels) + "\n")
    assert only_error(path) == "1:5: anchors and aliases are not allowed"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000 + "1" + "}" * 10_000,
        "".join(" " * i + f"k{i}:\n" for i in range(1_000)),
        "".join(" " * i + "-\n" for i in range(1_000)),
    ],
    ids=["flow-lists", "flow-mappings", "block-mappings", "block-lists"],
)
def test_deep_nesting_is_refused(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "deep.yaml", text)
    assert only_error(path).endswith(f"nesting deeper than {MAX_DEPTH} levels")


def test_nesting_at_the_limit_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.yaml", "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    result = check_file(path)
    assert [p.message for p in result.problems] == ["the definition must be a mapping, not a list"]


def test_a_file_over_one_mebibyte_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"id: demo\n" + b"# padding\n" * (2 * MAX_BYTES // 10))
    assert path.stat().st_size > 2_000_000
    assert only_error(path) == (
        f"1:1: file is {path.stat().st_size:,} bytes; the limit is {MAX_BYTES:,} (1 MiB)"
    )


def test_check_source_refuses_oversized_text_too() -> None:
    result = check_source("a: b\n" * (MAX_BYTES // 4), "big.yaml")
    (problem,) = result.problems
    assert "the limit is 1,048,576" in problem.message


# --- the command line ------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_check_of_the_samples_exits_0() -> None:
    code, out, err = run("check", str(SAMPLES))
    assert (code, out) == (0, "")
    assert err == "3 file(s) checked: 0 error(s), 0 warning(s)\n"


def test_cli_check_prints_one_line_per_problem_and_exits_1(tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        "bad.yaml",
        definition("- {id: a, type: yes_no, lable: A}", extra="languages: [en, fr]\n"),
    )
    good = write(tmp_path, "good.yaml", definition(V1, id="good"))
    code, out, err = run("check", str(good), str(bad))
    assert code == 1
    assert out.splitlines() == [
        f"{bad}:3:8: warning: title has no translation in fr",
        f"{bad}:8:12: warning: title has no translation in fr",
        f"{bad}:10:31: error: unknown key 'lable' (did you mean 'label'?)",
    ]
    assert err == "2 file(s) checked: 1 error(s), 2 warning(s)\n"


def test_cli_check_with_warnings_only_exits_0(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "w.yaml",
        definition("- {id: a, type: yes_no, label: A}", extra="languages: [en, fr]\n"),
    )
    code, out, err = run("check", str(path))
    assert code == 0
    assert len(out.splitlines()) == 3
    assert all(": warning: " in line for line in out.splitlines())
    assert err == "1 file(s) checked: 0 error(s), 3 warning(s)\n"


def test_cli_check_of_a_folder_without_definitions_exits_1(tmp_path: Path) -> None:
    write(tmp_path, "readme.txt", "nothing here")
    code, out, err = run("check", str(tmp_path))
    assert (code, out) == (1, "")
    assert err == f"{tmp_path}: error: no .yaml or .yml file found\n"


def test_cli_check_of_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path / "missing.yaml"))
    assert code == 2
    assert "does not exist" in err


def test_cli_check_of_a_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "id: demo\ntitle: [Demo\n")
    code, out, _ = run("check", str(path))
    assert code == 1
    assert out.startswith(f"{path}:3:1: error: ")


def test_cli_definition_schema_prints_a_valid_draft_2020_12_schema() -> None:
    code, out, _ = run("definition-schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"id", "version", "title", "sections"}


def test_the_definition_schema_accepts_every_sample_as_loaded() -> None:
    """Editors validate plain YAML with it: the samples, read as data, pass it."""
    _, out, _ = run("definition-schema")
    validator = jsonschema.Draft202012Validator(json.loads(out))
    for path in sorted(SAMPLES.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), yaml.CSafeLoader)
        assert list(validator.iter_errors(data)) == [], path.name
