"""Interface languages: catalogs complete and compiled, the selector, French and Arabic pages."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, make_organisation, make_user
from webapp import i18n
from webapp.extensions import db

ROOT = Path(__file__).parents[2]
TRANSLATIONS = ROOT / "webapp" / "translations"
COMPLETE = ("fr", "es")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def catalog(language: str):  # type: ignore[no-untyped-def]
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def interface_strings() -> set[str]:
    """Every translatable string of the web app, read from its source as `pybabel extract` does."""
    method_map = [("webapp/**.py", "python"), ("webapp/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def choose(client: FlaskClient, language: str, back: str = "/login") -> None:
    response = client.post("/language", data={"lang": language, "next": back})
    assert response.status_code == 302
    assert response.headers["Location"] == back


def html_tag(html: str) -> str:
    match = re.search(r"<html[^>]*>", html)
    assert match
    return match.group(0)


# Catalogs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", COMPLETE)
def test_every_interface_string_is_translated(language: str) -> None:
    translated = {
        (message.id[0] if isinstance(message.id, tuple) else message.id)
        for message in catalog(language)
        if message.id and message.string and "fuzzy" not in message.flags
    }
    missing = sorted(interface_strings() - translated)
    assert not missing, (
        f"untranslated in {language} (see webapp/translations/README.md):\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_translations_keep_their_placeholders(language: str) -> None:
    """A translation naming another `%(placeholder)s` would fail with a KeyError on the page."""
    problems = [
        f"{message.id!r}: {error}"
        for message, errors in catalog(language).check()
        for error in errors
    ]
    assert not problems, "\n".join(problems)


def test_spec_button_names_in_french() -> None:
    french = catalog("fr")
    assert french["Save draft"].string == "Enregistrer le brouillon"
    assert french["Submit"].string == "Soumettre"


def test_compiled_catalogs_are_not_committed() -> None:
    assert (TRANSLATIONS / ".gitignore").read_text().splitlines()[-1] == "*.mo"


# Compilation -------------------------------------------------------------------------------


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    return copy


def test_catalogs_compile_when_missing(sources: Path, tmp_path: Path) -> None:
    assert i18n.compile_catalogs(sources, tmp_path / "fallback") == sources
    mo = sources / "fr" / "LC_MESSAGES" / "messages.mo"
    with mo.open("rb") as handle:
        compiled = read_mo(handle)
    assert compiled["Password"].string == "Mot de passe"
    assert not (tmp_path / "fallback").exists()
    assert not list(sources.rglob(".messages-*"))  # no temporary file left behind


def test_catalogs_recompile_only_when_stale(sources: Path, tmp_path: Path) -> None:
    i18n.compile_catalogs(sources, tmp_path / "fallback")
    po = sources / "fr" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    os.utime(mo, (1_000_000_000, 1_000_000_000))
    os.utime(po, (900_000_000, 900_000_000))
    i18n.compile_catalogs(sources, tmp_path / "fallback")
    assert mo.stat().st_mtime == 1_000_000_000  # up to date: untouched

    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Mot de passe"', 'msgstr "Mot de passe secret"'), "utf-8")
    os.utime(po, (1_100_000_000, 1_100_000_000))
    i18n.compile_catalogs(sources, tmp_path / "fallback")
    with mo.open("rb") as handle:
        assert read_mo(handle)["Password"].string == "Mot de passe secret"


def test_catalogs_compile_elsewhere_when_the_package_is_read_only(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root ignores file modes, so the read-only site-packages case is simulated."""
    real = i18n._compile

    def refuse_in_sources(po_path: Path, mo_path: Path) -> None:
        if sources in mo_path.parents:
            raise PermissionError(13, "Read-only file system", str(mo_path))
        real(po_path, mo_path)

    monkeypatch.setattr(i18n, "_compile", refuse_in_sources)
    fallback = tmp_path / "instance" / "translations"
    assert i18n.compile_catalogs(sources, fallback) == fallback
    assert (fallback / "es" / "LC_MESSAGES" / "messages.mo").exists()
    assert not list(sources.rglob("*.mo"))


def test_the_app_compiles_its_catalogs_at_start(app: Flask) -> None:
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        assert mo.exists()
        assert mo.stat().st_mtime >= po.stat().st_mtime


# Pages -------------------------------------------------------------------------------------


