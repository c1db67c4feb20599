"""Passwords: changing one, and reset links that work once, for one user, for a while (H1, H5).

A reset link carries a token signed with SECRET_KEY (itsdangerous, with a salt of its own so no
other signed value can pass for one) holding the user's id and a fingerprint of their password
hash and session version. So a token:
- expires `PASSWORD_RESET_MAX_AGE` seconds after it was made (default one hour);
- works once: using it changes the hash, and with it the fingerprint;
- stops working when the account logs out everywhere or its password changes by other means;
- names one user: it cannot reset anyone else's password, and any edit breaks the signature.
Nothing is stored: asking twice gives two links, each valid until one of them is used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models import User
from webapp.services import Invalid
from webapp.services.audit import record
from webapp.services.users import MIN_PASSWORD_LENGTH, end_sessions, find_user, normalise_email

MAX_PASSWORD_LENGTH = 1024
"""As at login: longer input is refused before hashing (hashing megabytes costs the server)."""
RESET_SALT = "kyoto.password-reset"
MAX_TOKEN_LENGTH = 512
RESET_ENDPOINT = "account.reset_password"


class LinkRefused(Invalid):
    """A reset token that cannot be used: `expired`, or else invalid, tampered with or used."""

    def __init__(self, expired: bool) -> None:
        super().__init__(
            "this reset link has expired" if expired else "this reset link is not valid"
        )
        self.expired = expired


def check_policy(password: str) -> None:
    """The length rule every password follows (the forms say it in the user's language)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"a password has at least {MIN_PASSWORD_LENGTH} characters",
            code="password_too_short",
            params={"min": MIN_PASSWORD_LENGTH},
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(
            f"a password has at most {MAX_PASSWORD_LENGTH} characters",
            code="password_too_long",
            params={"max": MAX_PASSWORD_LENGTH},
        )


def _set_password(user: User, password: str) -> None:
    """New hash, and every session of the user ends (a thief's copy of a cookie included)."""
    check_policy(password)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)


def change_password(user: User, current: str, new: str) -> bool:
    """False (and a `password_change_failed` audit row) when `current` is wrong; the caller
    commits either way."""
    if len(current) > MAX_PASSWORD_LENGTH or not check_password_hash(user.password_hash, current):
        record("password_change_failed", "user", user.id, user)
        return False
    _set_password(user, new)
    record("password_change", "user", user.id, user)
    return True


# Reset links -------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _fingerprint(user: User) -> str:
    """Changes when the password hash or the session version does. Keyed, so the token (which
    anyone holding it can decode) reveals nothing about the hash."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    text = f"{user.password_hash}\x00{user.session_version}".encode()
    return hmac.new(key, text, hashlib.sha256).hexdigest()[:32]


def max_age() -> int:
    """Seconds a reset link stays valid (`PASSWORD_RESET_MAX_AGE`: seconds or a timedelta)."""
    value = current_app.config["PASSWORD_RESET_MAX_AGE"]
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds())
    return int(value)


def reset_token(user: User) -> str:
    return str(_serializer().dumps([user.id, _fingerprint(user)]))


def user_for_token(token: str, lock: bool = False) -> User:
    """The active user this token may reset, or `LinkRefused`. `lock` holds the user's row until
    commit: two requests racing with one token cannot both use it."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise LinkRefused(expired=False)
    try:
        payload = _serializer().loads(token, max_age=max_age())
    except SignatureExpired:
        raise LinkRefused(expired=True) from None
    except BadData:
        raise LinkRefused(expired=False) from None
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not isinstance(payload[0], int)
        or not isinstance(payload[1], str)
    ):
        raise LinkRefused(expired=False)
    user = db.session.get(User, payload[0], with_for_update=lock or None, populate_existing=lock)
    if user is None or not user.active:
        raise LinkRefused(expired=False)
    if not hmac.compare_digest(payload[1], _fingerprint(user)):
        raise LinkRefused(expired=False)
    return user


def reset_password(token: str, new: str) -> User:
    """Set the password of the token's user; the token (and every session) stops working."""
    user = user_for_token(token, lock=True)
    _set_password(user, new)
    record("password_reset", "user", user.id, user)
    return user


def request_reset(email: str) -> User | None:
    """The user to send a link to: an active account with that email, else None. Audited either
    way, so that both answers cost the same and the Secretariat sees who asked."""
    clean = normalise_email(email)[:254]
    user = db.session.scalar(select(User).where(User.email == clean))
    usable = user is not None and user.active
    entity_id = user.id if user is not None else None
    record("password_reset_request", "user", entity_id, None, email=clean, sent=usable)
    return user if usable else None


def reset_url(user: User, base_url: str) -> str:
    """The reset page's address under `base_url`: the site as people reach it, e.g.
    `https://kyoto.example.org/` or `https://example.org/kyoto` (a path prefix is kept)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(f"'{base_url}' is not an http(s) address")
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    return adapter.build(RESET_ENDPOINT, {"token": reset_token(user)}, force_external=True)


def issue_link(email: str, base_url: str) -> str:
    """A reset address for the Secretariat to pass on by other means (no email needed)."""
    user = find_user(email)
    if not user.active:
        raise Invalid(f"the account {user.email} is deactivated")
    url = reset_url(user, base_url)
    record("password_reset_link", "user", user.id, None, via="command line")
    return url
