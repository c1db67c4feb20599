"""Account pages: changing one's password, and the way back in for who has forgotten it (H1, H5).

- `/account/password` (logged in): current password and the new one twice. Every other session
  of the user ends; this one goes on under the new session version.
- `/account/forgot-password` (anyone): an email address in, the same answer out whether or not
  an account has it (no enumeration); an active account gets a reset link by email
  (`webapp.mail`). Throttled per address and per email (`PASSWORD_RESET_RATE_LIMIT`).
- `/account/reset-password/<token>` (anyone holding a link): a new password twice. The token
  rules live in `webapp.services.passwords`; a refused link says why and offers a new one.

Links in emails are built on `PUBLIC_URL` when it is set, so a forged `Host` header cannot point
someone's reset link at another site; set it in production.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from webapp import i18n, mail
from webapp.auth import home_url
from webapp.extensions import db, limiter
from webapp.models import User
from webapp.security import log_event
from webapp.services import passwords
from webapp.services.users import MIN_PASSWORD_LENGTH, normalise_email

bp = Blueprint("account", __name__)
F = TypeVar("F", bound=Callable[..., Any])

MAX_EMAIL = 254


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    """The new password and its repetition, with the length rule of `services.passwords`."""
    new = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(_l("Enter a new password")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("The new password must have at least %(min)d characters"),
            ),
            Length(
                max=passwords.MAX_PASSWORD_LENGTH,
                message=_l("The new password must have at most %(max)d characters"),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    again = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Enter the new password again")),
            EqualTo("new_password", _l("The two new passwords are not the same")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return new, again


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password"))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change password"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(_l("Enter your email address")),
            Length(max=MAX_EMAIL, message=_l("An email address has at most %(max)d characters")),
        ],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(FlaskForm):
    new_password, confirm = _new_password_fields()
    submit = SubmitField(_l("Set the new password"))


# Rate limits --------------------------------------------------------------------------------


def _reset_limit() -> str:
    return str(current_app.config["PASSWORD_RESET_RATE_LIMIT"])


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _email_key() -> str:
    email = normalise_email(request.form.get("email", ""))[:MAX_EMAIL]
    return "email:" + hashlib.sha256(email.encode()).hexdigest()


def _address_key() -> str:
    return "address:" + (request.remote_addr or "unknown")


def _user_key() -> str:
    """Per account when logged in (guessing the current password from a stolen session)."""
    if current_user.is_authenticated:
        return "user:" + str(current_user.id)
    return _address_key()


def _failed(response: Response) -> bool:
    return response.status_code not in (302, 303)


def _reset_throttled(limit: RequestLimit) -> None:
    log_event(
        "password_reset_throttled",
        logging.WARNING,
        email=normalise_email(request.form.get("email", "")),
        address=request.remote_addr,
        limit=str(limit.limit),
    )


def _reset_request_limits(view: F) -> F:
    """Every POST counts (the answer is the same whether an email was sent): per email, so one
    inbox cannot be flooded, and per address, so addresses cannot be tried in bulk."""
    for key_func, scope in ((_email_key, "email"), (_address_key, "address")):
        view = limiter.limit(
            _reset_limit,
            key_func=key_func,
            scope=f"password-reset-{scope}",
            methods=["POST"],
            on_breach=_reset_throttled,
        )(view)
    return view


# Views --------------------------------------------------------------------------------------


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(
    _login_limit, key_func=_user_key, scope="password-change", methods=["POST"], deduct_when=_failed
)
@login_required
def change_password() -> str | Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()  # type: ignore[attr-defined]
        changed = passwords.change_password(
            user, form.current_password.data or "", form.new_password.data or ""
        )
        db.session.commit()
        if changed:
            log_event("password_change", user_id=user.id)
            login_user(user)  # this session, under the new version; the others have ended
            flash(_("Your password has been changed. Your other sessions have ended."), "info")
            return redirect(home_url())
        log_event(
            "password_change_failed", logging.WARNING, user_id=user.id, address=request.remote_addr
        )
        form.current_password.errors = [_("The current password is incorrect")]
    return render_template(
        "account/change_password.html", form=form, min_length=MIN_PASSWORD_LENGTH
    )


@bp.route("/forgot-password", methods=["GET", "POST"])
@_reset_request_limits
def forgot_password() -> str:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        user = passwords.request_reset(email)
        url = passwords.reset_url(user, _base_url()) if user is not None else None
        db.session.commit()
        if user is not None and url is not None:
            _send_link(user, url)
        log_event(
            "password_reset_request",
            email=normalise_email(email),
            address=request.remote_addr,
            sent=user is not None,
        )
        return render_template("account/reset_requested.html", email=email, minutes=_minutes())
    return render_template("account/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> tuple[str, int] | str | Response:
    try:
        passwords.user_for_token(token)
    except passwords.LinkRefused as refused:
        return _refused(refused)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = passwords.reset_password(token, form.new_password.data or "")
        except passwords.LinkRefused as refused:  # used meanwhile, by a request racing this one
            db.session.rollback()
            return _refused(refused)
        db.session.commit()
        log_event("password_reset", user_id=user.id, address=request.remote_addr)
        _end_this_session()
        flash(_("Your password has been changed. Log in with the new one."), "info")
        return redirect(url_for("auth.login"))
    return render_template("account/reset_password.html", form=form, min_length=MIN_PASSWORD_LENGTH)


# Helpers ------------------------------------------------------------------------------------


def _base_url() -> str:
    """Where people reach the site: `PUBLIC_URL`, else the address this request came to."""
    return str(current_app.config.get("PUBLIC_URL") or request.url_root)


def _minutes() -> int:
    return max(1, passwords.max_age() // 60)


def _send_link(user: User, url: str) -> None:
    """The reset email, in the account's language when it has one."""
    language = user.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        subject = _("Choose a new password for the Kyoto questionnaires")
        body = "\n\n".join(
            [
                _(
                    "Someone, probably you, asked to reset the password of the account "
                    "%(email)s on the Kyoto questionnaires site.",
                    email=user.email,
                ),
                ngettext(
                    "To choose a new password, open this link within %(num)d minute. "
                    "It works once:",
                    "To choose a new password, open this link within %(num)d minutes. "
                    "It works once:",
                    _minutes(),
                ),
                url,
                _(
                    "If you did not ask for this, ignore this message: your password stays the same."
                ),
            ]
        )
    mail.send(user.email, subject, body + "\n")


def _refused(refused: passwords.LinkRefused) -> tuple[str, int]:
    log_event(
        "password_reset_refused",
        logging.WARNING,
        expired=refused.expired,
        method=request.method,
        address=request.remote_addr,
    )
    if refused.expired:
        message = ngettext(
            "This link has expired: a link works for %(num)d minute. Ask for a new one.",
            "This link has expired: a link works for %(num)d minutes. Ask for a new one.",
            _minutes(),
        )
    else:
        message = _(
            "This link does not work: it has been used already, replaced by a newer password, "
            "or copied incompletely. Ask for a new one."
        )
    return render_template("account/reset_refused.html", message=message), 400


def _end_this_session() -> None:
    """After a reset, this browser is logged out too (whoever was logged in), language kept."""
    language = session.get(i18n.SESSION_KEY)
    logout_user()
    session.clear()
    if language is not None:
        session[i18n.SESSION_KEY] = language