def test_english_by_default(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert html_tag(html) == '<html lang="en" dir="ltr">'


def test_language_selector_is_named_language_in_every_language(client: FlaskClient) -> None:
    for language in ("en", "fr", "ar", "zh"):
        choose(client, language)
        html = client.get("/login").get_data(as_text=True)
        assert '<label for="interface-language">Language</label>' in html
        assert '<select id="interface-language" name="lang">' in html
        assert f'<option value="{language}" lang="{language}" selected>' in html
    assert '<option value="fr" lang="fr">français</option>' in html
    assert '<option value="ar" lang="ar">العربية</option>' in html


def test_french_login_page(client: FlaskClient) -> None:
    choose(client, "fr")
    html = client.get("/login").get_data(as_text=True)
    assert html_tag(html) == '<html lang="fr" dir="ltr">'
    assert '<label for="email">Adresse électronique</label>' in html
    assert '<label for="password">Mot de passe</label>' in html
    assert '<button type="submit">Se connecter</button>' in html
    response = client.post("/login", data={"email": "nobody@example.org", "password": "x"})
    assert re.search(
        r'role="alert"[^>]*>\s*<p>Adresse électronique ou mot de passe incorrect</p>',
        response.get_data(as_text=True),
    )


def test_browser_language_is_used_until_a_choice_is_made(client: FlaskClient) -> None:
    headers = {"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}
    assert '<html lang="es" dir="ltr">' in client.get("/login", headers=headers).get_data(
        as_text=True
    )
    choose(client, "fr")
    assert '<html lang="fr" dir="ltr">' in client.get("/login", headers=headers).get_data(
        as_text=True
    )


def test_arabic_pages_are_right_to_left(client: FlaskClient) -> None:
    choose(client, "ar")
    html = client.get("/login").get_data(as_text=True)
    assert html_tag(html) == '<html lang="ar" dir="rtl">'
    assert '<label for="password">كلمة المرور</label>' in html
    html = client.get("/no-such-page").get_data(as_text=True)
    assert html_tag(html) == '<html lang="ar" dir="rtl">'
    assert "<h1>الصفحة غير موجودة</h1>" in html


def test_error_pages_are_translated(client: FlaskClient) -> None:
    choose(client, "fr")
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert "<h1>Page introuvable</h1>" in html
    assert f"Erreur 404. Référence : {response.headers['X-Request-Id']}" in html


def test_an_unknown_language_changes_nothing(client: FlaskClient) -> None:
    choose(client, "fr")
    choose(client, "xx")
    choose(client, "<script>")
    assert '<html lang="fr"' in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example"])
def test_language_form_goes_back_only_within_the_site(client: FlaskClient, target: str) -> None:
    response = client.post("/language", data={"lang": "fr", "next": target})
    assert response.headers["Location"] == "/"


def test_choosing_a_language_needs_a_post(client: FlaskClient) -> None:
    assert client.get("/language?lang=fr").status_code == 405
    assert '<html lang="en"' in client.get("/login").get_data(as_text=True)


def test_language_form_is_csrf_protected(make_app: Callable[..., Flask]) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    html = client.get("/login").get_data(as_text=True)
    assert client.post("/language", data={"lang": "fr", "next": "/login"}).status_code == 400
    token = re.search(
        r'action="/language">\s*<input type="hidden" name="csrf_token" value="([^"]+)"', html
    )
    assert token
    response = client.post(
        "/language", data={"lang": "fr", "next": "/login", "csrf_token": token.group(1)}
    )
    assert response.status_code == 302
    assert '<html lang="fr"' in client.get("/login").get_data(as_text=True)


def test_the_choice_survives_login_and_logout(app: Flask, client: FlaskClient) -> None:
    user = make_user("focal_point", make_organisation("FRA"))
    choose(client, "fr")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert '<html lang="fr"' in client.get("/no-such-page").get_data(as_text=True)
    client.post("/logout")
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr"' in html
    assert "Vous êtes déconnecté." in html


def test_the_account_language_applies_without_a_choice(app: Flask, client: FlaskClient) -> None:
    user = make_user("focal_point", make_organisation("FRA"))
    user.language = "es"
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert '<html lang="es"' in client.get("/no-such-page").get_data(as_text=True)


def test_the_language_is_chosen_even_when_the_database_is_down(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages drawn during an outage ("your answers were not saved") still get a language."""
    from flask import g, session
    from sqlalchemy.exc import OperationalError

    from webapp.extensions import login_manager

    def database_down(user_id: str) -> None:
        raise OperationalError("SELECT user", {}, Exception("connection refused"))

    monkeypatch.setattr(login_manager, "_user_callback", database_down)
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        g.pop("_login_user", None)
        session["_user_id"] = "1:1"
        assert i18n.select_locale() == "fr"
