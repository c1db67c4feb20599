"""Property tests of validation against the compiled schema and against itself.

(a) Answers generated from a compiled schema (hypothesis-jsonschema) get the same verdict from
    the engine, python-jsonschema (with its FormatChecker) and fastjsonschema, for definitions
    whose every rule the schema can say.
(b) One mutation of a valid response (a wrong type, a number out of range, an unknown key, a
    required answer dropped) is refused with an error at exactly the mutated path.
(c) Random definitions, valid by construction, check without error, compile to schemas that pass
    the metaschema, and the Validator's fast path (jsonschema-rs + residual rules) and its full
    path agree on random responses: same errors, warnings and stored answers.
"""

from __future__ import annotations

import copy
import json
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastjsonschema
import hypothesis_jsonschema._from_schema as hypothesis_jsonschema_internals
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator, FormatChecker

from engine.checker import check_file, check_source
from engine.messages import render
from engine.model import Questionnaire
from engine.validation import ValidationResult, Validator

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


# -- hypothesis-jsonschema 0.23.1 with Hypothesis >= 6.1xx ----------------------------------------


class _CompatMany:
    """hypothesis-jsonschema 0.23.1 draws object keys with `cu.many(...).more()`, an internal
    API newer Hypothesis replaced by iteration; this adapter gives it `more()` back."""

    def __init__(self, data: Any, min_size: int, max_size: float, average_size: float) -> None:
        self._many = conjecture_utils.many(
            data, min_size=min_size, max_size=max_size, average_size=average_size
        )
        self._elements: Iterator[None] | None = None

    def more(self) -> bool:
        if self._elements is None:
            self._many.__enter__()
            self._elements = iter(self._many)
        try:
            next(self._elements)
        except StopIteration:
            self._many.__exit__(None, None, None)
            return False
        return True

    def reject(self, why: str | None = None) -> None:
        self._many.reject(why)


DRAFT_2020_ONLY = {"$defs", "prefixItems", "dependentRequired", "dependentSchemas"} | {
    "unevaluatedItems",
    "unevaluatedProperties",
    "$dynamicRef",
    "$anchor",
}


def generated_from(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """`from_schema`, told the schema is draft-07 (which reads every keyword our schemas use the
    same way): hypothesis-jsonschema checks each subschema it builds against the metaschema, and
    the 2020-12 one (with `$dynamicRef`) makes that three times slower."""
    text = json.dumps(schema)
    assert not any(f'"{keyword}"' in text for keyword in DRAFT_2020_ONLY)
    return from_schema({**schema, "$schema": "http://json-schema.org/draft-07/schema#"})


@pytest.fixture(scope="module", autouse=True)
def _hypothesis_jsonschema_compat() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        if not hasattr(conjecture_utils.many, "more"):
            patch.setattr(
                hypothesis_jsonschema_internals,
                "cu",
                types.SimpleNamespace(many=_CompatMany),
            )
        yield


# -- random definitions, valid by construction -------------------------------------------------

CHOICES = ["a", "b", "c"]
PATTERNS = [r"[a-z]+", r"\d{2,4}", r"[A-Z][a-z]*", r"(?:ab|cd)+", r".+", r"[^@]+@x\.org"]
SIMPLE_TYPES = [
    "text",
    "textarea",
    "integer",
    "decimal",
    "yes_no",
    "single_choice",
    "multiple_choice",
    "date",
    "email",
    "url",
    "matrix",
    "grid",
]


@dataclass(frozen=True)
class Features:
    """What a random definition may use."""

    engine_rules: bool = True
    """Constraints, date bounds, conditions the schema cannot say, required expressions."""
    conditions: bool = True
    required: bool = True


@dataclass
class Built:
    definition: dict[str, Any]
    questions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def source(self) -> str:
        return yaml.safe_dump(self.definition, allow_unicode=True, sort_keys=False)


def _choices(draw: st.DrawFn) -> list[dict[str, str]]:
    count = draw(st.integers(2, 3))  # conditions and constraints name 'a' and 'b'
    return [{"value": v, "label": {"en": v.upper()}} for v in CHOICES[:count]]


def _rows(draw: st.DrawFn, prefix: str) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 2))
    return [{"id": f"{prefix}{i}", "label": f"{prefix.upper()}{i}"} for i in range(count)]


