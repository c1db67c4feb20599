"""What a respondent's page is about, checked against `webapp.services.access`, and a snapshot.

`load` finds the cycle and the person's organisation's response and refuses with 404 whatever
the person may not see (another organisation's cycle or response is never confirmed to exist).
The `Snapshot` copies out of the database everything a page needs, so that the page can still
be drawn, with what was typed, when a save fails because the database is unavailable (A10).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import InterfaceError, OperationalError

from engine.model import Questionnaire
from webapp.extensions import db
from webapp.models import (
    Assignment,
    Cycle,
    Organisation,
    QuestionnaireVersion,
    Response,
    ReviewComment,
    Revision,
    User,
)
from webapp.services import NotFound
from webapp.services.access import can_edit, can_start, can_submit, can_view
from webapp.services.cycles import Timing, timing
from webapp.services.definitions import model_of
from webapp.services.responses import EDITABLE, prefill, response_for
from webapp.services.transaction import remember

DATABASE_ERRORS = (OperationalError, InterfaceError)


@dataclass
class Target:
    """The rows a page is about (live ORM objects, for the services)."""

    user: User
    cycle: Cycle
    organisation: Organisation
    assignment: Assignment
    response: Response | None
    questionnaire: Questionnaire


@dataclass
class Snapshot:
    """Plain data, enough to draw the page without the database."""

    cycle_id: int
    cycle_name: str
    period: str
    opens_on: dt.date
    closes_on: dt.date
    organisation: str
    questionnaire: Questionnaire
    status: str
    """`not_started` before the first save, then the response's status."""
    version: int
    answers: dict[str, Any]
    justifications: dict[str, str]
    confidential: list[str]
    unconfirmed: list[str]
    notes: Notes
    dropped: list[str] = field(default_factory=list)
    editable: bool = False
    can_submit: bool = False
    timing: Timing = "open"
    """Where today falls in the organisation's reporting period (`services.cycles.timing`)."""

    @property
    def is_open(self) -> bool:
        return self.timing == "open"

    @property
    def previous(self) -> dict[str, Any] | None:
        return self.notes.read().previous

    @property
    def comments(self) -> dict[str, list[str]]:
        return self.notes.read().comments

    @property
    def return_comment(self) -> str | None:
        return self.notes.read().return_comment


@dataclass
class NotesRead:
    previous: dict[str, Any] | None = None
    """Last cycle's accepted answers, keyed by today's ids."""
    return_comment: str | None = None
    comments: dict[str, list[str]] = field(default_factory=dict)
    """The latest return's comments by answer path."""


class Notes:
    """What a page shows beside the answers, read from the database only when a page is drawn
    (a save that redirects never needs them). If the database fails by then, the page, which
    then reports that nothing was saved, is drawn without them rather than not at all (A10)."""

    def __init__(self, target: Target) -> None:
        self._target: Target | None = target
        self._read: NotesRead | None = None

    def read(self) -> NotesRead:
        if self._read is None:
            target, self._target = self._target, None
            self._read = NotesRead()
            if target is not None:
                try:
                    self._read = _read_notes(target)
                except DATABASE_ERRORS:
                    _forget_failure()
        return self._read


def _read_notes(target: Target) -> NotesRead:
    notes = NotesRead(previous=previous_answers(target))
    response = target.response
    if response is not None and response.status in EDITABLE:
        notes.return_comment, notes.comments = latest_return(response)
    return notes


def _forget_failure() -> None:
    with contextlib.suppress(DATABASE_ERRORS):
        db.session.rollback()


_PAGE_ROWS = (
    select(Cycle, Organisation, Assignment, QuestionnaireVersion)
    .join(Assignment, Assignment.cycle_id == Cycle.id)
    .join(Organisation, Organisation.id == Assignment.organisation_id)
    .join(QuestionnaireVersion, QuestionnaireVersion.id == Cycle.questionnaire_version_id)
    .where(
        Cycle.id == bindparam("cycle_id"),
        Assignment.organisation_id == bindparam("organisation_id"),
    )
)
"""Built once: every page runs it, and building a statement costs about as much as running it."""


