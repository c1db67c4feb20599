"""Blueprints by audience, registered in one place."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    @app.get("/ping")
    def ping() -> str:
        """A trivial endpoint: load balancers' health check and the benchmarks' baseline."""
        return "pong"
