"""Forms compiled from definitions: every question type renders with its accessible name and
round-trips (answers -> inputs -> posted form -> answers); typed numbers follow one policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from engine.checker import check_source
from engine.model import Questionnaire
from engine.types import REGISTRY
from engine.validation import validator_for
from tests.webapp.test_respond_html import (
    Element,
    accessible_name,
    controls,
    described_by,
    group_of,
    parse,
)
from webapp.forms import (
    BUILDERS,
    parse_values,
    prepare_section,
    raw_values,
    section_form_class,
)
from webapp.forms.numbers import NumberError, parse_number

ALL_TYPES = """
id: all-types
version: 1
title: {en: Every question type, fr: Tous les types de questions}
languages: [en, fr]
choices:
  level:
    - {value: high, label: {en: High, fr: Élevé}}
    - {value: low, label: {en: Low, fr: Faible}}
sections:
  - id: basics
    pillar: crime_prevention
    title: {en: Basics, fr: Bases}
    questions:
      - {id: intro, type: note, label: {en: Read this first, fr: Lisez d'abord}}
      - {id: agency, type: text, max_length: 20, pattern: "[A-Z]{2,}.*", label: {en: Agency name, fr: Nom de l'agence}, hint: {en: Capital letters first, fr: Majuscules d'abord}}
      - {id: summary, type: textarea, max_length: 500, label: {en: Summary, fr: Résumé}}
      - {id: contact, type: email, label: {en: Contact email, fr: Courriel}}
      - {id: website, type: url, label: {en: Website, fr: Site web}}
      - {id: staff, type: integer, min: 0, max: 100000, label: {en: Staff, fr: Personnel}}
      - {id: budget, type: decimal, min: 0, label: {en: Budget, fr: Budget}}
      - {id: adopted_on, type: date, min: "2000-01-01", max: today, label: {en: Adopted on, fr: Adopté le}}
      - {id: has_plan, type: yes_no, label: {en: Has a plan, fr: A un plan}}
      - {id: priority, type: single_choice, choices: level, other: true, label: {en: Priority, fr: Priorité}}
      - {id: areas, type: multiple_choice, choices: level, max_selected: 2, label: {en: Areas, fr: Domaines}}
      - {id: per_staff, type: calculated, expression: "budget / staff", label: {en: Budget per staff, fr: Budget par agent}}
  - id: tables
    pillar: criminal_justice
    title: {en: Tables, fr: Tableaux}
    questions:
      - id: ratings
        type: matrix
        choices: level
        rows:
          - {id: police, label: {en: Police, fr: Police}}
          - {id: courts, label: {en: Courts, fr: Tribunaux}}
        label: {en: Ratings, fr: Évaluations}
      - id: cases
        type: grid
        cell: integer
        min: 0
        rows:
          - {id: men, label: {en: Men, fr: Hommes}}
          - {id: women, label: {en: Women, fr: Femmes}}
        columns:
          - {id: convicted, label: {en: Convicted, fr: Condamnés}}
          - {id: acquitted, label: {en: Acquitted, fr: Acquittés}}
        label: {en: Cases, fr: Affaires}
      - id: projects
        type: repeat
        max_items: 3
        label: {en: Projects, fr: Projets}
        questions:
          - {id: title, type: text, required: true, label: {en: Project title, fr: Titre du projet}}
          - {id: cost, type: decimal, min: 0, label: {en: Cost, fr: Coût}}
          - {id: funded, type: yes_no, label: {en: Funded, fr: Financé}}
          - {id: funder, type: single_choice, choices: level, other: true, when: "funded == true", label: {en: Funder, fr: Bailleur}}
          - {id: cost_k, type: calculated, expression: "cost / 1000", label: {en: Cost in thousands, fr: Coût en milliers}}
"""

ANSWERS: dict[str, Any] = {
    "agency": "UNODC office",
    "summary": "Line one\nLine two, with <b>tags</b> & ampersands",
    "contact": "focal@example.org",
    "website": "https://example.org/é",
    "staff": 120,
    "budget": 2500.5,
    "adopted_on": "2021-03-07",
    "has_plan": False,
    "priority": "other",
    "priority_other": "Ministry of Justice",
    "areas": ["high", "low"],
    "ratings": {"police": "high", "courts": "low"},
    "cases": {"men": {"convicted": 10, "acquitted": 0}, "women": {"convicted": 3}},
    "projects": [
        {"title": "Prisons", "cost": 1500, "funded": True, "funder": "other", "funder_other": "EU"},
        {"title": "Courts", "funded": False},
    ],
}
LABELS_EN = {
    "agency": "Agency name",
    "summary": "Summary",
    "contact": "Contact email",
    "website": "Website",
    "staff": "Staff",
    "budget": "Budget",
    "adopted_on": "Adopted on",
}


@pytest.fixture(autouse=True)
def _request(app: Flask):  # type: ignore[no-untyped-def]
    """Labels are translated (Flask-Babel): pages are prepared inside a request."""
    with app.test_request_context():
        yield


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    result = check_source(ALL_TYPES, "all-types.yaml")
    assert result.questionnaire is not None, result.errors
    return result.questionnaire


def render(app: Flask, view: Any) -> Element:
    module = app.jinja_env.get_template("respond/_questions.html").make_module()
    return parse(str(module.render_section(view)))


def posted(document: Element) -> MultiDict:
    """What a browser would send for the inputs of a page (no JavaScript)."""
    data: MultiDict = MultiDict()
    for element in document.walk():
        name = element.get("name")
        if not name or "disabled" in element.attrs:
            continue
        if element.tag == "input":
            kind = element.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in element.attrs:
                    data.add(name, element.get("value", "on"))
            elif kind not in ("submit", "button"):
                data.add(name, element.get("value", ""))
        elif element.tag == "textarea":
            text = "".join(c for c in element.children if isinstance(c, str))
            data.add(name, text[1:] if text.startswith("\n") else text)
    return data


def test_every_engine_type_has_a_field_builder() -> None:
    assert set(BUILDERS) == set(REGISTRY)


def test_sample_answers_are_valid(questionnaire: Questionnaire) -> None:
    result = validator_for(questionnaire).validate(ANSWERS, "draft")
    assert result.errors == []


@pytest.mark.parametrize("section_index", [0, 1])
def test_answers_round_trip_through_the_html_form(
    app: Flask, questionnaire: Questionnaire, section_index: int
) -> None:
    section = questionnaire.sections[section_index]
    view = prepare_section(questionnaire, section, lang="en", answers=ANSWERS, mode="edit")
    document = render(app, view)
    form = section_form_class(questionnaire, section)(formdata=posted(document))
    parsed = parse_values(section.questions, form.data)
    keys = {k for q in section.questions for k in (q.id, q.other_key)} - {"per_staff"}
    expected = {k: v for k, v in ANSWERS.items() if k in keys}
    assert parsed.errors == []
    assert parsed.answers == expected
    assert (
        validator_for(questionnaire).validate(parsed.answers, "draft").answers.keys()
        >= expected.keys()
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_input_is_named_by_its_question_label(
    app: Flask, questionnaire: Questionnaire, lang: str
) -> None:
    names: dict[str, str] = {}
    groups: dict[str, str] = {}
    for section in questionnaire.sections:
        view = prepare_section(questionnaire, section, lang=lang, answers=ANSWERS, mode="edit")
        document = render(app, view)
        assert document.find_all("section")[0].get("lang") == lang
        for control in controls(document):
            name = accessible_name(document, control)
            assert name, f"{control.get('name')} has no accessible name"
            names[control.get("id") or ""] = name
            group = group_of(control)
            if group is not None:
                groups[control.get("id") or ""] = accessible_name(document, group)
    text = lambda q: questionnaire.text(questionnaire.by_id[q].label, lang)  # noqa: E731
    for qid in LABELS_EN:
        assert names[qid] == text(qid)
    assert names["has_plan-0"] == ("Yes" if lang == "en" else names["has_plan-0"])
    for radio in ("has_plan-0", "priority-0", "areas-0"):
        assert groups[radio] == text(radio.split("-")[0])
    assert groups["ratings-police-0"] == questionnaire.text(
        questionnaire.by_id["ratings"].rows[0].label, lang
    )
    assert names["ratings-police-0"] == questionnaire.text(
        questionnaire.choices["level"][0].label, lang
    )
    men = questionnaire.text(questionnaire.by_id["cases"].rows[0].label, lang)
    convicted = questionnaire.text(questionnaire.by_id["cases"].columns[0].label, lang)
    assert names["cases-men-convicted"] == f"{men} {convicted}"
    assert names["projects-0-title"] == text("title")
    assert names["projects-1-cost"] == text("cost")
    assert groups["projects-0-funded-0"] == text("funded")


def test_hints_errors_and_required_are_tied_to_their_input(
    app: Flask, questionnaire: Questionnaire
) -> None:
    section = questionnaire.sections[0]

    class Problem:
        path = "/agency"
        message = "does not have the expected format"

    view = prepare_section(
        questionnaire, section, lang="en", answers={"agency": "x"}, errors=[Problem()], mode="edit"
    )
    document = render(app, view)
    agency = document.by_id("agency")
    assert agency is not None
    assert agency.get("aria-invalid") == "true"
    assert (
        described_by(document, agency) == "Capital letters first does not have the expected format"
    )
    assert agency.get("maxlength") == "20"


def test_skip_logic_hides_members_per_item_and_calculates(
    app: Flask, questionnaire: Questionnaire
) -> None:
    section = questionnaire.sections[1]
    view = prepare_section(questionnaire, section, lang="en", answers=ANSWERS, mode="edit")
    document = render(app, view)
    first = document.by_id("projects-0-funder--question")
    second = document.by_id("projects-1-funder--question")
    assert first is not None
    assert second is not None
    assert not first.is_hidden
    assert second.is_hidden
    cost_k = document.by_id("projects-0-cost_k")
    assert cost_k is not None
    assert cost_k.text == "1.5"
    basics = prepare_section(questionnaire, questionnaire.sections[0], lang="en", answers=ANSWERS)
    per_staff = next(q for q in basics.questions if q.id == "per_staff")
    assert per_staff.output == str(2500.5 / 120)


def test_grid_totals_are_drawn(app: Flask, questionnaire: Questionnaire) -> None:
    view = prepare_section(questionnaire, questionnaire.sections[1], lang="en", answers=ANSWERS)
    document = render(app, view)
    totals = {o.get("id"): o.text for o in document.find_all("output") if o.get("data-grid-total")}
    assert totals["cases--row--men--total"] == "10"
    assert totals["cases--column--convicted--total"] == "13"
    assert [o.text for o in document.find_all("output") if o.get("data-grid-total") == "all"] == [
        "13"
    ]


def test_read_mode_shows_answers_as_text(app: Flask, questionnaire: Questionnaire) -> None:
    view = prepare_section(
        questionnaire, questionnaire.sections[0], lang="fr", answers=ANSWERS, mode="read"
    )
    document = render(app, view)
    assert controls(document) == []
    text = document.text
    assert "Autre: Ministry of Justice" in text or "Other: Ministry of Justice" in text
    assert "Line one Line two, with <b>tags</b> & ampersands" in text
    assert not document.find_all("b")


def test_empty_inputs_are_unanswered_and_text_is_kept_as_typed(
    questionnaire: Questionnaire,
) -> None:
    section = questionnaire.sections[0]
    empty = section_form_class(questionnaire, section)(
        formdata=MultiDict({"agency": "", "staff": "  "})
    )
    assert parse_values(section.questions, empty.data).answers == {}
    spaced = section_form_class(questionnaire, section)(formdata=MultiDict({"agency": " UN "}))
    assert parse_values(section.questions, spaced.data).answers == {"agency": " UN "}
    tables = questionnaire.sections[1]
    form = section_form_class(questionnaire, tables)(
        formdata=MultiDict({"cases-men-convicted": " "})
    )
    assert parse_values(tables.questions, form.data).answers == {}


def test_raw_values_show_stored_answers(questionnaire: Questionnaire) -> None:
    raw = raw_values(questionnaire.sections[0].questions, ANSWERS)
    assert raw["staff"] == "120"
    assert raw["budget"] == "2500.5"
    assert raw["has_plan"] == "false"
    assert raw["areas"] == ["high", "low"]


def test_textarea_line_breaks_are_stored_as_line_feeds(questionnaire: Questionnaire) -> None:
    section = questionnaire.sections[0]
    form = section_form_class(questionnaire, section)(formdata=MultiDict({"summary": "a\r\nb"}))
    assert parse_values(section.questions, form.data).answers == {"summary": "a\nb"}


def test_other_text_is_kept_only_with_other(questionnaire: Questionnaire) -> None:
    section = questionnaire.sections[0]
    data = MultiDict({"priority": "high", "priority_other": "left over"})
    form = section_form_class(questionnaire, section)(formdata=data)
    assert parse_values(section.questions, form.data).answers == {"priority": "high"}


def test_repeat_items_are_read_in_index_order_with_gaps(questionnaire: Questionnaire) -> None:
    section = questionnaire.sections[1]
    data = MultiDict(
        [("projects-5-title", "B"), ("projects-0-title", "A"), ("projects-9-ITEM", "1")]
    )
    form = section_form_class(questionnaire, section)(formdata=data)
    assert parse_values(section.questions, form.data).answers == {
        "projects": [{"title": "A"}, {"title": "B"}, {}]
    }


def test_unreadable_cells_are_errors_at_the_cell(questionnaire: Questionnaire) -> None:
    section = questionnaire.sections[1]
    data = MultiDict({"cases-men-convicted": "1,000", "cases-women-acquitted": "4"})
    form = section_form_class(questionnaire, section)(formdata=data)
    parsed = parse_values(section.questions, form.data)
    assert parsed.errors == [
        (
            ("cases", "men", "convicted"),
            "write the number without spaces or thousands separators, e.g. 1000",
        )
    ]
    assert parsed.unknown == {"cases"}
    assert "cases" not in parsed.answers


# -- the number policy (RELIABILITY §3.7, C8) ----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2024", 2024),
        (" 2024 ", 2024),
        ("٢٠٢٤", 2024),  # Arabic-Indic digits
        ("۲۰۲۴", 2024),  # Extended Arabic-Indic (Persian) digits
        ("２０２４", 2024),  # full-width digits
        ("١٫٥", 1.5),  # Arabic decimal separator
        ("−3", -3),  # minus sign
        ("-0", 0),
        ("2350.0", 2350),
        ("2.50", 2.5),
        ("007", 7),
        (".5", 0.5),
        ("9007199254740992", 2**53),
        ("9007199254740993", 2**53 + 1),  # integers stay exact, as the engine keeps them
        ("1" + "0" * 39 + ".5", 1e39),
    ],
)
def test_numbers_are_stored_canonically(typed: str, stored: int | float) -> None:
    value = parse_number(typed, whole=True)
    assert value == stored
    assert type(value) is type(stored)


def test_large_decimals_are_doubles_and_large_integers_exact() -> None:
    digits = "114854312756579110" + "0" * 291
    assert parse_number(digits) == 1.1485431275657911e308
    assert parse_number(digits, whole=True) == int(digits)
    assert parse_number("9007199254740993") == 9007199254740992.0


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (" 1_000 ", "thousands"),
        ("1,000", "thousands"),
        ("1 000", "thousands"),
        ("1\u00a0000", "thousands"),  # no-break space
        ("1\u202f000", "thousands"),  # narrow no-break space (French)
        ("1,5", "decimal_comma"),
        ("1e3", "exponent"),
        ("1E-3", "exponent"),
        ("0x10", "number"),
        ("+5", "number"),
        ("12abc", "number"),
        ("NaN", "number"),
        ("Infinity", "number"),
        ("1" * 5000, "too_large"),
        ("1" * 401, "too_large"),
        ("1" + "0" * 310 + ".5", "too_large"),
        ("--1", "number"),
    ],
)
def test_non_canonical_numbers_are_refused_with_a_reason(typed: str, code: str) -> None:
    with pytest.raises(NumberError) as refused:
        parse_number(typed)
    assert refused.value.code == code
    assert refused.value.message


def test_number_messages_say_what_to_type() -> None:
    with pytest.raises(NumberError) as refused:
        parse_number("1,5")
    assert refused.value.message == "use a dot for the decimal part, e.g. 1.5"


def test_date_bounds_resolve_today(app: Flask, questionnaire: Questionnaire) -> None:
    view = prepare_section(questionnaire, questionnaire.sections[0], lang="en", answers={})
    adopted = next(q for q in view.questions if q.id == "adopted_on")
    assert adopted.input_type == "date"
    assert adopted.min == "2000-01-01"
    assert adopted.max == dt.datetime.now(dt.UTC).date().isoformat()
