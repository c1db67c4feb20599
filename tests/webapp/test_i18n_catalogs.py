"""The six UN languages: every interface catalog complete, its placeholders and plural forms
intact, compilable without a warning, and used by the pages."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

ROOT = Path(__file__).parents[2]
TRANSLATIONS = ROOT / "webapp" / "translations"
CATALOGS = ("fr", "es", "ar", "ru", "zh")
PLURAL_FORMS = {"fr": 3, "es": 3, "ar": 6, "ru": 3, "zh": 1}
# `%(name)s`, `%s`, `%.1f` (not `%%`), and `{name}` / `{0}` as str.format writes them.
PLACEHOLDER = re.compile(
    r"%(?:\(\w+\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa]|\{[^{}]*\}"
)
# flask_babel.ngettext passes the count as `num`; a plural form used for one number only (Arabic
# "one", "two") may write the number as a word, as GNU msgfmt --check-format allows.
COUNT = "num"
NUMBERS = [*range(1000), *range(1_000_000, 10_000_001, 1_000_000)]
# What the login page must say (label of the email field, of the password field, the button),
# and the two buttons SPEC names, in each language.
LOGIN = {
    "en": ("Email", "Password", "Log in"),
    "fr": ("Adresse électronique", "Mot de passe", "Se connecter"),
    "es": ("Correo electrónico", "Contraseña", "Iniciar sesión"),
    "ar": ("البريد الإلكتروني", "كلمة المرور", "تسجيل الدخول"),
    "ru": ("Электронная почта", "Пароль", "Войти"),
    "zh": ("电子邮件", "密码", "登录"),
}
BUTTONS = {
    "fr": ("Enregistrer le brouillon", "Soumettre"),
    "es": ("Guardar borrador", "Presentar"),
    "ar": ("حفظ المسودة", "تقديم"),
    "ru": ("Сохранить черновик", "Представить"),
    "zh": ("保存草稿", "提交"),
}


def template() -> Catalog:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        return read_po(handle)


def catalog(language: str) -> Catalog:
    """Read strictly: a plural entry with more forms than the header declares is an error."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language, abort_invalid=True)


def messages(language: str) -> list[Message]:
    return [message for message in catalog(language) if message.id]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def single_number_forms(translations: Catalog) -> set[int]:
    """Indexes of the plural forms chosen for exactly one number (Arabic 0, 1 and 2)."""
    plural = gettext.c2py(translations.plural_expr)
    chosen: dict[int, int] = {}
    for number in NUMBERS:
        form = plural(number)
        chosen[form] = chosen.get(form, 0) + 1
    return {form for form, times in chosen.items() if times == 1}


def test_every_ui_language_has_a_catalog(app: Flask) -> None:
    languages = set(app.config["LANGUAGES"]) - {app.config["BABEL_DEFAULT_LOCALE"]}
    on_disk = {path.parts[-3] for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert languages == set(CATALOGS) == on_disk


@pytest.mark.parametrize("language", CATALOGS)
def test_every_template_message_is_translated(language: str) -> None:
    translated = {message.id: message for message in messages(language)}
    missing = []
    for source in template():
        if not source.id:
            continue
        found = translated.get(source.id)
        strings = () if found is None else found.string
        strings = (strings,) if isinstance(strings, str) else strings
        if found is None or not all(strings) or found.fuzzy:
            missing.append(str(source.id))
    assert not missing, (
        f"untranslated or fuzzy in {language} (see webapp/translations/README.md):\n"
        + "\n".join(missing)
    )


def test_counts_are_plural_entries() -> None:
    """A count written "%(n)d item(s)" has no right form in Arabic or Russian: `ngettext`."""
    counted = [
        str(source.id)
        for source in template()
        if source.id and not source.pluralizable and re.search(r"\w\(s\)", source.id)
    ]
    assert not counted, "\n".join(counted)


@pytest.mark.parametrize("language", CATALOGS)
def test_plural_entries_have_the_forms_the_header_declares(language: str) -> None:
    translations = catalog(language)
    assert translations.num_plurals == PLURAL_FORMS[language]
    assert translations.num_plurals == get_plural(language).num_plurals
    for message in translations:
        if message.pluralizable:
            assert len(message.string) == translations.num_plurals, message.id
            assert all(message.string), message.id


@pytest.mark.parametrize("language", CATALOGS)
def test_translations_keep_the_placeholders_of_the_source(language: str) -> None:
    """A `%(name)s` lost or renamed raises a KeyError on the page, or hides a value."""
    translations = catalog(language)
    counted = {f"%({COUNT})d"}
    single = single_number_forms(translations)
    problems = []
    for message in translations:
        if not message.id:
            continue
        if message.pluralizable:
            expected = placeholders(message.id[1])
            for form, text in enumerate(message.string):
                found = placeholders(text)
                allowed = {frozenset(expected)}
                if form in single:
                    allowed.add(frozenset(expected - counted))
                if frozenset(found) not in allowed:
                    problems.append(f"{message.id[0]!r} form {form}: {sorted(found)}")
        elif placeholders(message.string) != placeholders(message.id):
            problems.append(f"{message.id!r}: {sorted(placeholders(message.string))}")
    assert not problems, "\n".join(problems)


def test_catalogs_compile_with_pybabel_without_a_warning(tmp_path: Path) -> None:
    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from babel.messages.frontend import main; main()",
            "compile",
            "--statistics",
            "-d",
            str(copy),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    output = (result.stdout + result.stderr).splitlines()
    assert result.returncode == 0, output
    unexpected = [
        line
        for line in output
        if not line.startswith("compiling catalog ")
        and not re.fullmatch(r"\d+ of \d+ messages \(100%\) translated in .*", line)
    ]
    assert not unexpected, "\n".join(unexpected)
    assert sum(line.startswith("compiling catalog ") for line in output) == len(CATALOGS)
    for language in CATALOGS:
        assert (copy / language / "LC_MESSAGES" / "messages.mo").exists()


@pytest.mark.parametrize("language", CATALOGS)
def test_spec_button_names(language: str) -> None:
    translations = catalog(language)
    save, submit = BUTTONS[language]
    assert translations["Save draft"].string == save
    assert translations["Submit"].string == submit


@pytest.mark.parametrize("language", LOGIN)
def test_login_page_in_each_language(client: FlaskClient, language: str) -> None:
    response = client.post("/language", data={"lang": language, "next": "/login"})
    assert response.status_code == 302
    html = client.get("/login").get_data(as_text=True)
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in html
    email, password, log_in = LOGIN[language]
    assert f'<label for="email">{email}</label>' in html
    assert f'<label for="password">{password}</label>' in html
    assert f'<button type="submit">{log_in}</button>' in html
    assert f"<title>{log_in} · " in html
    assert '<label for="interface-language">Language</label>' in html
