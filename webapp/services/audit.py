"""Audit events (J1): one append-only row per login, publication, cycle, user change, each sealed
into one chain (J4, `webapp.services.integrity`)."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context

from webapp.extensions import db
from webapp.models import AuditEvent, User, utcnow
from webapp.services.integrity import seal_event


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def record(
    action: str,
    entity: str,
    entity_id: object = None,
    actor: User | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit row to the current transaction (committed with the change it describes).

    Sealing serialises the writers of audit events until the transaction ends (a lock on
    PostgreSQL, the write lock on SQLite): commit soon after.
    """
    event = AuditEvent(
        at=utcnow(),  # set here, not at flush: the seal covers it
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        actor_id=actor.id if actor is not None else None,
        detail=detail,
        request_id=request_id(),
    )
    seal_event(db.session, event)
    db.session.add(event)
    return event
