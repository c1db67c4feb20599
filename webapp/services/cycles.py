"""Reporting cycles: one questionnaire version asked of organisations for a period."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Literal

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Assignment, Cycle, Organisation, User
from webapp.services import Conflict, Invalid, NotFound
from webapp.services.audit import record
from webapp.services.definitions import find_version, model_of
from webapp.services.transaction import remembered

PERIOD_PATTERNS = {
    "annual": (re.compile(r"[0-9]{4}"), "a year such as 2026"),
    "quarterly": (re.compile(r"[0-9]{4}-Q[1-4]"), "a quarter such as 2026-Q1"),
    "biennial": (re.compile(r"[0-9]{4}-[0-9]{4}"), "two years such as 2026-2027"),
    "once": (re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}"), "a short label"),
}


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def parse_cycle_name(name: str) -> tuple[str, str]:
    """`kyoto-core@2026` -> ("kyoto-core", "2026")."""
    questionnaire_id, sep, period = name.partition("@")
    if not sep or not questionnaire_id or not period:
        raise Invalid(
            f"'{name}' is not a cycle name: write QUESTIONNAIRE@PERIOD, e.g. kyoto-core@2026"
        )
    return questionnaire_id, period


def find_cycle(name: str) -> Cycle:
    questionnaire_id, period = parse_cycle_name(name)
    cycle = db.session.scalar(
        select(Cycle).where(Cycle.questionnaire_id == questionnaire_id, Cycle.period == period)
    )
    if cycle is None:
        raise NotFound(f"no cycle {name}")
    return cycle


def check_period(period_kind: str, period: str) -> None:
    pattern, example = PERIOD_PATTERNS[period_kind]
    if not pattern.fullmatch(period):
        raise Invalid(
            f"'{period}' is not a period of a {period_kind} questionnaire: use {example}",
            code="period_invalid",
            params={"period": period, "kind": period_kind},
        )
    if period_kind == "biennial":
        first, second = map(int, period.split("-"))
        if second != first + 1:
            raise Invalid(
                f"'{period}' is not two consecutive years",
                code="period_not_consecutive",
                params={"period": period},
            )


def open_cycle(
    questionnaire_id: str,
    version: int,
    period: str,
    closes_on: dt.date,
    opens_on: dt.date | None = None,
    organisations: Iterable[Organisation] | None = None,
    actor: User | None = None,
) -> Cycle:
    """Open a cycle; without `organisations`, everyone of the questionnaire's audience is asked."""
    row = find_version(questionnaire_id, version)
    assert row is not None
    model = model_of(row)
    check_period(model.period, period)
    opens_on = opens_on or today()
    if closes_on < opens_on:
        raise Invalid(
            f"the cycle closes ({closes_on}) before it opens ({opens_on})",
            code="cycle_closes_before_opening",
            params={"closes_on": closes_on, "opens_on": opens_on},
        )
    if db.session.scalar(
        select(Cycle).where(Cycle.questionnaire_id == questionnaire_id, Cycle.period == period)
    ):
        raise Conflict(
            f"the cycle {questionnaire_id}@{period} already exists",
            code="cycle_exists",
            params={"cycle": f"{questionnaire_id}@{period}"},
        )
    if organisations is None:
        organisations = db.session.scalars(
            select(Organisation)
            .where(Organisation.kind.in_(model.audience))
            .order_by(Organisation.slug)
        )
    cycle = Cycle(
        questionnaire_id=questionnaire_id,
        period=period,
        questionnaire_version=row,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    db.session.add(cycle)
    for organisation in organisations:
        db.session.add(Assignment(cycle=cycle, organisation=organisation))
    db.session.flush()
    record("open", "cycle", cycle.name, actor, version=version, closes_on=str(closes_on))
    return cycle


def assignment_for(cycle: Cycle, organisation: Organisation) -> Assignment:
    """Read once per transaction (access checks and the closing-date check share it)."""
    assignment = remembered(
        "assignment",
        (cycle.id, organisation.id),
        lambda: db.session.scalar(
            select(Assignment).where(
                Assignment.cycle_id == cycle.id, Assignment.organisation_id == organisation.id
            )
        ),
    )
    if assignment is None:
        raise NotFound(
            f"{organisation.slug} is not asked to answer {cycle.name}",
            code="not_assigned",
            params={"organisation": organisation.slug, "cycle": cycle.name},
        )
    return assignment


def extend(
    cycle: Cycle, organisation: Organisation, until: dt.date, actor: User | None
) -> Assignment:
    """A later closing date for one organisation (SPEC §4)."""
    assignment = assignment_for(cycle, organisation)
    if until < cycle.closes_on:
        raise Invalid(
            f"an extension must end on or after the cycle's closing date ({cycle.closes_on})",
            code="extension_too_early",
            params={"date": cycle.closes_on},
        )
    assignment.extended_until = until
    record("extend", "assignment", assignment.id, actor, cycle=cycle.name, until=str(until))
    return assignment


Timing = Literal["not_yet_open", "open", "closed"]


def timing(assignment: Assignment, on: dt.date | None = None) -> Timing:
    """Where `on` (today, UTC) falls in the organisation's reporting period, its extension
    included: answers are taken from the opening day through the closing day."""
    on = on or today()
    if on < assignment.cycle.opens_on:
        return "not_yet_open"
    if on > assignment.closes_on():
        return "closed"
    return "open"


def is_open(assignment: Assignment, on: dt.date | None = None) -> bool:
    return timing(assignment, on) == "open"


def open_cycles_for(organisation: Organisation, on: dt.date | None = None) -> list[Assignment]:
    assignments = db.session.scalars(
        select(Assignment).where(Assignment.organisation_id == organisation.id)
    ).all()
    return [a for a in assignments if is_open(a, on)]