@st.composite
def _settings(draw: st.DrawFn, kind: str, features: Features) -> dict[str, Any]:
    """Type-specific keys, valid by construction."""
    data: dict[str, Any] = {}
    if kind in ("text", "textarea") and draw(st.booleans()):
        data["max_length"] = draw(st.integers(1, 12))
    if kind == "text" and draw(st.booleans()):
        data["pattern"] = draw(st.sampled_from(PATTERNS))
    if kind in ("integer", "grid"):
        low, high = sorted(draw(st.lists(st.integers(-5, 50), min_size=2, max_size=2)))
        if draw(st.booleans()):
            data["min"] = low
        if draw(st.booleans()):
            data["max"] = high
    if kind == "grid":
        data["rows"] = _rows(draw, "r")
        data["columns"] = _rows(draw, "k")
        if draw(st.booleans()):
            data["cell"] = draw(st.sampled_from(["integer", "decimal"]))
        if data.get("cell") == "decimal" or "cell" not in data:
            for key in ("min", "max"):
                if key in data and draw(st.booleans()):
                    data[key] = data[key] + 0.5 if key == "max" else data[key] - 0.5
    if kind == "decimal":
        low, high = sorted(
            draw(st.lists(st.sampled_from([-1.5, 0, 0.25, 2, 7.5]), min_size=2, max_size=2))
        )
        if draw(st.booleans()):
            data["min"] = low
        if draw(st.booleans()):
            data["max"] = high
    if kind in ("single_choice", "multiple_choice", "matrix"):
        data["choices"] = _choices(draw)
    if kind == "single_choice" and draw(st.booleans()):
        data["other"] = True
    if kind == "multiple_choice":
        size = len(data["choices"])
        low, high = sorted(draw(st.lists(st.integers(0, size), min_size=2, max_size=2)))
        if draw(st.booleans()):
            data["min_selected"] = low
        if draw(st.booleans()):
            data["max_selected"] = max(high, 1)
    if kind == "matrix":
        data["rows"] = _rows(draw, "r")
    if kind == "date" and features.engine_rules:
        bounds = ["2000-01-01", "2020-06-15", "today"]
        if draw(st.booleans()):
            data["min"] = draw(st.sampled_from(bounds[:2]))
        if draw(st.booleans()):
            data["max"] = draw(st.sampled_from(bounds[1:]))
    return data


def _condition(draw: st.DrawFn, target: dict[str, Any], features: Features) -> str:
    """A condition about `target`; one the schema can say unless engine rules are allowed."""
    name = target["id"]
    kind = target["type"]
    options: list[str]
    if kind == "yes_no":
        options = [f"{name} == true", f"{name}", f"not {name}"]
    elif kind in ("integer", "decimal"):
        options = [f"{name} > 2", f"{name} <= 0", f"{name} == 1", f"{name} != 1"]
    elif kind == "single_choice":
        options = [f"{name} == 'a'", f"{name} in ['a', 'b']", f"{name} not in ['a']"]
        options.append(f"selected({name}, 'b')")
    elif kind == "multiple_choice":
        options = [f"selected({name}, 'a')", f"'b' in {name}"]
    else:
        options = [f"answered({name})", f"not answered({name})"]
    if features.engine_rules:
        if kind in ("integer", "decimal"):
            options.append(f"{name} + 1 > 3")
        if kind in ("text", "textarea", "email", "url", "multiple_choice"):
            options.append(f"len({name}) > 1")
        if kind == "date":
            options.append(f"{name} >= '2010-01-01'")
        if kind == "repeat":
            options.append(f"count({name}) > 1")
    return draw(st.sampled_from(options))


def _constraint(draw: st.DrawFn, kind: str) -> str | None:
    options = {
        "integer": ["value != 3", "value < 20"],
        "decimal": ["value != 2", "value * 2 < 10"],
        "text": ["len(value) != 2"],
        "textarea": ["len(value) < 6"],
        "date": ["year(value) != 2021"],
        "multiple_choice": ["count(value) != 2", "not selected(value, 'b')"],
        "single_choice": ["value != 'b'"],
        "yes_no": ["value"],
        "repeat": ["count(value) < 3"],
    }.get(kind)
    return draw(st.sampled_from(options)) if options else None


