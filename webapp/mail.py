"""Sending email: password reset links (and whatever needs mail later), with the standard library.

Three ways, chosen by configuration:
- `MAIL_SUPPRESS_SEND` (default: on when `TESTING`): the message is appended to
  `app.extensions["mail_outbox"]`, so tests read what would have been sent;
- `MAIL_SERVER` set: sent with smtplib (`MAIL_PORT`, `MAIL_USE_TLS` for STARTTLS,
  `MAIL_USERNAME`/`MAIL_PASSWORD`, `MAIL_FROM`), on a background thread, so that the time a page
  takes does not tell whether a message was sent (no account enumeration by timing);
- neither (the embedded demo): the message is written to the application log at WARNING,
  where whoever runs the demo can read the link.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask, current_app

SMTP_TIMEOUT = 20
"""Seconds before a silent mail server is given up on (the thread must not hang forever)."""


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    sender: str


def init_app(app: Flask) -> None:
    app.config.setdefault("MAIL_SUPPRESS_SEND", app.testing)
    if app.config["MAIL_SUPPRESS_SEND"]:
        app.extensions["mail_outbox"] = []


def send(to: str, subject: str, body: str) -> threading.Thread | None:
    """Send a plain-text message; returns the sending thread when one was started (tests join it).

    Never raises for a delivery failure: that is logged, and the page answers as it would anyway.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    message = Message(to=to, subject=subject, body=body, sender=str(app.config["MAIL_FROM"]))
    if app.config.get("MAIL_SUPPRESS_SEND"):
        app.extensions.setdefault("mail_outbox", []).append(message)
        return None
    if not app.config.get("MAIL_SERVER"):
        # The body is our own text (not clipped as log values are): the demo's reader needs the link.
        app.logger.warning(
            "mail_not_sent",
            extra={
                "fields": {
                    "event": "mail_not_sent",
                    "reason": "MAIL_SERVER is not set: the message is logged instead",
                    "to": to[:254],
                    "subject": subject,
                    "body": body,
                }
            },
        )
        return None
    thread = threading.Thread(target=_deliver, args=(app, message), name="kyoto-mail", daemon=True)
    thread.start()
    return thread


def _deliver(app: Flask, message: Message) -> None:
    """Hand the message to the SMTP server; a failure is logged with the recipient, never raised."""
    config = app.config
    try:
        email = EmailMessage()
        email["From"] = message.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email.set_content(message.body)
        with smtplib.SMTP(
            config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=SMTP_TIMEOUT
        ) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException, ValueError) as error:
        app.logger.log(
            logging.ERROR,
            "mail_failed",
            extra={"fields": {"event": "mail_failed", "to": message.to[:254], "error": str(error)}},
        )
