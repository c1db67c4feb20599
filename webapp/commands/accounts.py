"""Accounts: `reset-link`, the Secretariat's way to let someone back in without email."""

from __future__ import annotations

from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp.commands import handles_errors, usage
from webapp.extensions import db
from webapp.services.passwords import issue_link, max_age

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


@click.command("reset-link")
@click.argument("email")
@click.option(
    "--base-url",
    metavar="URL",
    help=f"The site's address as users reach it (default: PUBLIC_URL, else {DEFAULT_BASE_URL}).",
)
@with_appcontext
@handles_errors
def reset_link_command(email: str, base_url: str | None) -> None:
    """Print a password reset link for that user, to pass on by phone or any other channel.

    The link works once, for PASSWORD_RESET_MAX_AGE seconds (default one hour).
    """
    base = base_url or current_app.config.get("PUBLIC_URL") or DEFAULT_BASE_URL
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        usage(f"--base-url: '{base}' is not an http:// or https:// address")
    url = issue_link(email, base)
    db.session.commit()
    click.echo(url)
    minutes = max(1, max_age() // 60)
    click.echo(f"(works once, for {minutes} minutes: give it to the user only)", err=True)


COMMANDS = [reset_link_command]
