"""What a person does in the browser, found the way the spec promises (§6): by role and
accessible name, in the page's language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD


@dataclass(frozen=True)
class Words:
    """The interface words a test needs, in one language."""

    email: str
    password: str
    log_in: str
    log_out: str
    change: str
    save: str
    submit: str
    saved: str
    submitted: str


ENGLISH = Words(
    email="Email",
    password="Password",
    log_in="Log in",
    log_out="Log out",
    change="Change",
    save="Save draft",
    submit="Submit",
    saved="Draft saved.",
    submitted="Thank you: your answers were submitted.",
)
FRENCH = Words(
    email="Adresse électronique",
    password="Mot de passe",
    log_in="Se connecter",
    log_out="Se déconnecter",
    change="Changer",
    save="Enregistrer le brouillon",
    submit="Soumettre",
    saved="Brouillon enregistré.",
    submitted="Merci : vos réponses ont été soumises.",
)


def button(page: Page | Locator, name: str) -> Locator:
    return page.get_by_role("button", name=name, exact=True)


def send(page: Page, target: Locator, key: str | None = None) -> None:
    """Click `target` (or press `key` in it), which posts a form, and wait for the page that
    comes back: a later check must never pass on the page that was left."""
    with page.expect_navigation():
        if key is None:
            target.click()
        else:
            target.press(key)


def field(page: Page | Locator, label: str) -> Locator:
    return page.get_by_label(label, exact=True)


def status_message(page: Page, text: str) -> Locator:
    """A flash message announced politely (`role="status"`)."""
    return page.get_by_role("status").filter(has_text=text)


def alert(page: Page) -> Locator:
    """Everything announced with `role="alert"` on the page."""
    return page.get_by_role("alert")


def choose_language(page: Page, code: str, words: Words = ENGLISH) -> None:
    """The header's language selector, named "Language" in every language (§6)."""
    page.get_by_label("Language", exact=True).select_option(code)
    send(page, button(page, words.change))
    expect(page.locator("html")).to_have_attribute("lang", re.compile(f"^{code}"))


def log_in(page: Page, email: str, password: str = PASSWORD, words: Words = ENGLISH) -> None:
    if "/login" not in page.url:
        page.goto("/login")
    field(page, words.email).fill(email)
    field(page, words.password).fill(password)
    send(page, button(page, words.log_in))
    expect(page).not_to_have_url(re.compile(r"/login"))
    expect(button(page, words.log_out)).to_be_visible()
    expect(page.get_by_text(email, exact=True)).to_be_visible()


def log_out(page: Page, words: Words = ENGLISH) -> None:
    send(page, button(page, words.log_out))
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(button(page, words.log_in)).to_be_visible()


def open_questionnaire(page: Page, title: str) -> None:
    """From the start page, the link named by the questionnaire's title (§6)."""
    page.goto("/")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
