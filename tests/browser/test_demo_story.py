"""The "done means" of the web application on the demo that `make run` serves (`kyoto demo`):
France's focal point, with a French browser, submits the core questionnaire in French; the
Secretariat returns it with a comment on one figure; the focal point sees the comment, fixes the
figure and submits again; the Secretariat accepts; the officer sees it accepted on the board."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import Contexts, Screenshots
from tests.browser.steps import ENGLISH, FRENCH, alert, button, field, log_in, send, status_message
from webapp.demo import DEMO_PASSWORD, build
from webapp.services.cycles import today

pytestmark = pytest.mark.browser

TITLE_FR = (
    "Mise en œuvre de la Déclaration de Kyoto : "
    "questionnaire annuel à l'intention des États Membres"
)
JUSTICE_FR = "Renforcer le système de justice pénale"
PRISONERS_FR = (
    "Nombre total de personnes détenues dans les établissements pénitentiaires "
    "au 31 décembre de l'année considérée"
)
PRISONERS_EN = "Total number of persons held in prisons on 31 December of the reporting year"
COMMENT = "This figure is far from last year's: please check it with the prison administration."


@pytest.fixture
def demo(app: Flask) -> str:
    """The demo of `kyoto demo` in the test database; the name of this year's core cycle."""
    build(echo=lambda _line: None)
    return f"kyoto-core@{today().year}"


def _france_row(page: Page):  # type: ignore[no-untyped-def]
    return page.locator('tr[data-organisation="FRA"]')


def test_the_demo_story_in_french(
    new_context: Contexts, demo: str, screenshots: Screenshots
) -> None:
    # A newcomer whose browser asks for French: the site answers in French from the login on.
    focal = new_context.page(locale="fr-FR")
    focal.goto("/")
    expect(focal).to_have_url(re.compile(r"/login"))
    expect(focal.locator("html")).to_have_attribute("lang", "fr")
    log_in(focal, "focal.fra@demo.kyoto", DEMO_PASSWORD, FRENCH)
    screenshots.take(focal, "demo-start-page-french")
    focal.get_by_role("link", name=TITLE_FR, exact=True).click()
    expect(focal.get_by_role("heading", level=1, name=TITLE_FR)).to_be_visible()
    expect(button(focal, FRENCH.save)).to_be_visible()
    focal.get_by_role("link", name=JUSTICE_FR, exact=True).click()
    prisoners = field(focal, PRISONERS_FR)
    expect(prisoners).to_be_visible()
    first_figure = prisoners.input_value()
    assert first_figure.isdigit(), f"the demo draft has no prisoner count: {first_figure!r}"
    send(focal, button(focal, FRENCH.submit))
    expect(status_message(focal, FRENCH.submitted)).to_be_visible()
    expect(alert(focal)).to_have_count(0)

    # The Secretariat returns it with a comment on the prisoner count.
    secretariat = new_context.page()
    log_in(secretariat, "secretariat@demo.kyoto", DEMO_PASSWORD)
    secretariat.goto(f"/admin/cycles/{demo}")
    expect(_france_row(secretariat)).to_contain_text("submitted")
    _france_row(secretariat).get_by_role("link", name="France").click()
    status = secretariat.locator("[data-status]").first
    expect(status).to_have_text("submitted")
    field(secretariat, f"Comment on “{PRISONERS_EN}” (optional)").fill(COMMENT)
    send(secretariat, button(secretariat, "Return for correction"))
    expect(status).to_have_text("returned")

    # The focal point sees the comment beside the figure, fixes it and submits again.
    focal.reload()
    prisoners = field(focal, PRISONERS_FR)
    expect(focal.locator(".question").filter(has=prisoners).get_by_role("note")).to_contain_text(
        COMMENT
    )
    fixed = str(int(first_figure) + 1234)
    prisoners.fill(fixed)
    send(focal, button(focal, FRENCH.submit))
    expect(status_message(focal, FRENCH.submitted)).to_be_visible()

    # Accepted by the Secretariat, seen accepted by the officer.
    secretariat.reload()
    expect(status).to_have_text("submitted")
    send(secretariat, button(secretariat, "Accept"))
    expect(status).to_have_text("accepted")
    officer = new_context.page()
    log_in(officer, "officer@demo.kyoto", DEMO_PASSWORD, ENGLISH)
    officer.goto("/")
    officer.get_by_role("link", name="Reporting cycles and responses").click()
    officer.get_by_role("link", name=demo, exact=True).click()
    expect(_france_row(officer)).to_have_attribute("data-status", "accepted")
    expect(_france_row(officer).get_by_role("cell").first).to_contain_text("accepted")
    screenshots.take(officer, "demo-status-board")
