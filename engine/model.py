"""The checked questionnaire model: frozen dataclasses built only from a definition without errors.

Everything downstream (schema compiler, validation, forms, exports, indicators) reads this model,
never the raw YAML, so a rule is decided once, here or in `engine.types`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from engine.expressions import Node
    from engine.types import QuestionType

PILLARS: dict[str, str] = {
    "crime_prevention": "Advancing crime prevention",
    "criminal_justice": "Strengthening the criminal justice system",
    "rule_of_law": "Promoting the rule of law",
    "international_cooperation": (
        "Promoting international cooperation and technical assistance "
        "to prevent and address all forms of crime"
    ),
}
PERIODS = ("annual", "biennial", "quarterly", "once")
ORGANISATION_KINDS = (
    "member_state",
    "civil_society",
    "academia",
    "private_sector",
    "youth",
    "intergovernmental",
    "un_entity",
)
AGGREGATES = ("share", "count", "sum", "mean", "median", "min", "max")
UN_LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})

Text = Mapping[str, str]
"""A text shown to people: language code -> text. A plain YAML string is the default language."""


def localise(text: Text | None, lang: str | None, fallback: str) -> str:
    """The text in `lang`, else in the questionnaire's default language, else any."""
    if not text:
        return ""
    if lang and lang in text:
        return text[lang]
    if fallback in text:
        return text[fallback]
    return next(iter(text.values()))


@dataclass(frozen=True, eq=False)
class Expression:
    """An expression of the definition: its source, parsed tree and compiled evaluator."""

    source: str
    tree: Node
    evaluate: Callable[[Mapping[str, Any]], Any] = field(repr=False)
    names: frozenset[str]

    def __call__(self, env: Mapping[str, Any]) -> Any:
        return self.evaluate(env)


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


@dataclass(frozen=True)
class Row:
    """A matrix row, or a grid row or column."""

    id: str
    label: Text


@dataclass(frozen=True, eq=False)
class Question:
    id: str
    type: str
    label: Text
    hint: Text | None = None
    required: bool | Expression = False
    when: Expression | None = None
    constraint: Expression | None = None
    constraint_message: Text | None = None
    severity: Literal["error", "warning"] = "error"
    default: Any = None
    kyoto: tuple[int, ...] = ()
    indicator: str | None = None
    renamed_from: str | None = None
    # Type-specific settings; each question type reads only its own.
    min: int | float | str | None = None
    max: int | float | str | None = None
    max_length: int | None = None
    pattern: str | None = None
    choices: tuple[Choice, ...] = ()
    choice_list: str | None = None
    other: bool = False
    min_selected: int | None = None
    max_selected: int | None = None
    rows: tuple[Row, ...] = ()
    columns: tuple[Row, ...] = ()
    cell: Literal["integer", "decimal"] | None = None
    questions: tuple[Question, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    expression: Expression | None = None
    parent: str | None = None
    """The id of the repeat this question belongs to, if any."""

    @cached_property
    def kind(self) -> QuestionType:
        from engine.types import question_type

        return question_type(self.type)

    @cached_property
    def other_key(self) -> str:
        return f"{self.id}_other"

    @cached_property
    def choice_values(self) -> tuple[str, ...]:
        values = tuple(choice.value for choice in self.choices)
        return (*values, "other") if self.other else values

    @cached_property
    def takes_answer(self) -> bool:
        return self.kind.takes_answer

    @property
    def always_required(self) -> bool:
        return self.required is True

    def label_in(self, lang: str | None, fallback: str) -> str:
        return localise(self.label, lang, fallback)


@dataclass(frozen=True, eq=False)
class Section:
    id: str
    pillar: str
    title: Text
    questions: tuple[Question, ...]
    description: Text | None = None
    kyoto: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class Indicator:
    id: str
    pillar: str
    label: Text
    aggregate: str
    of: Expression
    kyoto: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class Questionnaire:
    id: str
    version: int
    title: Text
    sections: tuple[Section, ...]
    languages: tuple[str, ...] = ("en",)
    description: Text | None = None
    period: str = "annual"
    audience: tuple[str, ...] = ("member_state",)
    choices: Mapping[str, tuple[Choice, ...]] = field(default_factory=dict)
    indicators: tuple[Indicator, ...] = ()
    source: str = ""
    """The YAML text this version was built from (stored, hashed and published as is)."""
    source_hash: str = ""

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def text(self, text: Text | None, lang: str | None = None) -> str:
        return localise(text, lang, self.default_language)

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Top-level questions (repeat members stay inside their repeat), in definition order."""
        return tuple(q for section in self.sections for q in section.questions)

    @cached_property
    def by_id(self) -> Mapping[str, Question]:
        """Every question by id, repeat members included (ids are unique questionnaire-wide)."""
        return {q.id: q for q in self.walk()}

    @cached_property
    def section_of(self) -> Mapping[str, Section]:
        return {q.id: s for s in self.sections for q in _walk(s.questions)}

    def walk(self) -> Iterator[Question]:
        """Every question in definition order, each repeat followed by its members."""
        return _walk(self.questions)


def _walk(questions: tuple[Question, ...]) -> Iterator[Question]:
    for question in questions:
        yield question
        yield from _walk(question.questions)
