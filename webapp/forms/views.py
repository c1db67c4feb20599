"""What the question macros draw: plain view objects prepared from a definition and answers.

This is the reusable rendering API (respondent pages, the Secretariat's preview, the reviewer's
read-only view):

    view = prepare_section(questionnaire, section, lang="fr", answers=answers, mode="read")

    {% from "respond/_questions.html" import render_section %}
    {{ render_section(view) }}

`mode` is "edit" (inputs, with the respondent's extras: confirm, confidential, justification),
"preview" (the same inputs without those extras, for the Secretariat) or "read" (answers as
text). Every text comes out as a plain string: the templates autoescape it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from flask_babel import get_locale
from flask_babel import gettext as _

from engine.expressions import truthy
from engine.expressions.clock import today as clock_today
from engine.model import RIGHT_TO_LEFT, Question, Questionnaire, Section
from engine.scopes import ItemScope
from engine.types.dates import resolve_bound
from webapp.forms.builders import (
    Display,
    builder,
    display_answer,
    raw_values,
)
from webapp.forms.compile import SectionForm, section_form_class
from webapp.forms.logic import Logic, client_plan, compute
from webapp.forms.numbers import format_number

Mode = Literal["edit", "preview", "read"]


class Problem(Protocol):
    """An error or warning: `engine.validation.AnswerError` or anything with these fields."""

    path: str
    message: str


@dataclass(frozen=True)
class Texts:
    """Interface strings the macros repeat for every question, translated once per language."""

    required: str
    confidential: str
    confidential_mark: str
    last_cycle: str
    unchanged: str
    confirm: str
    please_check: str
    justification: str
    justification_shown: str
    reviewer: str
    use_theirs: str
    other: str
    total: str
    yes: str
    no: str
    not_answered: str
    no_entries: str
    add_another: str
    calculated: str


_TEXTS: dict[str, Texts] = {}


def interface_texts() -> Texts:
    """The macros' repeated strings in the current interface language (cached per language)."""
    key = str(get_locale() or "")
    texts = _TEXTS.get(key)
    if texts is None:
        texts = _TEXTS[key] = Texts(
            required=_("Required"),
            confidential=_("Confidential (never published)"),
            confidential_mark=_("Confidential"),
            last_cycle=_("Last cycle:"),
            unchanged=_("Unchanged from the last cycle"),
            confirm=_("Confirm this answer is still right"),
            please_check=_("Please check:"),
            justification=_("Justification"),
            justification_shown=_("Justification:"),
            reviewer=_("Reviewer's comment:"),
            use_theirs=_("Use their answer instead of mine"),
            other=_("Other, please specify"),
            total=_("Total"),
            yes=_("Yes"),
            no=_("No"),
            not_answered=_("Not answered"),
            no_entries=_("No entries yet."),
            add_another=_("Add another"),
            calculated=_("Calculated from your answers when you save."),
        )
    return texts


@dataclass
class Option:
    value: str
    label: str
    id: str
    checked: bool


@dataclass
class Header:
    id: str
    label: str
    label_id: str


@dataclass
class Cell:
    name: str
    id: str
    value: str
    labelledby: str
    invalid: bool = False


@dataclass
class Row:
    id: str
    label: str
    label_id: str
    name: str = ""
    options: list[Option] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    total: str = ""
    total_id: str = ""
    invalid: bool = False


@dataclass
class Other:
    name: str
    id: str
    value: str
    label_id: str


@dataclass
class Warning:
    message: str
    path: str
    name: str
    id: str
    text: str
    message_id: str


@dataclass
class Confirm:
    name: str
    value: str
    id: str
    checked: bool


@dataclass
class Conflict:
    """Someone else saved this answer while the person was typing (a stale save)."""

    theirs: Display
    by: str
    merged: bool
    """True when their value was taken because the person had not changed this answer."""
    path: str
    take_name: str = "theirs"
    take_id: str = ""


@dataclass
class Item:
    index: int
    number: int
    legend: str
    legend_id: str
    dom_id: str
    marker_name: str
    remove_value: str
    questions: list[QuestionView]


