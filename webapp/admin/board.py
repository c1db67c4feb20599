"""The status board of a cycle: completeness and timeliness per organisation asked (SPEC §4).

Read-only: one row per assignment with the response's status, lateness and extension, and the
counts shown at the top (asked, started, submitted, on time, late, extended).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Assignment, Cycle, Organisation, Response, Revision, User

SUBMITTED = frozenset({"submitted", "accepted"})


@dataclass(frozen=True)
class LastChange:
    at: dt.datetime
    action: str
    by: str | None


@dataclass(frozen=True)
class BoardRow:
    organisation: Organisation
    status: str
    """`not_started`, `draft`, `submitted`, `returned` or `accepted`."""
    closes_on: dt.date
    extended_until: dt.date | None
    submitted_at: dt.datetime | None
    late: bool
    on_time: bool
    last_change: LastChange | None

    @property
    def started(self) -> bool:
        return self.status != "not_started"

    @property
    def submitted(self) -> bool:
        return self.status in SUBMITTED


@dataclass(frozen=True)
class Counts:
    asked: int
    started: int
    submitted: int
    on_time: int
    late: int
    extended: int


@dataclass(frozen=True)
class Board:
    cycle: Cycle
    rows: list[BoardRow]
    counts: Counts


def _row(
    assignment: Assignment,
    response: Response | None,
    last: LastChange | None,
    today: dt.date,
) -> BoardRow:
    deadline = assignment.closes_on()
    status = response.status if response is not None else "not_started"
    submitted_at = response.submitted_at if response is not None else None
    if status in SUBMITTED and submitted_at is not None:
        on_time = submitted_at.date() <= deadline
        late = not on_time
    else:
        on_time = False
        late = today > deadline
    return BoardRow(
        organisation=assignment.organisation,
        status=status,
        closes_on=deadline,
        extended_until=assignment.extended_until,
        submitted_at=submitted_at,
        late=late,
        on_time=on_time,
        last_change=last,
    )


def _last_changes(cycle: Cycle) -> dict[int, LastChange]:
    """The newest revision of each response of the cycle, by response id."""
    newest = (
        select(Revision.response_id, func.max(Revision.number).label("number"))
        .join(Response, Response.id == Revision.response_id)
        .where(Response.cycle_id == cycle.id)
        .group_by(Revision.response_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Revision.response_id, Revision.at, Revision.action, User.email)
        .join(
            newest,
            (newest.c.response_id == Revision.response_id) & (newest.c.number == Revision.number),
        )
        .outerjoin(User, User.id == Revision.actor_id)
    )
    return {response_id: LastChange(at, action, email) for response_id, at, action, email in rows}


def build_board(cycle: Cycle, today: dt.date) -> Board:
    assignments = db.session.scalars(
        select(Assignment)
        .join(Organisation, Organisation.id == Assignment.organisation_id)
        .where(Assignment.cycle_id == cycle.id)
        .order_by(Organisation.name, Organisation.slug)
    ).all()
    responses = {
        r.organisation_id: r
        for r in db.session.scalars(select(Response).where(Response.cycle_id == cycle.id))
    }
    last = _last_changes(cycle)
    rows = []
    for assignment in assignments:
        response = responses.get(assignment.organisation_id)
        change = last.get(response.id) if response is not None else None
        rows.append(_row(assignment, response, change, today))
    counts = Counts(
        asked=len(rows),
        started=sum(row.started for row in rows),
        submitted=sum(row.submitted for row in rows),
        on_time=sum(row.on_time for row in rows),
        late=sum(row.late for row in rows),
        extended=sum(row.extended_until is not None for row in rows),
    )
    return Board(cycle, rows, counts)
