"""The validation messages: every code in the six official languages of the United Nations, with
the English placeholders, counts of one, and the questionnaire's language chosen by validation.

What each message says is pinned by the response case folders (`tests/cases/responses`,
`languages/` for Arabic, Russian and Chinese); this file holds the catalogue together.
"""

from __future__ import annotations

import re
from string import Formatter

import pytest

from engine.checker import check_source
from engine.messages import CATALOGUE, render
from engine.validation import Validator

UN_LANGUAGES = ["en", "fr", "es", "ar", "ru", "zh"]
TRANSLATIONS = [lang for lang in UN_LANGUAGES if lang != "en"]
ENGLISH = CATALOGUE["en"]

SCRIPTS = {
    "ar": re.compile(r"[\u0600-\u06ff]"),
    "ru": re.compile(r"[А-Яа-яЁё]"),
    "zh": re.compile(r"[\u4e00-\u9fff]"),
}


def placeholders(template: str) -> list[str]:
    """The `str.format` fields of a template, in order; a format spec or conversion counts."""
    return [
        name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
        for _text, name, spec, conversion in Formatter().parse(template)
        if name is not None
    ]


def english_placeholders(code: str) -> list[str]:
    """What a code's text must hold: the English one's, or for a `<code>_one` only a language
    has, the English `<code>`'s without `limit` (the count is written out)."""
    if code in ENGLISH:
        return placeholders(ENGLISH[code])
    return [name for name in placeholders(ENGLISH[code.removesuffix("_one")]) if name != "limit"]


def test_the_six_official_languages() -> None:
    assert list(CATALOGUE) == UN_LANGUAGES


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_every_english_code_is_translated(lang: str) -> None:
    assert [code for code in ENGLISH if code not in CATALOGUE[lang]] == []


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_no_code_english_lacks(lang: str) -> None:
    """A language may add `<code>_one` for a count of one (its nouns agree), nothing else."""
    for code in CATALOGUE[lang]:
        if code not in ENGLISH:
            base = code.removesuffix("_one")
            assert code != base, f"{lang}: {code} is not an English code"
            assert "limit" in placeholders(ENGLISH.get(base, "")), f"{lang}: {code} counts nothing"


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_placeholders_are_the_english_ones(lang: str) -> None:
    wrong = {
        code: placeholders(text)
        for code, text in CATALOGUE[lang].items()
        if sorted(placeholders(text)) != sorted(english_placeholders(code))
    }
    assert wrong == {}


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_written_in_the_language_script(lang: str) -> None:
    """No English text left behind in a translation."""
    untranslated = [
        code for code, text in CATALOGUE[lang].items() if not SCRIPTS[lang].search(text)
    ]
    assert untranslated == []


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_every_message_renders(lang: str) -> None:
    params = {"limit": 3, "value": "x", "missing": ["r1", "r2"], "rule": "value <= 1"}
    params["message"] = "text"
    for code in {code.removesuffix("_one") for code in CATALOGUE[lang]}:
        for limit in (1, 3):
            message = render(code, {**params, "limit": limit}, lang)
            assert not re.search(r"[{}]", message), (code, message)


@pytest.mark.parametrize(
    ("lang", "one", "three"),
    [
        ("en", "choose at most 1", "choose at most 3"),
        ("fr", "choisissez au plus 1 option", "choisissez au plus 3 options"),
        ("ar", "يُرجى اختيار خيار واحد على الأكثر", "يجب ألا يتجاوز عدد الخيارات المختارة 3"),
        (
            "ru",
            "выберите не более одного варианта",
            "количество выбранных вариантов не должно превышать 3",
        ),
        ("zh", "最多选择 1 项", "最多选择 3 项"),
    ],
)
def test_a_count_of_one(lang: str, one: str, three: str) -> None:
    """`<code>_one` where a language has it; otherwise the same text serves every count."""
    assert render("max_selected", {"limit": 1}, lang) == one
    assert render("max_selected", {"limit": 3}, lang) == three


@pytest.mark.parametrize("lang", [None, "de", "xx"])
def test_a_language_without_messages_reads_english(lang: str | None) -> None:
    assert render("max_items", {"limit": 2}, lang) == "must have at most 2 entries"


ARABIC_FIRST = """
id: arabic-first
version: 1
title: {ar: استبيان, en: Questionnaire}
languages: [ar, en]
sections:
  - id: s
    pillar: rule_of_law
    title: {ar: القسم, en: Section}
    questions:
      - {id: staff, type: integer, min: 0, label: {ar: الموظفون, en: Staff}}
"""


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        (None, "يجب ألا يقل عن 0"),
        ("en", "must be at least 0"),
        ("zh", "يجب ألا يقل عن 0"),
        ("fr", "يجب ألا يقل عن 0"),
    ],
)
def test_validation_speaks_a_declared_language_or_the_first(lang: str | None, message: str) -> None:
    """Chinese is a UN language but not this questionnaire's: its first language, Arabic, is
    used, not English."""
    result = check_source(ARABIC_FIRST)
    assert result.questionnaire is not None, [str(p) for p in result.problems]
    validated = Validator(result.questionnaire).validate({"staff": -1}, "submit", lang)
    assert [(e.path, e.message) for e in validated.errors] == [("/staff", message)]