@st.composite
def _question(
    draw: st.DrawFn, qid: str, kind: str, features: Features, earlier: list[dict[str, Any]]
) -> dict[str, Any]:
    question: dict[str, Any] = {"id": qid, "type": kind, "label": {"en": qid.upper()}}
    question.update(draw(_settings(kind, features)))
    takes = kind not in ("note", "calculated")
    if features.conditions and earlier and draw(st.booleans()):
        target = draw(st.sampled_from(earlier))
        question["when"] = _condition(draw, target, features)
    if takes and features.required and draw(st.integers(0, 3)) == 0:
        if features.engine_rules and earlier and draw(st.booleans()):
            question["required"] = _condition(draw, draw(st.sampled_from(earlier)), features)
        else:
            question["required"] = True
    if takes and features.engine_rules and draw(st.integers(0, 3)) == 0:
        constraint = _constraint(draw, kind)
        if constraint:
            question["constraint"] = constraint
            if draw(st.booleans()):
                question["severity"] = "warning"
            if draw(st.booleans()):
                question["constraint_message"] = {"en": f"Check {qid}."}
    return question


@st.composite
def definitions(draw: st.DrawFn, features: Features = Features(), most: int = 5) -> Built:
    """A questionnaire of 1-5 questions of random types and settings, with `when`s that may
    point forwards (a random order of evaluation keeps them free of cycles)."""
    count = draw(st.integers(1, most))
    kinds = draw(
        st.lists(
            st.sampled_from([*SIMPLE_TYPES, "repeat", "calculated", "note"]),
            min_size=count,
            max_size=count,
        )
    )
    order = draw(st.permutations(range(count)))  # question i may look at j when order[j] < order[i]
    ids = [f"q{i}" for i in range(count)]
    questions: list[dict[str, Any]] = [{} for _ in range(count)]
    numeric = [i for i, k in enumerate(kinds) if k in ("integer", "decimal")]
    for position in range(count):
        i = order.index(position)
        earlier = [questions[j] for j in range(count) if order[j] < position]
        earlier = [q for q in earlier if q["type"] not in ("note", "calculated")]
        kind = kinds[i]
        if kind == "repeat":
            members = draw(_members(ids[i], features))
            question = draw(_question(ids[i], "repeat", features, earlier))
            question["questions"] = members
            if draw(st.booleans()):
                question["max_items"] = draw(st.integers(1, 3))
            if draw(st.booleans()):
                question["min_items"] = draw(st.integers(0, question.get("max_items", 3)))
        elif kind == "calculated":
            sources = [j for j in numeric if order[j] < position]
            expression = f"{ids[sources[0]]} * 2" if sources else "1 + 1"
            question = {
                "id": ids[i],
                "type": "calculated",
                "label": {"en": "Calc"},
                "expression": expression,
            }
            if sources and features.engine_rules and draw(st.booleans()):
                question["constraint"] = "value < 30"
        else:
            question = draw(_question(ids[i], kind, features, earlier))
        questions[i] = question
    definition = {
        "id": "random",
        "version": 1,
        "title": {"en": "Random"},
        "sections": [
            {"id": "main", "pillar": "rule_of_law", "title": {"en": "Main"}, "questions": questions}
        ],
    }
    return Built(definition, questions)


@st.composite
def _members(draw: st.DrawFn, repeat_id: str, features: Features) -> list[dict[str, Any]]:
    count = draw(st.integers(1, 3))
    members: list[dict[str, Any]] = []
    for index in range(count):
        kind = draw(st.sampled_from([*SIMPLE_TYPES, "calculated"]))
        mid = f"{repeat_id}_m{index}"
        if kind == "calculated":
            numeric = [m for m in members if m["type"] in ("integer", "decimal")]
            expression = f"{numeric[0]['id']} + 1" if numeric else "2"
            members.append(
                {"id": mid, "type": "calculated", "label": {"en": "C"}, "expression": expression}
            )
            continue
        # A condition on a calculated value is a rule only the engine can check (the schema
        # never sees computed values): only where the features allow engine rules.
        earlier = [m for m in members if features.engine_rules or m["type"] != "calculated"]
        members.append(draw(_question(mid, kind, features, earlier)))
    return members


def _checked(built: Built) -> Questionnaire:
    result = check_source(built.source)
    problems = [str(p) for p in result.problems]
    assert problems == [], (problems, built.source)  # not even a warning
    assert result.questionnaire is not None
    return result.questionnaire


# -- answers -------------------------------------------------------------------------------------


