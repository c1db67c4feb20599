"""Everything a section page draws, assembled from a snapshot and what the person typed.

Routes decide what happened (saved, refused, stale...) and call `build_page` with the answers
and raw inputs to show, the problems to list and a message; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.model import RIGHT_TO_LEFT, Question, Questionnaire, Section
from engine.validation import AnswerError, validator_for
from webapp.forms import compute, prepare_section
from webapp.forms.logic import Logic
from webapp.forms.views import Conflict, SectionView
from webapp.respond.state import Snapshot

STATUS_LABELS = {
    "not_started": _l("Not started"),
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned for correction"),
    "accepted": _l("Accepted"),
}


@dataclass(frozen=True)
class Problem:
    """An error or warning to show: from the engine, or from reading a typed value."""

    path: str
    question: str
    message: str
    severity: str = "error"


@dataclass
class SectionLink:
    id: str
    title: str
    url: str
    answered: int
    total: int
    current: bool


@dataclass
class SummaryEntry:
    href: str
    text: str


@dataclass
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


@dataclass
class Page:
    snapshot: Snapshot
    questionnaire: Questionnaire
    section: Section
    view: SectionView
    lang: str
    dir: str
    title: str
    status: str
    sections: list[SectionLink]
    languages: list[LanguageLink]
    action_url: str
    version: int
    editable: bool
    can_submit: bool
    summary: list[SummaryEntry] = field(default_factory=list)
    alert: str | None = None
    """A message announced at the top with role="alert" (refusals, stale saves, expiry)."""
    notices: list[str] = field(default_factory=list)


def language_for(questionnaire: Questionnaire, requested: str | None, interface: str | None) -> str:
    """The questionnaire's language on this page: asked for, else the interface's, else default."""
    if requested in questionnaire.languages:
        return requested  # type: ignore[return-value]
    if interface:
        short = interface.replace("-", "_").split("_")[0]
        if short in questionnaire.languages:
            return short
    return questionnaire.default_language


def section_url(cycle_id: int, section_id: str, lang: str, **params: Any) -> str:
    return url_for("respond.section", cycle_id=cycle_id, section_id=section_id, lang=lang, **params)


def find_section(questionnaire: Questionnaire, section_id: str) -> Section | None:
    return next((s for s in questionnaire.sections if s.id == section_id), None)


def warnings_for(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    lang: str,
    justifications: Mapping[str, str],
) -> list[AnswerError]:
    """Warnings of the answers as they stand (each gets a justification box)."""
    result = validator_for(questionnaire).validate(dict(answers), "draft", lang, justifications)
    return list(result.warnings)


def build_page(
    snapshot: Snapshot,
    section: Section,
    lang: str,
    *,
    answers: Mapping[str, Any] | None = None,
    raw: Mapping[str, Any] | None = None,
    unknown: Iterable[str] = (),
    errors: Sequence[Problem | AnswerError] = (),
    warnings: Sequence[Problem | AnswerError] | None = None,
    justifications: Mapping[str, str] | None = None,
    confirmed: Iterable[str] = (),
    confidential: Iterable[str] | None = None,
    conflicts: Mapping[str, Conflict] | None = None,
    alert: str | None = None,
    notices: Iterable[str] = (),
    version: int | None = None,
) -> Page:
    questionnaire = snapshot.questionnaire
    answers = snapshot.answers if answers is None else answers
    justifications = snapshot.justifications if justifications is None else justifications
    if warnings is None:
        warnings = warnings_for(questionnaire, answers, lang, justifications)
    mode = "edit" if snapshot.editable else "read"
    logic = compute(questionnaire, answers, unknown)
    view = prepare_section(
        questionnaire,
        section,
        lang=lang,
        mode=mode,
        answers=answers,
        raw=raw,
        unknown=unknown,
        errors=[e for e in errors if e.path],
        warnings=[w for w in warnings if _severity(w) == "warning"],
        justifications=justifications,
        previous=snapshot.previous,
        unconfirmed=snapshot.unconfirmed,
        confirmed=confirmed,
        confidential=snapshot.confidential if confidential is None else confidential,
        comments=snapshot.comments,
        conflicts=conflicts,
        logic=logic,
    )
    page = Page(
        snapshot=snapshot,
        questionnaire=questionnaire,
        section=section,
        view=view,
        lang=lang,
        dir="rtl" if lang in RIGHT_TO_LEFT else "ltr",
        title=questionnaire.text(questionnaire.title, lang),
        status=str(STATUS_LABELS.get(snapshot.status, snapshot.status)),
        sections=_sections(snapshot, section, lang, answers, logic),
        languages=_languages(snapshot, section, lang),
        action_url=section_url(snapshot.cycle_id, section.id, lang),
        version=snapshot.version if version is None else max(version, 0),
        editable=snapshot.editable,
        can_submit=snapshot.can_submit and snapshot.editable,
        alert=alert,
        notices=list(notices),
    )
    page.summary = _summary(page, [*errors, *[w for w in warnings if _blocking(w)]])
    return page


def _severity(problem: Problem | AnswerError) -> str:
    return getattr(problem, "severity", "error") or "error"


def _blocking(problem: Problem | AnswerError) -> bool:
    """A warning listed in the summary: only when it blocked a submission (no justification)."""
    return isinstance(problem, Problem) and problem.severity == "warning"


def _sections(
    snapshot: Snapshot, current: Section, lang: str, answers: Mapping[str, Any], logic: Logic
) -> list[SectionLink]:
    questionnaire = snapshot.questionnaire
    links = []
    for section in questionnaire.sections:
        asked = [
            q
            for q in section.questions
            if q.takes_answer and q.type != "calculated" and q.id not in logic.hidden
        ]
        links.append(
            SectionLink(
                id=section.id,
                title=questionnaire.text(section.title, lang),
                url=section_url(snapshot.cycle_id, section.id, lang),
                answered=sum(1 for q in asked if q.id in answers),
                total=len(asked),
                current=section.id == current.id,
            )
        )
    return links


def _languages(snapshot: Snapshot, section: Section, lang: str) -> list[LanguageLink]:
    from webapp.i18n import language_names

    return [
        LanguageLink(code, name, section_url(snapshot.cycle_id, section.id, code), code == lang)
        for code, name in language_names(list(snapshot.questionnaire.languages))
    ]


def _summary(page: Page, problems: Sequence[Problem | AnswerError]) -> list[SummaryEntry]:
    questionnaire = page.questionnaire
    entries = []
    for problem in problems:
        question = _question_of(questionnaire, problem)
        label = _label(questionnaire, problem, question, page.lang)
        text = f"{label}: {problem.message}" if label else problem.message
        if _severity(problem) == "warning":
            text = _("%(problem)s (give a justification to submit anyway)", problem=text)
        section = questionnaire.section_of.get(question.id) if question else None
        if section is None or section.id == page.section.id:
            href = "#" + page.view.anchor_for(problem.path) if problem.path else "#main"
        else:
            href = section_url(page.snapshot.cycle_id, section.id, page.lang, check=1)
            href += "#" + wrapper_id(problem.path, question)
        entries.append(SummaryEntry(href, text))
    return entries


def _question_of(questionnaire: Questionnaire, problem: Problem | AnswerError) -> Question | None:
    question = questionnaire.by_id.get(problem.question)
    if question is not None:
        return question
    top = problem.path.split("/")[1] if problem.path.count("/") else ""
    return questionnaire.by_id.get(top)


def _label(
    questionnaire: Questionnaire,
    problem: Problem | AnswerError,
    question: Question | None,
    lang: str,
) -> str:
    if question is None:
        return problem.path
    label = questionnaire.text(question.label, lang)
    parts = problem.path.split("/")[1:]
    if question.parent and len(parts) >= 2 and parts[1].isdigit():
        repeat = questionnaire.by_id[question.parent]
        return _(
            "%(label)s (%(repeat)s, entry %(number)d)",
            label=label,
            repeat=questionnaire.text(repeat.label, lang),
            number=int(parts[1]) + 1,
        )
    return label


def wrapper_id(path: str, question: Question | None) -> str:
    """The id of a question's wrapper on its own page (links from another section's summary)."""
    parts = path.split("/")[1:]
    if question is not None and question.id in parts:
        parts = parts[: parts.index(question.id) + 1]
    elif question is not None:
        parts = [question.id]
    return "-".join(parts) + "--question" if parts else "main"


def admin_board_url() -> str | None:
    """The Secretariat's and officers' start page, when the admin blueprint provides it."""
    if "admin.board" in current_app.view_functions:
        return url_for("admin.board")
    return None
