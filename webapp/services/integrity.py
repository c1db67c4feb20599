"""Tamper evidence for the history (RELIABILITY J4): seals on every row, and `verify`.

The history tables refuse UPDATE and DELETE (triggers, J3), but someone with rights on the
database can drop a trigger, change an old answer and put the trigger back. Each revision and
audit event therefore carries a seal: an HMAC-SHA256 over a canonical JSON of the row's content
and the seal of the row before it. The key is derived from the application's SECRET_KEY, which the
database never holds, so rows cannot be re-sealed with database access alone. `verify` recomputes
every seal and compares the present state with the history.

Two chains:
- Revisions are chained per response (number 1..n). `_revise` writes them under the response's
  row lock (PostgreSQL `FOR UPDATE`; SQLite has one writer), so reading the latest (number, seal)
  and inserting the next cannot fork. The response row is the anchor at the other end: its
  `version` counts the revisions and its answers must equal the replayed changes, so removing the
  latest revision is caught too.
- Audit events form one chain in id order. A chain that reads the newest seal and then inserts
  forks when two workers do it at once, so `seal_event` first serialises the writers of audit
  events: `pg_advisory_xact_lock` on PostgreSQL (held until commit or rollback, so the next
  writer reads the committed newest row, and ids are drawn in chain order), `BEGIN IMMEDIATE` on
  SQLite when the transaction has not written yet (the write lock first: a read-then-write
  transaction cannot fork the chain, nor fail when upgrading a stale WAL snapshot). Audit events
  are rare (logins, publications, cycles, users), so the serialisation costs nothing that shows.
  The other design, a seal per row plus a check that ids have no gaps, fails on PostgreSQL: a
  rolled-back transaction consumes sequence numbers, so gaps are normal and a deleted row hides
  among them. With the chain, removing or reordering any event but the newest breaks the next
  seal; the newest events can only be vouched for by comparing the count and head seal that
  `kyoto verify` prints with an earlier run.

Rows written before migration 0002 have no seal: they are counted, not verified. Once sealing
began (the lowest id with a seal), an unsealed row is a problem. Seals made with a previous key
listed in `SECRET_KEY_FALLBACKS` still verify, so the secret key can be rotated.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, joinedload, selectinload

from webapp.models import AuditEvent, Cycle, Response, Revision

AUDIT_LOCK = 0x6B796F746F_01
"""The PostgreSQL advisory lock that serialises the writers of audit events ("kyoto", 1)."""
_KEY_LABEL = b"kyoto history seal v1"


# -- sealing ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _derive(secret: str | bytes) -> bytes:
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(raw, _KEY_LABEL, hashlib.sha256).digest()


def signing_key() -> bytes:
    """The key new seals are made with: derived from SECRET_KEY, never the secret key itself."""
    return _derive(current_app.config["SECRET_KEY"])


def verifying_keys() -> list[bytes]:
    """The current key, then one per `SECRET_KEY_FALLBACKS` entry (seals made before rotation)."""
    fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS") or []
    return [signing_key(), *(_derive(secret) for secret in fallbacks if secret)]


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
"""Sorted keys, no spaces, ASCII only (`ensure_ascii`): the same bytes for the same values."""


def _mac(key: bytes, content: list[Any]) -> str:
    message = _CANONICAL.encode(content).encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _iso(at: dt.datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def revision_seal(revision: Revision, previous: str | None, key: bytes) -> str:
    """The seal of a revision, chained to the seal of the same response's previous revision."""
    return _mac(
        key,
        [
            "revision",
            revision.response_id,
            revision.number,
            revision.actor_id,
            _iso(revision.at),
            revision.action,
            revision.status_before,
            revision.status_after,
            revision.changes,
            revision.comment,
            revision.request_id,
            previous or "",
        ],
    )


def event_seal(event: AuditEvent, previous: str | None, key: bytes) -> str:
    """The seal of an audit event, chained to the seal of the event before it (in id order)."""
    return _mac(
        key,
        [
            "audit_event",
            _iso(event.at),
            event.actor_id,
            event.action,
            event.entity,
            event.entity_id,
            event.detail,
            event.request_id,
            previous or "",
        ],
    )


