"""Messages a respondent reads, in the questionnaire's language where a translation exists.

Validation produces codes and parameters; this catalogue turns them into sentences, one module
per language (the six official languages of the United Nations). Adding a language means adding
one module and one line in `CATALOGUE`; a missing entry falls back to English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.messages import ar, en, es, fr, ru, zh

CATALOGUE: Mapping[str, Mapping[str, str]] = {
    "en": en.MESSAGES,
    "fr": fr.MESSAGES,
    "es": es.MESSAGES,
    "ar": ar.MESSAGES,
    "ru": ru.MESSAGES,
    "zh": zh.MESSAGES,
}


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def render(code: str, params: Mapping[str, Any], lang: str | None) -> str:
    """The message for `code` in `lang` (falling back to English), parameters filled in."""
    singular = params.get("limit") == 1 and not isinstance(params["limit"], bool)
    codes = (f"{code}_one", code) if singular else (code,)
    template = next(
        catalogue[c]
        for catalogue in (CATALOGUE.get(lang or "en", {}), CATALOGUE["en"])
        for c in codes
        if c in catalogue
    )
    shown = {
        key: (
            value
            if key in ("limit", "rule", "message") and isinstance(value, str)
            else _show(value)
        )
        for key, value in params.items()
    }
    return template.format(**shown)
