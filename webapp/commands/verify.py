"""`kyoto verify`: the tamper check of the history (RELIABILITY J4), for cron or by hand."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from webapp.commands import fail, handles_errors
from webapp.extensions import db
from webapp.services.integrity import verify


@click.command("verify")
@with_appcontext
@handles_errors
def verify_command() -> None:
    """Check every seal of the history, and every response against its history; exit 1 on any
    problem."""
    report = verify(db.session)
    db.session.rollback()  # read only
    for problem in report.problems:
        click.echo(str(problem))
    if not report.ok:
        fail(report.summary())
    click.echo(report.summary())


COMMANDS = [verify_command]
