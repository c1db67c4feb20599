"""The one place the language reads the clock, so tests can monkeypatch `today`."""

from __future__ import annotations

from datetime import UTC, datetime


def today() -> str:
    """Today's date in UTC as 'YYYY-MM-DD' (what `today()` returns in an expression)."""
    return datetime.now(UTC).date().isoformat()