@dataclass
class QuestionView:
    id: str
    type: str
    widget: str
    mode: Mode
    t: Texts
    label: str
    label_id: str
    dom_id: str
    anchor: str
    hint: str = ""
    hint_id: str = ""
    required: bool = False
    required_id: str = ""
    hidden: bool = False
    repeat: str = ""
    item: int | None = None
    name: str = ""
    input_id: str = ""
    value: str = ""
    input_type: str = "text"
    inputmode: str | None = None
    max_length: int | None = None
    min: str | None = None
    max: str | None = None
    options: list[Option] = field(default_factory=list)
    other: Other | None = None
    rows: list[Row] = field(default_factory=list)
    columns: list[Header] = field(default_factory=list)
    column_totals: list[Cell] = field(default_factory=list)
    grand_total: str = ""
    total_label_id: str = ""
    items: list[Item] = field(default_factory=list)
    add_value: str = ""
    can_add: bool = False
    errors: list[str] = field(default_factory=list)
    error_id: str = ""
    warnings: list[Warning] = field(default_factory=list)
    previous: Display | None = None
    previous_id: str = ""
    unconfirmed: Confirm | None = None
    confidential: Confirm | None = None
    is_confidential: bool = False
    comments: list[str] = field(default_factory=list)
    conflict: Conflict | None = None
    answer: Display = ""
    answered: bool = False
    output: str = ""

    @property
    def describedby(self) -> str:
        ids = [self.hint_id, self.required_id if self.required else ""]
        if self.errors:
            ids.append(self.error_id)
        ids += [w.message_id for w in self.warnings]
        return " ".join(i for i in ids if i)


@dataclass
class SectionView:
    questionnaire: Questionnaire
    section: Section
    lang: str
    dir: str
    mode: Mode
    title: str
    description: str
    questions: list[QuestionView]
    anchors: dict[str, str]
    """JSON pointer of an answer -> id of the element an error link should focus."""
    client_data: dict[str, Any] | None
    """The data block of `skip-logic.js` (None in read mode)."""
    form: SectionForm

    def anchor_for(self, path: str) -> str:
        """The element id for an answer path: the path itself or its nearest parent."""
        parts = path.split("/")
        while parts and len(parts) > 1:
            found = self.anchors.get("/".join(parts))
            if found:
                return found
            parts.pop()
        return f"section-{self.section.id}"


def element_id(*parts: str | int) -> str:
    """An HTML id; `--` separates what the inputs' own names (ids and `-`) can never contain."""
    return "--".join(str(p) for p in parts)


def pointer(*parts: str | int) -> str:
    return "".join(f"/{p}" for p in parts)


@dataclass
class _Context:
    questionnaire: Questionnaire
    lang: str
    mode: Mode
    logic: Logic
    answers: Mapping[str, Any]
    errors: Mapping[str, list[str]]
    warnings: Mapping[str, list[str]]
    justifications: Mapping[str, str]
    previous: Mapping[str, Any] | None
    unconfirmed: frozenset[str]
    confirmed: frozenset[str]
    confidential: frozenset[str]
    comments: Mapping[str, list[str]]
    conflicts: Mapping[str, Conflict]
    today: str
    anchors: dict[str, str]
    texts: Texts

    def tr(self, text: Any) -> str:
        return self.questionnaire.text(text, self.lang)


