"""Sessions: Flask-Login with a session version, so logout revokes copied cookies (H4)."""

from __future__ import annotations

from flask import Blueprint, Flask

from webapp.extensions import db, login_manager
from webapp.models import User

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """`get_id()` is `"<id>:<session_version>"`: an old version means a revoked session."""
    ident, _, version = user_id.partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