def seal_event(session: Session, event: AuditEvent) -> None:
    """Seal a new audit event (not yet in the session) after the newest one, writers serialised.

    The lock lasts until the transaction ends: the caller adds the event and commits.
    """
    if any(isinstance(pending, AuditEvent) for pending in session.new):
        session.flush()  # this transaction's earlier events first: the newest row is then ours
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    elif connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:  # type: ignore[attr-defined]
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    previous = session.scalar(select(AuditEvent.seal).order_by(AuditEvent.id.desc()).limit(1))
    event.seal = event_seal(event, previous, signing_key())


# -- verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong, with where it is: response (cycle, organisation) and revision, or event."""

    what: str
    response_id: int | None = None
    cycle: str | None = None
    organisation: str | None = None
    revision: int | None = None
    audit_event_id: int | None = None
    audit_event: str | None = None

    @property
    def where(self) -> str:
        if self.audit_event_id is not None:
            return f"audit event {self.audit_event_id} ({self.audit_event})"
        where = f"response {self.response_id}"
        if self.cycle is not None:
            where += f" ({self.cycle}, {self.organisation})"
        return where if self.revision is None else f"{where} revision {self.revision}"

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class Report:
    responses: int = 0
    revisions: int = 0
    audit_events: int = 0
    unsealed_revisions: int = 0
    """Written before migration 0002: counted, not verifiable."""
    unsealed_audit_events: int = 0
    audit_head: str | None = None
    """The newest audit event's seal: compare with an earlier run to see that none was removed."""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        head = f", newest seal {self.audit_head[:16]}" if self.audit_head else ""
        line = (
            f"{self.responses} response(s), {self.revisions} revision(s), "
            f"{self.audit_events} audit event(s){head}: "
            + ("no problem found" if self.ok else f"{len(self.problems)} problem(s)")
        )
        unsealed = [
            f"{count} {name} written before seals (migration 0002) not verifiable"
            for count, name in (
                (self.unsealed_revisions, "revision(s)"),
                (self.unsealed_audit_events, "audit event(s)"),
            )
            if count
        ]
        return "; ".join([line, *unsealed])


def verify(session: Session) -> Report:
    """Check every response's history and the audit chain; committed state as it is now."""
    report = Report()
    keys = verifying_keys()
    _verify_responses(session, keys, report)
    _verify_audit_events(session, keys, report)
    return report


def _sealed_from(session: Session, model: type[Revision] | type[AuditEvent]) -> int | None:
    """The lowest id with a seal: rows from there on must all be sealed."""
    return session.scalar(select(func.min(model.id)).where(model.seal.is_not(None)))


def _revision_holds(revision: Revision, previous: str, keys: Sequence[bytes]) -> bool:
    seal = revision.seal or ""
    return any(hmac.compare_digest(revision_seal(revision, previous, k), seal) for k in keys)


def _event_holds(event: AuditEvent, previous: str, keys: Sequence[bytes]) -> bool:
    seal = event.seal or ""
    return any(hmac.compare_digest(event_seal(event, previous, k), seal) for k in keys)


def _verify_responses(session: Session, keys: Sequence[bytes], report: Report) -> None:
    sealed_from = _sealed_from(session, Revision)
    responses = session.scalars(
        select(Response)
        .options(
            joinedload(Response.cycle),
            joinedload(Response.organisation),
            selectinload(Response.revisions),
        )
        .order_by(Response.id)
        # What the database holds now, not what this session's objects remember.
        .execution_options(populate_existing=True)
    )
    for response in responses:
        report.responses += 1
        report.revisions += len(response.revisions)
        report.problems.extend(_check_response(response, keys, sealed_from, report))
    # Revisions whose response is gone (possible only with the foreign key dropped).
    orphans = session.execute(
        select(Revision.response_id, func.count())
        .where(Revision.response_id.not_in(select(Response.id)))
        .group_by(Revision.response_id)
    )
    for response_id, count in orphans:
        report.revisions += count
        report.problems.append(
            Problem(f"{count} revision(s) of a response that does not exist", response_id)
        )


