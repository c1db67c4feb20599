"""Error responses, in one place: a page for people, `{"error": {"code", "message"}}` under /api/.

These are application-level handlers. A blueprint that must do better for one error registers
its own handler, which Flask tries first: the respond blueprint re-renders posted answers on a
CSRF failure with `@bp.errorhandler(CSRFError)`.

Unexpected exceptions become a generic 500 page naming the request id (never a traceback); Flask
logs the exception, and `security.JsonFormatter` puts the request id in that log line (G8).
A database that is down or locked gives 503 "try again", not 500. These pages still render when
the database cannot load the current user: they are then drawn as for an anonymous visitor.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES

from webapp.extensions import db, limiter, login_manager
from webapp.refusals import explain
from webapp.security import log_event, request_id
from webapp.services import ServiceError

# status: (code for the API, title, message for people)
MESSAGES: dict[int, tuple[str, object, object]] = {
    400: ("bad_request", _l("Bad request"), _l("The request could not be understood.")),
    401: (
        "unauthorized",
        _l("Please log in"),
        _l("You need to log in to see this page."),
    ),
    403: (
        "forbidden",
        _l("Access denied"),
        _l("Your account does not give access to this page."),
    ),
    404: (
        "not_found",
        _l("Page not found"),
        _l("There is no page at this address. Check the address, or go back to the start page."),
    ),
    405: (
        "method_not_allowed",
        _l("Not allowed"),
        _l("This page cannot be used this way."),
    ),
    409: ("conflict", _l("Conflict"), _l("The request conflicts with the current state.")),
    413: (
        "payload_too_large",
        _l("Too much data"),
        _l("What you sent is too large. Send a smaller file or fewer answers at a time."),
    ),
    415: (
        "unsupported_media_type",
        _l("Unsupported format"),
        _l("This kind of content is not accepted here."),
    ),
    422: ("invalid", _l("Invalid request"), _l("The request contains invalid data.")),
    428: (
        "precondition_required",
        _l("Precondition required"),
        _l("This request must say which version it changes."),
    ),
    429: (
        "too_many_requests",
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Please wait a minute and try again."),
    ),
    500: (
        "internal_error",
        _l("Something went wrong"),
        _l("Something went wrong on our side. Nothing you did caused this; please try again."),
    ),
    503: (
        "unavailable",
        _l("Service unavailable"),
        _l("The service is briefly unavailable. Please try again in a moment."),
    ),
}
CSRF_MESSAGE = _l(
    "This form has expired or was sent from another site. Go back, reload the page and try again."
)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(InternalServerError, _internal_error)
    app.register_error_handler(OperationalError, _database_unavailable)


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def error_response(
    status: int, message: object | None = None, code: str | None = None, headers: dict | None = None
) -> Response:
    """The error response for `status`, JSON under /api/ and a page elsewhere."""
    if status in MESSAGES:
        default_code, title, default_message = MESSAGES[status]
    else:
        name = HTTP_STATUS_CODES.get(status, "Error")
        default_code, title, default_message = name.lower().replace(" ", "_"), name, name
    if wants_json():
        text = str(message) if message is not None else HTTP_STATUS_CODES.get(status, "Error")
        response = jsonify({"error": {"code": code or default_code, "message": text}})
    else:
        text = str(message if message is not None else default_message)
        html = render_template(
            "errors/error.html", status=status, title=title, message=text, request_id=request_id()
        )
        response = Response(html, mimetype="text/html")
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _passed_headers(error: HTTPException) -> dict[str, str]:
    """`Allow` of a 405, `WWW-Authenticate` of a 401, `Retry-After`: kept, not the content type."""
    return {name: value for name, value in error.get_headers() if name.lower() != "content-type"}


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return _internal_error(error)
    headers = _passed_headers(error)
    message = None
    if status == 401 and wants_json():
        headers.setdefault("WWW-Authenticate", "Bearer")
        message = _l("A valid API token is required (Authorization: Bearer TOKEN).")
    if status == 429:
        headers.update(_retry_after())
    if wants_json() and status not in MESSAGES and error.description:
        message = error.description
    return error_response(status, message, headers=headers)


def _csrf_error(error: CSRFError) -> Response:
    log_event("csrf_failed", logging.WARNING, reason=error.description)
    return error_response(400, CSRF_MESSAGE, code="csrf_failed")


def _service_error(error: ServiceError) -> Response:
    """A refusal from a service that a view did not handle: its message is written for people,
    in the page's language on a page (`webapp.refusals`), in English under /api/."""
    db.session.rollback()
    return error_response(error.status, error.message if wants_json() else explain(error))


def _database_unavailable(error: OperationalError) -> Response:
    """The database refused or dropped the connection ("database is locked", a restart): 503."""
    current_app.logger.error("database unavailable", exc_info=error)
    response = _internal_error(ServiceUnavailable())
    response.headers.setdefault("Retry-After", "30")
    return response


def _internal_error(error: HTTPException) -> Response:
    """Generic page: no traceback, no exception text, only the request id to quote."""
    try:
        db.session.rollback()
    except Exception:  # the database may be the reason we are here
        current_app.logger.exception("rollback failed while handling an error")
    try:
        current_user.is_authenticated  # noqa: B018 - loads the user now, or fails now
    except Exception:  # the user cannot be loaded: draw the page for an anonymous visitor
        g._login_user = login_manager.anonymous_user()
    status = error.code if error.code and error.code >= 500 else 500
    try:
        return error_response(status)
    except Exception:  # the page itself failed: fall back to plain text
        current_app.logger.exception("error page failed to render")
        text = f"Something went wrong. Reference: {request_id()}\n"
        return Response(text, status=status, mimetype="text/plain")


def _retry_after() -> dict[str, str]:
    current = limiter.current_limit
    if current is None:
        return {}
    return {"Retry-After": str(max(1, math.ceil(current.reset_at - time.time())))}
