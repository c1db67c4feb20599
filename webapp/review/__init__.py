"""The `review` blueprint (routes in `review/routes.py`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("review", __name__)

from webapp.review import routes  # noqa: E402, F401
