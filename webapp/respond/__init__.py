"""The `respond` blueprint (routes in `respond/routes.py`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("respond", __name__)

from webapp.respond import routes  # noqa: E402, F401
