"""A focal point answers the `mini` questionnaire in Chromium: skip logic live and without
JavaScript, repeats, drafts kept across sessions, errors announced, submission, languages."""

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
    log_out,
    open_questionnaire,
    send,
    status_message,
)

pytestmark = pytest.mark.browser

TITLE = "Mini questionnaire"
STRATEGY = "National prevention strategy"
YEAR = "Year adopted"


def test_fill_save_come_back_fix_errors_and_submit(
    page: Page, people: People, screenshots: Screenshots
) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    screenshots.take(page, "login")
    field(page, "Email").fill(people.focal_point)
    field(page, "Password").fill("not the password")
    send(page, button(page, "Log in"))
    expect(alert(page)).to_have_text("Email or password is incorrect")
    expect(field(page, "Email")).to_have_attribute("aria-invalid", "true")
    screenshots.take(page, "login-failed")
    log_in(page, people.focal_point)
    expect(page.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    screenshots.take(page, "start-page")
    open_questionnaire(page, TITLE)

    strategy = page.get_by_role("radiogroup", name=STRATEGY)
    year = field(page, YEAR)
    expect(strategy).to_be_visible()
    expect(year).to_be_hidden()
    # Skip logic, live: the year is asked only for a strategy that exists.
    strategy.get_by_role("radio", name="Fully implemented").check()
    expect(year).to_be_visible()
    strategy.get_by_role("radio", name="Not implemented").check()
    expect(year).to_be_hidden()
    strategy.get_by_role("radio", name="Partially").check()
    expect(year).to_be_visible()

    # A repeat item, then a draft with the year left out.
    programmes = page.get_by_role("group", name="Main programmes", exact=True)
    expect(field(programmes, "Programme name")).to_have_count(0)
    send(page, button(page, "Add another"))
    name = field(page, "Programme name")
    expect(name).to_be_visible()
    expect(page.get_by_role("radio", name="Partially")).to_be_checked()
    name.fill("Safe Neighbourhoods")
    field(page, "Budget (USD)").fill("250000")
    screenshots.take(page, "questionnaire-section")
    # Leaving with unsaved typing asks first; staying keeps everything typed.
    page.once("dialog", lambda dialog: dialog.dismiss())
    with page.expect_event("dialog") as asked:
        page.get_by_role("link", name="Criminal justice", exact=True).click(no_wait_after=True)
    assert asked.value.type == "beforeunload"
    expect(page).to_have_url(re.compile(r"/prevention\?"))
    expect(name).to_have_value("Safe Neighbourhoods")
    expect(page.get_by_role("radio", name="Partially")).to_be_checked()
    send(page, button(page, "Save draft"))
    expect(status_message(page, "Draft saved.")).to_be_visible()

    # Another session finds the draft as it was left.
    log_out(page)
    log_in(page, people.focal_point)
    open_questionnaire(page, TITLE)
    expect(page.get_by_role("radio", name="Partially")).to_be_checked()
    expect(field(page, YEAR)).to_be_visible()
    expect(field(page, YEAR)).to_have_value("")
    expect(field(page, "Programme name")).to_have_value("Safe Neighbourhoods")
    expect(field(page, "Budget (USD)")).to_have_value("250000")

    # Submitting announces what is missing, next to the question too.
    send(page, button(page, "Submit"))
    summary = alert(page).filter(has=page.get_by_role("heading", name="There is a problem"))
    expect(summary).to_be_focused()
    expect(alert(page).filter(has_text="cannot be submitted yet")).to_have_count(1)
    expect(summary.get_by_role("link")).to_have_text([f"{YEAR}: an answer is required"])
    expect(field(page, YEAR)).to_have_attribute("aria-invalid", "true")
    expect(field(page, YEAR)).to_have_accessible_description(re.compile("an answer is required"))
    screenshots.take(page, "errors")
    # The summary's link leads to the question.
    summary.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"#strategy_year$"))
    expect(field(page, YEAR)).to_be_in_viewport()

    field(page, YEAR).fill("2019")
    send(page, button(page, "Submit"))
    expect(status_message(page, "Thank you: your answers were submitted.")).to_be_visible()
    expect(alert(page)).to_have_count(0)
    expect(button(page, "Save draft")).to_have_count(0)
    expect(button(page, "Submit")).to_have_count(0)
    expect(page.get_by_text("2019", exact=True)).to_be_visible()
    screenshots.take(page, "submitted")


