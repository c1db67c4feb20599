"""A tiny HTML reader for the respond tests: elements, text, and accessible names as a browser
computes them for our markup (aria-labelledby, aria-label, <label for>, legend of a fieldset).

Also tests itself on the markup patterns the question macros use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask import Flask, g

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def walk(self):  # type: ignore[no-untyped-def]
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.walk()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        found = []
        for element in self.walk():
            if tag is not None and element.tag != tag:
                continue
            if all(
                element.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items()
            ):
                found.append(element)
        return found

    def by_id(self, ident: str) -> Element | None:
        return next((e for e in self.walk() if e.attrs.get("id") == ident), None)

    @property
    def is_hidden(self) -> bool:
        node: Element | None = self
        while node is not None:
            if "hidden" in node.attrs:
                return True
            node = node.parent
        return False


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root
        self.scripts: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: (v or "") for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def accessible_name(document: Element, element: Element) -> str:
    """The accessible name of a form control or group, for the patterns our templates use."""
    labelledby = element.get("aria-labelledby")
    if labelledby:
        parts = [document.by_id(i) for i in labelledby.split()]
        return " ".join(p.text for p in parts if p is not None).strip()
    if element.get("aria-label"):
        return element.get("aria-label", "") or ""
    ident = element.get("id")
    if ident and element.tag in ("input", "select", "textarea"):
        labels = [label for label in document.find_all("label") if label.get("for") == ident]
        if labels:
            return " ".join(label.text for label in labels)
    if element.tag == "fieldset":
        legend = next(
            (c for c in element.children if isinstance(c, Element) and c.tag == "legend"), None
        )
        return legend.text if legend is not None else ""
    if element.tag in ("button", "a"):
        return element.text
    node = element.parent
    while node is not None:
        if node.tag == "label":
            return node.text
        node = node.parent
    return ""


def controls(document: Element) -> list[Element]:
    """Answer inputs: inputs, selects and textareas that are not hidden fields or buttons."""
    return [
        e
        for e in document.walk()
        if e.tag in ("input", "select", "textarea") and e.get("type") not in ("hidden", "submit")
    ]


def described_by(document: Element, element: Element) -> str:
    ids = (element.get("aria-describedby") or "").split()
    return " ".join(document.by_id(i).text for i in ids if document.by_id(i) is not None)


def group_of(element: Element) -> Element | None:
    node = element.parent
    while node is not None and node.tag != "fieldset":
        node = node.parent
    return node


def _forget_user() -> None:
    g.pop("_login_user", None)


@pytest.fixture
def user_per_request(app: Flask) -> None:
    """Each request finds its own user in its own session cookie.

    The `app` fixture keeps an application context pushed, so requests share `g`, where
    Flask-Login caches the current user: a second client would act as the first one's user.
    """
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_user)


# -- self-test --------------------------------------------------------------------------------


def test_names_follow_labels_legends_and_labelledby() -> None:
    document = parse(
        '<label for="a">Year</label><input id="a" name="a">'
        '<fieldset><legend>Strategy</legend><input type="radio" id="b"><label for="b">Full</label></fieldset>'
        '<span id="r">Men</span><span id="c">Convicted</span><input id="d" aria-labelledby="r c">'
        '<div hidden><input id="e"></div>'
    )
    names = {e.get("id"): accessible_name(document, e) for e in controls(document)}
    assert names == {"a": "Year", "b": "Full", "d": "Men Convicted", "e": ""}
    radio = document.by_id("b")
    assert radio is not None
    group = group_of(radio)
    assert group is not None
    assert accessible_name(document, group) == "Strategy"
    hidden = document.by_id("e")
    assert hidden is not None
    assert hidden.is_hidden
