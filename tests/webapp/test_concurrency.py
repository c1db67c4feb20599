"""Concurrent first saves (RELIABILITY A3): twenty people opening the same organisation's response
at once leave exactly one response, backed by the unique (cycle, organisation) constraint; of their
first saves on version 1 exactly one wins and the others are told (409), never silently lost.

Threads, each with its own app context and so its own session and connection, meet at a barrier
and then call `webapp.services.responses.start` together. PostgreSQL only: that is where several
writers really run at once (SQLite serialises writers and answers "database is locked").
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import POSTGRES_URL
from webapp import create_app
from webapp.extensions import db
from webapp.models import Cycle, Organisation, Response, Revision
from webapp.services import Conflict
from webapp.services.responses import save_draft, start

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="concurrent writers: the PostgreSQL run of the suite (A3)"
)

PEOPLE = 20


def test_concurrent_first_saves_leave_one_response(mini_cycle, database_url: str) -> None:  # type: ignore[no-untyped-def]
    cycle_id = mini_cycle.id
    organisation_id = mini_cycle.assignments[0].organisation.id
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": PEOPLE + 2, "max_overflow": 0},
        }
    )
    barrier = threading.Barrier(PEOPLE, timeout=60)
    lock = threading.Lock()
    started: list[int] = []
    saved: list[int] = []
    refused: list[str] = []
    failures: list[BaseException] = []

    def person(number: int) -> None:
        try:
            with app.app_context():
                cycle = db.session.get(Cycle, cycle_id)
                organisation = db.session.get(Organisation, organisation_id)
                db.session.commit()
                barrier.wait()
                response = start(cycle, organisation, None)
                db.session.commit()
                with lock:
                    started.append(response.id)
                try:
                    save_draft(response, {"prisoners": number}, None, expected_version=1)
                    db.session.commit()
                except Conflict as conflict:
                    db.session.rollback()
                    with lock:
                        refused.append(conflict.message)
                else:
                    with lock:
                        saved.append(number)
                db.session.remove()
        except BaseException as error:  # reported below, with the thread's own traceback
            failures.append(error)

    threads = [threading.Thread(target=person, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with app.app_context():
        db.engine.dispose()
    assert not failures, failures
    assert len(started) == PEOPLE
    assert len(set(started)) == 1

    db.session.expire_all()
    responses = db.session.scalars(select(Response).where(Response.cycle_id == cycle_id)).all()
    assert len(responses) == 1
    (response,) = responses
    actions: dict[str, Any] = dict(
        db.session.execute(
            select(Revision.action, func.count())
            .where(Revision.response_id == response.id)
            .group_by(Revision.action)
        ).all()
    )
    assert actions == {"start": 1, "save": 1}
    assert len(saved) == 1
    assert len(refused) == PEOPLE - 1
    assert response.answers == {"prisoners": saved[0]}
    assert response.version == 2
