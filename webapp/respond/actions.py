"""What a section page does with a post: save, submit, add or remove a repeat item.

Nothing typed is ever lost: whatever goes wrong (a value that is not an answer, a refused
submission, someone else's save in between, the database being unavailable), the page comes back
with every input as it was typed and a message saying what to do. Writes go through
`webapp.services.responses` only; this module decides which page or redirect follows.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from flask import flash, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from engine.model import Question, Questionnaire, Section
from engine.validation import validator_for
from webapp.extensions import db
from webapp.forms import (
    builder,
    display_answer,
    drop_hidden,
    parse_values,
    section_form_class,
)
from webapp.forms.builders import keep_stored
from webapp.forms.logic import Logic
from webapp.forms.page import Controls, in_section, read_controls, section_paths
from webapp.forms.views import Conflict as ConflictView
from webapp.forms.views import pointer
from webapp.refusals import explain
from webapp.respond.pages import Page, Problem, build_page, section_url
from webapp.respond.state import DATABASE_ERRORS, Snapshot, Target, snapshot
from webapp.services import Conflict, Forbidden
from webapp.services.responses import (
    EDITABLE,
    StaleDraft,
    ValidationFailed,
    response_for,
    save_draft,
    start,
    submit,
)

_ABSENT = object()


def render_page(page: Page, status: int = 200) -> ResponseReturnValue:
    html = render_template(
        "respond/section.html", page=page, page_lang=page.lang, page_dir=page.dir
    )
    return html, status


def show(
    target: Target, section: Section, lang: str, *, check: bool = False
) -> ResponseReturnValue:
    """GET: the stored answers; with `check`, every problem a submission would meet."""
    snap = snapshot(target)
    errors: list[Any] = []
    if check and snap.editable:
        result = validator_for(snap.questionnaire).validate(
            dict(snap.answers), "submit", lang, snap.justifications
        )
        errors = [*result.errors, *[_as_warning(w) for w in result.unjustified_warnings]]
    notices = []
    if snap.dropped:
        notices.append(_dropped_notice(snap.questionnaire, snap.dropped, lang, carried=True))
    if not snap.is_open and (snap.status == "not_started" or snap.status in EDITABLE):
        notices.append(
            _("These answers cannot be changed now: %(reason)s", reason=_period_message(snap))
        )
    page = build_page(snap, section, lang, errors=errors, notices=notices)
    if errors:
        page.alert = _("Some answers need attention before this questionnaire can be submitted.")
    return render_page(page)


def handle_post(target: Target, section: Section, lang: str, formdata: Any) -> ResponseReturnValue:
    snap = snapshot(target)
    controls = read_controls(formdata, section)
    raw = section_form_class(snap.questionnaire, section)(formdata=formdata).data
    if not snap.editable:
        return _typed_page(snap, section, lang, raw, controls, 409, _locked_message(snap))
    if controls.action in ("add", "remove"):
        return _restructure(snap, section, lang, raw, controls)
    if controls.action == "submit" and not snap.can_submit:
        raise Forbidden(_("Only your organisation's focal point can submit this questionnaire."))
    return _save(target, snap, section, lang, raw, controls)


# -- saving ----------------------------------------------------------------------------------


def _save(
    target: Target,
    snap: Snapshot,
    section: Section,
    lang: str,
    raw: dict[str, Any],
    controls: Controls,
) -> ResponseReturnValue:
    questionnaire = snap.questionnaire
    parsed = parse_values(section.questions, raw)
    answers = merge_section(
        snap.answers, section, keep_stored(section.questions, parsed.answers, snap.answers)
    )
    for path in controls.theirs:
        key = path[1:]
        _take(answers, snap.answers, key)
        question = questionnaire.by_id.get(key)
        if question is not None:
            raw.update(builder(question).raw(question, snap.answers))
    kept = drop_hidden(questionnaire, answers, parsed.unknown, lang)
    answers, dropped = kept.answers, kept.dropped
    typed = _typed(snap, section, controls, raw, parsed, answers)
    justifications, confidential = typed["justifications"], typed["confidential"]
    problems: list[Any] = [
        Problem(pointer(*path), _question_id(questionnaire, path), message)
        for path, message in parsed.errors
        if not _hidden(
            kept.logic, questionnaire, path
        )  # a hidden question's text is dropped anyway
    ]
    problems += kept.result.errors
    if problems:
        return _problem_page(snap, section, lang, typed, problems, _("Nothing was saved yet."))
    response = target.response or response_for(target.cycle, target.organisation)
    try:
        if response is None:
            response = start(target.cycle, target.organisation, target.user)
            expected = response.version
        else:
            expected = controls.version
        save_draft(
            response,
            answers,
            target.user,
            expected,
            justifications=justifications,
            confidential=confidential,
            confirmed=controls.confirmed,
            checked=kept.result,
        )
        db.session.commit()
    except StaleDraft as stale:
        db.session.rollback()
        return _stale_page(snap, section, lang, typed, stale)
    except ValidationFailed as failed:
        db.session.rollback()
        return _problem_page(snap, section, lang, typed, failed.errors, _("Nothing was saved yet."))
    except Conflict as refused:
        db.session.rollback()
        return _typed_page(snap, section, lang, raw, controls, 409, explain(refused), typed)
    except DATABASE_ERRORS:
        _rollback()
        return _unavailable_page(snap, section, lang, typed)
    if dropped:
        flash(_dropped_notice(questionnaire, dropped, lang), "info")
    if controls.action == "submit":
        return _submit(target, response, section, lang, typed)
    flash(_("Draft saved."), "success")
    return redirect(section_url(snap.cycle_id, section.id, lang))


def _submit(
    target: Target, response: Any, section: Section, lang: str, typed: dict[str, Any]
) -> ResponseReturnValue:
    try:
        submit(response, target.user, expected_version=response.version, lang=lang)
        db.session.commit()
    except ValidationFailed as failed:
        db.session.rollback()
        target.response = response
        snap = snapshot(target)
        errors = [_as_warning(e) if e.severity == "warning" else e for e in failed.errors]
        page = build_page(snap, section, lang, errors=errors)
        page.alert = _(
            "Your draft was saved, but it cannot be submitted yet: "
            "the answers listed below need attention."
        )
        return render_page(page, 422)
    except Conflict as refused:
        db.session.rollback()
        flash(explain(refused), "error")
        return redirect(section_url(target.cycle.id, section.id, lang))
    except DATABASE_ERRORS:
        _rollback()
        flash(
            _(
                "Your draft was saved, but the database was unavailable for the submission: "
                "please press Submit again."
            ),
            "error",
        )
        return redirect(section_url(target.cycle.id, section.id, lang))
    flash(_("Thank you: your answers were submitted."), "success")
    return redirect(section_url(target.cycle.id, section.id, lang))


def _rollback() -> None:
    with contextlib.suppress(DATABASE_ERRORS):
        db.session.rollback()


# -- pages that keep what was typed ------------------------------------------------------------


def _problem_page(
    snap: Snapshot,
    section: Section,
    lang: str,
    typed: Mapping[str, Any],
    problems: list[Any],
    what: str,
) -> ResponseReturnValue:
    page = build_page(snap, section, lang, errors=problems, **_shown(typed))
    page.alert = _(
        "%(what)s Some answers need attention: they are listed below, next to what you typed.",
        what=what,
    )
    return render_page(page, 422)


def _unavailable_page(
    snap: Snapshot, section: Section, lang: str, typed: Mapping[str, Any]
) -> ResponseReturnValue:
    page = build_page(snap, section, lang, **_shown(typed))
    page.alert = _(
        "Your answers were NOT saved: the database is unavailable for a moment. "
        "Everything you typed is still here; press Save draft again in a minute."
    )
    return render_page(page, 503)


def _typed_page(
    snap: Snapshot,
    section: Section,
    lang: str,
    raw: dict[str, Any],
    controls: Controls,
    status: int,
    message: str,
    typed: Mapping[str, Any] | None = None,
) -> ResponseReturnValue:
    if typed is None:
        typed = _typed(snap, section, controls, raw, parse_values(section.questions, raw))
    page = build_page(snap, section, lang, **_shown(typed))
    page.alert = _("Your answers were NOT saved: %(reason)s", reason=message)
    return render_page(page, status)


def typed_again(
    snap: Snapshot, section: Section, lang: str, formdata: Any, message: str, status: int
) -> ResponseReturnValue:
    """The page with what was posted, unsaved (a CSRF failure)."""
    controls = read_controls(formdata, section)
    raw = section_form_class(snap.questionnaire, section)(formdata=formdata).data
    typed = _typed(snap, section, controls, raw, parse_values(section.questions, raw))
    page = build_page(snap, section, lang, **_shown(typed))
    page.alert = message
    return render_page(page, status)


def _typed(
    snap: Snapshot,
    section: Section,
    controls: Controls,
    raw: dict[str, Any],
    parsed: Any,
    answers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the person posted, to draw again: answers, raw inputs, marks, and the version
    the page was drawn from (never the current one: the next save must still see a newer one)."""
    return {
        "answers": merge_section(snap.answers, section, parsed.answers)
        if answers is None
        else answers,
        "raw": raw,
        "unknown": parsed.unknown,
        "justifications": merge_paths(snap.justifications, controls.justifications, section),
        "confirmed": controls.confirmed,
        "confidential": sorted(
            {p for p in snap.confidential if not in_section(p, section)}
            | set(controls.confidential)
        ),
        "version": controls.version,
    }


