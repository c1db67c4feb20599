"""The Flask application: `create_app()` builds it; `webapp.cli` is the `kyoto` command."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask

MEBIBYTE = 1024 * 1024


def _defaults(app: Flask) -> dict[str, Any]:
    return {
        "SECRET_KEY": None,
        "DATABASE_URL": f"sqlite:///{os.path.join(app.instance_path, 'kyoto.sqlite')}",
        "QUESTIONNAIRES_DIR": "questionnaires",
        "RATELIMIT_STORAGE_URI": "memory://",
        # If Redis goes away, count in memory rather than refuse every login with a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_RATE_LIMIT": "10/minute",
        # Password recovery (webapp.account): links sent, and how long they work.
        "PASSWORD_RESET_RATE_LIMIT": "5/hour",
        "PASSWORD_RESET_MAX_AGE": 3600,
        "PUBLIC_URL": None,  # e.g. https://kyoto.example.org: links in emails are built on it
        # Mail (webapp.mail): without MAIL_SERVER, messages go to the log at WARNING.
        "MAIL_SERVER": None,
        "MAIL_PORT": 587,
        "MAIL_USE_TLS": True,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_FROM": "kyoto@localhost",
        # Request limits: Flask's MAX_CONTENT_LENGTH is unlimited by default (RELIABILITY §3.4).
        "MAX_CONTENT_LENGTH": 10 * MEBIBYTE,
        "MAX_FORM_MEMORY_SIZE": 2 * MEBIBYTE,
        "MAX_FORM_PARTS": 2000,
        # A long questionnaire takes longer than an hour: the CSRF token lives with the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=12),
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ["en", "fr", "es", "ar", "ru", "zh"],
    }


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Defaults, then the instance config file, then `KYOTO_*` environment, then the test override.

    The database and web stack are imported here, not at module level, so that `kyoto check`
    and the other definition commands start without loading them.
    """
    from webapp.database import configure_sqlite, normalise_url
    from webapp.extensions import babel, csrf, db, limiter, login_manager

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(_defaults(app))
    if "DATABASE_URL" in os.environ:
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if "SECRET_KEY" in os.environ:
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if "REDIS_URL" in os.environ:
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("KYOTO")
    if test_config is not None:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_url(app.config["DATABASE_URL"])
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from webapp.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)

    from webapp import auth, errors, i18n, mail, security, views

    security.init_app(app)
    mail.init_app(app)
    errors.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    views.register(app)
    return app


def _instance_secret(app: Flask) -> str:
    """A random secret kept in the instance folder, so sessions survive restarts in development.

    Production sets SECRET_KEY; several workers or hosts must share it.
    """
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    with open(path) as handle:
        return handle.read().strip()
