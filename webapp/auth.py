"""Sessions: logging in and out, the interface language, and who the current user is.

Flask keeps the session in a signed cookie, so logging out alone cannot revoke a copy of it.
The cookie names the user as `"<id>:<session_version>"` and the role it was issued for; the
version is bumped at logout (`end_sessions`), and a changed role or a deactivated account makes
the loader refuse the cookie on the very next request (H4, B6).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import InputRequired

from webapp import i18n
from webapp.extensions import db, limiter, login_manager
from webapp.models import User
from webapp.security import log_event
from webapp.services.audit import record
from webapp.services.users import authenticate, end_sessions, normalise_email

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])

ROLE_KEY = "_role"
"""The role the session was issued for; a different role in the database ends the session."""
LOGIN_FAILED = _l("Email or password is incorrect")
MAX_EMAIL = 254
MAX_PASSWORD = 1024


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[InputRequired(_l("Enter your email address"))],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password"))],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Log in"))


# Who is logged in --------------------------------------------------------------------------


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """`get_id()` is `"<id>:<session_version>"`: an old version means a revoked session."""
    ident, _sep, version = user_id.partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    if session.get(ROLE_KEY) != user.role:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized() -> Response:
    """Anonymous: 401 under /api/, otherwise the login page, back here afterwards (GET only)."""
    if request.path == "/api" or request.path.startswith("/api/"):
        abort(401)
    target = None
    if request.method == "GET":
        target = request.full_path.rstrip("?") if request.query_string else request.path
    flash(_("Please log in to see this page."), "info")
    return redirect(url_for("auth.login", next=target))


def home_url() -> str:
    """The start page (`respond.home`, at `/`)."""
    if "respond.home" in current_app.view_functions:
        return url_for("respond.home")
    return request.script_root + "/"


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: refuses `//evil`, `/\\evil`, schemes,
    and any control character or whitespace a browser would strip before reading it (G7)."""
    if not target or len(target) > 2048 or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target:
        return None
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# Rate limiting (H1): failed attempts only, per client address and per email ------------------


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _email_key() -> str:
    email = normalise_email(request.form.get("email", ""))[:MAX_EMAIL]
    return "email:" + hashlib.sha256(email.encode()).hexdigest()


def _address_key() -> str:
    return "address:" + (request.remote_addr or "unknown")


def _failed(response: Response) -> bool:
    """A successful login redirects; anything else counts against the limits."""
    return response.status_code not in (302, 303)


def _throttled(limit: RequestLimit) -> None:
    log_event(
        "login_throttled",
        logging.WARNING,
        email=normalise_email(request.form.get("email", "")),
        address=request.remote_addr,
        limit=str(limit.limit),
    )


def _login_limits(view: F) -> F:
    """The two login limits, counted on POST only and only for failed attempts."""
    for key_func, scope in ((_email_key, "email"), (_address_key, "address")):
        view = limiter.limit(
            _login_limit,
            key_func=key_func,
            scope=f"login-{scope}",
            methods=["POST"],
            deduct_when=_failed,
            on_breach=_throttled,
        )(view)
    return view


# Views --------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@_login_limits
def login() -> str | Response:
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or home_url())
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = _check_credentials(form.email.data or "", form.password.data or "")
        if user is not None:
            _start_session(user)
            return redirect(target or home_url())
        failed = True
    return render_template("auth/login.html", form=form, failed=failed, failed_message=LOGIN_FAILED)


def _check_credentials(email: str, password: str) -> User | None:
    """The user, or None after writing the failure to the audit trail and the log."""
    user = None
    if len(email) <= MAX_EMAIL and len(password) <= MAX_PASSWORD:
        user = authenticate(email, password)
    if user is None:
        clean = normalise_email(email)[:MAX_EMAIL]
        record("login_failed", "user", None, None, email=clean)
        db.session.commit()
        log_event("login_failed", logging.WARNING, email=clean, address=request.remote_addr)
    return user


def _start_session(user: User) -> None:
    """A new session for this user: nothing from before the login survives but the language."""
    language = session.get(i18n.SESSION_KEY)
    session.clear()
    if language is not None:
        session[i18n.SESSION_KEY] = language
    login_user(user)
    session[ROLE_KEY] = user.role
    session.permanent = True  # idle timeout: PERMANENT_SESSION_LIFETIME since the last request
    record("login", "user", user.id, user)
    db.session.commit()
    log_event("login", user_id=user.id, address=request.remote_addr)


@bp.post("/logout")
@login_required
def logout() -> Response:
    user: User = current_user._get_current_object()
    end_sessions(user)
    record("logout", "user", user.id, user)
    db.session.commit()
    log_event("logout", user_id=user.id)
    language = session.get(i18n.SESSION_KEY)
    logout_user()
    session.clear()
    if language is not None:
        session[i18n.SESSION_KEY] = language
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> Response:
    """Change the interface language for this session, then go back to the page."""
    i18n.choose(request.form.get("lang", ""))
    target = safe_next(request.form.get("next"))
    return redirect(_without_lang(target) if target else home_url())


def _without_lang(url: str) -> str:
    """The page to go back to, minus a `lang=` that would override the language just chosen."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _forget_loaded_user() -> None:
    """Flask-Login caches the user in `g`; when an app context outlives a request (tests run
    requests inside `with app.app_context()`), the next request must load and check it again."""
    g.pop("_login_user", None)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    app.jinja_env.globals["home_url"] = home_url
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_loaded_user)
    i18n.init_app(app)
