"""Database set-up: SQLite pragmas, and `init-db` as an Alembic upgrade to head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, make_url

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """`postgres://` and `postgresql://` URLs use psycopg 3, the driver we install."""
    parsed: URL = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection (RELIABILITY §3.6)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Create or upgrade the schema to the newest migration."""
    command.upgrade(alembic_config(url), "head")
