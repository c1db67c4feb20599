"""Interface language: the person's choice, then their account's, then the browser's.

The choice is made with a small POST form in every page's header (`auth.language`) and kept in
the session; a GET never changes it. Pages get `page_lang` and `page_dir` (`rtl` for Arabic).

Catalogs are `translations/<lang>/LC_MESSAGES/messages.po`; the `.mo` files are build artefacts
compiled here at start-up when missing or older than their `.po`, next to them if that folder
is writable, otherwise under the instance folder.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request, session
from flask_babel import get_babel, get_locale, refresh
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

TRANSLATIONS = Path(__file__).parent / "translations"
SESSION_KEY = "language"
log = logging.getLogger(__name__)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return str(chosen)
    try:
        preferred = getattr(current_user, "language", None)
    except SQLAlchemyError:  # the database is down: the page must still be drawn
        preferred = None
    if preferred in languages:
        return str(preferred)
    return str(
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def choose(language: str) -> bool:
    """Keep `language` for this session; False when it is not one of LANGUAGES."""
    if language not in current_app.config["LANGUAGES"]:
        return False
    session[SESSION_KEY] = language
    return True


def language_names(languages: list[str]) -> list[tuple[str, str]]:
    """Each language named in itself (`fr` → `français`), as a person looking for theirs reads it."""
    names = []
    for code in languages:
        locale = Locale.parse(code)
        names.append((code, locale.get_display_name(locale) or code))
    return names


def page_attributes() -> dict[str, object]:
    locale = get_locale() or Locale.parse(current_app.config["BABEL_DEFAULT_LOCALE"])
    return {
        "page_lang": str(locale).replace("_", "-"),
        "page_dir": "rtl" if locale.character_order == "right-to-left" else "ltr",
        "interface_languages": language_names(current_app.config["LANGUAGES"]),
    }


def init_app(app: Flask) -> None:
    """Compile catalogs and add the template variables. Safe to call twice."""
    if app.extensions.get("kyoto_i18n"):
        return
    app.extensions["kyoto_i18n"] = True
    directory = compile_catalogs(TRANSLATIONS, Path(app.instance_path) / "translations")
    babel_config = get_babel(app)
    if str(directory) not in babel_config.translation_directories:
        babel_config.translation_directories.insert(0, str(directory))
    app.context_processor(page_attributes)
    # The locale is cached in the app context; a context reused across requests (test clients
    # inside `with app.app_context()`) must not keep the previous request's language.
    app.before_request_funcs.setdefault(None, []).insert(0, refresh)


def compile_catalogs(source: Path, fallback: Path) -> Path:
    """Compile every `.po` under `source` whose `.mo` is missing or older; returns the folder
    holding the `.mo` files (`source`, or `fallback` when `source` cannot be written)."""
    try:
        _compile_tree(source, source)
        return source
    except OSError as error:
        log.warning("cannot write compiled catalogs in %s (%s); using %s", source, error, fallback)
    _compile_tree(source, fallback)
    return fallback


def _compile_tree(source: Path, target: Path) -> None:
    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        _compile(po_path, mo_path)


def _compile(po_path: Path, mo_path: Path) -> None:
    """Write to a temporary file then rename: workers starting together never read half a file."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=po_path.parent.parent.name)
    fd, temporary = tempfile.mkstemp(dir=mo_path.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalog)
        os.replace(temporary, mo_path)
    except BaseException:
        os.unlink(temporary)
        raise