def _valid_value(question: dict[str, Any], complete: bool = False) -> st.SearchStrategy[Any]:
    """Values of the right type and within the type's own settings (not the rules); `complete`
    answers every row, cell and required member (what `required` asks for)."""
    kind = question["type"]
    if kind in ("text", "textarea"):
        pattern = question.get("pattern")
        limit = question.get("max_length", 12)
        samples = {
            r"[a-z]+": ["abc", "z"],
            r"\d{2,4}": ["12", "2024"],
            r"[A-Z][a-z]*": ["Ab", "Z"],
            r"(?:ab|cd)+": ["ab", "abcd"],
            r".+": ["any", "x y"],
            r"[^@]+@x\.org": ["me@x.org"],
        }
        values = samples[pattern] if pattern else ["Report", "x", "déjà vu", "a\tb"]
        return st.sampled_from([v for v in values if len(v) <= limit] or ["x"])
    if kind == "integer":
        whole = st.integers(question.get("min", -100), question.get("max", 100))
        return whole | whole.map(float)  # 2350.0 is an integer answer, stored as 2350
    if kind == "decimal":
        low, high = question.get("min", -100), question.get("max", 100)
        return st.floats(low, high) | st.sampled_from(sorted({low, high, (low + high) / 2}))
    if kind == "yes_no":
        return st.booleans()
    if kind == "single_choice":
        values = [c["value"] for c in question["choices"]]
        return st.sampled_from(values)
    if kind == "multiple_choice":
        values = [c["value"] for c in question["choices"]]
        low = max(question.get("min_selected", 1), 1)
        high = min(question.get("max_selected", len(values)), len(values))
        return st.lists(st.sampled_from(values), min_size=low, max_size=high, unique=True)
    if kind == "date":
        return st.sampled_from(["2020-06-15", "2021-03-04", "2010-12-31", "2024-02-29"])
    if kind == "email":
        return st.sampled_from(["a@b.org", "focal.point@justice.example"])
    if kind == "url":
        return st.sampled_from(["https://example.org", "http://exämple.org/a?b=c"])
    if kind == "matrix":
        values = [c["value"] for c in question["choices"]]
        cells = {row["id"]: st.sampled_from(values) for row in question["rows"]}
        if complete:
            return st.fixed_dictionaries(cells)
        return st.fixed_dictionaries({}, optional=cells).filter(bool)
    if kind == "grid":
        low, high = question.get("min", -20), question.get("max", 60)
        cell = (
            st.integers(int(low) if low == int(low) else int(low) + 1, int(high))
            if question.get("cell") == "integer"
            else st.sampled_from([low, high, (low + high) / 2])
        )
        cells = {col["id"]: cell for col in question["columns"]}
        rows = question["rows"]
        if complete:
            return st.fixed_dictionaries({r["id"]: st.fixed_dictionaries(cells) for r in rows})
        row = st.fixed_dictionaries({}, optional=cells).filter(bool)
        return st.fixed_dictionaries({}, optional={r["id"]: row for r in rows}).filter(bool)
    if kind == "repeat":
        members = [m for m in question["questions"] if m["type"] != "calculated"]
        needed = {
            m["id"]: _valid_value(m, True)
            for m in members
            if complete and m.get("required") is True and "when" not in m
        }
        item = st.fixed_dictionaries(
            needed, optional={m["id"]: _valid_value(m) for m in members if m["id"] not in needed}
        )
        low = max(question.get("min_items", 0), 1 if complete else 0)
        return st.lists(item, min_size=low, max_size=max(low, 3))
    raise AssertionError(kind)


JUNK = st.sampled_from(
    [None, "", [], {}, 0, -1, 1.5, 2350.0, True, "x", "2024-02-30", "a" * 30, ["a", "a"],
     ["zz"], {"r0": "zz"}, {"r0": {"k0": "x"}}, [{"zz": 1}], "a\x0bb", "https://x", 10**6]
)  # fmt: skip


