"""Messages a respondent reads, in the questionnaire's language where a translation exists.

Validation produces codes and parameters; this catalogue turns them into sentences. Adding a
language means adding one mapping; a missing entry falls back to English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CATALOGUE: Mapping[str, Mapping[str, str]] = {
    "en": {
        "response_object": "the response must be a JSON object of answers keyed by question id",
        "unknown_key": "is not a question of this questionnaire",
        "required": "an answer is required",
        "hidden": "must be absent: this question is not asked given the other answers",
        "empty": "is empty: remove the key instead",
        "null": "is null: remove the key instead",
        "type_text": "must be text",
        "control_characters": "contains control characters that are not allowed",
        "max_length": "must be at most {limit} characters long",
        "max_length_one": "must be at most 1 character long",
        "pattern": "does not have the expected format",
        "type_integer": "must be a whole number",
        "type_number": "must be a number",
        "minimum": "must be at least {limit}",
        "maximum": "must be at most {limit}",
        "type_boolean": "must be true or false",
        "type_choice": "must be one of the choices",
        "choice": "{value} is not one of the choices",
        "type_list": "must be a list of choices",
        "chosen_twice": "{value} is chosen twice",
        "max_selected": "choose at most {limit}",
        "min_selected": "choose at least {limit}",
        "type_date": "must be a date written YYYY-MM-DD",
        "date_minimum": "must be on or after {limit}",
        "date_maximum": "must be on or before {limit}",
        "email": "must be an email address like name@example.org",
        "url": "must be a web address starting with http:// or https://",
        "type_object": "must be a table of answers",
        "unknown_row": "is not a row of this table",
        "unknown_column": "is not a column of this table",
        "missing_rows": "every row needs an answer; missing: {missing}",
        "missing_cells": "every cell needs a number; missing: {missing}",
        "type_items": "must be a list of entries",
        "type_item": "must be an entry with its answers",
        "max_items": "must have at most {limit} entries",
        "max_items_one": "must have at most 1 entry",
        "min_items": "must have at least {limit} entries",
        "min_items_one": "must have at least 1 entry",
        "note_answered": "is a note and takes no answer",
        "constraint": "does not satisfy the rule {rule}",
        "other_required": "say what 'other' is",
        "other_forbidden": "must be absent unless 'other' is chosen",
        "other_text": "must be text of at most 500 characters",
        "unjustified": "{message} (give a justification to submit anyway)",
    },
    "fr": {
        "response_object": "la réponse doit être un objet JSON de réponses indexées par question",
        "unknown_key": "n'est pas une question de ce questionnaire",
        "required": "une réponse est requise",
        "hidden": "doit être absente : cette question n'est pas posée compte tenu des autres réponses",
        "empty": "est vide : supprimez plutôt la clé",
        "null": "est nul : supprimez plutôt la clé",
        "type_text": "doit être un texte",
        "control_characters": "contient des caractères de contrôle non autorisés",
        "max_length": "doit compter au plus {limit} caractères",
        "max_length_one": "doit compter au plus 1 caractère",
        "pattern": "n'a pas le format attendu",
        "type_integer": "doit être un nombre entier",
        "type_number": "doit être un nombre",
        "minimum": "doit être au moins {limit}",
        "maximum": "doit être au plus {limit}",
        "type_boolean": "doit être vrai ou faux",
        "type_choice": "doit être l'un des choix proposés",
        "choice": "{value} ne fait pas partie des choix proposés",
        "type_list": "doit être une liste de choix",
        "chosen_twice": "{value} est choisi deux fois",
        "max_selected": "choisissez au plus {limit} options",
        "max_selected_one": "choisissez au plus 1 option",
        "min_selected": "choisissez au moins {limit} options",
        "min_selected_one": "choisissez au moins 1 option",
        "type_date": "doit être une date au format AAAA-MM-JJ",
        "date_minimum": "doit être le {limit} ou après",
        "date_maximum": "doit être le {limit} ou avant",
        "email": "doit être une adresse électronique comme nom@exemple.org",
        "url": "doit être une adresse web commençant par http:// ou https://",
        "type_object": "doit être un tableau de réponses",
        "unknown_row": "n'est pas une ligne de ce tableau",
        "unknown_column": "n'est pas une colonne de ce tableau",
        "missing_rows": "chaque ligne demande une réponse ; manquantes : {missing}",
        "missing_cells": "chaque case demande un nombre ; manquantes : {missing}",
        "type_items": "doit être une liste d'entrées",
        "type_item": "doit être une entrée avec ses réponses",
        "max_items": "doit compter au plus {limit} entrées",
        "max_items_one": "doit compter au plus 1 entrée",
        "min_items": "doit compter au moins {limit} entrées",
        "min_items_one": "doit compter au moins 1 entrée",
        "note_answered": "est une note et n'appelle pas de réponse",
        "constraint": "ne respecte pas la règle {rule}",
        "other_required": "précisez ce que recouvre « autre »",
        "other_forbidden": "doit être absent sauf si « autre » est choisi",
        "other_text": "doit être un texte de 500 caractères au plus",
        "unjustified": "{message} (donnez une justification pour soumettre quand même)",
    },
    "es": {
        "response_object": "la respuesta debe ser un objeto JSON de respuestas por pregunta",
        "unknown_key": "no es una pregunta de este cuestionario",
        "required": "se requiere una respuesta",
        "hidden": "debe estar ausente: esta pregunta no se formula según las demás respuestas",
        "empty": "está vacía: elimine la clave",
        "null": "es nula: elimine la clave",
        "type_text": "debe ser un texto",
        "control_characters": "contiene caracteres de control no permitidos",
        "max_length": "debe tener como máximo {limit} caracteres",
        "max_length_one": "debe tener como máximo 1 carácter",
        "pattern": "no tiene el formato esperado",
        "type_integer": "debe ser un número entero",
        "type_number": "debe ser un número",
        "minimum": "debe ser como mínimo {limit}",
        "maximum": "debe ser como máximo {limit}",
        "type_boolean": "debe ser verdadero o falso",
        "type_choice": "debe ser una de las opciones",
        "choice": "{value} no es una de las opciones",
        "type_list": "debe ser una lista de opciones",
        "chosen_twice": "{value} se eligió dos veces",
        "max_selected": "elija como máximo {limit}",
        "min_selected": "elija como mínimo {limit}",
        "type_date": "debe ser una fecha con el formato AAAA-MM-DD",
        "date_minimum": "debe ser el {limit} o después",
        "date_maximum": "debe ser el {limit} o antes",
        "email": "debe ser una dirección de correo como nombre@ejemplo.org",
        "url": "debe ser una dirección web que empiece por http:// o https://",
        "type_object": "debe ser una tabla de respuestas",
        "unknown_row": "no es una fila de esta tabla",
        "unknown_column": "no es una columna de esta tabla",
        "missing_rows": "cada fila necesita una respuesta; faltan: {missing}",
        "missing_cells": "cada celda necesita un número; faltan: {missing}",
        "type_items": "debe ser una lista de entradas",
        "type_item": "debe ser una entrada con sus respuestas",
        "max_items": "debe tener como máximo {limit} entradas",
        "max_items_one": "debe tener como máximo 1 entrada",
        "min_items": "debe tener como mínimo {limit} entradas",
        "min_items_one": "debe tener como mínimo 1 entrada",
        "note_answered": "es una nota y no admite respuesta",
        "constraint": "no cumple la regla {rule}",
        "other_required": "indique qué es «otro»",
        "other_forbidden": "debe estar ausente salvo si se elige «otro»",
        "other_text": "debe ser un texto de 500 caracteres como máximo",
        "unjustified": "{message} (dé una justificación para enviar de todos modos)",
    },
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
