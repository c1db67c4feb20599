"""Indicators: each aggregate of SPEC §1 with its numerator, denominator and n (SPEC §8)."""

from __future__ import annotations

import textwrap

import pytest

from engine.checker import check_source
from engine.indicators import by_pillar, compute_indicators, counted

DEFINITION = textwrap.dedent(
    """
    id: indicators-demo
    version: 1
    title: Indicators demo
    sections:
      - id: only
        pillar: criminal_justice
        title: Only
        questions:
          - id: strategy
            type: single_choice
            label: Strategy
            choices:
              - {value: full, label: Full}
              - {value: partial, label: Partial}
          - {id: prisoners, type: integer, label: Prisoners, min: 0}
          - {id: has_law, type: yes_no, label: Law}
          - {id: share_women, type: decimal, label: Share of women, min: 0, max: 1}
    indicators:
      - {id: i_share, pillar: crime_prevention, label: Share, aggregate: share, of: "strategy == 'full'"}
      - {id: i_share_answered, pillar: crime_prevention, label: Share, aggregate: share, of: "has_law"}
      - {id: i_count, pillar: rule_of_law, label: Count, aggregate: count, of: "has_law"}
      - {id: i_count_number, pillar: rule_of_law, label: Count, aggregate: count, of: "prisoners"}
      - {id: i_sum, pillar: criminal_justice, label: Sum, aggregate: sum, of: "prisoners"}
      - {id: i_mean, pillar: criminal_justice, label: Mean, aggregate: mean, of: "prisoners"}
      - {id: i_median, pillar: criminal_justice, label: Median, aggregate: median, of: "prisoners"}
      - {id: i_min, pillar: international_cooperation, label: Min, aggregate: min, of: "prisoners"}
      - {id: i_max, pillar: international_cooperation, label: Max, aggregate: max, of: "prisoners"}
      - {id: i_mean_empty, pillar: international_cooperation, label: Mean, aggregate: mean, of: "share_women"}
    """
)

RESPONSES = [
    {"strategy": "full", "prisoners": 100, "has_law": True},
    {"strategy": "partial", "prisoners": 0, "has_law": False},
    {"strategy": "full", "prisoners": 50},
    {"prisoners": 30, "has_law": True},
]


@pytest.fixture(scope="module")
def values() -> dict[str, tuple]:
    questionnaire = check_source(DEFINITION).questionnaire
    assert questionnaire is not None
    return {
        v.indicator.id: (v.value, v.numerator, v.denominator, v.n)
        for v in compute_indicators(questionnaire, RESPONSES)
    }


@pytest.mark.parametrize(
    ("indicator", "expected"),
    [
        # A comparison with an unanswered question is false, not null: it counts in the denominator.
        ("i_share", (0.5, 2, 4, 4)),
        # A bare answer is null when unanswered: left out of the denominator.
        ("i_share_answered", (2 / 3, 2, 3, 3)),
        ("i_count", (2, 2, None, 3)),
        # For a number, count means not null and not 0.
        ("i_count_number", (3, 3, None, 4)),
        ("i_sum", (180, None, None, 4)),
        ("i_mean", (45.0, 180, 4, 4)),
        ("i_median", (40.0, None, None, 4)),
        ("i_min", (0, None, None, 4)),
        ("i_max", (100, None, None, 4)),
        ("i_mean_empty", (None, None, None, 0)),
    ],
)
def test_each_aggregate(values: dict[str, tuple], indicator: str, expected: tuple) -> None:
    assert values[indicator] == pytest.approx(expected)


def test_only_submitted_and_accepted_responses_count() -> None:
    pairs = [
        ("draft", {"a": 1}),
        ("submitted", {"b": 2}),
        ("returned", {"c": 3}),
        ("accepted", {"d": 4}),
    ]
    assert counted(pairs) == [{"b": 2}, {"d": 4}]


def test_no_responses_gives_no_value_and_n_zero() -> None:
    questionnaire = check_source(DEFINITION).questionnaire
    assert questionnaire is not None
    results = {v.indicator.id: v for v in compute_indicators(questionnaire, [])}
    assert (results["i_share"].value, results["i_share"].n) == (None, 0)
    assert (results["i_count"].value, results["i_count"].n) == (0, 0)
    assert results["i_sum"].value is None


def test_grouped_by_the_four_pillars_in_order() -> None:
    questionnaire = check_source(DEFINITION).questionnaire
    assert questionnaire is not None
    grouped = by_pillar(compute_indicators(questionnaire, RESPONSES))
    assert list(grouped) == [
        "crime_prevention",
        "criminal_justice",
        "rule_of_law",
        "international_cooperation",
    ]
    assert [v.indicator.id for v in grouped["rule_of_law"]] == ["i_count", "i_count_number"]


def test_sample_questionnaires_indicators_compute_on_empty_and_sample_answers() -> None:
    from engine.checker import check_paths

    for result in check_paths(["questionnaires"]):
        assert result.questionnaire is not None, result.problems
        for value in compute_indicators(result.questionnaire, [{}]):
            assert value.n in (0, 1)
