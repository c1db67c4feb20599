"""Every write to the database goes through a function here; views and commands call them.

Services raise `ServiceError` subclasses with a message a person can act on; they never commit
half a change (each public function is one transaction, committed by the caller's unit of work
`webapp.services.audit.unit_of_work` or by the function itself where documented).
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refused operation; `code` maps to an HTTP status."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class Forbidden(ServiceError):
    status = 403


class Invalid(ServiceError):
    status = 422
