"""Tamper evidence (RELIABILITY J4): a clean history verifies; changes made directly in SQL, even
with the append-only triggers taken away as someone with rights on the database could, are found
and located; the application itself still cannot change history (J3)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from tests.conftest import FIXTURES, POSTGRES_URL, make_organisation, make_user
from webapp import create_app
from webapp.cli import cli
from webapp.extensions import db
from webapp.models import AuditEvent, Cycle, Response, Revision
from webapp.services.audit import record
from webapp.services.integrity import Report, revision_seal, signing_key, verify
from webapp.services.responses import (
    publish_report,
    review,
    save_draft,
    start,
    submit,
)

YEAR = dt.datetime.now(dt.UTC).year
MISMATCH = (
    "seal does not match: this revision was changed, or the one before it was removed, "
    "replaced or renumbered"
)
EVENT_MISMATCH = (
    "seal does not match: this event was changed, or the one before it was removed, replaced "
    "or reordered"
)


@pytest.fixture
def history(mini_cycle: Cycle) -> dict[str, Response]:
    """France: nine revisions (saved, submitted, returned, accepted, published); the NGO: two."""
    france, ngo = (a.organisation for a in mini_cycle.assignments)
    focal = make_user("focal_point", france)
    secretariat = make_user("secretariat")
    response = start(mini_cycle, france, focal)
    save_draft(response, {"national_strategy": "full", "strategy_year": 2020}, focal, 1)
    save_draft(response, {**response.answers, "prisoners": 10}, focal, 2)
    submit(response, focal)
    review(response, secretariat, "return", "please check the prisoners")
    save_draft(response, {**response.answers, "prisoners": 12}, focal, response.version)
    submit(response, focal)
    review(response, secretariat, "accept")
    publish_report(response, focal)
    other = start(mini_cycle, ngo, None)
    save_draft(other, {"national_strategy": "partial", "strategy_year": 2019}, None, 1)
    db.session.commit()
    return {"FRA": response, "youth-network": other}


def problems(report: Report) -> list[tuple[Any, ...]]:
    """(where, what) of every problem: responses by organisation slug, events by action."""
    return [
        (p.organisation, p.revision, p.what)
        if p.audit_event_id is None
        else (p.audit_event, p.what)
        for p in report.problems
    ]


@contextmanager
def triggers_off(table: str) -> Iterator[None]:
    """What someone with rights on the database can do: take the append-only trigger away, change
    rows, and put the trigger back."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"))
        yield
        db.session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only"))
    else:
        triggers = db.session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
            {"t": table},
        ).all()
        assert len(triggers) == 2
        for name, _sql in triggers:
            db.session.execute(text(f"DROP TRIGGER {name}"))
        yield
        for _name, sql in triggers:
            db.session.execute(text(sql))
    db.session.commit()


def revision_id(response: Response, number: int) -> int:
    return db.session.scalar(
        select(Revision.id).where(Revision.response_id == response.id, Revision.number == number)
    )


def event_id(action: str) -> int:
    return db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == action))


# -- a clean history ----------------------------------------------------------------------------


def test_a_clean_history_verifies(history: dict[str, Response]) -> None:
    report = verify(db.session)
    assert report.problems == []
    assert (report.responses, report.revisions) == (2, 11)
    assert report.audit_events == db.session.scalar(select(db.func.count(AuditEvent.id)))
    assert report.audit_events >= 4  # two users, a publication, a cycle
    assert (report.unsealed_revisions, report.unsealed_audit_events) == (0, 0)
    assert report.audit_head == db.session.scalar(
        select(AuditEvent.seal).order_by(AuditEvent.id.desc()).limit(1)
    )
    assert report.summary() == (
        f"2 response(s), 11 revision(s), {report.audit_events} audit event(s), "
        f"newest seal {report.audit_head[:16]}: no problem found"
    )


def test_every_row_is_sealed_with_a_key_derived_from_the_secret_key(
    app: Flask, history: dict[str, Response]
) -> None:
    revisions = db.session.scalars(select(Revision)).all()
    events = db.session.scalars(select(AuditEvent)).all()
    assert all(len(row.seal or "") == 64 for row in [*revisions, *events])
    assert signing_key() != b"test-secret"  # derived, never the secret key itself
    app.config["SECRET_KEY"] = "another secret"
    assert [p.what for p in verify(db.session).problems].count(MISMATCH) == 11


