"""One field builder per question type, in a read-only registry keyed by the type's name.

A builder knows, for its type: the WTForms fields a question needs (`fields`), how the stored
answer becomes what the inputs show (`raw`), how what was typed becomes the answer
(`parse`: absent when blank, numbers read by `webapp.forms.numbers`, anything else passed to the
engine as typed so that the engine's message explains it), how an answer is shown as text
(`display`), and which Jinja macro of `templates/respond/_questions.html` draws it (`widget`).

Adding a question type means adding a builder here and a macro there; nothing else switches on
the type name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

from flask_babel import gettext as _
from wtforms.fields.core import UnboundField

from engine.model import Question, Text
from engine.types.base import Path
from webapp.forms.fields import (
    FieldSpec,
    GroupField,
    RawField,
    RawListField,
    RepeatField,
)
from webapp.forms.numbers import NumberError, format_number, parse_number

Translate = Callable[[Text | None], str]
"""A questionnaire text in the page's language (`questionnaire.text(text, lang)`)."""
Display = str | list[str]
"""An answer as text: one line, or lines (a list is drawn as a list)."""


@dataclass
class Parsed:
    """What a container of inputs (the section, or one repeat item) says as answers."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[Path, str]] = field(default_factory=list)
    """(answer path, message) for typed values that are not answers at all (`12,5`, `abc`)."""
    unknown: set[str] = field(default_factory=set)
    """Questions whose typed value could not be read: unknown to skip logic, like the engine's
    invalid answers."""

    def merge(self, other: Parsed) -> None:
        self.answers.update(other.answers)
        self.errors += other.errors
        self.unknown |= other.unknown


_ABSENT: Any = object()


def _blank(text: Any) -> bool:
    """Nothing typed: an empty input. Text is kept exactly as typed, spaces included (SPEC §8)."""
    return not isinstance(text, str) or text == ""


def _blank_number(text: Any) -> bool:
    return not isinstance(text, str) or not text.strip()


def _lines(text: str) -> str:
    """Browsers send every line break of a textarea as CRLF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def equivalent(new: Any, old: Any) -> bool:
    """Whether a posted answer means the stored one: numbers by value (`2` is `2.0`), text up to
    line endings. An equivalent post keeps the stored answer as it is, so a form that changes
    nothing changes nothing (no revision, J2), even for answers saved through the API."""
    if new is _ABSENT or old is _ABSENT:
        return new is old
    if isinstance(new, bool) or isinstance(old, bool):
        return type(new) is type(old) and new == old
    if isinstance(new, int | float) and isinstance(old, int | float):
        return new == old
    if isinstance(new, str) and isinstance(old, str):
        return _lines(new) == _lines(old)
    if isinstance(new, list) and isinstance(old, list):
        return len(new) == len(old) and all(equivalent(a, b) for a, b in zip(new, old, strict=True))
    if isinstance(new, Mapping) and isinstance(old, Mapping):
        return new.keys() == old.keys() and all(equivalent(new[k], old[k]) for k in new)
    return False


class FieldBuilder:
    """Base of the builders: a question with one text input."""

    type_name: ClassVar[str]
    widget: ClassVar[str] = "input"
    input_type: ClassVar[str] = "text"
    inputmode: ClassVar[str | None] = None

    def fields(self, question: Question) -> list[FieldSpec]:
        return [(question.id, UnboundField(RawField))]

    def raw(self, question: Question, answers: Mapping[str, Any]) -> dict[str, Any]:
        value = answers.get(question.id)
        return {question.id: self.to_text(question, value) if value is not None else ""}

    def to_text(self, question: Question, value: Any) -> str:
        return value if isinstance(value, str) else str(value)

    def parse(self, question: Question, raw: Mapping[str, Any], path: Path) -> Parsed:
        text = raw.get(question.id, "")
        if _blank(text):
            return Parsed()
        return Parsed({question.id: text})

    def is_blank(self, question: Question, raw: Mapping[str, Any]) -> bool:
        return _blank_number(raw.get(question.id, ""))

    def display(self, question: Question, value: Any, tr: Translate) -> Display:
        return self.to_text(question, value)

    def same(self, question: Question, new: Any, old: Any) -> bool:
        """Whether the posted answer (or `_ABSENT`) means the stored one."""
        return equivalent(new, old)


