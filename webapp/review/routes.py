"""Routes of the `review` blueprint."""

from __future__ import annotations
