"""Routes of the `admin` blueprint."""

from __future__ import annotations
