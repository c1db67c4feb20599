"""Browser tests: Debian's Chromium, driven by Playwright's sync API, against a live server.

- `live_server`: the app of `tests/conftest.py` (its migrated database: SQLite, or PostgreSQL
  with `TEST_DATABASE_URL`), with CSRF protection on as in production, served by Werkzeug in a
  background thread on 127.0.0.1 and a free port. An exception inside the app fails the test.
- `browser` (one per session), `new_context` (as many as a test needs: one per person) and
  `page` (a page of a fresh context): every context gets the server as its base URL, an English
  browser locale and a short default timeout; a JavaScript error on a page fails the test.
- `screenshots`: `screenshots.take(page, "name")` writes `test-output/screenshots/name.png`.

Chromium is `/usr/bin/chromium` (or `KYOTO_CHROMIUM`): `.ci/run` installs it with apt-get, as
Playwright's own download cannot work here. Without it the tests fail when `CI` is set (CI must
run them) and are skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from tests.conftest import PASSWORD, make_user

CHROMIUM = os.environ.get("KYOTO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
TIMEOUT_MS = int(os.environ.get("KYOTO_BROWSER_TIMEOUT_MS", "10000"))
"""How long a locator or an expectation waits for the page: generous, never a fixed sleep."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Chromium against a live server (tests/browser)"
    )


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> NoReturn:
    """Fail in CI (the browser tests must run there), skip with the reason elsewhere."""
    if _in_ci():
        pytest.fail(
            f"{reason}; CI is set, so the browser tests must run: install Chromium "
            "(`apt-get install chromium`, as .ci/run does) or set KYOTO_CHROMIUM",
            pytrace=False,
        )
    pytest.skip(f"{reason} (install it with `apt-get install chromium`)")


# -- the server -------------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    errors: list[BaseException] = field(default_factory=list)
    """Exceptions raised inside the app while serving (the test fails at teardown)."""


class _Recorder:
    """WSGI middleware keeping every exception the app lets out (TESTING propagates them)."""

    def __init__(self, app: Flask, errors: list[BaseException]) -> None:
        self.app = app
        self.errors = errors

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            return self.app(environ, start_response)
        except BaseException as error:
            self.errors.append(error)
            raise


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """`app` served on 127.0.0.1 and a free port in a background thread, stopped cleanly."""
    app.config["WTF_CSRF_ENABLED"] = True  # the browser posts real forms with real tokens
    errors: list[BaseException] = []
    server: BaseWSGIServer = make_server("127.0.0.1", 0, _Recorder(app, errors), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    live = LiveServer(f"http://127.0.0.1:{server.server_port}", errors)
    try:
        yield live
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    if errors:
        pytest.fail(f"the app raised while serving the browser: {errors!r}", pytrace=False)


# -- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium is not installed at {CHROMIUM}")
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            _unavailable(f"Chromium at {CHROMIUM} does not start: {error.message}")
        from playwright.sync_api import expect

        expect.set_options(timeout=TIMEOUT_MS)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@dataclass
class Contexts:
    """Browser contexts of one test (one per person, so their sessions stay apart)."""

    browser: Any
    server: LiveServer
    opened: list[Any] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def __call__(self, *, java_script: bool = True, locale: str = "en-GB") -> Any:
        context = self.browser.new_context(
            base_url=self.server.url,
            java_script_enabled=java_script,
            locale=locale,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", self._watch)
        self.opened.append(context)
        return context

    def page(self, **options: Any) -> Any:
        """A page in a context of its own."""
        return self(**options).new_page()

    def _watch(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))

    def close(self) -> None:
        for context in self.opened:
            context.close()


@pytest.fixture
def new_context(browser: Any, live_server: LiveServer) -> Iterator[Contexts]:
    contexts = Contexts(browser, live_server)
    try:
        yield contexts
    finally:
        contexts.close()
    assert not contexts.page_errors, f"JavaScript errors: {contexts.page_errors}"


@pytest.fixture
def page(new_context: Contexts) -> Any:
    """A page with JavaScript on, in a context of its own."""
    return new_context.page()


# -- screenshots ------------------------------------------------------------------------------


class Screenshots:
    directory = SCREENSHOTS

    def take(self, page: Any, name: str) -> Path:
        """The whole page as `test-output/screenshots/<name>.png`, after it has loaded."""
        page.wait_for_load_state("load")
        path = self.directory / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0, f"empty screenshot {path}"
        return path


@pytest.fixture(scope="session")
def screenshots() -> Screenshots:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return Screenshots()


# -- the people of the stories ---------------------------------------------------------------


@dataclass(frozen=True)
class People:
    cycle_name: str
    focal_point: str
    secretariat: str
    officer: str
    password: str = PASSWORD


@pytest.fixture
def people(mini_cycle: Any) -> People:
    """The `mini` cycle (France and a youth NGO asked) and one user of every role."""
    france = next(a.organisation for a in mini_cycle.assignments if a.organisation.slug == "FRA")
    return People(
        cycle_name=mini_cycle.name,
        focal_point=make_user("focal_point", france).email,
        secretariat=make_user("secretariat").email,
        officer=make_user("officer").email,
    )
