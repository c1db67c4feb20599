"""What one database transaction already knows: rows it holds locked and rows it has read.

A page that saves reads the response under its row lock once, at the start of the request; the
services then need not read it again (`is_locked`), and the assignment read to check access is
reused to check the closing date (`remembered`). Both are forgotten when the transaction ends
(commit or rollback): a lock lasts exactly as long as its transaction, and so does this memory.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from webapp.extensions import db

T = TypeVar("T")
_KEY = "kyoto.transaction"


def _memory() -> dict[str, Any]:
    return db.session.info.setdefault(_KEY, {})  # type: ignore[no-any-return]


def mark_locked(row: Any) -> None:
    """`row` was read `FOR UPDATE` in the current transaction."""
    _memory().setdefault("locked", set()).add((type(row).__name__, row.id))


def is_locked(row: Any) -> bool:
    return (type(row).__name__, row.id) in _memory().get("locked", ())


def remembered(kind: str, key: Hashable, read: Callable[[], T]) -> T:
    """`read()` once per transaction for (`kind`, `key`); later calls get the same row. Nothing
    found is not remembered: the row may be created later in the transaction."""
    rows = _memory().setdefault(kind, {})
    if key in rows:
        return rows[key]  # type: ignore[no-any-return]
    row = read()
    if row is not None:
        rows[key] = row
    return row


def remember(kind: str, key: Hashable, row: Any) -> None:
    _memory().setdefault(kind, {})[key] = row


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    """Forgotten at the end of any transaction, a savepoint's included: what a rolled-back
    savepoint wrote is gone, and reading again is always correct (only slower)."""
    session.info.pop(_KEY, None)
