"""Answers as a reader sees them: labels in the page's language, values as text, marks.

Read-only view models for the review page and the history (no HTML here: templates autoescape
every string, so a label or an answer containing markup stays text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _

from engine.model import Question, Questionnaire, Section

NOT_ANSWERED = object()


def pick_language(questionnaire: Questionnaire, requested: str | None = None) -> str:
    """`?lang=` if the questionnaire has it, else the interface language, else its default."""
    requested = requested if requested is not None else request.args.get("lang")
    if requested in questionnaire.languages:
        return requested
    locale = str(get_locale() or "")
    if locale in questionnaire.languages:
        return locale
    return questionnaire.default_language


@dataclass
class Shown:
    """One answer ready to print: `kind` tells the template how (text, list, pairs, grid, items)."""

    kind: str
    text: str = ""
    items: list[Any] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


@dataclass
class Entry:
    """A question with its answer and everything a reviewer must see beside it."""

    question: Question
    path: str
    label: str
    shown: Shown
    answered: bool
    previous: Shown | None = None
    unconfirmed: bool = False
    confidential: bool = False
    justifications: list[tuple[str, str]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    members: list[list[Entry]] = field(default_factory=list)
    """Repeat items, each a list of member entries (paths `/repeat/0/member`)."""


@dataclass
class SectionView:
    section: Section
    title: str
    entries: list[Entry]


def _choice_label(question: Question, value: Any, lang: str, q: Questionnaire) -> str:
    for choice in question.choices:
        if choice.value == value:
            return q.text(choice.label, lang)
    if value == "other" and question.other:
        return _("Other")
    return str(value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def show_value(
    question: Question, value: Any, answers: Mapping[str, Any], q: Questionnaire, lang: str
) -> Shown:
    """A stored answer (assumed of the question's type; anything else printed as JSON)."""
    kind = question.type
    try:
        if kind == "single_choice":
            text = _choice_label(question, value, lang, q)
            other = answers.get(question.other_key) if value == "other" else None
            return Shown("text", f"{text}: {other}" if other else text)
        if kind == "multiple_choice":
            labels = [_choice_label(question, v, lang, q) for v in value]
            other = answers.get(question.other_key) if "other" in value else None
            if other:
                labels = [
                    f"{lbl}: {other}" if v == "other" else lbl
                    for v, lbl in zip(value, labels, strict=True)
                ]
            return Shown("list", items=labels)
        if kind == "matrix":
            pairs = [
                (q.text(row.label, lang), _choice_label(question, value[row.id], lang, q))
                for row in question.rows
                if row.id in value
            ]
            return Shown("pairs", items=pairs)
        if kind == "grid":
            rows = [
                (
                    q.text(row.label, lang),
                    [_scalar(value.get(row.id, {}).get(c.id, "")) for c in question.columns],
                )
                for row in question.rows
            ]
            return Shown(
                "grid", items=rows, columns=[q.text(c.label, lang) for c in question.columns]
            )
        if kind == "yes_no":
            return Shown(
                "text", _scalar(bool(value)) if isinstance(value, bool) else _scalar(value)
            )
        if kind == "repeat":
            return Shown("text", _("%(n)d item(s)", n=len(value)))
    except (TypeError, AttributeError, KeyError):
        pass
    return Shown("text", _scalar(value))


def _marks_under(path: str, justifications: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(p, t) for p, t in justifications.items() if p == path or p.startswith(path + "/")]


def _entry(
    question: Question,
    path: str,
    answers: Mapping[str, Any],
    value: Any,
    envelope: Mapping[str, Any],
    q: Questionnaire,
    lang: str,
    comments: Mapping[str, list[str]],
) -> Entry:
    answered = value is not NOT_ANSWERED
    shown = show_value(question, value, answers, q, lang) if answered else Shown("none")
    justifications = envelope.get("justifications") or {}
    entry = Entry(
        question=question,
        path=path,
        label=q.text(question.label, lang),
        shown=shown,
        answered=answered,
        unconfirmed=path in (envelope.get("unconfirmed") or ()),
        confidential=path in (envelope.get("confidential") or ()),
        justifications=[(p, t) for p, t in justifications.items() if p == path],
        comments=list(comments.get(path, ())),
    )
    if question.type == "repeat" and answered and isinstance(value, list):
        for index, item in enumerate(value):
            item = item if isinstance(item, Mapping) else {}
            entry.members.append(
                [
                    _entry(
                        member,
                        f"{path}/{index}/{member.id}",
                        item,
                        item.get(member.id, NOT_ANSWERED),
                        envelope,
                        q,
                        lang,
                        comments,
                    )
                    for member in question.questions
                    if member.takes_answer
                ]
            )
    return entry


def answer_sections(
    q: Questionnaire,
    envelope: Mapping[str, Any],
    lang: str,
    previous: Mapping[str, Any] | None = None,
    previous_model: Questionnaire | None = None,
    comments: Mapping[str, Sequence[str]] | None = None,
) -> list[SectionView]:
    """Every answer-taking question in definition order, with the previous cycle's value."""
    answers = envelope.get("answers") or {}
    comments = {k: list(v) for k, v in (comments or {}).items()}
    views = []
    for section in q.sections:
        entries = []
        for question in section.questions:
            if not question.takes_answer:
                continue
            path = f"/{question.id}"
            entry = _entry(
                question,
                path,
                answers,
                answers.get(question.id, NOT_ANSWERED),
                envelope,
                q,
                lang,
                comments,
            )
            if previous is not None:
                entry.previous = _previous(question, previous, previous_model or q, lang)
            entries.append(entry)
        views.append(SectionView(section, q.text(section.title, lang), entries))
    return views


def _previous(
    question: Question, previous: Mapping[str, Any], old: Questionnaire, lang: str
) -> Shown | None:
    for key in (question.id, question.renamed_from):
        if key and key in previous:
            old_question = old.by_id.get(key, question)
            return show_value(old_question, previous[key], previous, old, lang)
    return None


def change_text(value: Any) -> str:
    """An old or new value in the history, exactly (JSON for anything but text)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
