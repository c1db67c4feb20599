"""The Flask application: `create_app()` builds it; `webapp.cli` is the `kyoto` command."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Defaults, then the instance config file, then the environment, then the test override."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY", "dev-only-change-me"),
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", f"sqlite:///{os.path.join(app.instance_path, 'kyoto.sqlite')}"
        ),
        QUESTIONNAIRES_DIR=os.environ.get("QUESTIONNAIRES_DIR", "questionnaires"),
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("KYOTO")
    if test_config is not None:
        app.config.from_mapping(test_config)
    return app
