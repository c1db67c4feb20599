"""A WTForms form class per (questionnaire version, section), compiled once and cached.

The class only names the inputs; what they hold is raw text (see `webapp.forms.fields`), read
from a post (`SectionForm(formdata=request.form)`) or from stored answers
(`SectionForm(data=raw_values(...))`). CSRF is checked for every POST by Flask-WTF's
`CSRFProtect` before the view runs, so these forms carry no token field of their own; the page
template adds `csrf_token()`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from wtforms.form import BaseForm

from engine.model import Questionnaire, Section
from webapp.forms.builders import builder
from webapp.forms.fields import FieldSpec


class SectionForm(BaseForm):
    """The inputs of one section; fields are looked up by name (`form["strategy_year"]`)."""

    field_specs: ClassVar[tuple[FieldSpec, ...]] = ()
    questionnaire_key: ClassVar[tuple[str, int]] = ("", 0)
    section_id: ClassVar[str] = ""

    def __init__(self, formdata: Any = None, data: dict[str, Any] | None = None) -> None:
        super().__init__(self.field_specs)
        self.process(formdata, data=data or {})


@lru_cache(maxsize=256)
def _compiled(
    questionnaire_key: tuple[str, int, str], section_id: str, section: Section
) -> type[SectionForm]:
    specs = tuple(spec for q in section.questions for spec in builder(q).fields(q))
    name = f"SectionForm_{questionnaire_key[0]}_v{questionnaire_key[1]}_{section_id}".replace(
        "-", "_"
    )
    attrs = {
        "field_specs": specs,
        "questionnaire_key": questionnaire_key[:2],
        "section_id": section_id,
    }
    return type(name, (SectionForm,), attrs)


def section_form_class(questionnaire: Questionnaire, section: Section) -> type[SectionForm]:
    """The form class of a section, built on first use (keyed by the version's source hash)."""
    key = (
        questionnaire.id,
        questionnaire.version,
        questionnaire.source_hash or str(id(questionnaire)),
    )
    return _compiled(key, section.id, section)
