"""Blueprints by audience, registered in one place."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from webapp.account import bp as account
    from webapp.admin import bp as admin
    from webapp.auth import bp as auth
    from webapp.respond import bp as respond
    from webapp.review import bp as review

    app.register_blueprint(auth)
    app.register_blueprint(account, url_prefix="/account")
    app.register_blueprint(respond)
    app.register_blueprint(review, url_prefix="/review")
    app.register_blueprint(admin, url_prefix="/admin")

    @app.get("/ping")
    def ping() -> str:
        """A trivial endpoint: load balancers' health check and the benchmarks' baseline."""
        return "pong"
