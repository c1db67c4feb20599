"""The respondent's workflow through the pages: nothing typed is ever lost (RELIABILITY A5,
A10-A13, C1, C13), skip logic, repeats without JavaScript, carried-forward answers, review
comments, warnings with justifications."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError

from tests.conftest import login, make_user
from tests.webapp.test_respond_html import accessible_name, parse, user_per_request
from webapp.extensions import db
from webapp.models import Response
from webapp.services.cycles import open_cycle
from webapp.services.responses import review, save_draft, start, submit

pytestmark = pytest.mark.usefixtures("user_per_request")
__all__ = ["user_per_request"]


def _france(cycle):  # type: ignore[no-untyped-def]
    return next(a.organisation for a in cycle.assignments if a.organisation.slug == "FRA")


def _url(cycle, section: str = "prevention", lang: str = "en", **params: Any) -> str:  # type: ignore[no-untyped-def]
    query = "&".join(f"{k}={v}" for k, v in {"lang": lang, **params}.items())
    return f"/cycles/{cycle.id}/{section}?{query}"


def _version(html: str) -> str:
    match = re.search(r'name="version" value="([0-9]+)"', html)
    assert match, "no version field"
    return match.group(1)


def _value(html: str, name: str) -> str | None:
    document = parse(html)
    for element in document.walk():
        if element.get("name") == name and element.tag == "input":
            if element.get("type") in ("radio", "checkbox"):
                if "checked" in element.attrs:
                    return element.get("value")
                continue
            return element.get("value")
        if element.get("name") == name and element.tag == "textarea":
            return element.text
    return None


def _stored() -> Response:
    db.session.expire_all()
    return db.session.query(Response).one()


@pytest.fixture
def focal(mini_cycle, client: FlaskClient):  # type: ignore[no-untyped-def]
    user = make_user("focal_point", _france(mini_cycle))
    login(client, user)
    return user


def _save(
    client: FlaskClient, cycle, data: dict[str, Any], section: str = "prevention", **params: Any
):  # type: ignore[no-untyped-def]
    page = client.get(_url(cycle, section)).get_data(as_text=True)
    return client.post(_url(cycle, section, **params), data={"version": _version(page), **data})


def test_invalid_types_show_errors_and_keep_what_was_typed(
    mini_cycle, client: FlaskClient, focal
) -> None:  # type: ignore[no-untyped-def]
    answer = _save(
        client, mini_cycle, {"action": "save", "prisoners": "1,000", "legal_aid": "true"}, "justice"
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert _value(html, "prisoners") == "1,000"
    assert _value(html, "legal_aid") == "true"
    document = parse(html)
    summary = document.by_id("error-summary")
    assert summary is not None
    assert summary.get("role") == "alert"
    links = [(a.get("href"), a.text) for a in summary.find_all("a")]
    assert links == [
        (
            "#prisoners",
            "Number of prisoners: write the number without spaces or thousands separators, e.g. 1000",
        )
    ]
    prisoners = document.by_id("prisoners")
    assert prisoners is not None
    assert prisoners.get("aria-invalid") == "true"
    error = document.by_id("prisoners--error")
    assert error is not None
    assert "thousands separators" in error.text
    assert db.session.query(Response).count() == 0, "nothing saved"


def test_engine_range_errors_keep_the_typed_value(mini_cycle, client: FlaskClient, focal) -> None:  # type: ignore[no-untyped-def]
    answer = _save(
        client, mini_cycle, {"action": "save", "national_strategy": "full", "strategy_year": "١٩٠٠"}
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert _value(html, "strategy_year") == "١٩٠٠"
    assert "Year adopted: must be at least 1950" in parse(html).text


def test_save_draft_never_requires_completeness(mini_cycle, client: FlaskClient, focal) -> None:  # type: ignore[no-untyped-def]
    answer = _save(client, mini_cycle, {"action": "save", "national_strategy": "full"})
    assert answer.status_code == 302
    assert _stored().answers == {"national_strategy": "full"}


def test_submit_shows_every_error_then_succeeds(mini_cycle, client: FlaskClient, focal) -> None:  # type: ignore[no-untyped-def]
    answer = _save(client, mini_cycle, {"action": "submit", "national_strategy": "partial"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "Year adopted: an answer is required" in parse(html).text
    assert _stored().status == "draft", "the draft was saved, the submission refused"
    page = client.get(_url(mini_cycle, check=1)).get_data(as_text=True)
    assert "Year adopted: an answer is required" in parse(page).text
    done = client.post(
        _url(mini_cycle),
        data={
            "version": _version(html),
            "action": "submit",
            "national_strategy": "partial",
            "strategy_year": "2019",
        },
    )
    assert done.status_code == 302
    response = _stored()
    assert response.status == "submitted"
    assert response.answers == {"national_strategy": "partial", "strategy_year": 2019}
    after = client.get(_url(mini_cycle)).get_data(as_text=True)
    assert "Save draft" not in after, "a submitted response is read-only"
    assert "2019" in after


def test_errors_in_other_sections_link_to_their_page(
    mini_cycle, client: FlaskClient, focal
) -> None:  # type: ignore[no-untyped-def]
    _save(client, mini_cycle, {"action": "save", "national_strategy": "full"})
    answer = _save(client, mini_cycle, {"action": "submit", "legal_aid": "true"}, "justice")
    assert answer.status_code == 422
    summary = parse(answer.get_data(as_text=True)).by_id("error-summary")
    assert summary is not None
    hrefs = [a.get("href") for a in summary.find_all("a")]
    assert hrefs == [f"/cycles/{mini_cycle.id}/prevention?lang=en&check=1#strategy_year--question"]


def test_repeat_items_are_added_and_removed_without_javascript(
    mini_cycle, client: FlaskClient, focal
) -> None:  # type: ignore[no-untyped-def]
    page = client.get(_url(mini_cycle)).get_data(as_text=True)
    assert parse(page).by_id("programmes--add") is not None
    added = client.post(
        _url(mini_cycle),
        data={"version": _version(page), "action": "add:programmes", "national_strategy": "none"},
    )
    assert added.status_code == 200
    html = added.get_data(as_text=True)
    assert _value(html, "national_strategy") == "none"
    assert _value(html, "programmes-0-name") == ""
    assert "Nothing is saved until you press Save draft" in html
    two = client.post(
        _url(mini_cycle),
        data={
            "version": _version(html),
            "action": "add:programmes",
            "national_strategy": "none",
            "programmes-0-ITEM": "1",
            "programmes-0-name": "Schools",
            "programmes-0-budget_usd": "12x",
        },
    )
    html = two.get_data(as_text=True)
    assert _value(html, "programmes-0-name") == "Schools"
    assert _value(html, "programmes-0-budget_usd") == "12x"
    assert _value(html, "programmes-1-name") == ""
    removed = client.post(
        _url(mini_cycle),
        data={
            "version": _version(html),
            "action": "remove:programmes:0",
            "national_strategy": "none",
            "programmes-0-ITEM": "1",
            "programmes-0-name": "Schools",
            "programmes-1-ITEM": "1",
            "programmes-1-name": "Police",
            "programmes-1-budget_usd": "100",
        },
    )
    html = removed.get_data(as_text=True)
    assert _value(html, "programmes-0-name") == "Police"
    assert _value(html, "programmes-0-budget_usd") == "100"
    assert _value(html, "programmes-1-name") is None
    assert db.session.query(Response).count() == 0
    saved = client.post(
        _url(mini_cycle),
        data={
            "version": _version(html),
            "action": "save",
            "national_strategy": "none",
            "programmes-0-ITEM": "1",
            "programmes-0-name": "Police",
            "programmes-0-budget_usd": "100",
            "programmes-1-ITEM": "1",
        },
    )
    assert saved.status_code == 302
    assert _stored().answers == {
        "national_strategy": "none",
        "programmes": [{"name": "Police", "budget_usd": 100}, {}],
    }, "an empty entry is kept: submitting asks to fill it in or to remove it"


def test_a_full_repeat_cannot_grow(mini_cycle, client: FlaskClient, focal) -> None:  # type: ignore[no-untyped-def]
    data = {"action": "add:programmes", **{f"programmes-{i}-name": f"P{i}" for i in range(5)}}
    html = _save(client, mini_cycle, data).get_data(as_text=True)
    add = parse(html).by_id("programmes--add")
    assert add is not None
    assert "disabled" in add.attrs
    assert _value(html, "programmes-5-name") is None


def test_answers_to_hidden_questions_are_dropped(mini_cycle, client: FlaskClient, focal) -> None:  # type: ignore[no-untyped-def]
    _save(
        client, mini_cycle, {"action": "save", "national_strategy": "full", "strategy_year": "2001"}
    )
    assert _stored().answers == {"national_strategy": "full", "strategy_year": 2001}
    answer = _save(
        client, mini_cycle, {"action": "save", "national_strategy": "none", "strategy_year": "2001"}
    )
    assert answer.status_code == 302
    assert _stored().answers == {"national_strategy": "none"}
    page = client.get(_url(mini_cycle)).get_data(as_text=True)
    assert "Answers to questions that no longer apply were removed: Year adopted" in page
    year = parse(page).by_id("strategy_year")
    assert year is not None
    assert year.is_hidden


def test_unreadable_text_in_a_hidden_question_does_not_block_the_save(
    mini_cycle, client: FlaskClient, focal
) -> None:  # type: ignore[no-untyped-def]
    answer = _save(
        client, mini_cycle, {"action": "save", "national_strategy": "none", "strategy_year": "soon"}
    )
    assert answer.status_code == 302
    assert _stored().answers == {"national_strategy": "none"}


def test_a_stale_save_shows_the_other_change_and_keeps_yours(
    mini_cycle, client: FlaskClient, app: Flask, focal
) -> None:  # type: ignore[no-untyped-def]
    france = _france(mini_cycle)
    _save(client, mini_cycle, {"action": "save", "prisoners": "5", "legal_aid": "true"}, "justice")
    alice_page = client.get(_url(mini_cycle, "justice")).get_data(as_text=True)
    bob = make_user("contributor", france, "bob@example.org")
    other = app.test_client()
    login(other, bob)
    assert (
        _save(
            other, mini_cycle, {"action": "save", "prisoners": "6", "legal_aid": "false"}, "justice"
        ).status_code
        == 302
    )
    stale = client.post(
        _url(mini_cycle, "justice"),
        data={
            "version": _version(alice_page),
            "action": "save",
            "prisoners": "7",
            "legal_aid": "true",
        },
    )
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    document = parse(html)
    assert "bob@example.org saved this questionnaire while you were editing it" in document.text
    assert _value(html, "prisoners") == "7", "what Alice typed is kept"
    assert _value(html, "legal_aid") == "false", (
        "Bob's change to an answer Alice left alone is taken"
    )
    conflict = document.by_id("prisoners--question")
    assert conflict is not None
    assert "bob@example.org saved a different answer: 6" in conflict.text
    assert _stored().answers == {"prisoners": 6, "legal_aid": False}
    merged = client.post(
        _url(mini_cycle, "justice"),
        data={"version": _version(html), "action": "save", "prisoners": "7", "legal_aid": "false"},
    )
    assert merged.status_code == 302
    assert _stored().answers == {"prisoners": 7, "legal_aid": False}


def test_use_their_answer(mini_cycle, client: FlaskClient, app: Flask, focal) -> None:  # type: ignore[no-untyped-def]
    _save(client, mini_cycle, {"action": "save", "prisoners": "5"}, "justice")
    stored = _stored()
    save_draft(stored, {"prisoners": 6}, None, stored.version)
    db.session.commit()
    answer = client.post(
        _url(mini_cycle, "justice"),
        data={
            "version": str(_stored().version),
            "action": "save",
            "prisoners": "7",
            "theirs": "/prisoners",
        },
    )
    assert answer.status_code == 302
    assert _stored().answers == {"prisoners": 6}


def test_database_unavailable_keeps_the_form(
    mini_cycle, client: FlaskClient, focal, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    _save(client, mini_cycle, {"action": "save", "prisoners": "1"}, "justice")
    page = client.get(_url(mini_cycle, "justice")).get_data(as_text=True)

    def broken() -> None:
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(db.session, "commit", broken)
    answer = client.post(
        _url(mini_cycle, "justice"),
        data={"version": _version(page), "action": "save", "prisoners": "42"},
    )
    monkeypatch.undo()
    assert answer.status_code == 503
    html = answer.get_data(as_text=True)
    assert "Your answers were NOT saved" in html
    assert _value(html, "prisoners") == "42"
    assert _stored().answers == {"prisoners": 1}
    again = client.post(
        _url(mini_cycle, "justice"),
        data={"version": _version(html), "action": "save", "prisoners": "42"},
    )
    assert again.status_code == 302
    assert _stored().answers == {"prisoners": 42}


def test_csrf_failure_shows_the_posted_answers_again(
    mini_cycle, client: FlaskClient, app: Flask, focal
) -> None:  # type: ignore[no-untyped-def]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get(_url(mini_cycle, "justice")).get_data(as_text=True)
        data = {"version": _version(page), "action": "save", "prisoners": "12", "legal_aid": "true"}
        expired = client.post(
            _url(mini_cycle, "justice"),
            data={**data, "csrf_token": "expired"},
            headers={"Origin": "http://localhost"},
        )
        assert expired.status_code == 400
        html = expired.get_data(as_text=True)
        assert "this page had expired" in html
        assert _value(html, "prisoners") == "12"
        assert _value(html, "legal_aid") == "true"
        assert db.session.query(Response).count() == 0
        token = _value(html, "csrf_token")
        assert token
        again = client.post(
            _url(mini_cycle, "justice"),
            data={**data, "csrf_token": token, "version": _version(html)},
            headers={"Origin": "http://localhost"},
        )
        assert again.status_code == 302
        assert _stored().answers == {"prisoners": 12, "legal_aid": True}
        forged = client.post(
            _url(mini_cycle, "justice"),
            data={**data, "prisoners": "666"},
            headers={"Origin": "https://evil.example"},
        )
        assert forged.status_code == 400
        assert "666" not in forged.get_data(as_text=True), "a cross-site post is never shown back"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_csrf_failure_after_the_session_ended_keeps_the_answers(
    mini_cycle, client: FlaskClient, app: Flask, focal
) -> None:  # type: ignore[no-untyped-def]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get(_url(mini_cycle, "justice")).get_data(as_text=True)
        anonymous = app.test_client()
        answer = anonymous.post(
            _url(mini_cycle, "justice"),
            data={
                "version": _version(page),
                "action": "save",
                "prisoners": "12",
                "csrf_token": "x",
            },
            headers={"Origin": "http://localhost"},
        )
        assert answer.status_code == 400
        html = answer.get_data(as_text=True)
        assert _value(html, "prisoners") == "12"
        assert "Mini questionnaire" not in html, (
            "nothing about the questionnaire is shown to a stranger"
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_previous_answers_are_shown_and_carried_forward_until_confirmed(
    app: Flask, client: FlaskClient, mini_cycle
) -> None:  # type: ignore[no-untyped-def]
    france = _france(mini_cycle)
    focal = make_user("focal_point", france)
    secretariat = make_user("secretariat")
    today = dt.datetime.now(dt.UTC).date()
    last = open_cycle(
        "mini",
        1,
        str(today.year - 1),
        today + dt.timedelta(days=5),
        today - dt.timedelta(days=400),
        [france],
    )
    old = start(last, france, focal)
    save_draft(
        old, {"national_strategy": "none", "prisoners": 900, "legal_aid": True}, focal, old.version
    )
    submit(old, focal)
    review(old, secretariat, "accept")
    db.session.commit()
    login(client, focal)
    page = client.get(_url(mini_cycle, "justice")).get_data(as_text=True)
    document = parse(page)
    prisoners = document.by_id("prisoners--question")
    assert prisoners is not None
    assert "Last cycle: 900" in prisoners.text
    assert "Unchanged from the last cycle" in prisoners.text
    assert _value(page, "prisoners") == "900"
    confirm = document.by_id("confirm--prisoners")
    assert confirm is not None
    assert accessible_name(document, confirm) == "Confirm this answer is still right"
    saved = client.post(
        _url(mini_cycle, "justice"),
        data={
            "version": _version(page),
            "action": "save",
            "prisoners": "900",
            "legal_aid": "true",
            "confirm": "/prisoners",
        },
    )
    assert saved.status_code == 302
    current = db.session.query(Response).filter_by(cycle_id=mini_cycle.id).one()
    db.session.refresh(current)
    assert "/prisoners" not in current.unconfirmed
    assert "/legal_aid" in current.unconfirmed
    assert "/national_strategy" in current.unconfirmed


def test_review_comments_are_shown_beside_their_questions(
    mini_cycle, client: FlaskClient, focal
) -> None:  # type: ignore[no-untyped-def]
    secretariat = make_user("secretariat")
    _save(client, mini_cycle, {"action": "submit", "national_strategy": "none"})
    response = _stored()
    assert response.status == "submitted"
    review(
        response,
        secretariat,
        "return",
        "Please complete the justice figures",
        {"/prisoners": "Is <b>this</b> right?"},
    )
    db.session.commit()
    page = client.get(_url(mini_cycle, "justice")).get_data(as_text=True)
    document = parse(page)
    prisoners = document.by_id("prisoners--question")
    assert prisoners is not None
    assert "Reviewer's comment: Is <b>this</b> right?" in prisoners.text
    assert "Please complete the justice figures" in document.text
    assert not document.find_all("b")


def test_warnings_ask_for_a_justification(mini_cycle, client: FlaskClient, focal) -> None:  # type: ignore[no-untyped-def]
    data = {
        "national_strategy": "none",
        "programmes-0-ITEM": "1",
        "programmes-0-name": "Big",
        "programmes-0-budget_usd": "2000000",
    }
    answer = _save(client, mini_cycle, {"action": "submit", **data})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    document = parse(html)
    assert "Please check this large budget" in document.text
    box = document.by_id("justification--programmes-0-budget_usd")
    assert box is not None
    assert accessible_name(document, box) == "Justification"
    assert box.get("name") == "justification:/programmes/0/budget_usd"
    done = client.post(
        _url(mini_cycle),
        data={
            "version": _version(html),
            "action": "submit",
            **data,
            "justification:/programmes/0/budget_usd": "A national programme",
        },
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    response = _stored()
    assert response.status == "submitted"
    assert response.justifications == {"/programmes/0/budget_usd": "A national programme"}


def test_confidential_marks_are_saved(mini_cycle, client: FlaskClient, focal) -> None:  # type: ignore[no-untyped-def]
    _save(
        client,
        mini_cycle,
        {"action": "save", "prisoners": "5", "confidential": "/prisoners"},
        "justice",
    )
    assert _stored().confidential == ["/prisoners"]
    page = client.get(_url(mini_cycle, "justice")).get_data(as_text=True)
    assert _value(page, "confidential") == "/prisoners"


def test_sections_show_progress(mini_cycle, client: FlaskClient, focal) -> None:  # type: ignore[no-untyped-def]
    _save(client, mini_cycle, {"action": "save", "prisoners": "5"}, "justice")
    document = parse(client.get(_url(mini_cycle, "justice")).get_data(as_text=True))
    nav = next(n for n in document.find_all("nav") if n.get("aria-label") == "Sections")
    items = [li.text for li in nav.find_all("li")]
    assert items == ["Crime prevention 0 of 2 answered", "Criminal justice 1 of 2 answered"]
    current = [a for a in nav.find_all("a") if a.get("aria-current") == "page"]
    assert [a.text for a in current] == ["Criminal justice"]


def test_a_post_after_the_session_was_closed_keeps_the_answers(
    mini_cycle, client: FlaskClient, focal
) -> None:  # type: ignore[no-untyped-def]
    from webapp.services.users import end_sessions

    page = client.get(_url(mini_cycle, "justice")).get_data(as_text=True)
    end_sessions(focal)  # logged out from another device: this cookie no longer works
    db.session.commit()
    answer = client.post(
        _url(mini_cycle, "justice"),
        data={"version": _version(page), "action": "save", "prisoners": "77"},
        headers={"Origin": "http://localhost"},
    )
    assert answer.status_code == 401
    html = answer.get_data(as_text=True)
    assert _value(html, "prisoners") == "77"
    assert "no longer logged in" in html
    assert db.session.query(Response).count() == 0
    elsewhere = client.post(_url(mini_cycle, "justice"), data={"prisoners": "77"})
    assert elsewhere.status_code == 302, "without our Origin, the usual way to the login page"


def test_database_down_before_the_page_is_read_keeps_the_post(
    mini_cycle, client: FlaskClient, focal, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from webapp.respond import routes

    page = client.get(_url(mini_cycle, "justice")).get_data(as_text=True)

    def down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("SELECT", {}, Exception("could not connect to server"))

    monkeypatch.setattr(routes, "load", down)
    answer = client.post(
        _url(mini_cycle, "justice"),
        data={"version": _version(page), "action": "save", "prisoners": "31", "legal_aid": "false"},
    )
    assert answer.status_code == 503
    html = answer.get_data(as_text=True)
    assert _value(html, "prisoners") == "31"
    assert _value(html, "legal_aid") == "false"
    assert "database is unavailable" in html
    assert client.get(_url(mini_cycle, "justice")).status_code == 503


def test_a_page_drawn_again_keeps_the_version_it_was_drawn_from(
    mini_cycle, client: FlaskClient, focal
) -> None:  # type: ignore[no-untyped-def]
    """A save refused for a typing error must not adopt a newer version: the next save would
    then overwrite, unseen, what someone else saved in between (A5)."""
    _save(client, mini_cycle, {"action": "save", "prisoners": "5"}, "justice")
    page = client.get(_url(mini_cycle, "justice")).get_data(as_text=True)
    stored = _stored()
    save_draft(stored, {"prisoners": 6, "legal_aid": True}, None, stored.version)
    db.session.commit()
    refused = client.post(
        _url(mini_cycle, "justice"),
        data={"version": _version(page), "action": "save", "prisoners": "7x"},
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert _version(html) == _version(page)
    again = client.post(
        _url(mini_cycle, "justice"),
        data={"version": _version(html), "action": "save", "prisoners": "7"},
    )
    assert again.status_code == 409
    assert _stored().answers == {"prisoners": 6, "legal_aid": True}
