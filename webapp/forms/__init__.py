"""Forms compiled from questionnaire definitions, and what the question macros draw.

    section_form_class(questionnaire, section)   the cached WTForms form class of a section
    raw_values / parse_values                    stored answers <-> what the inputs hold
    drop_hidden(questionnaire, answers)          answers of questions not asked, removed
    prepare_section(...) / prepare_sections(...) view objects for `respond/_questions.html`

Numbers typed in forms follow `webapp.forms.numbers` (one documented grammar).
"""

from __future__ import annotations

from webapp.forms.builders import (
    BUILDERS,
    Parsed,
    builder,
    display_answer,
    parse_values,
    raw_values,
)
from webapp.forms.compile import SectionForm, section_form_class
from webapp.forms.logic import client_plan, compute, drop_hidden
from webapp.forms.views import (
    Conflict,
    QuestionView,
    SectionView,
    prepare_section,
    prepare_sections,
)

__all__ = [
    "BUILDERS",
    "Conflict",
    "Parsed",
    "QuestionView",
    "SectionForm",
    "SectionView",
    "builder",
    "client_plan",
    "compute",
    "display_answer",
    "drop_hidden",
    "parse_values",
    "prepare_section",
    "prepare_sections",
    "raw_values",
    "section_form_class",
]