def prepare_section(
    questionnaire: Questionnaire,
    section: Section,
    *,
    lang: str | None = None,
    mode: Mode = "edit",
    answers: Mapping[str, Any] | None = None,
    raw: Mapping[str, Any] | None = None,
    unknown: Iterable[str] = (),
    errors: Iterable[Problem] = (),
    warnings: Iterable[Problem] = (),
    justifications: Mapping[str, str] | None = None,
    previous: Mapping[str, Any] | None = None,
    unconfirmed: Iterable[str] = (),
    confirmed: Iterable[str] = (),
    confidential: Iterable[str] = (),
    comments: Mapping[str, Sequence[str]] | None = None,
    conflicts: Mapping[str, Conflict] | None = None,
    today: str | None = None,
    logic: Logic | None = None,
) -> SectionView:
    """The view of one section.

    `answers` are the response's answers (all sections: skip logic may read other sections);
    `raw` is what the inputs show when it differs from the answers (what was typed, e.g. after
    an error); `unknown` names questions whose typed value could not be read. `errors` and
    `warnings` are keyed by their `path`; `previous` is the previous cycle's answers (None when
    there is no previous response); `comments` maps answer paths to reviewer comments; `logic`
    is `webapp.forms.logic.compute(questionnaire, answers, unknown)` when the caller has it.
    """
    lang = lang if lang in questionnaire.languages else questionnaire.default_language
    answers = answers or {}
    today = today or clock_today()
    section_keys = _section_keys(section)
    if raw is None:
        raw = raw_values(section.questions, answers)
    form = section_form_class(questionnaire, section)(data=dict(raw))
    context = _Context(
        questionnaire=questionnaire,
        lang=lang,
        mode=mode,
        logic=logic if logic is not None else compute(questionnaire, answers, unknown, today),
        answers=answers,
        errors=_by_path(errors),
        warnings=_by_path(warnings),
        justifications=justifications or {},
        previous=previous,
        unconfirmed=frozenset(unconfirmed),
        confirmed=frozenset(confirmed),
        confidential=frozenset(confidential),
        comments={k: list(v) for k, v in (comments or {}).items()},
        conflicts=conflicts or {},
        today=today,
        anchors={},
        texts=interface_texts(),
    )
    views = [_question(context, q, form, answers, None) for q in section.questions]
    outside = {k: v for k, v in answers.items() if k not in section_keys}
    return SectionView(
        questionnaire=questionnaire,
        section=section,
        lang=lang,
        dir="rtl" if lang in RIGHT_TO_LEFT else "ltr",
        mode=mode,
        title=questionnaire.text(section.title, lang),
        description=questionnaire.text(section.description, lang),
        questions=views,
        anchors=context.anchors,
        client_data=None if mode == "read" else client_plan(questionnaire, outside, today),
        form=form,
    )


def prepare_sections(
    questionnaire: Questionnaire, *, lang: str | None = None, mode: Mode = "read", **kwargs: Any
) -> list[SectionView]:
    """Every section (the reviewer's whole response, the Secretariat's preview)."""
    return [
        prepare_section(questionnaire, section, lang=lang, mode=mode, **kwargs)
        for section in questionnaire.sections
    ]


def _section_keys(section: Section) -> set[str]:
    keys = set()
    for question in section.questions:
        keys.add(question.id)
        if question.other:
            keys.add(question.other_key)
    return keys


