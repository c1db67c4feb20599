"""The hardened YAML loader: positions, values as written, and every refusal (RELIABILITY D1-D5)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path as FsPath
from typing import Any

import pytest
import yaml

from engine import yaml_source
from engine.problems import DefinitionLoadError, Problem
from engine.yaml_source import (
    MAX_BYTES,
    MAX_DEPTH,
    Position,
    Scalar,
    SourceDocument,
    load_file,
    load_source,
)


def load(text: str) -> SourceDocument:
    return load_source(textwrap.dedent(text), "q.yaml")


def refusal(source: str | bytes) -> Problem:
    with pytest.raises(DefinitionLoadError) as caught:
        load_source(source, "q.yaml")
    return caught.value.problem


# --- positions -------------------------------------------------------------------------

NESTED = """\
id: kyoto-core
title: {en: Kyoto, fr: "Kyoto FR"}
sections:
  - id: prevention
    questions:
      - id: strategy
        type: single_choice
      - {id: year, type: integer, min: 1950}
    kyoto: [7, 8]
"""


@pytest.mark.parametrize(
    ("path", "value_at", "key_at"),
    [
        (("id",), (1, 5), (1, 1)),
        (("title",), (2, 8), (2, 1)),
        (("title", "en"), (2, 13), (2, 9)),
        (("title", "fr"), (2, 24), (2, 20)),
        (("sections",), (4, 3), (3, 1)),
        (("sections", 0, "id"), (4, 9), (4, 5)),
        (("sections", 0, "questions", 0), (6, 9), None),
        (("sections", 0, "questions", 0, "type"), (7, 15), (7, 9)),
        (("sections", 0, "questions", 1), (8, 9), None),
        (("sections", 0, "questions", 1, "id"), (8, 14), (8, 10)),
        (("sections", 0, "questions", 1, "min"), (8, 40), (8, 35)),
        (("sections", 0, "kyoto", 1), (9, 16), None),
    ],
)
def test_positions_of_values_and_keys(
    path: tuple[str | int, ...], value_at: tuple[int, int], key_at: tuple[int, int] | None
) -> None:
    doc = load_source(NESTED, "q.yaml")
    assert doc.positions[path] == Position(*value_at)
    if key_at is None:
        assert path not in doc.key_positions
    else:
        assert doc.key_positions[path] == Position(*key_at)


def test_root_position_and_data() -> None:
    doc = load_source(NESTED, "q.yaml")
    assert doc.positions[()] == Position(1, 1)
    assert doc.data["sections"][0]["questions"][1] == {"id": "year", "type": "integer", "min": 1950}
    assert doc.data["sections"][0]["kyoto"] == [7, 8]
    assert doc.problems == []


def test_position_falls_back_to_the_nearest_known_parent() -> None:
    doc = load_source(NESTED, "q.yaml")
    missing = ("sections", 0, "questions", 1, "label")
    assert doc.position(missing) == Position(8, 9)
    assert doc.key_position(missing) == Position(8, 9)
    assert doc.position(["sections", 7, "id"]) == Position(4, 3)
    assert doc.position(["nope", "deeper"]) == Position(1, 1)
    assert doc.key_position(["title", "en"]) == Position(2, 9)


def test_problem_is_located_at_the_node_or_its_key() -> None:
    doc = load_source(NESTED, "q.yaml")
    path = ("sections", 0, "questions", 0, "type")
    assert doc.problem(path, "unknown type") == Problem("q.yaml", 7, 15, "error", "unknown type")
    assert doc.problem(path, "w", "warning", at_key=True) == Problem("q.yaml", 7, 9, "warning", "w")
    assert str(doc.problem(("sections", 0, "pillar"), "missing")) == ("q.yaml:4:5: error: missing")


# --- scalars: text, style, multiline ----------------------------------------------------

SCALARS = """\
plain: 1.10
single: 'it''s'
double: "a\\tb"
literal: |
  line one
  line two
folded: >
  folded
  text
spread: "two
  lines"