def _check_response(
    response: Response, keys: Sequence[bytes], sealed_from: int | None, report: Report
) -> Iterable[Problem]:
    cycle: Cycle = response.cycle
    located = {
        "response_id": response.id,
        "cycle": cycle.name if cycle else f"cycle {response.cycle_id}",
        "organisation": response.organisation.slug if response.organisation else "?",
    }
    revisions = response.revisions
    expected, previous = 1, ""
    for revision in revisions:
        at = {**located, "revision": revision.number}
        if revision.number > expected:
            missing = (
                str(expected)
                if revision.number == expected + 1
                else f"{expected} to {revision.number - 1}"
            )
            yield Problem(f"revision {missing} missing before this one", **at)
        elif revision.number < expected:
            yield Problem("revision number out of order or repeated", **at)
        expected = revision.number + 1
        if revision.seal is None:
            if sealed_from is not None and revision.id >= sealed_from:
                yield Problem("no seal, though written after sealing began", **at)
            else:
                report.unsealed_revisions += 1
        elif not _revision_holds(revision, previous, keys):
            yield Problem(
                "seal does not match: this revision was changed, or the one before it was "
                "removed, replaced or renumbered",
                **at,
            )
        previous = revision.seal or ""
    if response.version != len(revisions):
        yield Problem(
            f"version {response.version} but {len(revisions)} revision(s): every change writes "
            "one revision",
            **located,
        )
    if revisions and revisions[-1].status_after != response.status:
        yield Problem(
            f"status is {response.status} but the history ends in {revisions[-1].status_after}",
            **located,
        )
    if response.published != any(r.action == "publish" for r in revisions):
        yield Problem(
            f"published is {response.published} but the history "
            + ("has no publication" if response.published else "has a publication"),
            **located,
        )
    yield from _compare_answers(response, located)


def _compare_answers(response: Response, located: dict[str, Any]) -> Iterable[Problem]:
    """The current-value check: the stored answers against the answers replayed from history."""
    from webapp.services.responses import replay  # here: responses imports this module to seal

    replayed, stored = replay(response), response.answers or {}
    if not isinstance(stored, dict):
        yield Problem("answers are not a JSON object", **located)
        return
    for key in sorted(set(replayed) | set(stored)):
        if _canonical(stored.get(key, _ABSENT)) != _canonical(replayed.get(key, _ABSENT)):
            yield Problem(
                f"answer /{key} is {_shown(stored.get(key, _ABSENT))} but the history gives "
                f"{_shown(replayed.get(key, _ABSENT))}",
                **located,
            )


_ABSENT = object()


def _canonical(value: Any) -> str | None:
    """Exact JSON comparison: 1, 1.0 and true are different answers."""
    return None if value is _ABSENT else _CANONICAL.encode(value)


def _shown(value: Any, limit: int = 60) -> str:
    if value is _ABSENT:
        return "absent"
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _verify_audit_events(session: Session, keys: Sequence[bytes], report: Report) -> None:
    sealed_from = _sealed_from(session, AuditEvent)
    events = session.scalars(
        select(AuditEvent)
        .order_by(AuditEvent.id)
        .execution_options(populate_existing=True, yield_per=500)
    )
    previous = ""
    for event in events:
        report.audit_events += 1
        label = f"{event.action} {event.entity}" + (
            f" {event.entity_id}" if event.entity_id else ""
        )
        if event.seal is None:
            if sealed_from is not None and event.id >= sealed_from:
                report.problems.append(
                    Problem(
                        "no seal, though written after sealing began",
                        audit_event_id=event.id,
                        audit_event=label,
                    )
                )
            else:
                report.unsealed_audit_events += 1
        elif not _event_holds(event, previous, keys):
            report.problems.append(
                Problem(
                    "seal does not match: this event was changed, or the one before it was "
                    "removed, replaced or reordered",
                    audit_event_id=event.id,
                    audit_event=label,
                )
            )
        previous = event.seal or ""
    report.audit_head = previous or None
