"""The web application's "done means", end to end in Chromium with the `mini` questionnaire:
a focal point submits in French, the Secretariat returns it with comments, the focal point sees
them, fixes the answer and submits again, the Secretariat accepts, an officer sees "accepted" on
the status board. Each person has a browser context of their own."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Contexts, People, Screenshots
from tests.browser.steps import (
    ENGLISH,
    FRENCH,
    alert,
    button,
    choose_language,
    field,
    log_in,
    send,
    status_message,
)

pytestmark = pytest.mark.browser

TITLE = "Mini questionnaire"
PRISONERS_FR = "Nombre de détenus"
PRISONERS_EN = "Number of prisoners"
QUESTION_COMMENT = "5000 looks low for a whole country: please check the figure."
RETURN_REASON = "Thank you. Please check the number of prisoners and submit again."


def _board_row(page: Page, organisation: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=organisation))


def _open_board(page: Page, cycle_name: str) -> None:
    """From the start page to the cycle's status board, by links only."""
    page.goto("/")
    page.get_by_role("link", name="Reporting cycles and responses").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name=cycle_name, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=f"Status of {cycle_name}")).to_be_visible()


def test_submit_in_french_return_fix_resubmit_accept_and_see_it_on_the_board(
    new_context: Contexts, people: People, screenshots: Screenshots
) -> None:
    # 1. The focal point, a newcomer, reads the site in French and submits.
    focal = new_context.page()
    focal.goto("/login")
    choose_language(focal, "fr", ENGLISH)
    expect(focal.get_by_role("heading", level=1, name=FRENCH.log_in)).to_be_visible()
    screenshots.take(focal, "login-french")
    log_in(focal, people.focal_point, words=FRENCH)
    expect(focal.get_by_role("heading", level=1, name="Vos questionnaires")).to_be_visible()
    focal.get_by_role("link", name=TITLE, exact=True).click()
    expect(focal.locator("html")).to_have_attribute("lang", "fr")
    focal.get_by_role("radio", name="Pleinement mis en œuvre").check()
    send(focal, button(focal, FRENCH.submit))  # too early: the errors are announced in French
    expect(alert(focal).filter(has_text="Votre brouillon a été enregistré")).to_have_count(1)
    summary = alert(focal).filter(has=focal.get_by_role("heading", name="Il y a un problème"))
    expect(summary.get_by_role("link")).to_have_text([re.compile("^Année d'adoption")])
    screenshots.take(focal, "errors-french")
    field(focal, "Année d'adoption").fill("2015")
    send(focal, button(focal, FRENCH.save))
    expect(status_message(focal, FRENCH.saved)).to_be_visible()

    focal.get_by_role("link", name="Justice pénale", exact=True).click()
    expect(focal.get_by_role("heading", level=2, name="Justice pénale")).to_be_visible()
    field(focal, PRISONERS_FR).fill("5000")
    focal.get_by_role(
        "radiogroup", name="L'aide juridictionnelle est-elle disponible ?"
    ).get_by_role("radio", name="Oui").check()
    send(focal, button(focal, FRENCH.submit))
    expect(status_message(focal, FRENCH.submitted)).to_be_visible()
    expect(button(focal, FRENCH.submit)).to_have_count(0)

    # 2. The Secretariat finds it on the board and returns it with comments.
    secretariat = new_context.page()
    log_in(secretariat, people.secretariat)
    _open_board(secretariat, people.cycle_name)
    expect(_board_row(secretariat, "FRA")).to_contain_text("submitted")
    secretariat.get_by_role("link", name="FRA", exact=True).click()
    status = secretariat.locator("[data-status]").first
    expect(status).to_have_text("submitted")
    expect(secretariat.get_by_role("heading", name=PRISONERS_EN)).to_be_visible()
    expect(secretariat.get_by_text("5000", exact=True)).to_be_visible()
    send(secretariat, button(secretariat, "Return for correction"))  # without saying why: refused
    expect(alert(secretariat)).to_have_count(1)
    expect(status).to_have_text("submitted")
    field(secretariat, f"Comment on “{PRISONERS_EN}” (optional)").fill(QUESTION_COMMENT)
    field(secretariat, "Reason for returning").fill(RETURN_REASON)
    screenshots.take(secretariat, "review")
    send(secretariat, button(secretariat, "Return for correction"))
    expect(
        status_message(secretariat, "The response is returned to the organisation")
    ).to_be_visible()
    expect(status).to_have_text("returned")
    expect(button(secretariat, "Accept")).to_have_count(0)

    # 3. The focal point sees both comments, fixes the figure and submits again.
    focal.goto("/")
    expect(focal.get_by_role("listitem").filter(has_text=TITLE)).to_contain_text(
        "Renvoyée pour correction"
    )
    focal.get_by_role("link", name=TITLE, exact=True).click()
    returned = focal.get_by_role("note").filter(has_text="Renvoyé par le Secrétariat")
    expect(returned).to_contain_text(RETURN_REASON)
    focal.get_by_role("link", name="Justice pénale", exact=True).click()
    prisoners = field(focal, PRISONERS_FR)
    expect(prisoners).to_have_value("5000")
    expect(focal.locator(".question").filter(has=prisoners).get_by_role("note")).to_contain_text(
        QUESTION_COMMENT
    )
    screenshots.take(focal, "returned-with-comments")
    prisoners.fill("50000")
    send(focal, button(focal, FRENCH.submit))
    expect(status_message(focal, FRENCH.submitted)).to_be_visible()
    expect(alert(focal)).to_have_count(0)

    # 4. The Secretariat accepts; the history tells the whole story.
    secretariat.reload()
    expect(status).to_have_text("submitted")
    expect(secretariat.get_by_text("50000", exact=True)).to_be_visible()
    send(secretariat, button(secretariat, "Accept"))
    expect(status_message(secretariat, "The response is accepted.")).to_be_visible()
    expect(status).to_have_text("accepted")
    secretariat.get_by_role("link", name="History", exact=True).click()
    revisions = secretariat.locator("li.revision")
    expect(revisions.locator(".revision-action")).to_contain_text(
        [
            "Draft saved by",
            "Submitted by",
            "Returned for correction by",
            "Submitted by",
            "Accepted by",
        ]
    )
    expect(secretariat.get_by_text(RETURN_REASON)).to_be_visible()
    expect(secretariat.get_by_text(QUESTION_COMMENT)).to_be_visible()
    timeline = secretariat.locator("section.timeline").filter(
        has=secretariat.get_by_role("heading", name=re.compile(PRISONERS_EN))
    )
    expect(timeline).to_contain_text(re.compile(r"5000\s*→\s*50000"))
    screenshots.take(secretariat, "history")

    # 5. An officer sees it accepted on the status board, and can read but not act.
    officer = new_context.page()
    log_in(officer, people.officer)
    _open_board(officer, people.cycle_name)
    expect(_board_row(officer, "FRA")).to_contain_text("accepted")
    expect(_board_row(officer, "Youth network")).to_contain_text("not started")
    screenshots.take(officer, "status-board")
    officer.get_by_role("link", name="FRA", exact=True).click()
    expect(officer.locator("[data-status]").first).to_have_text("accepted")
    expect(button(officer, "Accept")).to_have_count(0)
    expect(button(officer, "Reopen")).to_have_count(0)
