"""Shared fixtures: a migrated database per test on SQLite, or on PostgreSQL when
`TEST_DATABASE_URL` is set (`.ci/run` runs the suite both ways), an app, a client, users."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from webapp import create_app
from webapp.database import normalise_url, upgrade
from webapp.extensions import db
from webapp.models import Base, Organisation, User

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "correct horse battery"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per run, copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_schema() -> Iterator[str | None]:
    if not POSTGRES_URL:
        yield None
        return
    url = normalise_url(POSTGRES_URL)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)
    yield url


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path, _sqlite_template: Path, _postgres_schema: str | None) -> str:
    if _postgres_schema:
        _truncate_postgres(_postgres_schema)
        return _postgres_schema
    path = tmp_path / "kyoto.sqlite"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


def make_organisation(
    slug: str = "FRA", kind: str = "member_state", name: str | None = None
) -> Organisation:
    organisation = Organisation(
        slug=slug, kind=kind, name=name or slug, iso3=slug if kind == "member_state" else None
    )
    db.session.add(organisation)
    db.session.commit()
    return organisation


def make_user(
    role: str, organisation: Organisation | None = None, email: str | None = None
) -> User:
    from webapp.services.users import create_user

    email = email or f"{role}.{organisation.slug.lower() if organisation else 'un'}@example.org"
    user, _ = create_user(email, role, organisation, PASSWORD)
    db.session.commit()
    return user


def login(client: FlaskClient, user: User, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"email": user.email, "password": password})


@pytest.fixture
def mini_cycle(app: Flask):  # type: ignore[no-untyped-def]
    """The `mini` questionnaire published, with an open cycle asking France and an NGO."""
    from webapp.services.cycles import open_cycle
    from webapp.services.definitions import publish

    france = make_organisation("FRA")
    ngo = make_organisation("youth-network", "youth", "Youth network")
    publish((FIXTURES / "mini.yaml").read_text(encoding="utf-8"), "mini.yaml")
    today = dt.datetime.now(dt.UTC).date()
    cycle = open_cycle(
        "mini",
        1,
        str(today.year),
        today + dt.timedelta(days=30),
        today - dt.timedelta(days=1),
        [france, ngo],
    )
    db.session.commit()
    return cycle


@pytest.fixture
def make_app(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """More apps on the test's database, each with its own settings (`make_app(TESTING=False)`),
    for what the default test configuration switches off: CSRF, rate limits, error pages."""
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        new = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url,
                "SECRET_KEY": "test-secret",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                **overrides,
            }
        )
        new.instance_path = str(tmp_path / f"instance-{len(built)}")
        built.append(new)
        return new

    yield build
    for other in built:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