def _shown(typed: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("answers", "raw", "unknown", "justifications", "confirmed", "confidential", "version")
    return {k: v for k, v in typed.items() if k in keys}


def _restructure(
    snap: Snapshot, section: Section, lang: str, raw: dict[str, Any], controls: Controls
) -> ResponseReturnValue:
    """Add or remove a repeat item: the page again with everything typed, nothing saved."""
    repeat = next(
        (q for q in section.questions if q.id == controls.repeat and q.type == "repeat"), None
    )
    notices = []
    if repeat is not None:
        items = list(raw.get(repeat.id) or [])
        label = snap.questionnaire.text(repeat.label, lang)
        if controls.action == "add" and (repeat.max_items is None or len(items) < repeat.max_items):
            items.append({})
            notices.append(
                _(
                    "%(label)s: entry %(number)d added. Nothing is saved until you press Save draft.",
                    label=label,
                    number=len(items),
                )
            )
        elif controls.action == "remove" and 0 <= controls.index < len(items):
            items.pop(controls.index)
            notices.append(
                _(
                    "%(label)s: entry %(number)d removed. Nothing is saved until you press Save draft.",
                    label=label,
                    number=controls.index + 1,
                )
            )
        raw[repeat.id] = items
    typed = _typed(snap, section, controls, raw, parse_values(section.questions, raw))
    page = build_page(snap, section, lang, notices=notices, **_shown(typed))
    return render_page(page)


def _stale_page(
    snap: Snapshot, section: Section, lang: str, typed: Mapping[str, Any], stale: StaleDraft
) -> ResponseReturnValue:
    """Someone saved in between: their changes beside what this person typed, to merge."""
    current = dict(stale.response.answers or {})
    questionnaire = snap.questionnaire
    revisions = stale.response.revisions
    by = revisions[-1].actor.email if revisions and revisions[-1].actor else _("someone else")
    answers = merge_section(
        current, section, {k: v for k, v in typed["answers"].items() if _in(k, section)}
    )
    raw = dict(typed["raw"])
    conflicts: dict[str, ConflictView] = {}
    bases: dict[str, Any] = {}
    for change in stale.changes:
        key = change["path"][1:]
        if _in(key, section) and key not in bases:
            bases[key] = _ABSENT if change.get("added") else change.get("old")
    for key, base in bases.items():
        question = _owner(questionnaire, key)
        if question is None:
            continue
        theirs, yours = current.get(key, _ABSENT), answers.get(key, _ABSENT)
        if _same(yours, theirs):
            continue
        path = f"/{question.id}"
        shown = display_answer(question, current, _translator(questionnaire, lang)) or _(
            "no answer"
        )
        if _same(yours, base):
            _take(answers, current, key)
            raw.update(builder(question).raw(question, answers))
            conflicts[path] = ConflictView(shown, by, True, path)
        else:
            conflicts[path] = ConflictView(shown, by, False, path)
    moved = Snapshot(**{**snap.__dict__, "answers": current, "version": stale.response.version})
    page = build_page(
        moved,
        section,
        lang,
        answers=answers,
        raw=raw,
        unknown=typed.get("unknown", ()),
        justifications=typed.get("justifications"),
        confirmed=typed.get("confirmed", ()),
        confidential=typed.get("confidential"),
        conflicts=conflicts,
    )
    page.alert = _(
        "%(who)s saved this questionnaire while you were editing it, so nothing of yours was "
        "saved yet. Their changes are shown next to your answers: keep yours or use theirs, "
        "then press Save draft again.",
        who=by,
    )
    return render_page(page, 409)


# -- helpers --------------------------------------------------------------------------------------


def merge_section(
    stored: Mapping[str, Any], section: Section, typed: Mapping[str, Any]
) -> dict[str, Any]:
    """The response's answers with this section's replaced by what was typed."""
    keys = {p[1:] for p in section_paths(section)}
    merged = {k: v for k, v in stored.items() if k not in keys}
    merged.update(typed)
    return merged


def merge_paths(
    stored: Mapping[str, str], posted: Mapping[str, str], section: Section
) -> dict[str, str]:
    """Justifications: other sections' kept, this section's as posted (blank = removed)."""
    merged = {k: v for k, v in stored.items() if not in_section(k, section) or k not in posted}
    merged.update({k: v for k, v in posted.items() if v})
    for key, text in posted.items():
        if not text:
            merged.pop(key, None)
    return merged


def _question_id(questionnaire: Questionnaire, path: tuple[Any, ...]) -> str:
    """The question a conversion error is about (a grid cell's path ends with row and column)."""
    for part in reversed(path):
        if isinstance(part, str) and part in questionnaire.by_id:
            return part
    return str(path[0])


def _hidden(logic: Logic, questionnaire: Questionnaire, path: tuple[Any, ...]) -> bool:
    question = questionnaire.by_id.get(str(path[0]))
    if question is None:
        return False
    if logic.is_hidden(question):
        return True
    if len(path) >= 3 and isinstance(path[1], int):
        member = questionnaire.by_id.get(str(path[2]))
        return member is not None and logic.is_hidden(member, path[1])
    return False


def _in(key: str, section: Section) -> bool:
    return f"/{key}" in section_paths(section)


def _owner(questionnaire: Questionnaire, key: str) -> Question | None:
    question = questionnaire.by_id.get(key)
    if question is None and key.endswith("_other"):
        question = questionnaire.by_id.get(key[: -len("_other")])
    return question


def _take(answers: dict[str, Any], source: Mapping[str, Any], key: str) -> None:
    if key in source:
        answers[key] = source[key]
    else:
        answers.pop(key, None)


def _same(a: Any, b: Any) -> bool:
    if a is _ABSENT or b is _ABSENT:
        return a is b
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _translator(questionnaire: Questionnaire, lang: str) -> Any:
    return lambda text: questionnaire.text(text, lang)


def _as_warning(error: Any) -> Problem:
    return Problem(error.path, error.question, error.message, "warning")


def _dropped_notice(
    questionnaire: Questionnaire, paths: Iterable[str], lang: str, carried: bool = False
) -> str:
    labels = []
    for path in paths:
        parts = path.split("/")[1:]
        question = questionnaire.by_id.get(parts[-1]) or (
            _owner(questionnaire, parts[0]) if parts else None
        )
        labels.append(questionnaire.text(question.label, lang) if question else path)
    listed = ", ".join(dict.fromkeys(labels))
    if carried:
        return _(
            "Last cycle's answers that no longer fit this questionnaire were not carried forward: %(questions)s",
            questions=listed,
        )
    return _(
        "Answers to questions that no longer apply were removed: %(questions)s", questions=listed
    )


def _locked_message(snap: Snapshot) -> str:
    if snap.status in ("submitted", "accepted"):
        return _("this questionnaire has been submitted and can no longer be changed.")
    if not snap.is_open:
        return _period_message(snap)
    return _("your account cannot change these answers.")


def _period_message(snap: Snapshot) -> str:
    """Why answers cannot be saved outside the reporting period: not open yet, or closed."""
    if snap.timing == "not_yet_open":
        return _(
            "the reporting period opens on %(date)s; answers can be saved from that day.",
            date=snap.opens_on.isoformat(),
        )
    return _(
        "the reporting period closed on %(date)s; ask the Secretariat to reopen it.",
        date=snap.closes_on.isoformat(),
    )
