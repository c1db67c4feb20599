"""Respondent pages: start page, section pages, save, submit, repeat items, skip logic."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.conftest import login, make_user
from tests.webapp.test_respond_html import accessible_name, controls, parse, user_per_request
from webapp.extensions import db
from webapp.models import Response

pytestmark = pytest.mark.usefixtures("user_per_request")
__all__ = ["user_per_request"]


def _france(cycle):  # type: ignore[no-untyped-def]
    return next(a.organisation for a in cycle.assignments if a.organisation.slug == "FRA")


def _url(cycle, section: str = "prevention", **params: str) -> str:  # type: ignore[no-untyped-def]
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/cycles/{cycle.id}/{section}" + (f"?{query}" if query else "")


def _version(html: str) -> str:
    match = re.search(r'name="version" value="([0-9]+)"', html)
    assert match, "no version field"
    return match.group(1)


@pytest.fixture
def focal(mini_cycle, client: FlaskClient):  # type: ignore[no-untyped-def]
    user = make_user("focal_point", _france(mini_cycle))
    login(client, user)
    return user


def test_home_lists_open_cycles_by_title(mini_cycle, client: FlaskClient, focal) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/")
    assert page.status_code == 200
    document = parse(page.get_data(as_text=True))
    links = [a for a in document.find_all("a") if a.get("href") == f"/cycles/{mini_cycle.id}"]
    assert [accessible_name(document, a) for a in links] == ["Mini questionnaire"]
    first = client.get(f"/cycles/{mini_cycle.id}")
    assert first.status_code == 302
    assert first.headers["Location"].endswith(f"/cycles/{mini_cycle.id}/prevention?lang=en")


def test_section_page_names_every_input_by_its_label(
    mini_cycle, client: FlaskClient, focal
) -> None:  # type: ignore[no-untyped-def]
    page = client.get(_url(mini_cycle))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    document = parse(html)
    names = {accessible_name(document, c) for c in controls(document) if not c.is_hidden}
    assert "Year adopted" not in names  # hidden until a strategy is chosen
    year = document.by_id("strategy_year")
    assert year is not None
    assert year.is_hidden
    assert accessible_name(document, year) == "Year adopted"
    buttons = [accessible_name(document, b) for b in document.find_all("button") if not b.is_hidden]
    assert "Save draft" in buttons
    assert "Submit" in buttons
    assert not db.session.query(Response).count(), "a GET never creates the response"


def test_save_draft_then_submit(mini_cycle, client: FlaskClient, focal) -> None:  # type: ignore[no-untyped-def]
    page = client.get(_url(mini_cycle)).get_data(as_text=True)
    saved = client.post(
        _url(mini_cycle, lang="en"),
        data={"version": _version(page), "action": "save", "national_strategy": "full"},
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    response = db.session.query(Response).one()
    assert response.answers == {"national_strategy": "full"}
    page = client.get(_url(mini_cycle)).get_data(as_text=True)
    assert "Draft saved." in page
    refused = client.post(
        _url(mini_cycle, lang="en"),
        data={"version": _version(page), "action": "submit", "national_strategy": "full"},
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'role="alert"' in html
    assert "Year adopted: an answer is required" in html
    done = client.post(
        _url(mini_cycle, lang="en"),
        data={
            "version": _version(html),
            "action": "submit",
            "national_strategy": "full",
            "strategy_year": "2020",
        },
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    db.session.expire_all()
    response = db.session.query(Response).one()
    assert response.status == "submitted"
    assert response.answers == {"national_strategy": "full", "strategy_year": 2020}
