"""Every write to the database goes through a function here; views and commands call them.

Services raise `ServiceError` subclasses with a message a person can act on; they never commit
half a change (each public function is one transaction, committed by the caller's unit of work
`webapp.services.audit.unit_of_work` or by the function itself where documented). The message is
English (command line, logs); a `code` with its `params` lets a web page say the same in its own
language (`webapp.refusals.explain`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ServiceError(Exception):
    """A refused operation; `status` maps to an HTTP status.

    `message` is the English sentence (command line, logs, API); `code` names the refusal
    stably (`"cycle_closed"`) and `params` holds its raw values (status codes, dates), so that a
    page can say it in its own language. Without a code, pages show `message` as it is.
    """

    status = 400

    def __init__(
        self, message: str, *, code: str | None = None, params: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.params: dict[str, Any] = dict(params or {})


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class Forbidden(ServiceError):
    status = 403


class Invalid(ServiceError):
    status = 422
