"""Responses and their workflow (SPEC §4): draft -> submitted -> accepted, or returned -> draft.

Every change writes a `Revision` in the same transaction; the status only changes here. Saves
use the response's version counter as an optimistic lock, so two people editing one draft never
silently overwrite each other (a stale save raises `StaleDraft` with what the other person did).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from engine.model import Questionnaire
from engine.validation import AnswerError, ValidationResult, validator_for
from webapp.extensions import db
from webapp.models import Cycle, Organisation, Response, ReviewComment, Revision, User, utcnow
from webapp.services import Conflict, Forbidden, Invalid
from webapp.services.audit import request_id
from webapp.services.cycles import assignment_for, timing
from webapp.services.definitions import model_of
from webapp.services.integrity import revision_seal, signing_key
from webapp.services.transaction import is_locked, mark_locked, remember, remembered

EDITABLE = frozenset({"draft", "returned"})


class ValidationFailed(Invalid):
    """Answers that do not pass the engine: nothing was saved."""

    def __init__(self, errors: list[AnswerError]) -> None:
        super().__init__(
            f"{len(errors)} answer(s) need attention",
            code="answers_need_attention",
            params={"count": len(errors)},
        )
        self.errors = errors


class StaleDraft(Conflict):
    """The draft changed since the client read it: `changes` says what the other person did."""

    def __init__(self, response: Response, changes: list[dict[str, Any]], by: str | None) -> None:
        who = f" by {by}" if by else ""
        super().__init__(
            f"this draft was changed{who} since you opened it (now version {response.version}); "
            "review their changes and save again",
            code="draft_changed",
            params={"by": by, "version": response.version},
        )
        self.response = response
        self.changes = changes


@dataclass
class Prefill:
    answers: dict[str, Any] = field(default_factory=dict)
    carried: list[str] = field(default_factory=list)
    """Paths carried forward from the last accepted response: `unconfirmed` until confirmed."""
    dropped: list[str] = field(default_factory=list)
    """Old answers that no longer fit (removed choice, changed type), listed to the respondent."""


def questionnaire_of(response: Response) -> Questionnaire:
    return model_of(response.questionnaire_version)


def diff(
    old: Mapping[str, Any], new: Mapping[str, Any], order: Iterable[str]
) -> list[dict[str, Any]]:
    """Answer-by-answer changes, in definition order (then any other key)."""
    keys = list(dict.fromkeys([*order, *old, *new]))
    changes = []
    for key in keys:
        before, after = old.get(key, _ABSENT), new.get(key, _ABSENT)
        if before != after or type(before) is not type(after):
            changes.append(
                {
                    "path": f"/{key}",
                    "old": None if before is _ABSENT else before,
                    "new": None if after is _ABSENT else after,
                    **({"added": True} if before is _ABSENT else {}),
                    **({"removed": True} if after is _ABSENT else {}),
                }
            )
    return changes


_ABSENT = object()


@lru_cache(maxsize=64)
def _key_order(questionnaire: Questionnaire) -> tuple[str, ...]:
    """Answer keys in definition order (each question, then its `_other`), once per version."""
    keys = []
    for question in questionnaire.questions:
        keys.append(question.id)
        if question.other:
            keys.append(question.other_key)
    return tuple(keys)


def _revise(
    response: Response,
    actor: User | None,
    action: str,
    before: str | None,
    changes: list[dict[str, Any]],
    comment: str | None = None,
) -> Revision:
    """Append the revision now, with a plain INSERT: it never changes once written, so the unit
    of work has nothing to track (that bookkeeping was a fifth of a save's time). The caller's
    flush of the response follows in the same transaction; a stale version rolls both back."""
    number, previous_seal = remembered(
        "latest revision", response.id, lambda: _latest_revision(response)
    )
    revision = Revision(
        response_id=response.id,
        number=number + 1,
        actor_id=actor.id if actor else None,
        at=utcnow(),  # set here, not at flush: the seal covers it
        action=action,
        status_before=before,
        status_after=response.status,
        changes=changes,
        comment=comment,
        request_id=request_id(),
    )
    revision.seal = revision_seal(revision, previous_seal, signing_key())  # J4
    columns = Revision.__table__.columns
    with db.session.no_autoflush:  # the response's UPDATE comes in _flush_versioned (409 there)
        db.session.execute(
            insert(Revision.__table__).values(
                {
                    column.name: getattr(revision, column.key)
                    for column in columns
                    if column.key != "id"
                }
            )
        )
    remember("latest revision", response.id, (revision.number, revision.seal))
    db.session.expire(response, ["revisions"])  # a loaded history now misses this revision
    return revision


def _latest_revision(response: Response) -> tuple[int, str | None]:
    """(number, seal) of the latest revision, (0, None) before the first: one indexed read, never
    the whole history. Callers hold the response's row lock (`_lock`), so two writers cannot take
    the same number or chain to the same seal."""
    with db.session.no_autoflush:  # a concurrent change must surface in _flush_versioned (409)
        latest = db.session.execute(
            select(Revision.number, Revision.seal)
            .where(Revision.response_id == response.id)
            .order_by(Revision.number.desc())
            .limit(1)
        ).first()
    return (latest.number, latest.seal) if latest else (0, None)


def prefill(cycle: Cycle, organisation: Organisation) -> Prefill:
    """Defaults of the new version, overlaid by the organisation's last accepted answers."""
    questionnaire = model_of(cycle.questionnaire_version)
    result = Prefill()
    for question in questionnaire.questions:
        if question.default is not None:
            result.answers[question.id] = copy.deepcopy(question.default)
    previous = db.session.scalar(
        select(Response)
        .join(Cycle, Response.cycle_id == Cycle.id)
        .where(
            Cycle.questionnaire_id == cycle.questionnaire_id,
            Cycle.id != cycle.id,
            Response.organisation_id == organisation.id,
            Response.status == "accepted",
        )
        .order_by(Cycle.opens_on.desc(), Cycle.id.desc())
        .limit(1)
    )
    if previous is None:
        return result
    old_model = questionnaire_of(previous)
    carried: dict[str, Any] = {}
    for question in questionnaire.questions:
        old_id = question.id if question.id in previous.answers else question.renamed_from
        if old_id is None or old_id not in previous.answers or question.type == "calculated":
            continue
        old_question = old_model.by_id.get(old_id)
        if old_question is None or old_question.type != question.type:
            result.dropped.append(f"/{question.id}")
            continue
        carried[question.id] = copy.deepcopy(previous.answers[old_id])
        if question.other and old_question.other and old_question.other_key in previous.answers:
            carried[question.other_key] = previous.answers[old_question.other_key]
    # Answers are checked together, as a draft: a conditional answer is valid only beside the
    # answer that shows it. Whatever still fails (a removed choice, a tighter range) is dropped.
    validator = validator_for(questionnaire)
    answers = {**result.answers, **carried}
    for _ in range(len(answers) + 1):
        errors = validator.validate(answers, "draft").errors
        failing = {error.path.split("/")[1] for error in errors if error.path.count("/")}
        failing = {
            key.removesuffix("_other") if key not in questionnaire.by_id else key for key in failing
        }
        if not failing:
            break
        for key in failing:
            for dropped_key in (key, f"{key}_other"):
                if dropped_key in answers:
                    answers.pop(dropped_key)
                    if dropped_key in carried and not dropped_key.endswith("_other"):
                        result.dropped.append(f"/{dropped_key}")
    result.answers = answers
    result.carried = [f"/{key}" for key in carried if key in answers and key in questionnaire.by_id]
    return result


def response_for(
    cycle: Cycle, organisation: Organisation, *, for_update: bool = False
) -> Response | None:
    """The organisation's response to the cycle; with `for_update`, read current and row-locked
    (PostgreSQL `FOR UPDATE`) so that the services writing it need not read it again."""
    query = select(Response).where(
        Response.cycle_id == cycle.id, Response.organisation_id == organisation.id
    )
    if not for_update:
        return db.session.scalar(query)
    # The latest revision's number and seal come along (what the next revision chains to), so
    # a save needs no query of its own for them.
    latest = (
        select(Revision.number)
        .where(Revision.response_id == Response.id)
        .order_by(Revision.number.desc())
        .limit(1)
    )
    row = db.session.execute(
        query.add_columns(
            latest.scalar_subquery(),
            latest.with_only_columns(Revision.seal).scalar_subquery(),
        )
        .with_for_update(of=Response.__table__)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        return None
    response, number, seal = row
    mark_locked(response)
    remember("latest revision", response.id, (number or 0, seal))
    return response


def start(cycle: Cycle, organisation: Organisation, actor: User | None) -> Response:
    """The organisation's response to the cycle, created (prefilled) on first use.

    Two people starting at once leave one response: the unique (cycle, organisation)
    constraint decides, and the loser reads the winner's row.
    """
    existing = response_for(cycle, organisation)
    if existing is not None:
        return existing
    assignment_for(cycle, organisation)
    filled = prefill(cycle, organisation)
    # INSERT ... ON CONFLICT DO NOTHING: the unique (cycle, organisation) constraint decides
    # between concurrent starters without a savepoint (which pysqlite would commit on its own).
    insert = _insert_for(db.session.get_bind().dialect.name)
    created = (
        db.session.execute(
            insert(Response.__table__)
            .values(
                cycle_id=cycle.id,
                organisation_id=organisation.id,
                questionnaire_version_id=cycle.questionnaire_version_id,
                status="draft",
                answers=filled.answers,
                justifications={},
                confidential=[],
                unconfirmed=filled.carried,
                version=1,
                published=False,
                updated_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["cycle_id", "organisation_id"])
            .returning(Response.__table__.c.id)
        ).scalar()
        is not None
    )
    response = response_for(cycle, organisation)
    assert response is not None
    if not created:
        return response  # someone else started it a moment ago
    _revise(
        response,
        actor,
        "start",
        None,
        diff({}, response.answers, _key_order(questionnaire_of(response))),
        comment=("prefilled; dropped: " + ", ".join(filled.dropped)) if filled.dropped else None,
    )
    return response


def _insert_for(dialect: str):  # type: ignore[no-untyped-def]
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def check_editable(response: Response, on: dt.date | None = None) -> None:
    if response.status not in EDITABLE:
        raise Conflict(
            f"this response is {response.status}: it cannot be edited unless reopened",
            code="response_not_editable",
            params={"status": response.status},
        )
    assignment = assignment_for(response.cycle, response.organisation)
    period = timing(assignment, on)
    if period == "not_yet_open":
        raise Conflict(
            f"the cycle {response.cycle.name} opens on {response.cycle.opens_on}: "
            "answers can be saved from that day",
            code="cycle_not_open",
            params={"cycle": response.cycle.name, "date": response.cycle.opens_on},
        )
    if period == "closed":
        raise Conflict(
            f"the cycle {response.cycle.name} closed on {assignment.closes_on()}: "
            "ask the Secretariat to reopen it or extend the closing date",
            code="cycle_closed",
            params={"cycle": response.cycle.name, "date": assignment.closes_on()},
        )


def save_draft(
    response: Response,
    answers: Mapping[str, Any],
    actor: User | None,
    expected_version: int | None,
    *,
    justifications: Mapping[str, str] | None = None,
    confidential: Iterable[str] | None = None,
    confirmed: Iterable[str] = (),
    checked: ValidationResult | None = None,
) -> list[dict[str, Any]]:
    """Replace the draft's answers after draft validation; returns the changes (none = no revision).

    `checked` is the caller's own draft validation of exactly `answers` (a page validates them
    anyway): used when it was made against this response's questionnaire version.
    """
    _lock(response)
    if expected_version is not None and expected_version != response.version:
        raise _stale(response, expected_version)
    check_editable(response)
    questionnaire = questionnaire_of(response)
    if checked is not None and checked.mode == "draft" and checked.questionnaire is questionnaire:
        result = checked
    else:
        result = validator_for(questionnaire).validate(dict(answers), "draft")
    if result.errors:
        raise ValidationFailed(result.errors)
    new_answers = result.answers
    changes = diff(response.answers, new_answers, _key_order(questionnaire))
    new_justifications = dict(
        justifications if justifications is not None else response.justifications
    )
    new_confidential = sorted(
        set(confidential if confidential is not None else response.confidential)
    )
    touched = {c["path"] for c in changes} | set(confirmed)
    unconfirmed = [p for p in response.unconfirmed if p not in touched]
    side_changes = (
        new_justifications != response.justifications
        or new_confidential != sorted(response.confidential)
        or unconfirmed != response.unconfirmed
    )
    if not changes and not side_changes and response.status == "draft":
        return []  # J2: saving the same values writes nothing
    before = response.status
    _write_versioned(
        response,
        {
            "answers": new_answers,
            "justifications": new_justifications,
            "confidential": new_confidential,
            "unconfirmed": unconfirmed,
            "status": "draft",
        },
    )
    _revise(response, actor, "save", before, changes)
    return changes


def submit(
    response: Response,
    actor: User | None,
    expected_version: int | None = None,
    lang: str | None = None,
) -> None:
    """Check everything (submit mode, justified warnings) and submit; raises ValidationFailed
    with messages in `lang` (the page's language) where the questionnaire has them."""
    _lock(response)
    if expected_version is not None and expected_version != response.version:
        raise _stale(response, expected_version)
    check_editable(response)
    questionnaire = questionnaire_of(response)
    result = validator_for(questionnaire).validate(
        dict(response.answers), "submit", lang, justifications=response.justifications
    )
    blocking = result.errors + result.unjustified_warnings
    if blocking:
        raise ValidationFailed(blocking)
    before = response.status
    response.answers = result.answers
    response.status = "submitted"
    response.submitted_at = utcnow()
    _revise(response, actor, "submit", before, [])
    _flush_versioned(response)
    _test_pause_before_commit()


def _test_pause_before_commit() -> None:
    """Test hook (RELIABILITY A8), off unless `KYOTO_TEST_PAUSE_BEFORE_COMMIT=SECONDS` is set:
    after the submission's writes and before the caller commits, say so on stderr and sleep, so
    a crash test can kill the process inside the transaction."""
    seconds = os.environ.get("KYOTO_TEST_PAUSE_BEFORE_COMMIT")
    if seconds:
        print("KYOTO_TEST_PAUSE_BEFORE_COMMIT: paused", file=sys.stderr, flush=True)
        time.sleep(float(seconds))


def review(
    response: Response,
    actor: User,
    action: str,
    comment: str | None = None,
    question_comments: Mapping[str, str] | None = None,
) -> None:
    """The Secretariat accepts a submitted response or returns it with comments."""
    _lock(response)
    if actor.role != "secretariat":
        raise Forbidden("only the Secretariat reviews responses", code="review_forbidden")
    if response.status != "submitted":
        raise Conflict(
            f"only a submitted response can be reviewed; this one is {response.status}",
            code="review_not_submitted",
            params={"status": response.status},
        )
    if action not in ("accept", "return"):
        raise Invalid("the review action is accept or return", code="review_action_unknown")
    comment = (comment or "").strip() or None
    if action == "return" and not comment and not question_comments:
        raise Invalid(
            "say why the response is returned: a comment is required",
            code="return_comment_required",
        )
    before = response.status
    response.status = "accepted" if action == "accept" else "returned"
    revision = _revise(response, actor, action, before, [], comment)
    for path, text in (question_comments or {}).items():
        if text.strip():
            db.session.add(
                ReviewComment(
                    response_id=response.id,
                    revision_number=revision.number,
                    path=path,
                    text=text.strip(),
                    author_id=actor.id,
                )
            )
    _flush_versioned(response)


def reopen(response: Response, actor: User, comment: str | None = None) -> None:
    """The Secretariat makes a submitted or accepted response editable again."""
    _lock(response)
    if actor.role != "secretariat":
        raise Forbidden("only the Secretariat reopens responses", code="reopen_forbidden")
    if response.status not in ("submitted", "accepted"):
        raise Conflict(
            f"only a submitted or accepted response can be reopened; this one is {response.status}",
            code="reopen_not_allowed",
            params={"status": response.status},
        )
    before = response.status
    response.status = "draft"
    _revise(response, actor, "reopen", before, [], comment)
    _flush_versioned(response)


def publish_report(response: Response, actor: User | None) -> None:
    """Voluntary dissemination of a submitted or accepted national report (SPEC §4)."""
    _lock(response)
    if response.status not in ("submitted", "accepted"):
        raise Conflict(
            "only a submitted or accepted report can be published",
            code="publish_not_allowed",
            params={"status": response.status},
        )
    if response.published:
        return
    response.published = True
    _revise(response, actor, "publish", response.status, [])
    _flush_versioned(response)


def review_comments(response: Response) -> list[ReviewComment]:
    """Comments of the latest return, for the respondent to act on."""
    latest = db.session.scalar(
        select(func.max(Revision.number)).where(
            Revision.response_id == response.id, Revision.action == "return"
        )
    )
    if latest is None:
        return []
    return list(
        db.session.scalars(
            select(ReviewComment).where(
                ReviewComment.response_id == response.id, ReviewComment.revision_number == latest
            )
        )
    )


def replay(response: Response) -> dict[str, Any]:
    """The answers rebuilt from the revisions alone (J5): must equal `response.answers`."""
    answers: dict[str, Any] = {}
    for revision in response.revisions:
        for change in revision.changes:
            key = change["path"][1:]
            if change.get("removed"):
                answers.pop(key, None)
            else:
                answers[key] = change["new"]
    return answers


def _lock(response: Response) -> None:
    """Re-read the response under a row lock (PostgreSQL `FOR UPDATE`) before changing it.

    Version check, revision number and status transition are then decided on current data, one
    writer at a time: a concurrent writer waits, then sees the new version and gets a Conflict.
    SQLite has one writer at a time anyway and ignores the lock clause.
    """
    if response.id is None or is_locked(response):
        return
    db.session.refresh(response, with_for_update=True)
    db.session.expire(response, ["revisions"])
    mark_locked(response)


def _stale(response: Response, expected_version: int) -> StaleDraft:
    # Each flush of a response writes one revision, so revision N is the change to version N.
    since = [r for r in response.revisions if r.number > expected_version]
    changes = [c for r in since for c in r.changes]
    by = since[-1].actor.email if since and since[-1].actor else None
    return StaleDraft(response, changes, by)


def _flush_versioned(response: Response) -> None:
    """Flush now so a concurrent writer's change shows up here as a Conflict, not later."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise _changed_concurrently() from None


def _write_versioned(response: Response, values: dict[str, Any]) -> None:
    """Write `values` in one UPDATE that checks and bumps the version itself (`WHERE version =`
    the one read under the row lock), as the ORM's flush of a versioned row does, without the
    unit of work's bookkeeping (most of a save's flush time, bench/web.py). No row updated means
    another writer got in between: Conflict, and nothing of this transaction is kept. Every change
    of a response goes through these services, so the row holds no other unsaved change."""
    seen = response.version
    values = {**values, "version": seen + 1, "updated_at": utcnow()}
    table = Response.__table__
    with db.session.no_autoflush:
        written = db.session.execute(
            update(table).where(table.c.id == response.id, table.c.version == seen).values(values)
        )
    if written.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise _changed_concurrently()
    for key, value in values.items():
        set_committed_value(response, key, value)  # the row as written; nothing left to flush


def _changed_concurrently() -> Conflict:
    return Conflict(
        "this response was changed by someone else at the same time; reload it",
        code="changed_concurrently",
    )
