"""Error handlers: one JSON shape for the API, plain pages for people (G8)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Registered by create_app; the platform helper completes this module."""
