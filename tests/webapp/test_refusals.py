"""A service's refusal on a page speaks the page's language (`webapp.refusals.explain`), while
the command line keeps the English message: every code raised in `webapp/services` has a
sentence, every sentence is translated, and the pages use it."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from engine.model import PERIODS
from tests.conftest import login, make_organisation, make_user
from tests.webapp.test_admin import MINI, page, sign_in
from tests.webapp.test_respond_html import user_per_request
from webapp.extensions import db
from webapp.models import Cycle, Organisation, Response
from webapp.refusals import SENTENCES, explain
from webapp.respond import state
from webapp.services import Conflict, Invalid, ServiceError
from webapp.services.cycles import open_cycle
from webapp.services.definitions import DefinitionRejected, publish
from webapp.services.passwords import LinkRefused
from webapp.services.responses import (
    EDITABLE,
    StaleDraft,
    ValidationFailed,
    review,
    save_draft,
    start,
    submit,
)

__all__ = ["user_per_request"]

ROOT = Path(__file__).parents[2]
SERVICES = ROOT / "webapp" / "services"
WEB = ROOT / "webapp"
LANGUAGES = ("fr", "es", "ar", "ru", "zh")
TODAY = dt.datetime.now(dt.UTC).date()
# A value for each params key a service passes; a new key must be added here.
SAMPLES: dict[str, Any] = {
    "status": "submitted",
    "cycle": "kyoto-core@2026",
    "date": dt.date(2026, 3, 31),
    "closes_on": dt.date(2026, 1, 31),
    "opens_on": dt.date(2026, 2, 1),
    "by": "someone@example.org",
    "version": 4,
    "next": 5,
    "count": 3,
    "period": "20x6",
    "kind": "annual",
    "organisation": "FRA",
    "questionnaire": "kyoto-core",
    "min": 8,
    "max": 1024,
}
UNTRANSLATED = "\x00 the English message"


REFUSALS = {"ServiceError", "NotFound", "Conflict", "Forbidden", "Invalid", "__init__"}
"""Calls that make a refusal (`__init__`: a refusal class passing its code to its base)."""


def _refusal(call: ast.Call) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name in REFUSALS


def raised() -> list[tuple[str, str, frozenset[str]]]:
    """(where, code, params keys) of every `code=` given to a refusal in webapp/ (the services,
    and the pages' own access checks)."""
    found = []
    for path in sorted(WEB.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not _refusal(node):
                continue
            keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
            if "code" not in keywords:
                continue
            where = f"{path.relative_to(WEB).as_posix()}:{node.lineno}"
            code, params = keywords["code"], keywords.get("params")
            assert isinstance(code, ast.Constant), f"{where}: a code is a literal string"
            keys: frozenset[str] = frozenset()
            if params is not None:
                assert isinstance(params, ast.Dict), f"{where}: params is a dict literal"
                assert all(isinstance(key, ast.Constant) for key in params.keys), where
                keys = frozenset(key.value for key in params.keys)  # type: ignore[union-attr]
            found.append((where, code.value, keys))
    return found


RAISED = raised()


def cases() -> Iterator[Any]:
    """Each raise site with sample params; a period refusal once per kind of period, a stale
    draft with and without the other person's name."""
    for where, code, keys in RAISED:
        params = {key: SAMPLES[key] for key in keys if key in SAMPLES}
        variants = [params]
        if code == "period_invalid":
            variants = [{**params, "kind": kind} for kind in PERIODS]
        if code == "draft_changed":
            variants.append({**params, "by": None})
        for number, variant in enumerate(variants):
            yield pytest.param(where, code, keys, variant, id=f"{code}-{number}")


def test_the_services_raise_codes_at_the_refusals_pages_show() -> None:
    codes = {code for _where, code, _keys in RAISED}
    assert {"response_not_editable", "cycle_closed", "review_not_submitted"} <= codes
    assert not set(SENTENCES) - codes, "a sentence without a refusal: remove it"


@pytest.mark.parametrize(("where", "code", "keys", "params"), list(cases()))
def test_every_code_has_a_sentence_in_every_language(
    app: Flask, where: str, code: str, keys: frozenset[str], params: dict[str, Any]
) -> None:
    assert code in SENTENCES, f"{where}: {code} has no sentence in webapp/refusals.py"
    assert keys <= set(SAMPLES), f"{where}: add a sample of {sorted(keys - set(SAMPLES))}"
    error = ServiceError(UNTRANSLATED, code=code, params=params)
    with app.test_request_context():
        with force_locale("en"):
            english = explain(error)
        assert english != UNTRANSLATED, f"{where}: {code} falls back to the English message"
        assert "%(" not in english
        for language in LANGUAGES:
            with force_locale(language):
                translated = explain(error)
            assert translated not in (UNTRANSLATED, english), f"{code} in {language}"
            assert "%(" not in translated
            for key in ("cycle", "period", "questionnaire", "organisation", "by"):
                if params.get(key):
                    assert str(params[key]) in translated, f"{code} in {language}: {key}"
            for key in ("date", "closes_on", "opens_on"):
                if key in params:
                    assert params[key].isoformat() in translated, f"{code} in {language}: {key}"


@pytest.mark.parametrize(
    ("language", "status", "word"),
    [("en", "accepted", "accepted"), ("fr", "returned", "renvoyée"), ("ru", "draft", "черновик")],
)
def test_a_status_is_a_translated_word(app: Flask, language: str, status: str, word: str) -> None:
    error = Conflict(f"... {status}", code="review_not_submitted", params={"status": status})
    with app.test_request_context(), force_locale(language):
        shown = explain(error)
    assert word in shown
    assert language == "en" or status not in shown


@pytest.mark.parametrize(
    "error",
    [
        Conflict("no code at all"),
        Conflict("an unknown code", code="no_such_code"),
        Conflict("params missing", code="response_not_editable"),
    ],
    ids=["no-code", "unknown-code", "params-missing"],
)
def test_unknown_refusals_show_their_message(app: Flask, error: ServiceError) -> None:
    with app.test_request_context(), force_locale("fr"):
        assert explain(error) == error.message


def test_an_error_keeps_its_english_message_and_old_calls_still_work() -> None:
    plain = Invalid("plain")
    assert (plain.message, plain.code, plain.params, str(plain)) == ("plain", None, {}, "plain")
    coded = Conflict("this response is accepted", code="x", params={"status": "accepted"})
    assert (coded.message, coded.code, coded.params) == (
        "this response is accepted",
        "x",
        {"status": "accepted"},
    )


def _refusal_names() -> set[str]:
    """ServiceError and every subclass of it the services define."""
    names, pending = set(), [ServiceError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def _caught(handler: ast.ExceptHandler) -> set[str]:
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {
        node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "") for node in types
    }


def test_pages_show_explain_never_the_english_message() -> None:
    """A view that catches a refusal shows `explain(refusal)`, not `refusal.message`."""
    refusals = _refusal_names()
    subclasses = (StaleDraft, ValidationFailed, DefinitionRejected, LinkRefused)
    assert {cls.__name__ for cls in subclasses} <= refusals
    found = []
    for path in sorted(WEB.rglob("*.py")):
        relative = path.relative_to(WEB).as_posix()
        if relative.startswith(("services/", "commands/")) or relative in ("cli.py", "refusals.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ExceptHandler) or not node.name:
                continue
            if not _caught(node) & refusals:
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Attribute)
                    and inner.attr == "message"
                    and isinstance(inner.value, ast.Name)
                    and inner.value.id == node.name
                ):
                    found.append(f"webapp/{relative}:{inner.lineno}")
    assert not found, found


# Pages ---------------------------------------------------------------------------------------


def _france(cycle: Cycle) -> Organisation:
    return next(a.organisation for a in cycle.assignments if a.organisation.slug == "FRA")


def _speak(client: FlaskClient, language: str) -> None:
    assert client.post("/language", data={"lang": language, "next": "/"}).status_code == 302


def _post_section(client: FlaskClient, cycle: Cycle, response: Response, language: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/cycles/{cycle.id}/prevention?lang={language}",
        data={"version": response.version, "action": "save", "national_strategy": "none"},
    )


@pytest.mark.usefixtures("user_per_request")
@pytest.mark.parametrize(("status", "word"), [("submitted", "soumise"), ("accepted", "acceptée")])
def test_an_edit_refused_by_the_service_in_french_names_the_status_in_french(
    mini_cycle: Cycle, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, status: str, word: str
) -> None:
    """The page read the response while it was still a draft; it was then submitted (and
    accepted): the service refuses the save, and the page says so in French."""
    focal = make_user("focal_point", _france(mini_cycle))
    secretariat = make_user("secretariat")
    response = start(mini_cycle, _france(mini_cycle), focal)
    save_draft(response, {"national_strategy": "none"}, focal, response.version)
    submit(response, focal)
    if status == "accepted":
        review(response, secretariat, "accept")
    db.session.commit()
    login(client, focal)
    _speak(client, "fr")
    monkeypatch.setattr(state, "EDITABLE", EDITABLE | {status})  # the page's earlier reading

    result = _post_section(client, mini_cycle, response, "fr")

    assert result.status_code == 409
    html = result.get_data(as_text=True)
    assert (
        f"Cette réponse est à l’état : {word} ; elle ne peut être modifiée que si le "
        "Secrétariat la rouvre."
    ) in html
    assert "cannot be edited" not in html
    assert f"is {status}" not in html
    db.session.expire_all()
    assert db.session.get(Response, response.id).status == status


@pytest.fixture
def closed_in_spanish(app: Flask) -> Cycle:
    """`mini` with Spanish declared (its texts fall back to English), in a cycle that closed
    yesterday."""
    source = MINI.replace("languages: [en, fr, ar]", "languages: [en, fr, ar, es]")
    assert source != MINI
    france = make_organisation("FRA")
    publish(source, "mini.yaml")
    cycle = open_cycle(
        "mini",
        1,
        str(TODAY.year),
        TODAY - dt.timedelta(days=1),
        TODAY - dt.timedelta(days=10),
        [france],
    )
    db.session.commit()
    return cycle


@pytest.mark.usefixtures("user_per_request")
def test_a_closed_cycle_refused_by_the_service_in_spanish(
    closed_in_spanish: Cycle, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page was read before the cycle closed (midnight came between): the save is refused
    in Spanish, with the closing date as YYYY-MM-DD."""
    cycle = closed_in_spanish
    focal = make_user("focal_point", _france(cycle))
    response = start(cycle, _france(cycle), focal)
    db.session.commit()
    login(client, focal)
    monkeypatch.setattr(state, "timing", lambda assignment, on=None: "open")

    result = _post_section(client, cycle, response, "es")

    assert result.status_code == 409
    html = result.get_data(as_text=True)
    closed_on = (TODAY - dt.timedelta(days=1)).isoformat()
    assert (
        f"El ciclo {cycle.name} se cerró el {closed_on}: pida a la Secretaría que lo reabra o "
        "que prorrogue la fecha de cierre."
    ) in html
    assert "ask the Secretariat" not in html
    db.session.expire_all()
    assert db.session.get(Response, response.id).version == response.version


def _review_url(response: Response, action: str) -> str:
    return f"/review/cycles/{response.cycle.name}/responses/{response.organisation.slug}/{action}"


def test_review_refusals_in_arabic(mini_cycle: Cycle, client: FlaskClient) -> None:
    focal = make_user("focal_point", _france(mini_cycle))
    secretariat = make_user("secretariat")
    response = start(mini_cycle, _france(mini_cycle), focal)
    save_draft(response, {"national_strategy": "none"}, focal, response.version)
    submit(response, focal)
    db.session.commit()
    sign_in(client, secretariat)
    _speak(client, "ar")

    no_reason = client.post(
        _review_url(response, "return"), data={"version": response.version, "comment": " "}
    )
    assert no_reason.status_code == 422
    assert "يُرجى بيان سبب إعادة الرد: التعليق إلزامي." in page(no_reason).text

    review(response, secretariat, "return", "why")
    db.session.commit()
    accepted = client.post(_review_url(response, "accept"), data={"version": response.version})
    assert accepted.status_code == 409
    text = page(accepted).text
    assert "لا يمكن استعراض إلا رد مُقدَّم؛ وحالة هذا الرد: مُعاد." in text
    assert "returned" not in text
    assert "this one is" not in text


@pytest.mark.parametrize(
    ("language", "period", "closes", "status", "message"),
    [
        ("ru", "{year}", 30, 409, "Цикл mini@{year} уже существует."),
        (
            "zh",
            "20x6",
            30,
            422,
            "“20x6”不是年度调查表的期间：请使用年份，例如 2026。",
        ),
        ("fr", "2031", -5, 422, "Le cycle prend fin ({closes}) avant de commencer ({opens})."),
    ],
)
def test_opening_a_cycle_refused_in_the_page_language(
    mini_cycle: Cycle,
    client: FlaskClient,
    language: str,
    period: str,
    closes: int,
    status: int,
    message: str,
) -> None:
    sign_in(client, make_user("secretariat"))
    _speak(client, language)
    closes_on = TODAY + dt.timedelta(days=closes)
    result = client.post(
        "/admin/cycles/new",
        data={
            "version": "mini@v1",
            "period": period.format(year=mini_cycle.period),
            "opens_on": TODAY.isoformat(),
            "closes_on": closes_on.isoformat(),
            "asked": "audience",
        },
    )
    assert result.status_code == status
    expected = message.format(
        year=mini_cycle.period, closes=closes_on.isoformat(), opens=TODAY.isoformat()
    )
    assert expected in page(result).text


def test_an_unhandled_refusal_is_explained_on_a_page_and_english_under_api(app: Flask) -> None:
    def refuse() -> str:
        raise Conflict(
            "this response is accepted: it cannot be edited unless reopened",
            code="response_not_editable",
            params={"status": "accepted"},
        )

    app.add_url_rule("/_test/refused", "_test_refused", refuse)
    app.add_url_rule("/api/_test/refused", "_test_api_refused", refuse)
    client = app.test_client()
    _speak(client, "es")
    shown = client.get("/_test/refused")
    assert shown.status_code == 409
    assert "Estado de la respuesta: aceptada; no se puede modificar" in page(shown).text
    api = client.get("/api/_test/refused")
    assert api.status_code == 409
    assert api.get_json()["error"] == {
        "code": "conflict",
        "message": "this response is accepted: it cannot be edited unless reopened",
    }
