"""Every route, found in `app.url_map` (so routes added later are swept too):

- B7/G4: an anonymous GET of anything not public redirects to the login page (401 under /api/);
- G4: no GET, by anyone, changes a row of any table, and none fails with a 5xx.

Public pages are an explicit list here: `/static`, `/login`, `/ping`, the password recovery
pages (forgot, reset by link), the OpenAPI document, and the `public` blueprint (the progress
pages SPEC §4 shows without login). Adding a public page elsewhere means adding it to
`PUBLIC_ENDPOINTS`, in review.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import Map, Rule
from werkzeug.routing.converters import (
    AnyConverter,
    BaseConverter,
    FloatConverter,
    IntegerConverter,
    PathConverter,
    UUIDConverter,
)

from tests.conftest import PASSWORD, make_organisation, make_user
from webapp import create_app
from webapp.extensions import db
from webapp.models import Base, Cycle, Organisation, User

PUBLIC_ENDPOINTS = frozenset(
    {"static", "ping", "auth.login", "account.forgot_password", "account.reset_password"}
)
PUBLIC_PATHS = frozenset({"/api/openapi.json"})
PUBLIC_BLUEPRINTS = frozenset({"public"})


def is_public(rule: Rule) -> bool:
    return (
        rule.endpoint in PUBLIC_ENDPOINTS
        or rule.rule in PUBLIC_PATHS
        or rule.endpoint.partition(".")[0] in PUBLIC_BLUEPRINTS
    )


def urls_of(rule: Rule, cycle: Cycle) -> list[str]:
    """The rule's URL with each placeholder set, without repeats (a rule without arguments
    has one URL)."""
    return list(dict.fromkeys(url_of(rule, known) for known in placeholder_sets(cycle)))


def get_rules(app: Flask) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())),
        key=lambda rule: rule.rule,
    )


# Placeholder values for URL arguments ------------------------------------------------------


def placeholder_sets(cycle: Cycle) -> list[dict[str, Any]]:
    """Argument values by name: the real objects of the fixture (one organisation with a draft,
    one without a response yet), and values that exist nowhere."""
    common = {
        "cycle": cycle.name,
        "cycle_id": cycle.id,
        "questionnaire": cycle.questionnaire_id,
        "questionnaire_id": cycle.questionnaire_id,
        "version": 1,
        "period": cycle.period,
        "section": "prevention",
        "section_id": "prevention",
    }
    return [
        common | {"organisation": "FRA", "org": "FRA"},
        common | {"organisation": "youth-network", "org": "youth-network"},
        {"cycle": "nope@1999", "cycle_id": 999999, "organisation": "ZZZ", "section_id": "nope"},
    ]


def value_for(name: str, converter: BaseConverter, known: dict[str, Any]) -> Any:
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]  # type: ignore[attr-defined]
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    number = isinstance(converter, IntegerConverter | FloatConverter)
    if name in known and isinstance(known[name], int) == number:
        return known[name]
    if number:
        return 1
    if isinstance(converter, PathConverter):
        return "css/site.css" if name == "filename" else "x"
    return "x"


def url_of(rule: Rule, known: dict[str, Any]) -> str:
    values = {
        name: value_for(name, converter, known) for name, converter in rule._converters.items()
    }
    built = rule.build(values, append_unknown=False)
    assert built is not None, rule
    return built[1]


# Database fingerprint ----------------------------------------------------------------------


def fingerprint() -> dict[str, str]:
    """A hash of every row of every table, read on a fresh connection (committed data)."""
    hashes = {}
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            digest = hashlib.sha256()
            for row in rows:
                digest.update(repr(tuple(row)).encode())
            hashes[table.name] = digest.hexdigest()
    return hashes


# Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def world(app: Flask, mini_cycle: Cycle) -> dict[str, Any]:
    """The `mini` cycle with France's draft started, and one user of every role."""
    from webapp.services.responses import save_draft, start

    france = db.session.scalar(select(Organisation).where(Organisation.slug == "FRA"))
    youth = db.session.scalar(select(Organisation).where(Organisation.slug == "youth-network"))
    users = {
        "secretariat": make_user("secretariat"),
        "officer": make_user("officer"),
        "focal_point": make_user("focal_point", france),
        "contributor": make_user("contributor", france),
        "other focal_point": make_user("focal_point", youth),
    }
    response = start(mini_cycle, france, users["focal_point"])
    db.session.commit()
    save_draft(response, {"national_strategy": "full"}, users["focal_point"], response.version)
    db.session.commit()
    make_organisation("DEU")
    return {"cycle": mini_cycle, "users": users}


