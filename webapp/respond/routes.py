"""Routes of the `respond` blueprint."""

from __future__ import annotations
