"""`demo`: a ready demo database (see `webapp.demo`)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from webapp.commands import handles_errors, progress
from webapp.demo import DEMO_PASSWORD, build, users_table


@click.command("demo")
@with_appcontext
@handles_errors
def demo_command() -> None:
    """Build a ready demo: questionnaires, the 193 Member States, stakeholders, demo users, a
    closed and an open cycle with answers in every state; idempotent."""
    build(click.echo, progress)
    click.echo("")
    click.echo(f"Demo users (password for every one: {DEMO_PASSWORD}):")
    rows = users_table()
    width = max(len(email) for email, *_ in rows)
    for email, role, organisation, language in rows:
        click.echo(f"  {email:<{width}}  {role:<12} {organisation or '-':<24} {language}")
    click.echo("")
    click.echo("Serve it with `kyoto serve` and open http://127.0.0.1:5000/")


COMMANDS = [demo_command]
