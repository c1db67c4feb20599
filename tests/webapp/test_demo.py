"""`kyoto demo`: a ready demo, built through the services, idempotent (SPEC §5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.validation import validator_for
from webapp.cli import cli
from webapp.demo import DEMO_PASSWORD, DEMO_USERS
from webapp.extensions import db
from webapp.models import Base, Cycle, Organisation, Response, ReviewComment, User
from webapp.services.cycles import find_cycle, is_open, today
from webapp.services.responses import questionnaire_of, replay
from webapp.services.users import authenticate

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


@pytest.mark.slow
def test_demo_twice_builds_a_consistent_demo_once(runner) -> None:  # type: ignore[no-untyped-def]
    first = runner.invoke(cli, ["demo"])
    assert first.exit_code == 0, first.output
    built = counts()
    second = runner.invoke(cli, ["demo"])
    assert second.exit_code == 0, second.output
    assert counts() == built
    assert "kyoto-core@" in second.stdout
    assert "already there" in second.stdout

    # the 193 Member States and the other stakeholders
    kinds = dict(
        db.session.execute(
            select(Organisation.kind, func.count()).group_by(Organisation.kind)
        ).all()
    )
    assert kinds["member_state"] == 193
    assert {"civil_society", "academia", "youth", "private_sector"} <= set(kinds)

    # every demo user logs in with the documented password, and is printed
    for demo_user in DEMO_USERS:
        user = authenticate(demo_user.email, DEMO_PASSWORD)
        assert user is not None, demo_user.email
        assert user.role == demo_user.role
        assert demo_user.email in first.stdout
    assert DEMO_PASSWORD in first.stdout
    assert {u.role for u in DEMO_USERS} == {"secretariat", "officer", "focal_point", "contributor"}
    france = db.session.scalar(select(User).where(User.email == "focal.fra@demo.kyoto"))
    assert france.language == "fr"
    assert france.organisation.iso3 == "FRA"

    year = today().year
    previous = find_cycle(f"kyoto-core@{year - 1}")
    current = find_cycle(f"kyoto-core@{year}")
    assert previous.closes_on < today()
    assert not is_open(previous.assignments[0])
    assert is_open(current.assignments[0])

    def statuses(cycle: Cycle) -> set[str]:
        return set(db.session.scalars(select(Response.status).where(Response.cycle_id == cycle.id)))

    assert "accepted" in statuses(previous)
    assert statuses(current) == {"draft", "submitted", "returned", "accepted"}
    asked = len(current.assignments)
    started = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.cycle_id == current.id)
    )
    assert 0 < started < asked  # some not started
    assert db.session.scalar(select(func.count()).select_from(ReviewComment)) > 0
    responses = db.session.scalars(select(Response).where(Response.cycle_id == current.id)).all()
    assert any(r.published for r in responses)
    assert any(r.unconfirmed for r in responses if r.status == "draft")  # carried forward

    # the thematic questionnaires have open cycles with responses
    thematic = db.session.scalars(select(Cycle).where(Cycle.questionnaire_id != "kyoto-core")).all()
    assert {c.questionnaire_id for c in thematic} >= {
        "judicial-integrity",
        "international-cooperation-statistics",
    }
    assert all(is_open(c.assignments[0]) and statuses(c) for c in thematic)

    # every answer is valid for the engine, and the history replays to it
    for response in db.session.scalars(select(Response)):
        mode = "draft" if response.status in ("draft", "returned") else "submit"
        result = validator_for(questionnaire_of(response)).validate(
            response.answers, mode, justifications=response.justifications
        )
        assert result.errors == [], (response.organisation.slug, response.cycle.name)
        assert replay(response) == response.answers
        assert len(response.revisions) == response.version


def test_the_readme_lists_the_demo_users_and_password() -> None:
    assert DEMO_PASSWORD in README
    for demo_user in DEMO_USERS:
        assert f"`{demo_user.email}`" in README
