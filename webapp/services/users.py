"""People: creating users, checking passwords (scrypt, constant-time for unknown emails).

A stored hash names its method and parameters (`scrypt:32768:8:1$salt$hash`); when Werkzeug's
default moves on, a successful login re-hashes the password with the current one (H3).
"""

from __future__ import annotations

import secrets
import unicodedata

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models import ROLES, Organisation, User
from webapp.services import Conflict, Invalid, NotFound
from webapp.services.audit import record

ORGANISATION_ROLES = frozenset({"focal_point", "contributor"})
MIN_PASSWORD_LENGTH = 8
_DUMMY_HASH = generate_password_hash("not a real password")
HASH_METHOD = _DUMMY_HASH.partition("$")[0]
"""The method and parameters of new hashes, e.g. `scrypt:32768:8:1` (Werkzeug's default)."""


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFC", email.strip()).lower()


def create_user(
    email: str,
    role: str,
    organisation: Organisation | None = None,
    password: str | None = None,
    actor: User | None = None,
) -> tuple[User, str]:
    """Create a user; returns it with its password (generated when not given)."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise Invalid(f"'{email}' is not an email address")
    if role not in ROLES:
        raise Invalid(f"unknown role '{role}'; roles are {', '.join(ROLES)}")
    if role in ORGANISATION_ROLES and organisation is None:
        raise Invalid(f"a {role} belongs to an organisation: give --org")
    if role not in ORGANISATION_ROLES and organisation is not None:
        raise Invalid(f"a {role} works for the Secretariat and has no organisation")
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise Conflict(f"a user with email {email} already exists")
    password = password or secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"a password has at least {MIN_PASSWORD_LENGTH} characters",
            code="password_too_short",
            params={"min": MIN_PASSWORD_LENGTH},
        )
    user = User(
        email=email,
        role=role,
        organisation=organisation,
        password_hash=generate_password_hash(password),
    )
    db.session.add(user)
    db.session.flush()
    record("create", "user", user.id, actor, email=email, role=role)
    return user, password


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; as slow for unknown emails (H2)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = generate_password_hash(password)
        record("password_rehash", "user", user.id, user, method=HASH_METHOD)
    return user


def needs_rehash(password_hash: str) -> bool:
    """True when a hash was made with another method or other parameters than new ones are."""
    return password_hash.partition("$")[0] != HASH_METHOD


def end_sessions(user: User) -> None:
    """Invalidate every session cookie of this user (logout, role change, deactivation)."""
    user.session_version += 1


def find_user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no user with email {email}")
    return user