def _by_path(problems: Iterable[Problem]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in problems:
        found.setdefault(problem.path, []).append(problem.message)
    return found


def _question(
    context: _Context,
    question: Question,
    form: Any,
    container: Mapping[str, Any],
    item: tuple[str, int] | None,
) -> QuestionView:
    kind = builder(question)
    prefix: tuple[str | int, ...] = (item[0], item[1]) if item else ()
    path = pointer(*prefix, question.id)
    base = "-".join(str(p) for p in (*prefix, question.id))
    view = QuestionView(
        id=question.id,
        type=question.type,
        widget=kind.widget if context.mode != "read" else "answer",
        mode=context.mode,
        t=context.texts,
        label=context.tr(question.label),
        label_id=element_id(base, "label"),
        dom_id=element_id(base, "question"),
        anchor=base,
        hint=context.tr(question.hint),
        hint_id=element_id(base, "hint") if question.hint else "",
        hidden=context.logic.is_hidden(question, item[1] if item else None),
        repeat=item[0] if item else "",
        item=item[1] if item else None,
        error_id=element_id(base, "error"),
        previous_id=element_id(base, "previous"),
    )
    scope = _scope(context, item)
    view.required = _required(context, question, scope)
    view.required_id = element_id(base, "required")
    view.answered = question.id in container
    view.answer = display_answer(question, container, context.tr) if question.takes_answer else ""
    if question.type == "calculated":
        value = context.logic.value(question, item[1] if item else None)
        view.output = "" if value is None else _flat(kind.display(question, value, context.tr))
        view.answer = view.output
        view.answered = value is not None
    field = form._fields.get(question.id)
    context.anchors[path] = base
    if field is not None:
        _inputs(context, question, view, form, field, container, path)
    _problems(context, question, view, path)
    if item is None and question.takes_answer and question.type != "calculated":
        _respondent_extras(context, question, view, path)
    return view


def _scope(context: _Context, item: tuple[str, int] | None) -> Mapping[str, Any]:
    """The values expressions see for a question: top level, or one repeat item's siblings first."""
    if item is None:
        return context.logic.env
    items = context.logic.items.get(item[0]) or []
    local = items[item[1]] if item[1] < len(items) else {}
    return ItemScope(local, context.logic.env)


def _required(context: _Context, question: Question, scope: Mapping[str, Any]) -> bool:
    if isinstance(question.required, bool):
        return question.required
    if question.required.names & context.logic.tainted:
        return False
    return truthy(question.required(scope))


def _inputs(
    context: _Context,
    question: Question,
    view: QuestionView,
    form: Any,
    field: Any,
    container: Mapping[str, Any],
    path: str,
) -> None:
    """Names, ids and typed values of the question's inputs (from its WTForms field)."""
    kind = builder(question)
    view.name = field.name
    view.input_id = field.id
    view.anchor = field.id
    context.anchors[path] = field.id
    if question.type in ("text", "textarea", "email", "url", "date", "integer", "decimal"):
        view.value = field._value()
        if question.type == "text" and ("\n" in view.value or "\r" in view.value):
            view.widget = "textarea"  # a text input would drop the line breaks
        view.input_type = kind.input_type
        view.inputmode = kind.inputmode
        view.max_length = question.max_length
        if question.type == "date":
            low = resolve_bound(question.min, context.today)
            high = resolve_bound(question.max, context.today)
            view.min, view.max = low, high
    elif question.type in ("yes_no", "single_choice", "multiple_choice"):
        chosen = field.data if isinstance(field.data, list) else [field.data]
        view.options = [
            Option(value, label, f"{field.id}-{index}", value in chosen)
            for index, (value, label) in enumerate(kind.options(question, context.tr))  # type: ignore[attr-defined]
        ]
        if view.options:
            view.anchor = view.options[0].id
            context.anchors[path] = view.anchor
        if question.other and question.other_key in form:
            other_field = form[question.other_key]
            view.other = Other(
                other_field.name,
                other_field.id,
                other_field._value(),
                element_id(other_field.id, "label"),
            )
            context.anchors[path + "_other"] = other_field.id
    elif question.type == "matrix":
        _matrix(context, question, view, field, path)
    elif question.type == "grid":
        _grid(context, question, view, field, container, path)
    elif question.type == "repeat":
        _repeat(context, question, view, field, path)


def _matrix(
    context: _Context, question: Question, view: QuestionView, field: Any, path: str
) -> None:
    options = builder(question).options(question, context.tr)  # type: ignore[attr-defined]
    for row in question.rows:
        cell = field[row.id]
        row_view = Row(row.id, context.tr(row.label), element_id(cell.id, "label"), name=cell.name)
        row_view.options = [
            Option(value, label, f"{cell.id}-{index}", cell.data == value)
            for index, (value, label) in enumerate(options)
        ]
        row_view.invalid = f"{path}/{row.id}" in context.errors
        context.anchors[f"{path}/{row.id}"] = (
            row_view.options[0].id if row_view.options else cell.id
        )
        view.rows.append(row_view)
    if view.rows and view.rows[0].options:
        view.anchor = view.rows[0].options[0].id
        context.anchors[path] = view.anchor


def _grid(
    context: _Context,
    question: Question,
    view: QuestionView,
    field: Any,
    container: Mapping[str, Any],
    path: str,
) -> None:
    base = field.id
    view.inputmode = "numeric" if question.cell == "integer" else "decimal"
    view.columns = [
        Header(c.id, context.tr(c.label), element_id(base, "column", c.id))
        for c in question.columns
    ]
    view.total_label_id = element_id(base, "total")
    value = container.get(question.id)
    value = value if isinstance(value, Mapping) else {}
    column_sums: dict[str, list[Any]] = {c.id: [] for c in question.columns}
    for row in question.rows:
        row_field = field[row.id]
        row_view = Row(row.id, context.tr(row.label), element_id(base, "row", row.id))
        numbers = value.get(row.id) if isinstance(value.get(row.id), Mapping) else {}
        row_numbers = []
        for column, header in zip(question.columns, view.columns, strict=True):
            cell_field = row_field[column.id]
            cell_path = f"{path}/{row.id}/{column.id}"
            row_view.cells.append(
                Cell(
                    cell_field.name,
                    cell_field.id,
                    cell_field._value(),
                    f"{row_view.label_id} {header.label_id}",
                    cell_path in context.errors,
                )
            )
            context.anchors[cell_path] = cell_field.id
            number = numbers.get(column.id) if numbers else None
            if isinstance(number, int | float) and not isinstance(number, bool):
                row_numbers.append(number)
                column_sums[column.id].append(number)
        row_view.total = _total(row_numbers)
        row_view.total_id = element_id(base, "row", row.id, "total")
        context.anchors[f"{path}/{row.id}"] = row_view.cells[0].id if row_view.cells else base
        view.rows.append(row_view)
    view.column_totals = [
        Cell("", element_id(base, "column", c.id, "total"), _total(column_sums[c.id]), "")
        for c in question.columns
    ]
    view.grand_total = _total([n for sums in column_sums.values() for n in sums])
    if view.rows and view.rows[0].cells:
        view.anchor = view.rows[0].cells[0].id
        context.anchors[path] = view.anchor


def _total(numbers: list[Any]) -> str:
    if not numbers:
        return ""
    total: Any = 0
    for number in numbers:
        total += number
    if isinstance(total, float):
        total = float(f"{total:.12g}")
    return format_number(total)


def _repeat(
    context: _Context, question: Question, view: QuestionView, field: Any, path: str
) -> None:
    items = context.answers.get(question.id)
    items = items if isinstance(items, list) else []
    label = context.tr(question.label)
    for index, entry in enumerate(field.entries):
        item_answers = (
            items[index] if index < len(items) and isinstance(items[index], Mapping) else {}
        )
        dom = element_id(question.id, index, "item")
        members = [
            _question(context, member, entry, item_answers, (question.id, index))
            for member in question.questions
        ]
        view.items.append(
            Item(
                index=index,
                number=index + 1,
                legend=_("%(label)s, entry %(number)d", label=label, number=index + 1),
                legend_id=element_id(dom, "legend"),
                dom_id=dom,
                marker_name=entry["ITEM"].name,
                remove_value=f"remove:{question.id}:{index}",
                questions=members,
            )
        )
        context.anchors[f"{path}/{index}"] = dom
    view.add_value = f"add:{question.id}"
    view.can_add = question.max_items is None or len(field.entries) < question.max_items
    view.anchor = f"{question.id}--add" if not view.items else view.items[0].dom_id
    context.anchors[path] = view.anchor


def _problems(context: _Context, question: Question, view: QuestionView, path: str) -> None:
    own = [path]
    if question.other:
        own.append(path + "_other")
    nested = question.type in ("multiple_choice", "matrix", "grid")
    for key, messages in context.errors.items():
        if key in own or (nested and key.startswith(path + "/")):
            view.errors += messages
    for key, messages in context.warnings.items():
        if key in own or (nested and key.startswith(path + "/")):
            for index, message in enumerate(messages):
                slug = key.strip("/").replace("/", "-")
                view.warnings.append(
                    Warning(
                        message=message,
                        path=key,
                        name=f"justification:{key}",
                        id=element_id("justification", slug),
                        text=context.justifications.get(key, ""),
                        message_id=element_id(slug, "warning", index),
                    )
                )
    for key, texts in context.comments.items():
        if key == path or key.startswith(path + "/"):
            view.comments += texts
    if path in context.conflicts:
        conflict = context.conflicts[path]
        conflict.take_id = element_id("theirs", path.strip("/"))
        view.conflict = conflict


def _respondent_extras(
    context: _Context, question: Question, view: QuestionView, path: str
) -> None:
    if context.previous is not None:
        shown = display_answer(question, context.previous, context.tr)
        view.previous = shown if shown != "" else _("no answer")
    view.is_confidential = path in context.confidential
    if context.mode != "edit":
        return
    if path in context.unconfirmed:
        view.unconfirmed = Confirm(
            "confirm", path, element_id("confirm", question.id), path in context.confirmed
        )
    view.confidential = Confirm(
        "confidential", path, element_id("confidential", question.id), view.is_confidential
    )


def _flat(display: Display) -> str:
    return "; ".join(display) if isinstance(display, list) else display


__all__ = [
    "Conflict",
    "QuestionView",
    "SectionView",
    "element_id",
    "pointer",
    "prepare_section",
    "prepare_sections",
]