class TextBuilder(FieldBuilder):
    """One line; an answer that already has line breaks (saved through the API or an import)
    is drawn as a textarea, since a text input would silently drop them."""

    type_name = "text"

    def parse(self, question: Question, raw: Mapping[str, Any], path: Path) -> Parsed:
        text = raw.get(question.id, "")
        if _blank(text):
            return Parsed()
        return Parsed({question.id: _lines(text)} if "\r" in text else {question.id: text})


class TextareaBuilder(FieldBuilder):
    """Browsers send line breaks as CRLF; a stored answer keeps LF, so an untouched textarea
    does not look changed on the next save."""

    type_name = "textarea"
    widget = "textarea"

    def parse(self, question: Question, raw: Mapping[str, Any], path: Path) -> Parsed:
        text = raw.get(question.id, "")
        if _blank(text):
            return Parsed()
        return Parsed({question.id: _lines(text)})


class EmailBuilder(FieldBuilder):
    type_name = "email"
    input_type = "email"


class UrlBuilder(FieldBuilder):
    type_name = "url"
    input_type = "url"


class DateBuilder(FieldBuilder):
    type_name = "date"
    input_type = "date"


class IntegerBuilder(FieldBuilder):
    """`type="text"` with `inputmode`, not `type="number"`: a number input sends "" for any
    text it cannot read, which would silently erase the answer (GOV.UK Design System advice)."""

    type_name = "integer"
    inputmode = "numeric"
    whole = True

    def to_text(self, question: Question, value: Any) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_number(value)
        return str(value)

    def parse(self, question: Question, raw: Mapping[str, Any], path: Path) -> Parsed:
        text = raw.get(question.id, "")
        if _blank_number(text):
            return Parsed()
        try:
            return Parsed({question.id: parse_number(text, whole=self.whole)})
        except NumberError as error:
            return Parsed(errors=[((*path, question.id), error.message)], unknown={question.id})


class DecimalBuilder(IntegerBuilder):
    type_name = "decimal"
    inputmode = "decimal"
    whole = False


class YesNoBuilder(FieldBuilder):
    type_name = "yes_no"
    widget = "radios"

    def to_text(self, question: Question, value: Any) -> str:
        return "true" if value is True else "false" if value is False else str(value)

    def parse(self, question: Question, raw: Mapping[str, Any], path: Path) -> Parsed:
        text = raw.get(question.id, "")
        if _blank(text):
            return Parsed()
        value = {"true": True, "false": False}.get(text, text)
        return Parsed({question.id: value})

    def options(self, question: Question, tr: Translate) -> list[tuple[str, str]]:
        return [("true", _("Yes")), ("false", _("No"))]

    def display(self, question: Question, value: Any, tr: Translate) -> Display:
        return _("Yes") if value is True else _("No") if value is False else str(value)


class SingleChoiceBuilder(FieldBuilder):
    """Radios; with `other`, an "Other" radio and the text kept under `<id>_other`."""

    type_name = "single_choice"
    widget = "radios"

    def fields(self, question: Question) -> list[FieldSpec]:
        specs = [(question.id, UnboundField(RawField))]
        if question.other:
            specs.append((question.other_key, UnboundField(RawField)))
        return specs

    def raw(self, question: Question, answers: Mapping[str, Any]) -> dict[str, Any]:
        raw = super().raw(question, answers)
        if question.other:
            other = answers.get(question.other_key)
            raw[question.other_key] = other if isinstance(other, str) else ""
        return raw

    def parse(self, question: Question, raw: Mapping[str, Any], path: Path) -> Parsed:
        parsed = super().parse(question, raw, path)
        if question.other and parsed.answers.get(question.id) == "other":
            other = raw.get(question.other_key, "")
            if not _blank(other):
                parsed.answers[question.other_key] = other
        return parsed

    def is_blank(self, question: Question, raw: Mapping[str, Any]) -> bool:
        return super().is_blank(question, raw) and _blank(raw.get(question.other_key, ""))

    def options(self, question: Question, tr: Translate) -> list[tuple[str, str]]:
        options = [(choice.value, tr(choice.label)) for choice in question.choices]
        if question.other:
            options.append(("other", _("Other")))
        return options

    def display(self, question: Question, value: Any, tr: Translate) -> Display:
        return dict(self.options(question, tr)).get(value, str(value))

    def display_with_other(
        self, question: Question, answers: Mapping[str, Any], tr: Translate
    ) -> Display:
        shown = self.display(question, answers.get(question.id), tr)
        other = answers.get(question.other_key)
        return f"{shown}: {other}" if isinstance(other, str) else shown


