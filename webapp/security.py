"""Security on every request: request ids, size limits, headers, cookie flags, structured logs.

Production is recognised by `PREFERRED_URL_SCHEME = "https"` (environment:
`KYOTO_PREFERRED_URL_SCHEME=https`): session and remember cookies become `Secure` and every
response carries `Strict-Transport-Security` (`HSTS_MAX_AGE` seconds, default one year).

Behind reverse proxies set `PROXY_COUNT` (`KYOTO_PROXY_COUNT=1` for one nginx): the client's
address and scheme are then read from that many `X-Forwarded-For`/`-Proto`/`-Host` entries.
Without it those headers are ignored (a client could forge them), and every request seems to
come from the proxy, so the per-address login limit would count everyone together.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
from typing import Any

from flask import Flask, Response, abort, current_app, g, has_request_context, request
from flask.logging import default_handler
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
LOG_VALUE_LIMIT = 256
"""Longer strings are cut in log lines: a 1 MB "username" must not become a 1 MB log line."""


def is_https(app: Flask) -> bool:
    return app.config.get("PREFERRED_URL_SCHEME") == "https"


def request_id() -> str:
    """The id of the current request (`X-Request-Id`): the caller's if well-formed, else random."""
    rid = g.get("request_id")
    if not rid:
        incoming = request.headers.get("X-Request-Id", "")
        rid = incoming if _REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)
        g.request_id = rid
    return str(rid)


def init_app(app: Flask) -> None:
    app.config.setdefault("HSTS_MAX_AGE", 365 * 24 * 3600)
    app.config.setdefault("PROXY_COUNT", 0)
    proxies = int(app.config["PROXY_COUNT"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    if is_https(app):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    _configure_logging(app)
    # Before the CSRF check and the rate limiter: their refusals get an id too, and a body too
    # large is refused as such (413), before anything reads it.
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[0:0] = [_assign_request_id, _check_size]
    app.after_request(_headers)


def _assign_request_id() -> None:
    """A fresh id for every request, even when requests share an app context (as in tests)."""
    g.pop("request_id", None)
    request_id()


def _check_size() -> None:
    """413 before any view runs: body over MAX_CONTENT_LENGTH, or more form fields than
    MAX_FORM_PARTS (Werkzeug counts multipart parts only; url-encoded forms are counted here)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and request.content_length is not None and request.content_length > limit:
        abort(413)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        parts = sum(len(values) for _, values in request.form.lists())
        parts += sum(len(values) for _, values in request.files.lists())
        max_parts = current_app.config.get("MAX_FORM_PARTS")
        if max_parts is not None and parts > max_parts:
            abort(413)


def _headers(response: Response) -> Response:
    headers = response.headers
    headers["X-Request-Id"] = request_id()
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if is_https(current_app):
        headers.setdefault(
            "Strict-Transport-Security", f"max-age={current_app.config['HSTS_MAX_AGE']}"
        )
    if response.mimetype == "text/html":
        # Pages hold personal answers: never kept by shared caches or the back-forward cache.
        headers.setdefault("Cache-Control", "no-store")
    return response


# Structured logs (J6) -------------------------------------------------------------------------


class RequestFilter(logging.Filter):
    """Stamps each record logged during a request with its id, method and path."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and not hasattr(record, "request"):
            record.request = {
                "request_id": request_id(),
                "method": request.method,
                "path": _clip(request.path),
            }
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: a newline or an ANSI escape in a value cannot forge a line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": _clip(record.getMessage()),
        }
        RequestFilter().filter(record)  # records of other loggers, formatted during a request
        entry.update(getattr(record, "request", {}))
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=True, default=str)


def _clip(value: object) -> object:
    if isinstance(value, str) and len(value) > LOG_VALUE_LIMIT:
        return value[:LOG_VALUE_LIMIT] + "…"
    return value


def log_event(event: str, level: int = logging.INFO, **fields: object) -> None:
    """Log a security event (`login_failed`, `login_throttled`...) with typed fields."""
    clipped = {key: _clip(value) for key, value in fields.items()}
    current_app.logger.log(level, event, extra={"fields": {"event": event, **clipped}})


def _configure_logging(app: Flask) -> None:
    default_handler.setFormatter(JsonFormatter())
    if not any(isinstance(f, RequestFilter) for f in app.logger.filters):
        app.logger.addFilter(RequestFilter())
    if app.logger.level == logging.NOTSET:
        app.logger.setLevel(logging.INFO)
