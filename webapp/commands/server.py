"""`serve`: the web application behind gunicorn, the production server (sync workers)."""

from __future__ import annotations

import importlib.util
import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.commands import fail, handles_errors
from webapp.commands.setup import schema_revisions


def gunicorn_argv(host: str, port: int, workers: int, timeout: int) -> list[str]:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        str(timeout),
        "--access-logfile",
        "-",
        *_no_control_socket(),
        "webapp.wsgi:app",
    ]


def _no_control_socket() -> list[str]:
    """Recent gunicorn opens a control socket at one path per user (`~/.gunicorn/gunicorn.ctl`):
    several servers of one user (test runs, a second `kyoto serve`) would take it from each
    other. We do not use it, so it stays closed where the installed gunicorn has it."""
    from gunicorn.config import KNOWN_SETTINGS

    known = {setting.name for setting in KNOWN_SETTINGS}
    return ["--no-control-socket"] if "control_socket_disable" in known else []


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=lambda: int(os.environ.get("WEB_CONCURRENCY", "2")),
    show_default="2, or WEB_CONCURRENCY",
    help="gunicorn worker processes.",
)
@click.option(
    "--timeout", default=60, show_default=True, help="Seconds before a stuck worker is restarted."
)
@with_appcontext
@handles_errors
def serve_command(host: str, port: int, workers: int, timeout: int) -> None:
    """Run the web application with gunicorn (production server); stop it with Ctrl-C."""
    current, head = schema_revisions()
    if current != head:
        state = "has no tables" if current is None else f"is at migration {current}, not {head}"
        fail(f"the database {state}: run `kyoto init-db` first")
    # The instance secret exists now (create_app made it), so workers only read it.
    os.environ.setdefault("DATABASE_URL", current_app.config["DATABASE_URL"])
    if importlib.util.find_spec("fcntl") is None:  # gunicorn runs on POSIX systems only
        click.echo("gunicorn needs a POSIX system: serving with the development server", err=True)
        current_app.run(host=host, port=port, threaded=True)
        return
    click.echo(f"serving on http://{host}:{port}/ with {workers} worker(s)", err=True)
    argv = gunicorn_argv(host, port, workers, timeout)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)  # noqa: S606 (argv is ours: no shell, no user text)


COMMANDS = [serve_command]
