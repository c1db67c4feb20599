"""Fuzzing the checker (RELIABILITY D10): whatever the YAML, problems come back, never an exception.

Three generators: documents built from the format's own vocabulary (so they get past the first
checks and reach the deeper ones), small mutations of valid definitions (so some stay valid
and reach the model builder), and raw YAML-ish text (so the loader sees broken syntax).
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.checker import CheckResult, check_source
from engine.definition_schema import COMMON_QUESTION_KEYS, definition_schema
from engine.model import AGGREGATES, PILLARS
from engine.types import REGISTRY

CASES = Path(__file__).resolve().parents[1] / "cases" / "definitions"
BASES = ("valid-all-types.yaml", "valid-full-example.yaml", "choice-values-norway.yaml")
"""Small valid definitions to mutate: every question type, a repeat, indicators, translations."""
FUZZ = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])


def vocabulary() -> list[str]:
    """Every key the format knows, plus typos and junk."""
    schema = definition_schema()
    keys = set(schema["properties"]) | set(COMMON_QUESTION_KEYS)
    for part in schema["$defs"].values():
        keys |= set(part.get("properties", {}))
    for kind in REGISTRY.values():
        keys |= set(kind.keys)
    return [*sorted(keys), "lable", "questons", "en", "fr", "xx", "", "0", "a b"]


KEYS = vocabulary()
WORDS = [
    *REGISTRY,
    *PILLARS,
    *AGGREGATES,
    *["q1", "q2", "name", "full", "other", "value", "today", "2024-01-01", "2024-02-30"],
    *["q1 > 1", "value > 0", "count(q2)", "sum(q2, 'name')", "q1 ==", "(", "q1 in ['full']"],
    *["selected(q1, 'full')", "year(q1) + 'a'", "yes", "no", "012", "1.0", "en", "fr"],
    *[r"\w+", "(a+)+", "[0-9]{3}", "(?=a)", "implementation", "demo", "kyoto-core"],
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 150)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(WORDS)
    | st.text(max_size=6)
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=6)
    ),
    max_leaves=30,
)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, width=10**6)


def checked(text: str) -> CheckResult:
    result = check_source(text, "fuzz.yaml")
    for problem in result.problems:
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.severity in ("error", "warning")
        assert problem.message
    assert (result.questionnaire is not None) == result.ok
    return result


@FUZZ
@given(documents)
def test_random_documents_give_problems_not_exceptions(document: Any) -> None:
    checked(dump(document))


@FUZZ
@given(st.lists(documents, min_size=1, max_size=3), st.sampled_from(["questions", "sections"]))
def test_random_questions_in_a_valid_frame_give_problems_not_exceptions(
    items: list[Any], key: str
) -> None:
    """The same junk placed where questions (or sections) go, so the deeper checks run."""
    sections = (
        items
        if key == "sections"
        else [{"id": "s", "pillar": "rule_of_law", "title": "S", "questions": items}]
    )
    frame = {"id": "demo", "version": 1, "title": "Demo", "sections": sections}
    checked(dump(frame))


@cache
def samples() -> tuple[dict[str, Any], ...]:
    return tuple(yaml.load((CASES / name).read_text("utf-8"), yaml.CSafeLoader) for name in BASES)


def paths(node: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*path, index))
    return found


@cache
def sample_paths() -> tuple[list[tuple], ...]:
    return tuple(paths(sample) for sample in samples())


def at(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


mutation = st.tuples(
    st.sampled_from(["set", "delete", "copy"]), st.integers(0, 10**6), st.integers(0, 10**6)
)


@FUZZ
@given(st.integers(0, 2), st.lists(st.tuples(mutation, documents), min_size=1, max_size=3))
def test_mutated_samples_give_problems_not_exceptions(
    which: int, mutations: list[tuple[tuple[str, int, int], Any]]
) -> None:
    document = copy.deepcopy(samples()[which])
    known = sample_paths()[which]
    for (operation, target, source), value in mutations:
        path = known[target % len(known)]
        if not path:
            continue
        try:
            parent = at(document, path[:-1])
            if operation == "delete":
                del parent[path[-1]]
            elif operation == "copy":  # a node from elsewhere: ids, expressions, lists clash
                parent[path[-1]] = copy.deepcopy(at(samples()[which], known[source % len(known)]))
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced the path
    checked(dump(document))


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#%@`,?\n  \t\\0é")), max_size=80))
def test_random_yaml_text_gives_problems_not_exceptions(text: str) -> None:
    checked(text)