def test_skip_logic_repeats_and_saving_work_without_javascript(
    new_context: Contexts, people: People, screenshots: Screenshots
) -> None:
    page = new_context.page(java_script=False)
    log_in(page, people.focal_point)
    open_questionnaire(page, TITLE)
    year = field(page, YEAR)
    expect(year).to_be_hidden()
    page.get_by_role("radio", name="Fully implemented").check()
    expect(year).to_be_hidden()  # without JavaScript the page changes when it comes back

    send(page, button(page, "Add another"))
    expect(field(page, "Programme name")).to_be_visible()
    expect(page.get_by_role("radio", name="Fully implemented")).to_be_checked()
    expect(year).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Save draft")).to_be_visible()
    field(page, "Programme name").fill("Schools without Violence")
    year.fill("2015")
    send(page, button(page, "Add another"))
    expect(field(page, "Programme name")).to_have_count(2)
    expect(field(page, "Programme name").first).to_have_value("Schools without Violence")
    expect(year).to_have_value("2015")
    screenshots.take(page, "no-javascript")
    send(page, button(page, "Remove entry 2"))
    expect(field(page, "Programme name")).to_have_count(1)
    expect(page.get_by_role("status").filter(has_text="entry 2 removed")).to_be_visible()

    send(page, button(page, "Save draft"))
    expect(status_message(page, "Draft saved.")).to_be_visible()
    expect(year).to_have_value("2015")
    expect(field(page, "Programme name")).to_have_value("Schools without Violence")

    # The answer that no longer applies is hidden on the next page and dropped, with a notice.
    page.get_by_role("radio", name="Not implemented").check()
    send(page, button(page, "Save draft"))
    expect(status_message(page, "Draft saved.")).to_be_visible()
    expect(year).to_be_hidden()
    expect(page.get_by_text(re.compile(r"no longer apply.*Year adopted"))).to_be_visible()
    page.get_by_role("radio", name="Partially").check()
    send(page, button(page, "Save draft"))
    expect(year).to_be_visible()
    expect(year).to_have_value("")
    # Enter in a text box saves the draft (it neither adds nor removes an entry).
    year.fill("2020")
    send(page, year, "Enter")
    expect(page.get_by_text(re.compile(r"no longer apply"))).to_have_count(0)
    expect(status_message(page, "Draft saved.")).to_be_visible()
    expect(year).to_have_value("2020")
    expect(field(page, "Programme name")).to_have_value("Schools without Violence")


def test_arabic_is_right_to_left_and_french_has_french_buttons(
    page: Page, people: People, screenshots: Screenshots
) -> None:
    log_in(page, people.focal_point)
    open_questionnaire(page, TITLE)
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "ltr")
    languages = page.get_by_role("navigation").filter(has_text="This questionnaire in:")

    languages.get_by_role("link", name="العربية").click()
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.get_by_role("radiogroup", name="الاستراتيجية الوطنية للوقاية")).to_be_visible()
    page.get_by_role("radio", name="منفذة بالكامل").check()
    expect(field(page, "سنة الاعتماد")).to_be_visible()  # skip logic in Arabic too
    screenshots.take(page, "questionnaire-arabic")

    page.get_by_role("link", name="français").click()
    expect(html).to_have_attribute("dir", "ltr")
    expect(html).to_have_attribute("lang", "fr")
    expect(button(page, FRENCH.save)).to_be_visible()
    expect(button(page, FRENCH.submit)).to_be_visible()
    expect(button(page, ENGLISH.save)).to_have_count(0)
    expect(page.get_by_role("radiogroup", name="Stratégie nationale de prévention")).to_be_visible()
    screenshots.take(page, "questionnaire-french")

    # The interface language selector ("Language") turns the start page French as well.
    page.goto("/")
    choose_language(page, "fr")
    expect(page.get_by_role("heading", level=1, name="Vos questionnaires")).to_be_visible()
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(html).to_have_attribute("lang", "fr")
    expect(button(page, FRENCH.save)).to_be_visible()
    expect(button(page, FRENCH.submit)).to_be_visible()


# -- product bugs these tests found, now fixed: they stay as regression tests.


def test_the_hidden_default_button_is_not_drawn(page: Page, people: People) -> None:
    log_in(page, people.focal_point)
    open_questionnaire(page, TITLE)
    form = page.locator("form[data-kyoto-form]")
    expect(form.locator("button[hidden]")).to_have_count(1)
    expect(form.locator("button[hidden]")).to_be_hidden(timeout=1000)


def test_submission_errors_are_in_the_page_language(page: Page, people: People) -> None:
    log_in(page, people.focal_point)
    open_questionnaire(page, TITLE)
    page.get_by_role("link", name="français").click()
    page.get_by_role("radio", name="Partiellement").check()
    send(page, button(page, FRENCH.submit))
    summary = alert(page).filter(has=page.get_by_role("heading", name="Il y a un problème"))
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link")).to_have_text(
        re.compile(r"^Année d'adoption\s?: une réponse est requise$"), timeout=1000
    )


def test_the_language_selector_works_on_a_questionnaire_page(page: Page, people: People) -> None:
    log_in(page, people.focal_point)
    open_questionnaire(page, TITLE)
    page.get_by_label("Language", exact=True).select_option("fr")
    send(page, button(page, ENGLISH.change))
    expect(page.get_by_label("Language", exact=True)).to_have_value("fr", timeout=1000)
    expect(button(page, FRENCH.save)).to_be_visible(timeout=1000)
