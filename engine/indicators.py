"""Indicators (SPEC §1, §8): one value per indicator over a set of responses, with its n.

Exports, dashboards and the API all call `compute_indicators`, so a share means the same
everywhere. Only submitted or accepted responses count (`COUNTED_STATUSES`); callers pass the
stored answers of those.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.expressions import truthy
from engine.model import PILLARS, Indicator, Questionnaire
from engine.types.base import is_number

COUNTED_STATUSES = frozenset({"submitted", "accepted"})


@dataclass(frozen=True)
class IndicatorValue:
    indicator: Indicator
    value: int | float | None
    """A share is a fraction from 0 to 1; None when there is nothing to aggregate."""
    numerator: int | float | None
    denominator: int | None
    n: int

    @property
    def pillar(self) -> str:
        return self.indicator.pillar

    def as_dict(self, questionnaire: Questionnaire, lang: str | None = None) -> dict[str, Any]:
        return {
            "indicator": self.indicator.id,
            "pillar": self.indicator.pillar,
            "label": questionnaire.text(self.indicator.label, lang),
            "aggregate": self.indicator.aggregate,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "n": self.n,
        }


def counted(responses: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Mapping[str, Any]]:
    """The answers of the (status, answers) pairs that indicators count."""
    return [answers for status, answers in responses if status in COUNTED_STATUSES]


def compute_indicator(
    indicator: Indicator, responses: Iterable[Mapping[str, Any]]
) -> IndicatorValue:
    results = [indicator.of(answers) for answers in responses]
    aggregate = indicator.aggregate
    if aggregate == "share":
        known = [r for r in results if r is not None]
        hits = sum(1 for r in known if truthy(r))
        value = hits / len(known) if known else None
        return IndicatorValue(indicator, value, hits, len(known), len(known))
    if aggregate == "count":
        known = [r for r in results if r is not None]
        hits = sum(1 for r in known if truthy(r))
        return IndicatorValue(indicator, hits, hits, None, len(known))
    numbers = [r for r in results if is_number(r)]
    if not numbers:
        return IndicatorValue(indicator, None, None, None, 0)
    if aggregate == "sum":
        return IndicatorValue(indicator, sum(numbers), None, None, len(numbers))
    if aggregate == "mean":
        total = sum(numbers)
        return IndicatorValue(indicator, total / len(numbers), total, len(numbers), len(numbers))
    if aggregate == "median":
        return IndicatorValue(indicator, statistics.median(numbers), None, None, len(numbers))
    pick = min if aggregate == "min" else max
    return IndicatorValue(indicator, pick(numbers), None, None, len(numbers))


def compute_indicators(
    questionnaire: Questionnaire, responses: Iterable[Mapping[str, Any]]
) -> list[IndicatorValue]:
    """Every indicator of the questionnaire, in definition order."""
    answers = list(responses)
    return [compute_indicator(indicator, answers) for indicator in questionnaire.indicators]


def by_pillar(values: Iterable[IndicatorValue]) -> dict[str, list[IndicatorValue]]:
    """Indicator values grouped under the four pillars, in the pillars' order."""
    grouped: dict[str, list[IndicatorValue]] = {pillar: [] for pillar in PILLARS}
    for value in values:
        grouped[value.pillar].append(value)
    return grouped