def _mostly(valid: st.SearchStrategy[Any], other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`valid` five times in six."""
    return st.integers(0, 5).flatmap(lambda n: other if n == 0 else valid)


def _any_value(question: dict[str, Any]) -> st.SearchStrategy[Any]:
    if question["type"] == "repeat":
        members = question["questions"]
        item = st.fixed_dictionaries({}, optional={m["id"]: _any_value(m) for m in members})
        item = _mostly(item, item.map(lambda answers: {**answers, "zz": 1}) | JUNK)
        return _mostly(st.lists(item, max_size=4), JUNK)
    if question["type"] in ("calculated", "note"):
        return JUNK
    return _mostly(_valid_value(question), JUNK)


@st.composite
def _responses(draw: st.DrawFn, built: Built) -> dict[str, Any]:
    """Random answers, mostly sensible, sometimes junk, with stray keys now and then."""
    answers: dict[str, Any] = {}
    for question in built.questions:
        if draw(st.integers(0, 2)) == 0:
            continue
        if question["type"] in ("calculated", "note") and draw(st.integers(0, 3)) > 0:
            continue
        answers[question["id"]] = draw(_any_value(question))
        if question.get("other") and draw(st.booleans()):
            answers[question["id"] + "_other"] = draw(st.sampled_from(["Ombudsman", "", None, 3]))
    if draw(st.integers(0, 5)) == 0:
        answers["zz_unknown"] = 1
    return answers


def _full_path(validator: Validator) -> Validator:
    """The same Validator forced onto its full path (the fast path never accepts)."""

    class _Never:
        def is_valid(self, instance: Any) -> bool:
            return False

    full = copy.copy(validator)
    full._fast = {mode: _Never() for mode in validator._fast}  # type: ignore[misc]
    return full


def _summary(result: ValidationResult) -> tuple[Any, ...]:
    return (
        [(e.path, e.question, e.message) for e in result.errors],
        [(w.path, w.question, w.message) for w in result.warnings],
        json.dumps(result.answers, sort_keys=True),
    )


# -- (c) random definitions: metaschema, and fast path == full path ------------------------------


@settings(max_examples=40, **SETTINGS)
@given(data=st.data())
def test_random_definitions_fast_and_full_paths_agree(data: st.DataObject) -> None:
    built = data.draw(definitions(), label="definition")
    questionnaire = _checked(built)
    validator = Validator(questionnaire)
    for schema in validator.schemas.values():
        Draft202012Validator.check_schema(schema)
    full = _full_path(validator)
    for _ in range(4):
        answers = data.draw(_responses(built), label="answers")
        for mode in ("draft", "submit"):
            fast_result = validator.validate(answers, mode, today="2024-05-01")
            full_result = full.validate(answers, mode, today="2024-05-01")
            assert _summary(fast_result) == _summary(full_result), (mode, answers)
            paths = [e.path for e in fast_result.errors]
            assert len(paths) == len(set(paths)), "at most one error per answer"
            if fast_result.valid:
                _assert_round_trip(validator, fast_result, mode)


def _assert_round_trip(validator: Validator, result: ValidationResult, mode: str) -> None:
    """What is stored validates again, and is stored unchanged (RELIABILITY C1)."""
    again = validator.validate(result.answers, mode, today="2024-05-01")  # type: ignore[arg-type]
    assert again.valid, again.errors
    assert json.dumps(again.answers, sort_keys=True) == json.dumps(result.answers, sort_keys=True)


# -- (a) answers from the schema: engine == python-jsonschema == fastjsonschema -------------------


def _verdicts(schema: dict[str, Any], validator: Validator, answers: Any, mode: str) -> list[bool]:
    python = Draft202012Validator(schema, format_checker=FormatChecker()).is_valid(answers)
    fast = fastjsonschema.compile({k: v for k, v in schema.items() if k != "$schema"})
    try:
        fast(answers)
        second = True
    except fastjsonschema.JsonSchemaException:
        second = False
    engine = validator.validate(answers, mode).valid  # type: ignore[arg-type]
    return [engine, python, second]


SCHEMA_ONLY = Features(engine_rules=False)


@settings(max_examples=12, **SETTINGS)
@given(data=st.data())
def test_answers_generated_from_the_schema(data: st.DataObject) -> None:
    built = data.draw(definitions(SCHEMA_ONLY, most=3), label="definition")
    validator = Validator(_checked(built))
    for source in ("submit", "draft"):
        answers = data.draw(generated_from(validator.schemas[source]), label=f"from {source}")
        # Generated from the submit schema: valid for all. From the draft schema: the submit
        # verdict (required answers may be missing) must still be the same for all three.
        for mode in ("draft", "submit"):
            verdicts = _verdicts(validator.schemas[mode], validator, answers, mode)
            assert len(set(verdicts)) == 1, (mode, answers, verdicts)
            if mode == source:
                assert verdicts == [True, True, True]
                _assert_round_trip(validator, validator.validate(answers, mode), mode)


ENGINE_ONLY_CODES = {"constraint", "date_minimum", "date_maximum"}


def _judicial_integrity_sections() -> dict[str, Questionnaire]:
    """judicial-integrity.yaml cut into one questionnaire per section (its rules stay within a
    section): generating from the whole schema takes hypothesis-jsonschema a minute."""
    data = yaml.safe_load((ROOT / "questionnaires" / "judicial-integrity.yaml").read_text("utf-8"))
    parts = {}
    for section in data["sections"]:
        part = {k: v for k, v in data.items() if k not in ("sections", "indicators")}
        part["id"] = "ji-" + section["id"].replace("_", "-")
        part["sections"] = [section]
        result = check_source(json.dumps(part))
        assert result.questionnaire is not None, [str(p) for p in result.problems]
        parts[section["id"]] = result.questionnaire
    return parts


JUDICIAL_INTEGRITY = _judicial_integrity_sections()


@pytest.mark.parametrize("section", sorted(JUDICIAL_INTEGRITY))
def test_answers_generated_from_judicial_integrity(section: str) -> None:
    """A real questionnaire: the schema validators accept what was generated from the schema,
    and the engine refuses only by rules the schema cannot say (constraints, date bounds)."""
    validator = Validator(JUDICIAL_INTEGRITY[section])
    schema = validator.schemas["submit"]

    @settings(max_examples=3, **SETTINGS)
    @given(answers=generated_from(schema))
    def check(answers: dict[str, Any]) -> None:
        engine, python, second = _verdicts(schema, validator, answers, "submit")
        assert python
        assert second
        result = validator.validate(answers, "submit")
        assert {e.code for e in result.errors} <= ENGINE_ONLY_CODES, result.errors
        assert engine == (not result.errors)

    check()


def test_judicial_integrity_is_cut_along_its_sections() -> None:
    result = check_file(ROOT / "questionnaires" / "judicial-integrity.yaml")
    assert result.questionnaire is not None
    whole = {q.id for q in result.questionnaire.walk()}
    assert whole == {q.id for part in JUDICIAL_INTEGRITY.values() for q in part.walk()}


# -- (b) single mutations of a valid response ---------------------------------------------------


MUTATION_DEFINITIONS = Features(engine_rules=False, required=True)


def _repaired(validator: Validator, built: Built, answers: dict[str, Any]) -> dict[str, Any]:
    """Drop the answers that have errors (hidden ones, too few...) until the response is valid."""
    required = {q["id"] for q in built.questions if q.get("required") is True and "when" not in q}
    for _ in range(len(built.questions) + 2):
        result = validator.validate(answers, "submit", today="2024-05-01")
        if result.valid:
            return answers
        for error in result.errors:
            key = error.path.split("/")[1]
            if key in required:
                assume(False)  # a required answer should be valid by construction
            answers.pop(key, None)
            if key.endswith("_other"):
                answers.pop(key.removesuffix("_other"), None)
    assume(False)
    return answers


@st.composite
def _valid_response(draw: st.DrawFn, built: Built) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in built.questions:
        if question["type"] in ("note", "calculated"):
            continue
        required = question.get("required") is True
        if required or draw(st.booleans()):
            answers[question["id"]] = draw(_valid_value(question, complete=required))
            if question.get("other") and answers[question["id"]] == "other":
                answers[question["id"] + "_other"] = "Other text"
    return answers


WRONG_TYPES: dict[str, Any] = {
    "text": 12,
    "textarea": ["x"],
    "integer": "12",
    "decimal": True,
    "yes_no": "true",
    "single_choice": 3,
    "multiple_choice": "a",
    "date": 20240101,
    "email": {"at": "x"},
    "url": 1.5,
    "matrix": ["a"],
    "grid": "table",
    "repeat": {"items": []},
}


def _out_of_range(question: dict[str, Any]) -> Any:
    kind = question["type"]
    if kind in ("integer", "decimal") and "max" in question:
        return question["max"] + 1
    if kind in ("integer", "decimal") and "min" in question:
        return question["min"] - 1
    if kind in ("text", "textarea") and "max_length" in question:
        return "x" * (question["max_length"] + 1)
    if kind == "grid" and ("max" in question or "min" in question):
        value = question["max"] + 1 if "max" in question else question["min"] - 1
        return {question["rows"][0]["id"]: {question["columns"][0]["id"]: value}}
    return None


Mutation = Callable[[dict[str, Any]], tuple[dict[str, Any], str]]


@settings(max_examples=60, **SETTINGS)
@given(data=st.data())
def test_single_mutations_report_at_the_mutated_path(data: st.DataObject) -> None:
    built = data.draw(definitions(MUTATION_DEFINITIONS), label="definition")
    validator = Validator(_checked(built))
    answers = _repaired(validator, built, data.draw(_valid_response(built), label="answers"))
    by_id = {q["id"]: q for q in built.questions}
    present = [k for k in answers if k in by_id]
    options: list[str] = ["unknown"]
    if present:
        options.append("type")
    if any(_out_of_range(by_id[k]) is not None for k in present):
        options.append("range")
    if any(q.get("required") is True and "when" not in q for q in built.questions):
        options.append("drop")
    items = [
        (k, i) for k in present if by_id[k]["type"] == "repeat" for i in range(len(answers[k]))
    ]
    if items:
        options.append("member")
    mutation = data.draw(st.sampled_from(options), label="mutation")
    mutated = copy.deepcopy(answers)
    exact = True
    if mutation == "unknown":
        if items and data.draw(st.booleans()):
            key, index = data.draw(st.sampled_from(items))
            mutated[key][index]["zz_unknown"] = 1
            path = f"/{key}/{index}/zz_unknown"
        else:
            mutated["zz_unknown"] = "x"
            path = "/zz_unknown"
    elif mutation == "type":
        key = data.draw(st.sampled_from(present))
        mutated[key] = WRONG_TYPES[by_id[key]["type"]]
        path = f"/{key}"
    elif mutation == "range":
        key = data.draw(
            st.sampled_from([k for k in present if _out_of_range(by_id[k]) is not None])
        )
        mutated[key] = _out_of_range(by_id[key])
        path = f"/{key}"
        if by_id[key]["type"] == "grid":
            row, cells = next(iter(mutated[key].items()))
            path += f"/{row}/{next(iter(cells))}"
    elif mutation == "member":
        key, index = data.draw(st.sampled_from(items))
        members = [m for m in by_id[key]["questions"] if m["type"] != "calculated"]
        member = data.draw(st.sampled_from(members))
        mutated[key][index][member["id"]] = WRONG_TYPES[member["type"]]
        path = f"/{key}/{index}/{member['id']}"
        # A member hidden by its `when` reports only that it is hidden, at the same path.
    else:
        key = data.draw(
            st.sampled_from(
                [q["id"] for q in built.questions if q.get("required") is True and "when" not in q]
            )
        )
        mutated.pop(key)
        path = f"/{key}"
        exact = False  # an absent answer is null: a `when` that reads it may hide others
    result = validator.validate(mutated, "submit", today="2024-05-01")
    paths = [e.path for e in result.errors]
    if exact:
        assert paths == [path], (mutation, mutated)
    else:
        # Others may change with it (an absent answer hides or shows what reads it).
        assert (path, render("required", {}, "en")) in [(e.path, e.message) for e in result.errors]


# -- the sample questionnaires never crash, whatever is sent -------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 3000)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _sample(name: str) -> Validator:
    result = check_file(ROOT / "questionnaires" / f"{name}.yaml")
    assert result.questionnaire is not None
    return Validator(result.questionnaire)


SAMPLES = {
    path.stem: _sample(path.stem) for path in sorted((ROOT / "questionnaires").glob("*.yaml"))
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_questionnaires_take_any_json(name: str) -> None:
    validator = SAMPLES[name]
    full = _full_path(validator)
    keys = sorted(q.id for q in validator.questionnaire.walk())

    def shaped(key: str) -> st.SearchStrategy[Any]:
        question = validator.questionnaire.by_id[key]
        if question.type == "repeat":  # items with member keys, so the member rules run
            members = {m.id: JSON for m in question.questions}
            return st.lists(st.fixed_dictionaries({}, optional=members), max_size=3) | JSON
        return JSON

    @settings(max_examples=15, **SETTINGS)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        chosen = data.draw(st.lists(st.sampled_from(keys), max_size=8, unique=True))
        answers = {key: data.draw(shaped(key)) for key in chosen}
        for mode in ("draft", "submit"):
            result = validator.validate(answers, mode, today="2024-05-01")
            assert _summary(result) == _summary(full.validate(answers, mode, today="2024-05-01"))
            assert all(e.path.startswith("/") and e.message for e in result.errors)

    check()