empty:
"""


@pytest.mark.parametrize(
    ("key", "value", "scalar", "position"),
    [
        ("plain", 1.1, Scalar("1.10", "plain", False), (1, 8)),
        ("single", "it's", Scalar("it's", "'", False), (2, 9)),
        ("double", "a\tb", Scalar("a\tb", '"', False), (3, 9)),
        ("literal", "line one\nline two\n", Scalar("line one\nline two\n", "|", True), (4, 10)),
        ("folded", "folded text\n", Scalar("folded text\n", ">", True), (7, 9)),
        ("spread", "two lines", Scalar("two lines", '"', True), (10, 9)),
        ("empty", None, Scalar("", "plain", False), (12, 7)),
    ],
)
def test_scalar_text_style_and_position(
    key: str, value: Any, scalar: Scalar, position: tuple[int, int]
) -> None:
    doc = load_source(SCALARS, "q.yaml")
    assert doc.data[key] == value
    assert type(doc.data[key]) is type(value)
    assert doc.scalars[(key,)] == scalar
    assert doc.positions[(key,)] == Position(*position)


def test_collections_are_not_scalars() -> None:
    doc = load("a: [x]\nb: {c: d}\n")
    assert ("a",) not in doc.scalars
    assert doc.scalars[("a", 0)] == Scalar("x", "plain", False)
    assert doc.scalars[("b", "c")] == Scalar("d", "plain", False)


# --- values are read as written (Norway problem, RELIABILITY D5) ------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("no", "no"),
        ("NO", "NO"),
        ("yes", "yes"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("012", "012"),
        ("0x10", "0x10"),
        ("0o17", "0o17"),
        ("1_000", "1_000"),
        ("1.10", 1.1),
        ("2024-01-01", "2024-01-01"),
        ("12:30", "12:30"),
        ("1e3", 1000.0),
        ("1.5E-2", 0.015),
        (".5", 0.5),
        ("-0.25", -0.25),
        ("1.", 1.0),
        ("01.5", "01.5"),
        ("1e999", "1e999"),
        (".inf", ".inf"),
        ("-.inf", "-.inf"),
        (".nan", ".nan"),
        ("0", 0),
        ("-7", -7),
        ("+3", 3),
        ("1950", 1950),
        ("~", None),
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("nULL", "nULL"),
        ("", None),
        ('""', ""),
        ("''", ""),
        ('"012"', "012"),
        ("'true'", "true"),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("FALSE", False),
        ("tRUE", "tRUE"),
        ("!!str 012", "012"),
        ("!!str true", "true"),
        ("!!int '5'", 5),
        ("!!float 2", 2.0),
        ("!!bool false", False),
        ("!!null ~", None),
    ],
)
def test_values_are_read_as_written(written: str, expected: Any) -> None:
    doc = load_source(f"value: {written}\n", "q.yaml")
    assert doc.data["value"] == expected
    assert type(doc.data["value"]) is type(expected)


@pytest.mark.parametrize("written", ["no", "1.10", "012", "2024-01-01", "1e3"])
def test_scalar_text_keeps_the_source_spelling(written: str) -> None:
    assert load_source(f"v: {written}\n", "q.yaml").scalars[("v",)].text == written


def test_keys_are_strings_spelled_as_written() -> None:
    doc = load("no: a\n1: b\n1.10: c\ntrue: d\n~: e\n'x y': f\n")
    assert doc.data == {"no": "a", "1": "b", "1.10": "c", "true": "d", "~": "e", "x y": "f"}
    assert all(type(key) is str for key in doc.data)
    assert doc.key_positions[("1.10",)] == Position(3, 1)


# --- duplicate keys (RELIABILITY D4) ------------------------------------------------------


def test_duplicate_key_is_reported_and_the_first_value_kept() -> None:
    doc = load(
        """\
        id: q1
        label: first
        type: text
        label: second
        """
    )
    assert doc.data == {"id": "q1", "label": "first", "type": "text"}
    assert doc.problems == [
        Problem("q.yaml", 4, 1, "error", "duplicate key 'label' (first at line 2)")
    ]
    assert doc.positions[("label",)] == Position(2, 8)
    assert doc.key_positions[("label",)] == Position(2, 1)
    assert doc.scalars[("label",)].text == "first"


def test_several_duplicates_are_all_reported_and_dropped_subtrees_leave_no_trace() -> None:
    doc = load(
        """\
        sections:
          - id: a
            questions: [x]
            id: b
            questions:
              - dropped: {deep: 1}
          - {id: c, id: d}
        sections: []
        """
    )
    assert doc.data == {"sections": [{"id": "a", "questions": ["x"]}, {"id": "c"}]}
    assert [(p.line, p.column, p.message) for p in doc.problems] == [
        (4, 5, "duplicate key 'id' (first at line 2)"),
        (5, 5, "duplicate key 'questions' (first at line 3)"),
        (7, 13, "duplicate key 'id' (first at line 7)"),
        (8, 1, "duplicate key 'sections' (first at line 1)"),
    ]
    assert all(p.severity == "error" for p in doc.problems)
    assert doc.positions[("sections", 0, "questions")] == Position(3, 16)
    assert ("sections", 0, "questions", 0, "dropped") not in doc.positions
    assert doc.positions[("sections",)] == Position(2, 3)


def test_keys_that_differ_only_in_quoting_are_duplicates() -> None:
    doc = load("1: a\n'1': b\n")
    assert doc.data == {"1": "a"}
    assert doc.problems[0].message == "duplicate key '1' (first at line 1)"


# --- fatal problems ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        ("", 1, 1, "the file is empty"),
        ("# only a comment\n\n", 1, 1, "the file is empty"),
        (b"", 1, 1, "the file is empty"),
        ("id: x\nlabel: &l hello\nhint: *l\n", 2, 8, "anchors and aliases are not allowed"),
        ("a: *nothing\n", 1, 4, "anchors and aliases are not allowed"),
        ("base: &b {x: 1}\n", 1, 7, "anchors and aliases are not allowed"),
        (
            "a: 1\n---\nb: 2\n",
            2,
            1,
            "more than one YAML document in the file; put one questionnaire per file",
        ),
        (
            "a: 1\n...\n---\nb: 2\n",
            3,
            1,
            "more than one YAML document in the file; put one questionnaire per file",
        ),
        ("a: !!binary aGVsbG8=\n", 1, 4, "tags are not allowed"),
        ("a: !custom x\n", 1, 4, "tags are not allowed"),
        ("a: !!python/name:os.system\n", 1, 4, "tags are not allowed"),
        ("a: !!set {x}\n", 1, 4, "tags are not allowed"),
        ("a: !!timestamp 2024-01-01\n", 1, 4, "tags are not allowed"),
        ("a: ! x\n", 1, 4, "tags are not allowed"),
        ("!!python/object:os.system {}\n", 1, 1, "tags are not allowed"),
        ("a: !!seq {x: 1}\n", 1, 4, "the tag !!seq cannot be used on a mapping"),
        ("a: !!map x\n", 1, 4, "the tag !!map cannot be used on a scalar"),
        ("a: !!int 012\n", 1, 4, "'012' is not a valid !!int"),
        ("a: !!bool yes\n", 1, 4, "'yes' is not a valid !!bool"),
        ("? [a, b]\n: 1\n", 1, 3, "a mapping key must be a scalar, not a list"),
        ("{x: 1}: 2\n", 1, 1, "a mapping key must be a scalar, not a mapping"),
        (b"a: 1\nb: caf\xe9\n", 2, 7, "the file is not valid UTF-8 (byte 0xE9)"),
        (b"\xef\xbb\xbfa: \xff\n", 1, 4, "the file is not valid UTF-8 (byte 0xFF)"),
        ("a: \ud800\n", 1, 4, "the text contains an unpaired surrogate"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), 1, 65, "nesting deeper than 64 levels"),
        (
            "a:\n" + "".join(" " * i + "k:\n" for i in range(1, 100)),
            65,
            65,
            "nesting deeper than 64 levels",
        ),
        (
            "a:\n" + "".join(" " * i + "-\n" for i in range(1, 100)),
            65,
            65,
            "nesting deeper than 64 levels",
        ),
    ],
)
def test_fatal_problems_are_located(
    source: str | bytes, line: int, column: int, message: str
) -> None:
    assert refusal(source) == Problem("q.yaml", line, column, "error", message)


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="the messages are libyaml's own")
@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        (
            "a: 1\nb\nc: 2\n",
            3,
            1,
            "could not find expected ':' (while scanning a simple key at line 2, column 1)",
        ),
        (
            "a: [1, 2\nb: 3\n",
            2,
            2,
            "did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)",
        ),
        (
            "a: 'open\n",
            2,
            1,
            "found unexpected end of stream (while scanning a quoted scalar at line 1, column 4)",
        ),
        (
            "a:\n\tb: 1\n",
            2,
            1,
            "found character that cannot start any token "
            "(while scanning for the next token at line 2, column 1)",
        ),
        ("a: x\x01y\n", 1, 5, "control characters are not allowed (U+0001)"),
        ("é: ü\x07\n", 1, 5, "control characters are not allowed (U+0007)"),
    ],
)
def test_syntax_errors_carry_the_parser_message_and_mark(
    source: str, line: int, column: int, message: str
) -> None:
    assert refusal(source) == Problem("q.yaml", line, column, "error", message)


def test_exactly_max_depth_is_accepted() -> None:
    doc = load_source("[" * MAX_DEPTH + "]" * MAX_DEPTH, "q.yaml")
    assert doc.positions[(0,) * (MAX_DEPTH - 1)] == Position(1, MAX_DEPTH)


def test_python_object_tag_is_refused_and_nothing_runs(tmp_path: FsPath) -> None:
    marker = tmp_path / "pwned"
    source = f'!!python/object/apply:os.system ["echo pwned > {marker}"]\n'
    assert refusal(source) == Problem("q.yaml", 1, 1, "error", "tags are not allowed")
    nested = f'a:\n  b: !!python/object/apply:os.system ["touch {marker}"]\n'
    assert refusal(nested) == Problem("q.yaml", 2, 6, "error", "tags are not allowed")
    assert not marker.exists()


def test_deep_flow_nesting_is_refused_cleanly() -> None:
    started = time.perf_counter()
    problem = refusal("[" * 100_000)
    assert time.perf_counter() - started < 5
    assert problem.message == "nesting deeper than 64 levels"
    # libyaml stops at its own limit of 1000 flow levels before emitting any event;
    # the pure-Python parser reaches our check at the 65th bracket.
    assert (problem.line, problem.column) in ((1, 1001), (1, 65))


def test_ten_thousand_nested_mappings_are_refused_cleanly() -> None:
    source = "a:\n  " + "{k: " * 10_000 + "1" + "}" * 10_000 + "\n"
    too_deep = Problem(
        "q.yaml", 2, 3 + (MAX_DEPTH - 1) * 4, "error", "nesting deeper than 64 levels"
    )
    assert refusal(source) == too_deep
    unindented = "a:\n" + "{k: " * 10_000 + "1" + "}" * 10_000 + "\n"
    assert isinstance(refusal(unindented), Problem)


def test_ten_thousand_nested_block_mappings_are_refused_by_size_or_depth() -> None:
    source = "a:\n" + "".join(" " * i + "k:\n" for i in range(1, 10_001))
    assert refusal(source).message == "file is 50,035,003 bytes; the limit is 1,048,576 (1 MiB)"


BILLION_LAUGHS = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)]
)

CHILD = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (200 * 1024 * 1024, 200 * 1024 * 1024))
from engine.problems import DefinitionLoadError
from engine.yaml_source import load_source
source = sys.stdin.read()
started = time.perf_counter()
try:
    load_source(source, "laughs.yaml")
except DefinitionLoadError as exc:
    print(f"{time.perf_counter() - started:.4f} {exc}")
else:
    print("loaded")
"""


