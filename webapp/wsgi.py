"""The WSGI entry point for production servers: `gunicorn webapp.wsgi:app` (`kyoto serve`).

Configuration comes from the environment (`DATABASE_URL`, `SECRET_KEY`, `REDIS_URL`, `KYOTO_*`)
and the instance folder's `config.py`, as for every `kyoto` command.
"""

from __future__ import annotations

from webapp import create_app

app = create_app()
