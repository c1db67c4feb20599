"""The read-only registry of question types (SPEC §1)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from engine.types.base import Issue, Mode, Path, QuestionType, SchemaOptions
from engine.types.choices import MultipleChoice, SingleChoice, YesNo
from engine.types.dates import Date
from engine.types.numbers import Decimal, Integer
from engine.types.structure import Calculated, Note, Repeat
from engine.types.tables import Grid, Matrix
from engine.types.text import Email, Text, Textarea, Url

REGISTRY: Mapping[str, QuestionType] = MappingProxyType(
    {
        kind.name: kind
        for kind in (
            Text(),
            Textarea(),
            Integer(),
            Decimal(),
            YesNo(),
            SingleChoice(),
            MultipleChoice(),
            Date(),
            Email(),
            Url(),
            Matrix(),
            Grid(),
            Repeat(),
            Calculated(),
            Note(),
        )
    }
)


def question_type(name: str) -> QuestionType:
    return REGISTRY[name]


__all__ = ["REGISTRY", "Issue", "Mode", "Path", "QuestionType", "SchemaOptions", "question_type"]