def test_billion_laughs_is_refused_quickly_in_little_memory() -> None:
    pytest.importorskip("resource")
    assert len(BILLION_LAUGHS) < 700
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=BILLION_LAUGHS,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    elapsed, message = result.stdout.strip().split(" ", 1)
    assert message == "laughs.yaml:1:5: error: anchors and aliases are not allowed"
    assert float(elapsed) < 2


# --- size ---------------------------------------------------------------------------------


def test_file_over_one_mebibyte_is_refused_before_parsing(
    tmp_path: FsPath, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed an oversized file")

    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: *alias\n" + b"#" * (MAX_BYTES + 1 - 10))
    monkeypatch.setattr(yaml_source.yaml, "parse", must_not_parse)
    expected = "file is 1,048,577 bytes; the limit is 1,048,576 (1 MiB)"
    with pytest.raises(DefinitionLoadError) as caught:
        load_file(big)
    assert caught.value.problem == Problem(str(big), 1, 1, "error", expected)
    assert refusal(big.read_bytes()).message == expected
    assert refusal(big.read_text()).message == expected
    assert refusal("é" * (MAX_BYTES // 2 + 1)).message == (
        "file is 1,048,578 bytes; the limit is 1,048,576 (1 MiB)"
    )


def test_file_of_exactly_one_mebibyte_is_accepted(tmp_path: FsPath) -> None:
    exact = tmp_path / "exact.yaml"
    exact.write_bytes(b"a: " + b"x" * (MAX_BYTES - 4) + b"\n")
    assert len(load_file(exact).data["a"]) == MAX_BYTES - 4


def test_load_file_shows_the_name_as_given_and_skips_a_bom(
    tmp_path: FsPath, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    FsPath("q.yaml").write_bytes(b"\xef\xbb\xbfid: x\nlabel: [\n")
    with pytest.raises(DefinitionLoadError) as caught:
        load_file("q.yaml")
    assert caught.value.problem.file == "q.yaml"
    FsPath("ok.yaml").write_bytes(b"\xef\xbb\xbfid: x\n")
    doc = load_file(FsPath("ok.yaml"))
    assert (doc.file, doc.data, doc.key_positions[("id",)]) == (
        "ok.yaml",
        {"id": "x"},
        Position(1, 1),
    )


def test_missing_file_is_a_load_error(tmp_path: FsPath) -> None:
    with pytest.raises(DefinitionLoadError) as caught:
        load_file(tmp_path / "absent.yaml")
    assert caught.value.problem.message == "cannot read the file: No such file or directory"


# --- pointing inside a scalar (expression offsets) ----------------------------------------

EXPRESSIONS = """\
q:
  plain: a == 'x' and b
  single: 'a == ''x'' and b'
  double: "a == \\"x\\" and b"
  tagged: !!str c > 1
  block: |
    a == 1
  multi: "a ==
    2"
"""


@pytest.mark.parametrize(
    ("key", "offset", "column"),
    [
        ("plain", 0, 10),
        ("plain", 13, 23),  # the `b`
        ("single", 0, 12),  # skip the opening quote
        ("single", 5, 17),  # the first `''`
        ("single", 6, 19),  # the `x`, after it
        ("single", 13, 27),  # the `b`, after two doubled quotes
        ("double", 0, 12),
        ("double", 13, 27),  # after two `\"` escapes
        ("tagged", 4, 21),  # after the tag
        ("block", 3, 10),  # offset ignored in block scalars
        ("multi", 3, 10),  # and in multi-line ones
    ],
)
def test_problem_offset_points_inside_the_scalar(key: str, offset: int, column: int) -> None:
    doc = load_source(EXPRESSIONS, "q.yaml")
    problem = doc.problem(("q", key), "unknown name", offset=offset)
    assert (problem.line, problem.column) == (doc.positions[("q", key)].line, column)


@pytest.mark.parametrize(
    ("style", "offset", "column"),
    [("plain", 4, 15), ("'", 4, 16), ('"', 4, 16), ("|", 4, 11)],
)
def test_problem_offset_formula_without_source_text(style: str, offset: int, column: int) -> None:
    doc = SourceDocument(
        "q.yaml",
        {"when": "a == b"},
        {(): Position(1, 1), ("when",): Position(3, 11)},
        {("when",): Position(3, 5)},
        {("when",): Scalar("a == b", style, False)},
        [],
    )
    assert doc.problem(["when"], "m", offset=offset) == Problem("q.yaml", 3, column, "error", "m")
    assert doc.problem(["when"], "m", at_key=True, offset=offset).column == 5


def test_offset_on_an_unknown_path_reports_at_the_parent() -> None:
    doc = load_source(EXPRESSIONS, "q.yaml")
    assert doc.problem(("q", "absent"), "m", offset=3) == Problem("q.yaml", 2, 3, "error", "m")


# --- scale ---------------------------------------------------------------------------------


def generated_definition(questions: int) -> str:
    lines = [
        "id: generated",
        "version: 1",
        "title: {en: Generated, fr: Généré}",
        "languages: [en, fr]",
        "sections:",
    ]
    per_section = 100
    for number in range(questions):
        if number % per_section == 0:
            section = number // per_section
            lines += [
                f"  - id: section_{section}",
                "    pillar: crime_prevention",
                f"    title: {{en: Section {section}, fr: 'Section {section}'}}",
                "    questions:",
            ]
        lines += [
            f"      - id: q_{number}",
            "        type: integer",
            f'        label: {{en: "Question {number}", fr: "Question {number} (fr)"}}',
            f'        when: "q_{max(number - 1, 0)} != null"',
        ]
    return "\n".join(lines) + "\n"


def test_generated_two_thousand_question_definition_loads() -> None:
    source = generated_definition(2_000)
    assert source.count("\n") > 8_000
    doc = load_source(source, "generated.yaml")
    questions = [q for section in doc.data["sections"] for q in section["questions"]]
    assert len(questions) == 2_000
    assert questions[1_999]["id"] == "q_1999"
    last = ("sections", 19, "questions", 99, "when")
    assert doc.positions[last] == Position(source.count("\n"), 15)
    assert doc.problems == []


def test_uses_the_c_parser_when_available() -> None:
    if getattr(yaml, "__with_libyaml__", False):
        assert yaml_source._LOADER is yaml.CSafeLoader