class MultipleChoiceBuilder(FieldBuilder):
    type_name = "multiple_choice"
    widget = "checkboxes"

    def fields(self, question: Question) -> list[FieldSpec]:
        return [(question.id, UnboundField(RawListField))]

    def raw(self, question: Question, answers: Mapping[str, Any]) -> dict[str, Any]:
        value = answers.get(question.id)
        return {
            question.id: [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
        }

    def parse(self, question: Question, raw: Mapping[str, Any], path: Path) -> Parsed:
        ticked = [v for v in raw.get(question.id) or [] if isinstance(v, str)]
        if not ticked:
            return Parsed()
        order = {value: index for index, value in enumerate(question.choice_values)}
        unique = sorted(dict.fromkeys(ticked), key=lambda v: order.get(v, len(order)))
        return Parsed({question.id: unique})

    def is_blank(self, question: Question, raw: Mapping[str, Any]) -> bool:
        return not raw.get(question.id)

    def options(self, question: Question, tr: Translate) -> list[tuple[str, str]]:
        return SingleChoiceBuilder().options(question, tr)

    def display(self, question: Question, value: Any, tr: Translate) -> Display:
        labels = dict(self.options(question, tr))
        return [labels.get(v, str(v)) for v in value] if isinstance(value, list) else str(value)

    def same(self, question: Question, new: Any, old: Any) -> bool:
        """The same options ticked, whatever order they were stored in."""
        if isinstance(new, list) and isinstance(old, list):
            return len(new) == len(old) and sorted(map(str, new)) == sorted(map(str, old))
        return equivalent(new, old)


class MatrixBuilder(FieldBuilder):
    """One radio group per row; `{row: choice}` with unanswered rows left out."""

    type_name = "matrix"
    widget = "matrix"

    def fields(self, question: Question) -> list[FieldSpec]:
        rows = [(row.id, UnboundField(RawField)) for row in question.rows]
        return [(question.id, UnboundField(GroupField, members=rows))]

    def raw(self, question: Question, answers: Mapping[str, Any]) -> dict[str, Any]:
        value = answers.get(question.id)
        value = value if isinstance(value, Mapping) else {}
        return {question.id: {row.id: _string(value.get(row.id)) for row in question.rows}}

    def parse(self, question: Question, raw: Mapping[str, Any], path: Path) -> Parsed:
        rows = raw.get(question.id) or {}
        value = {row.id: rows[row.id] for row in question.rows if not _blank(rows.get(row.id))}
        return Parsed({question.id: value}) if value else Parsed()

    def is_blank(self, question: Question, raw: Mapping[str, Any]) -> bool:
        rows = raw.get(question.id) or {}
        return all(_blank(v) for v in rows.values())

    def options(self, question: Question, tr: Translate) -> list[tuple[str, str]]:
        return SingleChoiceBuilder().options(question, tr)

    def display(self, question: Question, value: Any, tr: Translate) -> Display:
        if not isinstance(value, Mapping):
            return str(value)
        labels = dict(self.options(question, tr))
        return [
            f"{tr(row.label)}: {labels.get(value[row.id], str(value[row.id]))}"
            for row in question.rows
            if row.id in value
        ]


class GridBuilder(FieldBuilder):
    """A table of numbers; `{row: {column: number}}`, empty cells and rows left out."""

    type_name = "grid"
    widget = "grid"

    def fields(self, question: Question) -> list[FieldSpec]:
        columns = [(column.id, UnboundField(RawField)) for column in question.columns]
        rows = [(row.id, UnboundField(GroupField, members=columns)) for row in question.rows]
        return [(question.id, UnboundField(GroupField, members=rows))]

    def raw(self, question: Question, answers: Mapping[str, Any]) -> dict[str, Any]:
        value = answers.get(question.id)
        value = value if isinstance(value, Mapping) else {}
        table = {}
        for row in question.rows:
            cells = value.get(row.id)
            cells = cells if isinstance(cells, Mapping) else {}
            table[row.id] = {
                column.id: _number_text(cells.get(column.id)) for column in question.columns
            }
        return {question.id: table}

    def parse(self, question: Question, raw: Mapping[str, Any], path: Path) -> Parsed:
        table = raw.get(question.id) or {}
        result = Parsed()
        value: dict[str, dict[str, Any]] = {}
        for row in question.rows:
            cells = table.get(row.id) or {}
            for column in question.columns:
                text = cells.get(column.id, "")
                if _blank_number(text):
                    continue
                try:
                    number = parse_number(text, whole=question.cell == "integer")
                    value.setdefault(row.id, {})[column.id] = number
                except NumberError as error:
                    result.errors.append(((*path, question.id, row.id, column.id), error.message))
                    result.unknown.add(question.id)
        if value and question.id not in result.unknown:
            result.answers[question.id] = value
        return result

    def is_blank(self, question: Question, raw: Mapping[str, Any]) -> bool:
        table = raw.get(question.id) or {}
        return all(_blank_number(t) for cells in table.values() for t in (cells or {}).values())

    def display(self, question: Question, value: Any, tr: Translate) -> Display:
        if not isinstance(value, Mapping):
            return str(value)
        lines = []
        for row in question.rows:
            cells = value.get(row.id)
            if isinstance(cells, Mapping):
                shown = "; ".join(
                    f"{tr(column.label)}: {_number_text(cells[column.id])}"
                    for column in question.columns
                    if column.id in cells
                )
                lines.append(f"{tr(row.label)}: {shown}")
        return lines


class RepeatBuilder(FieldBuilder):
    """Items of member questions; adding and removing items are buttons that post the form."""

    type_name = "repeat"
    widget = "repeat"

    def fields(self, question: Question) -> list[FieldSpec]:
        members = [spec for member in question.questions for spec in builder(member).fields(member)]
        return [(question.id, UnboundField(RepeatField, members=members))]

    def raw(self, question: Question, answers: Mapping[str, Any]) -> dict[str, Any]:
        items = answers.get(question.id)
        items = items if isinstance(items, list) else []
        return {
            question.id: [
                raw_values(question.questions, item if isinstance(item, Mapping) else {})
                for item in items
            ]
        }

    def parse(self, question: Question, raw: Mapping[str, Any], path: Path) -> Parsed:
        items = raw.get(question.id) or []
        result = Parsed()
        value = []
        for index, item in enumerate(items):
            parsed = parse_values(question.questions, item, (*path, question.id, index))
            value.append(parsed.answers)
            result.errors += parsed.errors
            if parsed.unknown:
                result.unknown.add(question.id)
        if value:
            result.answers[question.id] = value
        return result

    def is_blank(self, question: Question, raw: Mapping[str, Any]) -> bool:
        return not raw.get(question.id)

    def same(self, question: Question, new: Any, old: Any) -> bool:
        """No items posted means the stored "none" (`[]`) as much as unanswered."""
        if new is _ABSENT and old == []:
            return True
        return equivalent(new, old)

    def display(self, question: Question, value: Any, tr: Translate) -> Display:
        if not isinstance(value, list):
            return str(value)
        lines = []
        for index, item in enumerate(value, 1):
            parts = [
                f"{tr(member.label)}: {_flat(display_answer(member, item, tr))}"
                for member in question.questions
                if isinstance(item, Mapping) and member.id in item
            ]
            lines.append(f"{index}. " + "; ".join(parts))
        return lines


class CalculatedBuilder(FieldBuilder):
    """No input: the engine computes the value on save (the browser shows it live)."""

    type_name = "calculated"
    widget = "calculated"

    def fields(self, question: Question) -> list[FieldSpec]:
        return []

    def raw(self, question: Question, answers: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    def parse(self, question: Question, raw: Mapping[str, Any], path: Path) -> Parsed:
        return Parsed()

    def is_blank(self, question: Question, raw: Mapping[str, Any]) -> bool:
        return True

    def display(self, question: Question, value: Any, tr: Translate) -> Display:
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, int | float):
            return format_number(value)
        if isinstance(value, list):
            return ", ".join(map(str, value))
        return str(value)


class NoteBuilder(CalculatedBuilder):
    type_name = "note"
    widget = "note"


BUILDERS: Mapping[str, FieldBuilder] = MappingProxyType(
    {
        b.type_name: b
        for b in (
            TextBuilder(),
            TextareaBuilder(),
            EmailBuilder(),
            UrlBuilder(),
            DateBuilder(),
            IntegerBuilder(),
            DecimalBuilder(),
            YesNoBuilder(),
            SingleChoiceBuilder(),
            MultipleChoiceBuilder(),
            MatrixBuilder(),
            GridBuilder(),
            RepeatBuilder(),
            CalculatedBuilder(),
            NoteBuilder(),
        )
    }
)


def builder(question: Question) -> FieldBuilder:
    return BUILDERS[question.type]


# -- containers (the section, or one repeat item) -----------------------------------------------


def raw_values(questions: Sequence[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    """What the inputs of these questions show for stored answers."""
    raw: dict[str, Any] = {}
    for question in questions:
        raw.update(builder(question).raw(question, answers))
    return raw


def parse_values(questions: Sequence[Question], raw: Mapping[str, Any], path: Path = ()) -> Parsed:
    """The answers typed into the inputs of these questions (blank inputs are unanswered)."""
    result = Parsed()
    for question in questions:
        result.merge(builder(question).parse(question, raw, path))
    return result


def keep_stored(
    questions: Sequence[Question], posted: Mapping[str, Any], stored: Mapping[str, Any]
) -> dict[str, Any]:
    """`posted`, except that every answer meaning its stored one is the stored one (see
    `equivalent`); repeat items are compared member by member at the same position."""
    kept = dict(posted)
    for question in questions:
        keys = [question.id, question.other_key] if question.other else [question.id]
        new, old = posted.get(question.id, _ABSENT), stored.get(question.id, _ABSENT)
        if builder(question).same(question, new, old):
            for key in keys:
                _restore(kept, stored, key)
            continue
        if question.other and equivalent(
            posted.get(question.other_key, _ABSENT), stored.get(question.other_key, _ABSENT)
        ):
            _restore(kept, stored, question.other_key)
        if question.type == "repeat" and isinstance(new, list) and isinstance(old, list):
            kept[question.id] = [
                keep_stored(question.questions, item, old[index])
                if index < len(old)
                and isinstance(item, Mapping)
                and isinstance(old[index], Mapping)
                else item
                for index, item in enumerate(new)
            ]
    return kept


def _restore(answers: dict[str, Any], stored: Mapping[str, Any], key: str) -> None:
    if key in stored:
        answers[key] = stored[key]
    else:
        answers.pop(key, None)


def display_answer(question: Question, answers: Mapping[str, Any], tr: Translate) -> Display:
    """The answer of `question` in `answers` as text; "" when unanswered."""
    if question.id not in answers:
        return ""
    kind = builder(question)
    if isinstance(kind, SingleChoiceBuilder) and question.other:
        return kind.display_with_other(question, answers, tr)
    return kind.display(question, answers[question.id], tr)


def _string(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _number_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return str(value)


def _flat(display: Display) -> str:
    return "; ".join(display) if isinstance(display, list) else display