@pytest.fixture
def web(database_url: str, tmp_path: Path, app: Flask) -> Iterator[Flask]:
    """The app under test, separate from the fixture `app` whose context the test holds: each
    request gets its own app context and database session, as in production."""
    swept = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PROPAGATE_EXCEPTIONS": False,  # a failing page is reported as a 500, with the others
        }
    )
    swept.instance_path = str(tmp_path / "swept-instance")
    yield swept
    with swept.app_context():
        db.session.remove()
        db.engine.dispose()


def logged_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, f"cannot log in as {user.email}"
    return client


# The sweeps (functions, so a test can prove they catch a bad route) ------------------------


def anonymous_problems(app: Flask, cycle: Cycle) -> list[str]:
    client = app.test_client()
    problems = []
    for rule in get_rules(app):
        for url in urls_of(rule, cycle):
            with client.get(url) as response:
                status, location = response.status_code, response.headers.get("Location", "")
            if is_public(rule):
                if status >= 500:
                    problems.append(f"GET {url} (public): {status}")
                continue
            if url.startswith("/api/"):
                if status != 401:
                    problems.append(f"GET {url} anonymous: {status}, expected 401")
            elif status != 302 or urlsplit(location).path != "/login":
                problems.append(
                    f"GET {url} anonymous: {status} {location}, expected the login page"
                )
    return problems


def write_problems(app: Flask, cycle: Cycle, clients: dict[str, FlaskClient]) -> list[str]:
    problems = []
    for who, client in clients.items():
        for rule in get_rules(app):
            for url in urls_of(rule, cycle):
                before = fingerprint()
                with client.get(url) as response:
                    status = response.status_code
                after = fingerprint()
                changed = sorted(name for name in before if before[name] != after[name])
                if changed:
                    problems.append(f"GET {url} as {who} changed {', '.join(changed)}")
                if status >= 500:
                    problems.append(f"GET {url} as {who}: {status}")
    return problems


def everyone(app: Flask, world: dict[str, Any]) -> dict[str, FlaskClient]:
    clients = {"anonymous": app.test_client()}
    clients.update({role: logged_in(app, user) for role, user in world["users"].items()})
    return clients


# Tests -------------------------------------------------------------------------------------


def test_anonymous_gets_the_login_page_everywhere_but_public_pages(
    web: Flask, world: dict[str, Any]
) -> None:
    problems = anonymous_problems(web, world["cycle"])
    assert not problems, "\n".join(problems)


def test_no_get_changes_the_database(web: Flask, world: dict[str, Any]) -> None:
    clients = everyone(web, world)
    problems = write_problems(web, world["cycle"], clients)
    assert not problems, "\n".join(problems)


def test_the_sweep_sees_every_get_route(web: Flask, world: dict[str, Any]) -> None:
    swept = {rule.endpoint for rule in get_rules(web)}
    assert {"auth.login", "ping", "static"} <= swept
    assert len(swept) > 3  # the other blueprints' pages are there too
    for rule in get_rules(web):
        for known in placeholder_sets(world["cycle"]):
            assert url_of(rule, known).startswith("/")


def test_the_sweep_catches_bad_routes(
    database_url: str, tmp_path: Path, app: Flask, world: dict[str, Any]
) -> None:
    """A GET that writes, and a page that forgot its login check, are both reported."""
    from webapp.services.audit import record

    bad = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "PROPAGATE_EXCEPTIONS": False,
        }
    )

    @bad.get("/_test/seen/<int:cycle_id>")
    def seen(cycle_id: int) -> str:
        if current_user.is_authenticated:
            record("seen", "cycle", cycle_id, current_user)
            db.session.commit()
        return "ok"

    try:
        cycle = world["cycle"]
        assert f"GET /_test/seen/{cycle.id} anonymous: 200 , expected the login page" in (
            anonymous_problems(bad, cycle)
        )
        clients = {"secretariat": logged_in(bad, world["users"]["secretariat"])}
        problems = write_problems(bad, cycle, clients)
        assert f"GET /_test/seen/{cycle.id} as secretariat changed audit_event" in problems
    finally:
        with bad.app_context():
            db.session.remove()
            db.engine.dispose()


def test_placeholder_values_follow_converters() -> None:
    rule = Rule("/a/<int:cycle_id>/<name>/<path:rest>/<uuid:token>/<any(x,y):kind>")
    Map([rule])
    known = {"cycle_id": 7, "name": "FRA"}
    assert url_of(rule, known) == f"/a/7/FRA/x/{uuid.UUID(int=1)}/x"