def load(cycle_id: int, user: User, *, for_update: bool = False) -> Target:
    """The page's rows, or NotFound when this person has no business with this cycle.

    One query reads the cycle, the person's organisation, its assignment and the questionnaire
    version (without its YAML source: the model is cached by source hash); a second reads the
    response, with `for_update` under its row lock, for a post that will write it.
    """
    if user.organisation_id is None:
        raise NotFound("no such questionnaire", code="no_such_questionnaire")
    row = db.session.execute(
        _PAGE_ROWS, {"cycle_id": cycle_id, "organisation_id": user.organisation_id}
    ).first()
    if row is None or not can_start(user, row.Organisation):
        raise NotFound("no such questionnaire", code="no_such_questionnaire")
    cycle, organisation, assignment = row.Cycle, row.Organisation, row.Assignment
    remember("assignment", (cycle.id, organisation.id), assignment)
    response = response_for(cycle, organisation, for_update=for_update)
    if response is not None and not can_view(user, response):
        raise NotFound("no such questionnaire", code="no_such_questionnaire")
    # Through the relationship, so the cycle keeps the version row (the session's identity map
    # holds rows weakly) and `response.questionnaire_version` finds it without a query.
    return Target(
        user, cycle, organisation, assignment, response, model_of(cycle.questionnaire_version)
    )


def snapshot(target: Target) -> Snapshot:
    cycle, response = target.cycle, target.response
    period = timing(target.assignment)
    open_now = period == "open"
    common = {
        "cycle_id": cycle.id,
        "cycle_name": cycle.name,
        "period": cycle.period,
        "opens_on": cycle.opens_on,
        "closes_on": target.assignment.closes_on(),
        "organisation": target.organisation.name,
        "questionnaire": target.questionnaire,
        "notes": Notes(target),
        "timing": period,
    }
    if response is None:
        filled = prefill(cycle, target.organisation)
        return Snapshot(
            **common,
            status="not_started",
            version=0,
            answers=filled.answers,
            justifications={},
            confidential=[],
            unconfirmed=list(filled.carried),
            dropped=list(filled.dropped),
            editable=open_now,
            can_submit=can_submit(target.user, Response(organisation=target.organisation)),
        )
    return Snapshot(
        **common,
        status=response.status,
        version=response.version,
        answers=dict(response.answers or {}),
        justifications=dict(response.justifications or {}),
        confidential=list(response.confidential or []),
        unconfirmed=list(response.unconfirmed or []),
        editable=can_edit(target.user, response) and response.status in EDITABLE and open_now,
        can_submit=can_submit(target.user, response),
    )


def latest_return(response: Response) -> tuple[str | None, dict[str, list[str]]]:
    """The Secretariat's comment of the latest return and its comments by answer path.

    Two small queries rather than `response.revisions`, which loads the whole history."""
    latest = db.session.execute(
        select(Revision.number, Revision.comment)
        .where(Revision.response_id == response.id, Revision.action == "return")
        .order_by(Revision.number.desc())
        .limit(1)
    ).first()
    if latest is None:
        return None, {}
    comments: dict[str, list[str]] = {}
    for path, text in db.session.execute(
        select(ReviewComment.path, ReviewComment.text)
        .where(
            ReviewComment.response_id == response.id,
            ReviewComment.revision_number == latest.number,
        )
        .order_by(ReviewComment.id)
    ):
        comments.setdefault(path, []).append(text)
    return latest.comment, comments


def previous_answers(target: Target) -> dict[str, Any] | None:
    """The organisation's last accepted answers to this questionnaire in an earlier cycle, keyed
    by today's ids (following `renamed_from`); None when there is none."""
    previous = db.session.scalar(
        select(Response)
        .join(Cycle, Response.cycle_id == Cycle.id)
        .where(
            Cycle.questionnaire_id == target.cycle.questionnaire_id,
            Cycle.id != target.cycle.id,
            Cycle.opens_on <= target.cycle.opens_on,
            Response.organisation_id == target.organisation.id,
            Response.status == "accepted",
        )
        .order_by(Cycle.opens_on.desc(), Cycle.id.desc())
        .limit(1)
    )
    if previous is None:
        return None
    old = previous.answers or {}
    found: dict[str, Any] = {}
    for question in target.questionnaire.questions:
        old_id = question.id if question.id in old else question.renamed_from
        if old_id and old_id in old:
            found[question.id] = old[old_id]
            if question.other and f"{old_id}_other" in old:
                found[question.other_key] = old[f"{old_id}_other"]
    return found


def open_assignments(organisation: Organisation) -> list[Assignment]:
    from webapp.services.cycles import open_cycles_for

    return sorted(open_cycles_for(organisation), key=lambda a: (a.cycle.closes_on, a.cycle.id))