def test_a_rotated_secret_key_listed_as_a_fallback_still_verifies(
    app: Flask, history: dict[str, Response]
) -> None:
    app.config["SECRET_KEY"] = "the new secret"
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
    save_draft(history["youth-network"], {"prisoners": 3}, None, None)  # sealed after rotation
    db.session.commit()
    assert history["youth-network"].version == 3
    report = verify(db.session)
    assert report.problems == []


def test_the_cli_prints_a_one_line_summary(app: Flask, history: dict[str, Response]) -> None:
    result = app.test_cli_runner().invoke(cli, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [verify(db.session).summary()]


def test_rows_from_before_sealing_are_counted_not_verified(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As after migration 0002 on an existing database: the first rows have no seal."""
    import webapp.services.responses as responses
    from webapp.services.cycles import open_cycle
    from webapp.services.definitions import publish

    db.session.execute(
        AuditEvent.__table__.insert(), [{"action": "login", "entity": "user", "detail": {}}] * 2
    )
    france = make_organisation("FRA")
    publish((FIXTURES / "mini.yaml").read_text(encoding="utf-8"), "mini.yaml")
    today = dt.datetime.now(dt.UTC).date()
    cycle = open_cycle("mini", 1, str(YEAR), today + dt.timedelta(days=9), today, [france])
    monkeypatch.setattr(responses, "revision_seal", lambda *_args: None)
    response = start(cycle, france, None)
    save_draft(response, {"prisoners": 1}, None, 1)
    db.session.commit()
    monkeypatch.undo()
    save_draft(response, {"prisoners": 2}, None, 2)
    secretariat = make_user("secretariat")
    report = verify(db.session)
    assert report.problems == []
    assert (report.unsealed_revisions, report.unsealed_audit_events) == (2, 2)
    assert report.summary().endswith(
        "; 2 revision(s) written before seals (migration 0002) not verifiable"
        "; 2 audit event(s) written before seals (migration 0002) not verifiable"
    )
    # After the first sealed row, a row without a seal is a problem, not history.
    with triggers_off("audit_event"):
        db.session.execute(
            update(AuditEvent.__table__)
            .where(AuditEvent.__table__.c.id == event_id("create"))
            .values(seal=None)
        )
    assert problems(verify(db.session)) == [
        (f"create user {secretariat.id}", "no seal, though written after sealing began")
    ]


# -- tampering ----------------------------------------------------------------------------------


def test_answers_changed_in_sql_are_found(history: dict[str, Response]) -> None:
    """The response table has no trigger: anyone who can write to it can change an answer."""
    france = history["FRA"]
    verify(db.session)  # the session now holds every object: verify must read past them
    db.session.execute(
        update(Response.__table__)
        .where(Response.__table__.c.id == france.id)
        .values(answers={**france.answers, "prisoners": 99, "legal_aid": True})
    )
    db.session.commit()
    report = verify(db.session)
    assert [str(p) for p in report.problems] == [
        f"response {france.id} (mini@{YEAR}, FRA): answer /legal_aid is true but the history "
        "gives absent",
        f"response {france.id} (mini@{YEAR}, FRA): answer /prisoners is 99 but the history "
        "gives 12",
    ]


def test_an_answer_of_another_json_type_is_a_change(history: dict[str, Response]) -> None:
    france = history["FRA"]
    db.session.execute(
        update(Response.__table__)
        .where(Response.__table__.c.id == france.id)
        .values(answers={**france.answers, "prisoners": 12.0})
    )
    db.session.commit()
    assert problems(verify(db.session)) == [
        ("FRA", None, "answer /prisoners is 12.0 but the history gives 12")
    ]


def test_status_and_publication_changed_in_sql_are_found(history: dict[str, Response]) -> None:
    db.session.execute(
        update(Response.__table__)
        .where(Response.__table__.c.id == history["FRA"].id)
        .values(status="draft", published=False)
    )
    db.session.commit()
    assert problems(verify(db.session)) == [
        ("FRA", None, "status is draft but the history ends in accepted"),
        ("FRA", None, "published is False but the history has a publication"),
    ]


def test_an_old_revision_changed_with_the_trigger_off_is_found(
    history: dict[str, Response],
) -> None:
    """Revision 3 recorded prisoners 10; the attacker makes it 11. Revision 6 set 12 since, so
    the current answers cannot tell: only the seal can."""
    france = history["FRA"]
    with triggers_off("revision"):
        db.session.execute(
            update(Revision.__table__)
            .where(Revision.__table__.c.id == revision_id(france, 3))
            .values(changes=[{"path": "/prisoners", "old": None, "new": 11, "added": True}])
        )
    assert problems(verify(db.session)) == [("FRA", 3, MISMATCH)]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_id", None),
        ("comment", "all good"),
        ("status_after", "accepted"),
        ("at", dt.datetime(2020, 1, 1)),
        ("response_id", None),  # moved to the NGO's response, below
    ],
)
def test_any_column_of_a_revision_is_sealed(
    history: dict[str, Response], column: str, value: Any
) -> None:
    france, ngo = history["FRA"], history["youth-network"]
    if column == "response_id":
        value = ngo.id
    with triggers_off("revision"):
        db.session.execute(
            update(Revision.__table__)
            .where(Revision.__table__.c.id == revision_id(france, 5))
            .values({column: value})
        )
    found = problems(verify(db.session))
    if column == "response_id":
        # France misses revision 5; the NGO has a revision 5 it never wrote.
        assert ("FRA", 6, "revision 5 missing before this one") in found
        assert ("youth-network", 5, "revision 3 to 4 missing before this one") in found
        assert ("youth-network", 5, MISMATCH) in found
    else:
        assert found == [("FRA", 5, MISMATCH)]


def test_a_deleted_revision_is_found(history: dict[str, Response]) -> None:
    france = history["FRA"]
    with triggers_off("revision"):
        db.session.execute(delete(Revision.__table__).where(Revision.id == revision_id(france, 3)))
    assert problems(verify(db.session)) == [
        ("FRA", 4, "revision 3 missing before this one"),
        ("FRA", 4, MISMATCH),
        ("FRA", None, "version 9 but 8 revision(s): every change writes one revision"),
    ]


def test_the_latest_revision_deleted_is_found(history: dict[str, Response]) -> None:
    """Nothing follows it to break a seal: the response row, its version and status, tell."""
    ngo = history["youth-network"]
    with triggers_off("revision"):
        db.session.execute(delete(Revision.__table__).where(Revision.id == revision_id(ngo, 2)))
    assert problems(verify(db.session)) == [
        ("youth-network", None, "version 2 but 1 revision(s): every change writes one revision"),
        (
            "youth-network",
            None,
            'answer /national_strategy is "partial" but the history gives absent',
        ),
        ("youth-network", None, "answer /strategy_year is 2019 but the history gives absent"),
    ]


def test_reordered_revisions_are_found(history: dict[str, Response]) -> None:
    france = history["FRA"]
    second, third = revision_id(france, 2), revision_id(france, 3)
    table = Revision.__table__
    with triggers_off("revision"):
        for row, number in ((second, -2), (third, 2), (second, 3)):
            db.session.execute(update(table).where(table.c.id == row).values(number=number))
    # 3 and 4 follow a seal they were not chained to; 2 and 3 carry another number.
    assert problems(verify(db.session)) == [
        ("FRA", 2, MISMATCH),
        ("FRA", 3, MISMATCH),
        ("FRA", 4, MISMATCH),
    ]


def test_a_response_deleted_without_its_history_is_found(history: dict[str, Response]) -> None:
    """With the foreign key checks off (SQLite pragma, PostgreSQL replication role)."""
    ngo = history["youth-network"].id
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        db.session.commit()
        db.session.execute(text("PRAGMA foreign_keys = OFF"))
    db.session.execute(delete(Response.__table__).where(Response.__table__.c.id == ngo))
    db.session.commit()
    report = verify(db.session)
    assert [str(p) for p in report.problems] == [
        f"response {ngo}: 2 revision(s) of a response that does not exist"
    ]
    assert (report.responses, report.revisions) == (1, 11)


def test_a_changed_audit_event_is_found(history: dict[str, Response]) -> None:
    publication = event_id("publish")
    table = AuditEvent.__table__
    with triggers_off("audit_event"):
        db.session.execute(
            update(table).where(table.c.id == publication).values(detail={"file": "other.yaml"})
        )
    report = verify(db.session)
    assert [(p.audit_event_id, p.what) for p in report.problems] == [(publication, EVENT_MISMATCH)]
    assert str(report.problems[0]) == (
        f"audit event {publication} (publish questionnaire_version mini@v1): {EVENT_MISMATCH}"
    )


def test_a_deleted_audit_event_is_found_at_the_next_one(history: dict[str, Response]) -> None:
    events = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    with triggers_off("audit_event"):
        db.session.execute(delete(AuditEvent.__table__).where(AuditEvent.id == events[1]))
    report = verify(db.session)
    assert [(p.audit_event_id, p.what) for p in report.problems] == [(events[2], EVENT_MISMATCH)]


def test_a_history_rewritten_without_the_key_is_found(history: dict[str, Response]) -> None:
    """An attacker who knows the design but not SECRET_KEY cannot make a seal that holds."""
    france = history["FRA"]
    forged = db.session.get(Revision, revision_id(france, 9))
    forged_seal = revision_seal(forged, "", b"a guessed key")
    with triggers_off("revision"):
        db.session.execute(
            update(Revision.__table__)
            .where(Revision.__table__.c.id == forged.id)
            .values(seal=forged_seal)
        )
    assert problems(verify(db.session)) == [("FRA", 9, MISMATCH)]


def test_the_command_lists_problems_and_exits_1(app: Flask, history: dict[str, Response]) -> None:
    france = history["FRA"]
    with triggers_off("revision"):
        db.session.execute(delete(Revision.__table__).where(Revision.id == revision_id(france, 9)))
    result = app.test_cli_runner().invoke(cli, ["verify"])
    assert result.exit_code == 1
    where = f"response {france.id} (mini@{YEAR}, FRA)"
    assert result.stdout.splitlines() == [
        f"{where}: version 9 but 8 revision(s): every change writes one revision",
        f"{where}: published is True but the history has no publication",
    ]
    assert result.stderr.startswith("error: 2 response(s), 10 revision(s), ")
    assert result.stderr.rstrip().endswith(": 2 problem(s)")


# -- the application cannot change history (J3) ------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE revision SET comment = 'rewritten'",
        "DELETE FROM revision",
        "UPDATE audit_event SET detail = '{}'",
        "DELETE FROM audit_event",
    ],
)
def test_history_still_refuses_update_and_delete(
    history: dict[str, Response], statement: str
) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert verify(db.session).problems == []


# -- concurrent writers -------------------------------------------------------------------------


def _threads(target: Any, count: int) -> None:
    failures: list[BaseException] = []

    def run(number: int) -> None:
        try:
            target(number)
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures


def _second_app(database_url: str, connections: int) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": connections + 2, "max_overflow": 0},
        }
    )


def test_concurrent_audit_writers_keep_one_chain(app: Flask, database_url: str) -> None:
    """Eight workers recording events at once: the chain must not fork (on PostgreSQL the
    advisory lock serialises them; on SQLite the write lock taken first)."""
    writers, each = 8, 5
    other = _second_app(database_url, writers)
    barrier = threading.Barrier(writers, timeout=60)

    def writer(number: int) -> None:
        with other.app_context():
            barrier.wait()
            for index in range(each):
                record("test", "writer", number, None, index=index)
                db.session.commit()
            db.session.remove()

    _threads(writer, writers)
    with other.app_context():
        db.engine.dispose()
    report = verify(db.session)
    assert report.problems == []
    assert report.audit_events == writers * each


@pytest.mark.skipif(not POSTGRES_URL, reason="concurrent writers of one response: PostgreSQL")
def test_concurrent_saves_of_one_draft_keep_its_chain(
    history: dict[str, Response], database_url: str
) -> None:
    """Row-locked saves without a version check all succeed, one after the other."""
    people = 8
    response_id = history["youth-network"].id
    other = _second_app(database_url, people)
    barrier = threading.Barrier(people, timeout=60)

    def person(number: int) -> None:
        with other.app_context():
            response = db.session.get(Response, response_id)
            db.session.commit()
            barrier.wait()
            save_draft(response, {"prisoners": number}, None, None)
            db.session.commit()
            db.session.remove()

    _threads(person, people)
    with other.app_context():
        db.engine.dispose()
    report = verify(db.session)
    assert report.problems == []
    assert report.revisions == 11 + people
