"""What a respondent's page is about, checked against `webapp.services.access`, and a snapshot.

`load` finds the cycle and the person's organisation's response and refuses with 404 whatever
the person may not see (another organisation's cycle or response is never confirmed to exist).
The `Snapshot` copies out of the database everything a page needs, so that the page can still
be drawn, with what was typed, when a save fails because the database is unavailable (A10).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from engine.model import Questionnaire
from webapp.extensions import db
from webapp.models import Assignment, Cycle, Organisation, Response, ReviewComment, Revision, User
from webapp.services import NotFound
from webapp.services.access import can_edit, can_start, can_submit, can_view
from webapp.services.cycles import assignment_for, is_open
from webapp.services.definitions import model_of
from webapp.services.responses import EDITABLE, prefill, response_for


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
    previous: dict[str, Any] | None
    comments: dict[str, list[str]] = field(default_factory=dict)
    return_comment: str | None = None
    dropped: list[str] = field(default_factory=list)
    editable: bool = False
    can_submit: bool = False
    is_open: bool = False


def load(cycle_id: int, user: User) -> Target:
    """The page's rows, or NotFound when this person has no business with this cycle."""
    cycle = db.session.get(Cycle, cycle_id)
    organisation = user.organisation
    if cycle is None or organisation is None or not can_start(user, organisation):
        raise NotFound("no such questionnaire")
    try:
        assignment = assignment_for(cycle, organisation)
    except NotFound:
        raise NotFound("no such questionnaire") from None
    response = response_for(cycle, organisation)
    if response is not None and not can_view(user, response):
        raise NotFound("no such questionnaire")
    return Target(
        user, cycle, organisation, assignment, response, model_of(cycle.questionnaire_version)
    )


def snapshot(target: Target) -> Snapshot:
    cycle, response = target.cycle, target.response
    open_now = is_open(target.assignment)
    common = {
        "cycle_id": cycle.id,
        "cycle_name": cycle.name,
        "period": cycle.period,
        "closes_on": target.assignment.closes_on(),
        "organisation": target.organisation.name,
        "questionnaire": target.questionnaire,
        "previous": previous_answers(target),
        "is_open": open_now,
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
    comments: dict[str, list[str]] = {}
    return_comment = None
    if response.status in EDITABLE:
        return_comment, comments = latest_return(response)
    return Snapshot(
        **common,
        status=response.status,
        version=response.version,
        answers=dict(response.answers or {}),
        justifications=dict(response.justifications or {}),
        confidential=list(response.confidential or []),
        unconfirmed=list(response.unconfirmed or []),
        comments=comments,
        return_comment=return_comment,
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
