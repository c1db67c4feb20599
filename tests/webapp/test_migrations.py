"""Migrations (RELIABILITY K3): upgrade, downgrade and upgrade again keep every row and every JSON
answer intact, on SQLite and, when `TEST_DATABASE_URL` is set, on PostgreSQL (in a schema of its
own, found through `search_path`, so the suite's shared schema is never touched)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.conftest import FIXTURES, POSTGRES_URL
from webapp import create_app
from webapp.database import alembic_config, normalise_url, upgrade
from webapp.extensions import db
from webapp.models import Base

BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    server = make_url(normalise_url(POSTGRES_URL or ""))
    schema = f"kyoto_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = server.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def revisions(url: str) -> list[str]:
    """Every migration, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(url))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def app_on(url: str, tmp_path: Path) -> Flask:
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})
    app.instance_path = str(tmp_path / "instance")
    return app


def fill(app: Flask) -> None:
    """Rows in every table, through the services: JSON answers with nesting and non-ASCII text."""
    from webapp.services.cycles import open_cycle
    from webapp.services.definitions import publish
    from webapp.services.organisations import add_organisation, ensure_member_states
    from webapp.services.responses import review, save_draft, start, submit
    from webapp.services.users import create_user

    with app.app_context():
        ensure_member_states()
        add_organisation("youth-network", "youth", "Réseau jeunesse — «justice»")
        publish((FIXTURES / "mini.yaml").read_text(encoding="utf-8"), "mini.yaml")
        today = dt.datetime.now(dt.UTC).date()
        from webapp.services.organisations import find_organisation

        france = find_organisation("FRA")
        cycle = open_cycle("mini", 1, str(today.year), today + dt.timedelta(days=9), today)
        focal, _ = create_user("focal@example.org", "focal_point", france, "a long password")
        secretariat, _ = create_user("sec@example.org", "secretariat", None, "a long password")
        response = start(cycle, france, focal)
        answers = {
            "national_strategy": "partial",
            "strategy_year": 2018,
            "programmes": [
                {"name": "Écoles sûres — 安全な学校 \U0001f3eb", "budget_usd": 1250.5},
                {"name": "Quartiers"},
            ],
            "prisoners": 70_000,
            "legal_aid": True,
        }
        save_draft(response, answers, focal, response.version, confidential=["/prisoners"])
        submit(response, focal)
        review(response, secretariat, "return", "Voir le budget", {"/programmes": "Précisez"})
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def snapshot(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = create_engine(normalise_url(url))
    with engine.connect() as connection:
        data = {
            table.name: [
                dict(row)
                for row in connection.execute(select(table).order_by(table.c.id)).mappings()
            ]
            for table in Base.metadata.sorted_tables
        }
    engine.dispose()
    return data


def tables(url: str) -> set[str]:
    engine = create_engine(normalise_url(url))
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


def test_downgrade_and_upgrade_keep_the_data(empty_database: str, tmp_path: Path) -> None:
    url = normalise_url(empty_database)
    upgrade(url)
    fill(app_on(url, tmp_path))
    before = snapshot(url)
    assert all(before.values()), [name for name, rows in before.items() if not rows]
    answers = before["response"][0]["answers"]
    assert answers["programmes"][0]["name"] == "Écoles sûres — 安全な学校 \U0001f3eb"

    config = alembic_config(url)
    chain = revisions(url)
    # Down one migration at a time to the first (every later migration must keep the data),
    # then up again to the newest.
    for _ in chain[1:]:
        command.downgrade(config, "-1")
    command.upgrade(config, "head")
    assert snapshot(url) == before


def test_a_round_trip_through_the_empty_schema(empty_database: str, tmp_path: Path) -> None:
    """head -> base leaves nothing of ours behind; base -> head again gives a working schema,
    append-only history included (J3)."""
    url = normalise_url(empty_database)
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    assert tables(url) <= {"alembic_version"}
    if make_url(url).get_backend_name() == "postgresql":
        engine = create_engine(url)
        with engine.connect() as connection:
            functions = connection.execute(
                text(
                    "SELECT count(*) FROM pg_proc JOIN pg_namespace ON pg_namespace.oid = pronamespace"
                    " WHERE proname = 'kyoto_append_only' AND nspname = current_schema()"
                )
            ).scalar()
        engine.dispose()
        assert functions == 0
    upgrade(url)
    assert tables(url) >= {t.name for t in Base.metadata.sorted_tables}
    fill(app_on(url, tmp_path))
    engine = create_engine(url)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE revision SET comment = 'rewritten'"))
    engine.dispose()


def test_the_newest_migration_matches_the_models(empty_database: str) -> None:
    """No model change without its migration (autogenerate finds nothing to do)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    url = normalise_url(empty_database)
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_the_suite_runs_on_the_database_it_was_asked_for(app: Flask) -> None:
    """`make test` runs twice; the PostgreSQL run must really use PostgreSQL."""
    assert db.engine.dialect.name == ("postgresql" if POSTGRES_URL else "sqlite")
