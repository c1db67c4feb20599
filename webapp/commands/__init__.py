"""The web application's `kyoto` commands (SPEC §5), one module per group, registered on the CLI.

Conventions shared by every command here:
- a refused operation (a `ServiceError`) prints `error: <message>` on stderr and exits 1, after a
  rollback, so nothing is half-done; usage errors (missing or malformed arguments) exit 2 (click);
- a command commits its own transaction once everything succeeded;
- the command line acts as nobody in particular (revisions record no actor) unless `--as EMAIL`
  names a user, whose rights are then checked as the web pages would.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from webapp.extensions import db
from webapp.services import ServiceError

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, status: int = 1) -> NoReturn:
    """`error: message` on stderr, then exit (1 unless told otherwise)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(status)


def usage(message: str) -> NoReturn:
    """A usage error: click prints the usage line and `Error: message`, and exits 2."""
    raise click.UsageError(message, click.get_current_context(silent=True))


def handles_errors(function: F) -> F:
    """Turn refused operations and an unusable database into `error: ...` and exit 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ServiceError as error:
            db.session.rollback()
            fail(error.message)
        except (OperationalError, ProgrammingError) as error:
            db.session.rollback()
            detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            missing = "no such table" in detail or "does not exist" in detail
            hint = " (run `kyoto init-db` first)" if missing else ""
            fail(f"database: {detail}{hint}")

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class CommandLine:
    """The command line as an actor when no `--as` is given: revisions record no person."""

    role: str
    id: None = None
    email: str = "command line"


def progress(items: Iterable[Any], length: int, label: str) -> Iterator[Any]:
    """A progress bar on a terminal; a single line otherwise (logs stay readable)."""
    if sys.stdout.isatty():
        with click.progressbar(items, length=length, label=label) as bar:
            yield from bar
    else:
        click.echo(f"{label}...")
        yield from items


def register(cli: click.Group) -> None:
    """Add every web application command to the `kyoto` group."""
    from webapp.commands import accounts, cycles, demo, responses, server, setup, verify

    for module in (setup, accounts, cycles, responses, server, demo, verify):
        for command in module.COMMANDS:
            cli.add_command(command)
