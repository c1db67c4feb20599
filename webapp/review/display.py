"""Answers as a reader sees them: labels in the page's language, values as text, marks.

Read-only view models for the review page and the history (no HTML here: templates autoescape
every string, so a label or an answer containing markup stays text).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.model import Question, Questionnaire, Section
from webapp.forms import display_answer
from webapp.i18n import language_names

NOT_ANSWERED = object()

STATUS_WORDS = {
    "not_started": _l("not started"),
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "returned": _l("returned"),
    "accepted": _l("accepted"),
}
"""A response's status as a word inside a sentence ("The response is submitted."); the
respondent's pages name it with `webapp.respond.pages.STATUS_LABELS` ("Submitted")."""

REVISION_SENTENCES = {
    "start": _l("Started by %(who)s at %(when)s"),
    "save": _l("Draft saved by %(who)s at %(when)s"),
    "submit": _l("Submitted by %(who)s at %(when)s"),
    "return": _l("Returned for correction by %(who)s at %(when)s"),
    "accept": _l("Accepted by %(who)s at %(when)s"),
    "reopen": _l("Reopened by %(who)s at %(when)s"),
    "publish": _l("Published by %(who)s at %(when)s"),
}
"""What a revision did (its `action`), by whom and when: one whole sentence each, so that every
language orders the words its own way."""


def pick_language(questionnaire: Questionnaire, requested: str | None = None) -> str:
    """`?lang=` if the questionnaire has it, else the interface language, else its default."""
    requested = requested if requested is not None else request.args.get("lang")
    if requested in questionnaire.languages:
        return requested
    locale = str(get_locale() or "")
    if locale in questionnaire.languages:
        return locale
    return questionnaire.default_language


def languages_of(questionnaire: Questionnaire) -> list[tuple[str, str]]:
    """(code, name in itself) of the questionnaire's languages, for a language switch."""
    return language_names(list(questionnaire.languages))


@dataclass
class Shown:
    """One answer ready to print: `kind` is `none` (unanswered), `text`, `list` (one line per
    option, matrix row, grid row) or `count` (a repeat, whose items follow)."""

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)


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
class AnswersSection:
    section: Section
    title: str
    entries: list[Entry]


def show_value(
    question: Question, container: Mapping[str, Any], q: Questionnaire, lang: str
) -> Shown:
    """The answer to `question` in `container` as the respondent's pages print it (shared
    `webapp.forms.display_answer`: choice labels, Yes/No, numbers, matrices, grids)."""
    shown = display_answer(question, container, lambda text: q.text(text, lang))
    if isinstance(shown, list):
        return Shown("list", items=shown)
    return Shown("text", shown)


def _here(key: str, path: str, question: Question) -> bool:
    """Whether a mark at `key` shows beside the answer at `path`: its own, or one inside it
    (a matrix row, a grid cell); a repeat's members show their own marks."""
    if key == path:
        return True
    return question.type != "repeat" and key.startswith(path + "/")


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
    if not answered:
        shown = Shown("none")
    elif question.type == "repeat" and isinstance(value, list):
        shown = Shown("count", ngettext("%(num)d entry", "%(num)d entries", len(value)))
    else:
        shown = show_value(question, answers, q, lang)
    justifications = envelope.get("justifications") or {}
    entry = Entry(
        question=question,
        path=path,
        label=q.text(question.label, lang),
        shown=shown,
        answered=answered,
        unconfirmed=path in (envelope.get("unconfirmed") or ()),
        confidential=path in (envelope.get("confidential") or ()),
        justifications=[(p, t) for p, t in justifications.items() if _here(p, path, question)],
        comments=[t for p, texts in comments.items() if _here(p, path, question) for t in texts],
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
) -> list[AnswersSection]:
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
        views.append(AnswersSection(section, q.text(section.title, lang), entries))
    return views


def _previous(
    question: Question, previous: Mapping[str, Any], old: Questionnaire, lang: str
) -> Shown | None:
    for key in (question.id, question.renamed_from):
        if key and key in previous:
            old_question = old.by_id.get(key, question)
            return show_value(old_question, previous, old, lang)
    return None


def status_word(status: str | None) -> str:
    """A status for a sentence, in the page's language; `None` (before the first revision) is
    "(new)"; an unknown code is shown as it is rather than hidden."""
    if status is None:
        return _("(new)")
    return str(STATUS_WORDS.get(status, status))


def _who(by: str | None) -> str:
    return by if by is not None else _("the system")


def _when(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S") + " UTC"


def changed_by(by: str | None, at: dt.datetime) -> str:
    """The sentence before an old and a new value: "Changed by someone at a time (UTC):";
    `by` is the actor's email, `None` for the system."""
    return _("Changed by %(who)s at %(when)s:", who=_who(by), when=_when(at))


def revision_sentence(action: str, by: str | None, at: dt.datetime) -> str:
    """What a revision did: "Submitted by someone at a time (UTC)"; an action without a
    sentence of its own keeps its code after "Changed by someone at a time:"."""
    sentence = REVISION_SENTENCES.get(action)
    if sentence is None:
        return f"{changed_by(by, at)} {action}"
    return str(sentence) % {"who": _who(by), "when": _when(at)}


def change_text(value: Any) -> str:
    """An old or new value in the history, exactly (JSON for anything but text)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
