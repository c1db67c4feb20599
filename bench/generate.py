"""Deterministic generators shared by the benchmarks: definitions, valid and invalid responses.

    python bench/generate.py --questions 200 > /tmp/q200.yaml       # a definition
    python bench/generate.py --questions 200 --responses 5           # JSON lines, valid responses
    python bench/generate.py --questions 200 --invalid 5             # JSON lines, invalid ones

Everything is driven by a seeded `random.Random`, so the same arguments give the same bytes.

The definition is realistic rather than uniform: N top-level questions spread over sections of
the four pillars, a mix of every question type (shared and inline choice lists, matrices, grids,
repeats of three members, calculated sums and arithmetic, notes), about 15% of questions with
`when` skip logic (mostly conditions JSON Schema can say, a few only the engine can), a few
`required: true` (and a few `required` expressions), a few `constraint: "value <= qN"`, labels
in English and French. It passes `kyoto check` without errors or warnings.

Responses are computed by this module's own reading of the conditions (not the engine's), so the
benchmark cross-checks the engine: a valid response answers only shown questions, always answers
the shown required ones, and respects every bound and constraint. An invalid response is a valid
one with exactly one fault, labelled with its kind, the JSON pointer where the engine should
report it and whether the JSON Schema can see it at all (constraints, date bounds such as
`today` and conditions outside the schema are checked by the engine only).
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

PILLARS = ("crime_prevention", "criminal_justice", "rule_of_law", "international_cooperation")
LAST_DAY = datetime.date(2024, 12, 31)  # answers never depend on the day the benchmark runs
FIRST_DAY = datetime.date(2010, 1, 1)

# Type mix per 100 top-level questions (a realistic annual questionnaire: mostly closed
# questions and figures, some free text, a few tables and repeats).
TYPE_WEIGHTS = {
    "yes_no": 14,
    "single_choice": 14,
    "integer": 14,
    "text": 11,
    "decimal": 8,
    "multiple_choice": 7,
    "textarea": 6,
    "date": 5,
    "matrix": 5,
    "grid": 4,
    "repeat": 3,
    "calculated": 3,
    "email": 2,
    "url": 2,
    "note": 2,
}
WHEN_RATE = 0.15
REQUIRED_RATE = 0.07
CONSTRAINT_RATE = 0.1
HINT_RATE = 0.2
ANSWER_RATE = 0.85  # an optional, shown question is answered this often

SUBJECTS = {
    "crime_prevention": [
        ("the national crime prevention strategy", "la stratégie nationale de prévention"),
        ("community policing", "la police de proximité"),
        ("youth crime prevention", "la prévention de la délinquance juvénile"),
        ("urban safety programmes", "les programmes de sécurité urbaine"),
        ("the prevention of reoffending", "la prévention de la récidive"),
        ("victimization surveys", "les enquêtes de victimation"),
        ("violence against women", "la violence à l'égard des femmes"),
        ("crime prevention through sport", "la prévention du crime par le sport"),
    ],
    "criminal_justice": [
        ("legal aid", "l'aide juridictionnelle"),
        ("pretrial detention", "la détention provisoire"),
        ("alternatives to imprisonment", "les peines de substitution"),
        ("prison conditions", "les conditions de détention"),
        ("the protection of victims and witnesses", "la protection des victimes et des témoins"),
        ("juvenile justice", "la justice pour mineurs"),
        ("gender-responsive criminal justice", "une justice pénale tenant compte du genre"),
        ("the social reintegration of offenders", "la réinsertion sociale des délinquants"),
    ],
    "rule_of_law": [
        ("judicial integrity", "l'intégrité judiciaire"),
        ("the prevention of corruption", "la prévention de la corruption"),
        ("access to justice", "l'accès à la justice"),
        ("the independence of prosecutors", "l'indépendance des procureurs"),
        ("asset declarations", "les déclarations de patrimoine"),
        ("whistle-blower protection", "la protection des lanceurs d'alerte"),
        ("public access to court decisions", "l'accès du public aux décisions de justice"),
        ("the training of judges", "la formation des juges"),
    ],
    "international_cooperation": [
        ("mutual legal assistance", "l'entraide judiciaire"),
        ("extradition", "l'extradition"),
        ("cybercrime", "la cybercriminalité"),
        ("technical assistance received", "l'assistance technique reçue"),
        ("technical assistance provided", "l'assistance technique fournie"),
        ("public-private partnerships on cybercrime", "les partenariats public-privé"),
        ("joint investigation teams", "les équipes communes d'enquête"),
        ("the return of confiscated assets", "la restitution des avoirs confisqués"),
    ],
}
SECTION_TITLES = {
    "crime_prevention": ("Crime prevention", "Prévention du crime"),
    "criminal_justice": ("Criminal justice system", "Système de justice pénale"),
    "rule_of_law": ("Rule of law", "État de droit"),
    "international_cooperation": ("International cooperation", "Coopération internationale"),
}
KYOTO_PARAGRAPHS = {
    "crime_prevention": [7, 8, 9, 10, 27],
    "criminal_justice": [28, 43, 44],
    "rule_of_law": [55, 57, 61],
    "international_cooperation": [2, 63, 65, 80, 93, 94, 95],
}
LABELS = {
    "yes_no": (
        "Does your country have measures on {s}?",
        "Votre pays a-t-il pris des mesures concernant {f} ?",
    ),
    "single_choice": ("Status of implementation: {s}", "État de mise en œuvre : {f}"),
    "integer": (
        "Number of cases related to {s} during the year",
        "Nombre d'affaires liées à {f} au cours de l'année",
    ),
    "text": ("Authority responsible for {s}", "Autorité chargée de {f}"),
    "decimal": ("Budget allocated to {s} (USD millions)", "Budget alloué à {f} (millions USD)"),
    "multiple_choice": ("Which groups are reached by {s}?", "Quels groupes sont visés par {f} ?"),
    "textarea": (
        "Describe the main measures on {s}",
        "Décrivez les principales mesures concernant {f}",
    ),
    "date": ("Date of the latest law on {s}", "Date de la dernière loi concernant {f}"),
    "matrix": ("Involvement of stakeholders in {s}", "Participation des parties prenantes à {f}"),
    "grid": (
        "Persons concerned by {s}, by stage and sex",
        "Personnes concernées par {f}, par étape et par sexe",
    ),
    "repeat": ("Main programmes on {s}", "Principaux programmes concernant {f}"),
    "calculated": ("Total for {s} (computed)", "Total pour {f} (calculé)"),
    "email": (
        "Contact email of the focal point for {s}",
        "Adresse électronique du point focal pour {f}",
    ),
    "url": ("Web address of the main text on {s}", "Adresse web du texte principal sur {f}"),
    "note": ("The following questions concern {s}.", "Les questions suivantes concernent {f}."),
}
HINT = (
    "Count each case once, under the most serious offence, as at 31 December.",
    "Comptez chaque affaire une seule fois, sous l'infraction la plus grave, au 31 décembre.",
)


def _choices(*pairs: tuple[str, str, str]) -> list[dict[str, Any]]:
    return [{"value": value, "label": {"en": en, "fr": fr}} for value, en, fr in pairs]


CHOICE_LISTS = {
    "implementation": _choices(
        ("full", "Fully implemented", "Pleinement mis en œuvre"),
        ("partial", "Partially implemented", "Partiellement mis en œuvre"),
        ("planned", "Planned", "Prévu"),
        ("none", "Not implemented", "Non mis en œuvre"),
    ),
    "coverage": _choices(
        ("yes", "Yes", "Oui"), ("partly", "Partly", "En partie"), ("no", "No", "Non")
    ),
    "frequency": _choices(
        ("annual", "Every year", "Chaque année"),
        ("biennial", "Every two years", "Tous les deux ans"),
        ("irregular", "Irregularly", "Irrégulièrement"),
        ("never", "Never", "Jamais"),
    ),
    "involvement": _choices(
        ("systematic", "Systematic", "Systématique"),
        ("occasional", "Occasional", "Ponctuelle"),
        ("not_involved", "Not involved", "Aucune"),
    ),
    "groups": _choices(
        ("children", "Children", "Enfants"),
        ("youth", "Young people", "Jeunes"),
        ("women", "Women", "Femmes"),
        ("migrants", "Migrants", "Migrants"),
        ("minorities", "Minorities", "Minorités"),
        ("older_persons", "Older persons", "Personnes âgées"),
        ("persons_disabilities", "Persons with disabilities", "Personnes handicapées"),
    ),
    "programme_kind": _choices(
        ("training", "Training", "Formation"),
        ("equipment", "Equipment", "Équipement"),
        ("advisory", "Advisory services", "Services consultatifs"),
        ("research", "Research", "Recherche"),
    ),
}
INLINE_LISTS = [
    _choices(
        ("central", "Central government", "Gouvernement central"),
        ("regional", "Regional authorities", "Autorités régionales"),
        ("local", "Local authorities", "Autorités locales"),
    ),
    _choices(
        ("increase", "Increased", "En hausse"),
        ("stable", "Stable", "Stable"),
        ("decrease", "Decreased", "En baisse"),
        ("unknown", "Not known", "Inconnu"),
    ),
]
STAKEHOLDERS = [
    ("ministries", "Ministries", "Ministères"),
    ("police", "Police", "Police"),
    ("judiciary", "Judiciary", "Magistrature"),
    ("civil_society", "Civil society", "Société civile"),
    ("academia", "Academia", "Milieux universitaires"),
    ("private_sector", "Private sector", "Secteur privé"),
]
GRID_ROWS = [
    ("recorded", "Recorded by the police", "Enregistrés par la police"),
    ("prosecuted", "Prosecuted", "Poursuivis"),
    ("convicted", "Convicted", "Condamnés"),
]
GRID_COLUMNS = [
    ("male", "Male", "Hommes"),
    ("female", "Female", "Femmes"),
    ("unknown", "Unknown", "Inconnu"),
]
WORDS = [
    "ministry",
    "justice",
    "national",
    "office",
    "police",
    "prevention",
    "council",
    "commission",
    "programme",
    "strategy",
    "court",
    "prosecution",
    "victims",
    "community",
    "training",
    "youth",
    "reform",
    "integrity",
    "cyber",
    "cooperation",
    "assistance",
    "regional",
    "plan",
    "unit",
    "directorate",
    "inspection",
    "fund",
]
ACCENTED = ["Ministère de la Justice", "Direção-Geral", "Oficina Nacional", "Prokuratura"]
TLDS = ["fr", "ca", "ch", "be", "sn", "ma", "ro", "tr", "ml", "jp"]


@dataclass(frozen=True)
class Condition:
    """An expression this module writes and also evaluates itself (SPEC §1 null rules)."""

    source: str
    holds: Callable[[dict[str, Any]], bool]
    in_schema: bool = True
    """Whether the engine can translate it to JSON Schema (`engine.conditions`)."""


@dataclass
class Spec:
    """One generated question: its YAML mapping plus what the response generators need."""

    id: str
    type: str
    data: dict[str, Any]
    choices: tuple[str, ...] = ()
    when: Condition | None = None
    required: bool | Condition = False
    at_most: str | None = None  # constraint "value <= at_most"
    members: list[Spec] = field(default_factory=list)

    @property
    def takes_answer(self) -> bool:
        return self.type not in ("note", "calculated")

    def is_required(self, env: dict[str, Any]) -> bool:
        if isinstance(self.required, Condition):
            return self.required.holds(env)
        return self.required


@dataclass
class Definition:
    questions: list[Spec]
    data: dict[str, Any]
    yaml: str

    @property
    def by_id(self) -> dict[str, Spec]:
        return {q.id: q for q in self.questions}


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """No anchors or aliases: the engine refuses them (SPEC §8)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=200,
    )


# -- definitions ---------------------------------------------------------------------------------


def definition(n_questions: int, seed: int = 1) -> Definition:
    """A questionnaire with `n_questions` top-level questions over 4-20 sections of four pillars."""
    rng = random.Random(seed)
    builder = _Builder(rng)
    per_pillar = max(1, min(5, n_questions // 100))
    n_sections = 4 * per_pillar
    sections = []
    bounds = [round(i * n_questions / n_sections) for i in range(n_sections + 1)]
    for index in range(n_sections):
        pillar = PILLARS[index % 4]
        en, fr = SECTION_TITLES[pillar]
        number = index // 4 + 1
        questions = [builder.question(pillar) for _ in range(bounds[index + 1] - bounds[index])]
        sections.append(
            {
                "id": f"{pillar}_{number}",
                "pillar": pillar,
                "title": {"en": f"{en} ({number})", "fr": f"{fr} ({number})"},
                "kyoto": rng.sample(KYOTO_PARAGRAPHS[pillar], 2),
                "questions": [spec.data for spec in questions],
            }
        )
    used = {
        choices
        for spec in builder.specs
        for question in (spec, *spec.members)
        if isinstance(choices := question.data.get("choices"), str)
    }
    data: dict[str, Any] = {
        "id": f"bench-{n_questions}",
        "version": 1,
        "title": {
            "en": f"Benchmark questionnaire ({n_questions} questions)",
            "fr": f"Questionnaire d'évaluation ({n_questions} questions)",
        },
        "description": {
            "en": "Generated by bench/generate.py: realistic shape, synthetic content.",
            "fr": "Produit par bench/generate.py : forme réaliste, contenu synthétique.",
        },
        "languages": ["en", "fr"],
        "period": "annual",
        "audience": ["member_state"],
        "choices": {name: items for name, items in CHOICE_LISTS.items() if name in used},
        "sections": sections,
        "indicators": builder.indicators(),
    }
    return Definition(builder.specs, data, dump_yaml(data))


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.specs: list[Spec] = []
        self.count = 0
        types, weights = zip(*TYPE_WEIGHTS.items(), strict=True)
        self.types, self.weights = list(types), list(weights)

    def _new_id(self) -> str:
        self.count += 1
        return f"q{self.count}"

    def _earlier(self, *types: str, unconditional: bool = False) -> list[Spec]:
        return [
            s
            for s in self.specs
            if s.type in types and (not unconditional or (s.when is None and s.required is True))
        ]

    def question(self, pillar: str) -> Spec:
        rng = self.rng
        kind = rng.choices(self.types, self.weights)[0]
        qid = self._new_id()
        en, fr = rng.choice(SUBJECTS[pillar])
        label_en, label_fr = LABELS[kind]
        data: dict[str, Any] = {
            "id": qid,
            "type": kind,
            "label": {"en": label_en.format(s=en), "fr": label_fr.format(f=fr)},
        }
        spec = Spec(qid, kind, data)
        getattr(self, f"_{kind}")(spec)
        if kind in ("integer", "grid") and rng.random() < HINT_RATE:
            data["hint"] = {"en": HINT[0], "fr": HINT[1]}
        if spec.takes_answer:
            self._logic(spec)
        if rng.random() < 0.1:
            data["kyoto"] = rng.sample(KYOTO_PARAGRAPHS[pillar], 1)
        self.specs.append(spec)
        return spec

    def _logic(self, spec: Spec) -> None:
        """`when`, `required` and `constraint`, each referring only to earlier questions."""
        rng, data = self.rng, spec.data
        if len(self.specs) > 4 and rng.random() < WHEN_RATE:
            spec.when = self._condition()
            if spec.when is not None:
                data["when"] = spec.when.source
        roll = rng.random()
        if roll < REQUIRED_RATE or (spec.type == "integer" and roll < 2 * REQUIRED_RATE):
            spec.required = True
            data["required"] = True
        elif roll < REQUIRED_RATE + 0.01 and (flags := self._earlier("yes_no")):
            target = rng.choice(flags).id
            spec.required = Condition(f"{target} == true", lambda env, t=target: env.get(t) is True)
            data["required"] = spec.required.source
        anchors = [a for a in self._earlier("integer", unconditional=True) if "max" in a.data]
        if spec.type in ("integer", "decimal") and anchors and rng.random() < CONSTRAINT_RATE:
            spec.at_most = rng.choice(anchors).id
            data["min"] = 0
            data["constraint"] = f"value <= {spec.at_most}"
            data["constraint_message"] = {
                "en": f"Cannot exceed the answer to {spec.at_most}.",
                "fr": f"Ne peut pas dépasser la réponse à {spec.at_most}.",
            }

    def _condition(self) -> Condition | None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.08 and (repeats := self._earlier("repeat")):
            target = rng.choice(repeats).id
            return Condition(
                f"count({target}) > 0", lambda env: len(env.get(target) or ()) > 0, False
            )
        if roll < 0.14 and len(numbers := self._earlier("integer")) >= 2:
            a, b = (s.id for s in rng.sample(numbers, 2))

            def both(env: dict[str, Any]) -> bool:
                return env.get(a) is not None and env.get(b) is not None and env[a] + env[b] > 10

            return Condition(f"{a} + {b} > 10", both, False)
        if roll < 0.18 and (dates := self._earlier("date")):
            d = rng.choice(dates).id
            return Condition(
                f"year({d}) >= 2020",
                lambda env: env.get(d) is not None and int(env[d][:4]) >= 2020,
                False,
            )
        kind = rng.choices(["yes_no", "single_choice", "integer", "multiple_choice"], [5, 3, 2, 1])
        candidates = self._earlier(kind[0])
        if not candidates:
            candidates = self._earlier("yes_no")
            if not candidates:
                return None
        target = rng.choice(candidates)
        t = target.id
        if target.type == "yes_no":
            return Condition(f"{t} == true", lambda env: env.get(t) is True)
        if target.type == "single_choice":
            values = rng.sample(target.choices, min(2, len(target.choices)))
            listed = ", ".join(f"'{v}'" for v in values)
            return Condition(f"{t} in [{listed}]", lambda env: env.get(t) in values)
        if target.type == "integer":
            return Condition(f"{t} > 5", lambda env: env.get(t) is not None and env[t] > 5)
        value = rng.choice(target.choices)
        return Condition(f"selected({t}, '{value}')", lambda env: value in (env.get(t) or ()))

    # -- one method per type: the type's own keys ---------------------------------------------

    def _yes_no(self, spec: Spec) -> None:
        pass

    def _single_choice(self, spec: Spec) -> None:
        if self.rng.random() < 0.25:
            inline = self.rng.choice(INLINE_LISTS)
            spec.data["choices"] = [dict(c, label=dict(c["label"])) for c in inline]
            spec.choices = tuple(c["value"] for c in inline)
        else:
            name = self.rng.choice(["implementation", "coverage", "frequency"])
            spec.data["choices"] = name
            spec.choices = tuple(c["value"] for c in CHOICE_LISTS[name])
        if self.rng.random() < 0.15:
            spec.data["other"] = True
            spec.choices += ("other",)

    def _multiple_choice(self, spec: Spec) -> None:
        spec.data["choices"] = "groups"
        spec.choices = tuple(c["value"] for c in CHOICE_LISTS["groups"])
        if self.rng.random() < 0.3:
            spec.data["max_selected"] = 4

    def _integer(self, spec: Spec) -> None:
        spec.data["min"] = 0
        if self.rng.random() < 0.7:
            spec.data["max"] = self.rng.choice([100, 1000, 100000, 10000000])

    def _decimal(self, spec: Spec) -> None:
        spec.data["min"] = 0
        if self.rng.random() < 0.5:
            spec.data["max"] = 1000000.0

    def _text(self, spec: Spec) -> None:
        roll = self.rng.random()
        if roll < 0.15:
            spec.data["pattern"] = r"[A-Z]{2}-\d{4}"
        elif roll < 0.6:
            spec.data["max_length"] = 200

    def _textarea(self, spec: Spec) -> None:
        if self.rng.random() < 0.5:
            spec.data["max_length"] = 2000

    def _date(self, spec: Spec) -> None:
        spec.data["min"] = "2000-01-01"
        if self.rng.random() < 0.5:
            spec.data["max"] = "today"

    def _email(self, spec: Spec) -> None:
        pass

    def _url(self, spec: Spec) -> None:
        pass

    def _matrix(self, spec: Spec) -> None:
        rows = self.rng.sample(STAKEHOLDERS, self.rng.randint(3, 5))
        spec.data["rows"] = [{"id": r, "label": {"en": en, "fr": fr}} for r, en, fr in rows]
        spec.data["choices"] = "involvement"
        spec.choices = tuple(c["value"] for c in CHOICE_LISTS["involvement"])

    def _grid(self, spec: Spec) -> None:
        rows = GRID_ROWS[: self.rng.randint(2, 3)]
        spec.data["rows"] = [{"id": r, "label": {"en": en, "fr": fr}} for r, en, fr in rows]
        spec.data["columns"] = [
            {"id": c, "label": {"en": en, "fr": fr}} for c, en, fr in GRID_COLUMNS
        ]
        spec.data["cell"] = "integer"
        spec.data["min"] = 0

    def _repeat(self, spec: Spec) -> None:
        spec.data["max_items"] = 10
        base = spec.id
        name = Spec(f"{base}_name", "text", {}, required=True)
        name.data = {
            "id": name.id,
            "type": "text",
            "required": True,
            "max_length": 200,
            "label": {"en": "Name of the programme", "fr": "Nom du programme"},
        }
        budget = Spec(f"{base}_budget", "decimal", {})
        budget.data = {
            "id": budget.id,
            "type": "decimal",
            "min": 0,
            "label": {"en": "Budget (USD)", "fr": "Budget (USD)"},
        }
        kind = Spec(f"{base}_kind", "single_choice", {})
        kind.choices = tuple(c["value"] for c in CHOICE_LISTS["programme_kind"])
        kind.data = {
            "id": kind.id,
            "type": "single_choice",
            "choices": "programme_kind",
            "label": {"en": "Kind of programme", "fr": "Type de programme"},
        }
        spec.members = [name, budget, kind]
        spec.data["questions"] = [m.data for m in spec.members]

    def _calculated(self, spec: Spec) -> None:
        repeats = self._earlier("repeat")
        numbers = self._earlier("integer")
        if repeats and (self.rng.random() < 0.5 or len(numbers) < 2):
            target = self.rng.choice(repeats).id
            spec.data["expression"] = f"sum({target}, '{target}_budget')"
        elif len(numbers) >= 2:
            a, b = (s.id for s in self.rng.sample(numbers, 2))
            spec.data["expression"] = self.rng.choice(
                [f"{a} + {b}", f"{a} * 2 + {b}", f"{a} / {b} * 100"]
            )
        else:
            spec.data["expression"] = "1 + 1"

    def _note(self, spec: Spec) -> None:
        pass

    def indicators(self) -> list[dict[str, Any]]:
        found = []
        for pillar, kind in zip(PILLARS, ["yes_no", "integer", "yes_no", "integer"], strict=True):
            candidates = self._earlier(kind)
            if not candidates:
                continue
            target = candidates[0].id
            share = kind == "yes_no"
            found.append(
                {
                    "id": f"{pillar}_indicator",
                    "pillar": pillar,
                    "aggregate": "share" if share else "sum",
                    "of": f"{target} == true" if share else target,
                    "label": {"en": f"Indicator on {target}", "fr": f"Indicateur sur {target}"},
                }
            )
        return found


# -- valid responses ----------------------------------------------------------------------------


def valid_response(defn: Definition, rng: random.Random) -> dict[str, Any]:
    """One complete submission: shown questions answered (required ones always), hidden absent."""
    answers: dict[str, Any] = {}
    for spec in defn.questions:
        if spec.type == "calculated":
            if rng.random() < 0.1:  # a client may send a stale calculated value: ignored
                answers[spec.id] = rng.randint(0, 99)
            continue
        if not spec.takes_answer or (spec.when is not None and not spec.when.holds(answers)):
            continue
        if not spec.is_required(answers) and rng.random() > ANSWER_RATE:
            continue
        value = answer(spec, rng, answers)
        answers[spec.id] = value
        if spec.data.get("other") and value == "other":
            answers[f"{spec.id}_other"] = "Autre mécanisme national"
    # A stale calculated value does not count in `when` conditions; they ran on `answers` above
    # and no generated condition names a calculated question.
    return answers


def answer(spec: Spec, rng: random.Random, env: dict[str, Any]) -> Any:
    """A valid value for one question, given the answers before it (for constraints)."""
    data = spec.data
    kind = spec.type
    if kind == "yes_no":
        return rng.random() < 0.6
    if kind == "single_choice":
        return rng.choice(spec.choices)
    if kind == "multiple_choice":
        high = min(len(spec.choices), data.get("max_selected", len(spec.choices)))
        return rng.sample(spec.choices, rng.randint(1, high))
    if kind == "integer":
        high = data.get("max", 100000)
        if spec.at_most:
            high = min(high, env[spec.at_most])
        return rng.randint(data["min"], min(high, rng.choice([10, 100, 5000])))
    if kind == "decimal":
        high = data.get("max", 5000000.0)
        if spec.at_most:
            high = min(high, env[spec.at_most])
        return round(rng.uniform(0, high), 2) if high > 0 else 0
    if kind == "text":
        if "pattern" in data:
            return f"{rng.choice('ABCDEFGH')}{rng.choice('KLMNOP')}-{rng.randint(1000, 9999)}"
        if rng.random() < 0.2:
            return rng.choice(ACCENTED)
        return " ".join(rng.sample(WORDS, rng.randint(2, 6))).capitalize()
    if kind == "textarea":
        sentences = [
            " ".join(rng.sample(WORDS, rng.randint(6, 14))).capitalize() + "."
            for _ in range(rng.randint(1, 4))
        ]
        return "\n".join(sentences)
    if kind == "date":
        day = FIRST_DAY + datetime.timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days))
        return day.isoformat()
    if kind == "email":
        return f"{rng.choice(WORDS)}.{rng.choice(WORDS)}@{rng.choice(WORDS)}.gov.{rng.choice(TLDS)}"
    if kind == "url":
        return f"https://www.{rng.choice(WORDS)}.gov.{rng.choice(TLDS)}/laws/{rng.randint(1990, 2024)}/{rng.randint(1, 999)}"
    if kind == "matrix":
        rows = [r["id"] for r in data["rows"]]
        if not spec.is_required(env):
            rows = rng.sample(rows, rng.randint(1, len(rows)))
        return {row: rng.choice(spec.choices) for row in rows}
    if kind == "grid":
        rows = [r["id"] for r in data["rows"]]
        columns = [c["id"] for c in data["columns"]]
        if spec.is_required(env):
            return {r: {c: rng.randint(0, 5000) for c in columns} for r in rows}
        return {
            r: {c: rng.randint(0, 5000) for c in rng.sample(columns, rng.randint(1, 3))}
            for r in rng.sample(rows, rng.randint(1, len(rows)))
        }
    if kind == "repeat":
        low = 1 if spec.is_required(env) else 0
        items = []
        for _ in range(rng.randint(low, 4)):
            item = {}
            for member in spec.members:
                if member.required is True or rng.random() < 0.8:
                    item[member.id] = answer(member, rng, env)
            items.append(item)
        return items
    raise ValueError(f"no answer for type {kind}")


def valid_responses(defn: Definition, count: int, seed: int = 2) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [valid_response(defn, rng) for _ in range(count)]


# -- invalid responses --------------------------------------------------------------------------


@dataclass(frozen=True)
class Invalid:
    kind: str
    response: dict[str, Any]
    path: str
    """The JSON pointer where the engine should report the fault."""
    in_schema: bool
    """False when only the engine can see the fault (constraints, date bounds, some conditions)."""


Fault = Callable[[Definition, dict[str, Any], random.Random], tuple[str, bool] | None]


def _answered(defn: Definition, response: dict[str, Any], test: Callable[[Spec], bool]) -> list:
    return [s for s in defn.questions if s.id in response and s.takes_answer and test(s)]


def _wrong_type(defn: Definition, r: dict[str, Any], rng: random.Random) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.type == "integer")
    if not found:
        return None
    spec = rng.choice(found)
    r[spec.id] = str(r[spec.id])
    return f"/{spec.id}", True


def _above_maximum(
    defn: Definition, r: dict[str, Any], rng: random.Random
) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.type == "integer" and "max" in s.data)
    if not found:
        return None
    spec = rng.choice(found)
    r[spec.id] = spec.data["max"] + 1
    return f"/{spec.id}", True


def _unknown_choice(
    defn: Definition, r: dict[str, Any], rng: random.Random
) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.type == "single_choice")
    if not found:
        return None
    spec = rng.choice(found)
    r[spec.id] = "mostly"
    r.pop(f"{spec.id}_other", None)
    return f"/{spec.id}", True


def _unknown_key(
    defn: Definition, r: dict[str, Any], rng: random.Random
) -> tuple[str, bool] | None:
    r["comments"] = "Sent by an old version of the form"
    return "/comments", True


def _missing_required(
    defn: Definition, r: dict[str, Any], rng: random.Random
) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.required is True and s.when is None)
    if not found:
        return None
    spec = rng.choice(found)
    del r[spec.id]
    r.pop(f"{spec.id}_other", None)
    return f"/{spec.id}", True


def _hidden_answered(
    defn: Definition, r: dict[str, Any], rng: random.Random, in_schema: bool = True
) -> tuple[str, bool] | None:
    found = [
        s
        for s in defn.questions
        if s.when is not None
        and s.when.in_schema == in_schema
        and s.id not in r
        and not s.when.holds(r)
    ]
    if not found:
        return None
    spec = rng.choice(found)
    r[spec.id] = answer(spec, rng, r)
    r.pop(f"{spec.id}_other", None)
    if spec.data.get("other") and r[spec.id] == "other":
        r[spec.id] = spec.choices[0]
    return f"/{spec.id}", in_schema


def _hidden_answered_engine(
    defn: Definition, r: dict[str, Any], rng: random.Random
) -> tuple[str, bool] | None:
    return _hidden_answered(defn, r, rng, in_schema=False)


def _empty_text(defn: Definition, r: dict[str, Any], rng: random.Random) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.type in ("text", "textarea"))
    if not found:
        return None
    spec = rng.choice(found)
    r[spec.id] = ""
    return f"/{spec.id}", True


def _null(defn: Definition, r: dict[str, Any], rng: random.Random) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: True)
    spec = rng.choice(found)
    r[spec.id] = None
    r.pop(f"{spec.id}_other", None)
    return f"/{spec.id}", True


def _item_missing_name(
    defn: Definition, r: dict[str, Any], rng: random.Random
) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.type == "repeat" and bool(r.get(s.id)))
    if not found:
        return None
    spec = rng.choice(found)
    index = rng.randrange(len(r[spec.id]))
    del r[spec.id][index][f"{spec.id}_name"]
    return f"/{spec.id}/{index}/{spec.id}_name", True


def _negative_cell(
    defn: Definition, r: dict[str, Any], rng: random.Random
) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.type == "grid")
    if not found:
        return None
    spec = rng.choice(found)
    row = rng.choice(sorted(r[spec.id]))
    column = rng.choice(sorted(r[spec.id][row]))
    r[spec.id][row][column] = -1
    return f"/{spec.id}/{row}/{column}", True


def _bad_email(defn: Definition, r: dict[str, Any], rng: random.Random) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.type == "email")
    if not found:
        return None
    spec = rng.choice(found)
    r[spec.id] = "focal.point at justice.gov"
    return f"/{spec.id}", True


def _chosen_twice(
    defn: Definition, r: dict[str, Any], rng: random.Random
) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.type == "multiple_choice")
    if not found:
        return None
    spec = rng.choice(found)
    r[spec.id] = [r[spec.id][0], r[spec.id][0]]
    return f"/{spec.id}/1", True


def _unknown_row(
    defn: Definition, r: dict[str, Any], rng: random.Random
) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.type == "matrix")
    if not found:
        return None
    spec = rng.choice(found)
    r[spec.id]["parliament"] = spec.choices[0]
    return f"/{spec.id}/parliament", True


def _control_character(
    defn: Definition, r: dict[str, Any], rng: random.Random
) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.type == "textarea")
    if not found:
        return None
    spec = rng.choice(found)
    r[spec.id] = "Copied from a PDF\x0c with a form feed"
    return f"/{spec.id}", True


def _constraint(defn: Definition, r: dict[str, Any], rng: random.Random) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.at_most is not None and s.at_most in r)
    found = [s for s in found if r[s.at_most] < s.data.get("max", float("inf"))]
    if not found:
        return None
    spec = rng.choice(found)
    r[spec.id] = r[spec.at_most] + 1
    return f"/{spec.id}", False


def _date_after_today(
    defn: Definition, r: dict[str, Any], rng: random.Random
) -> tuple[str, bool] | None:
    found = _answered(defn, r, lambda s: s.type == "date" and s.data.get("max") == "today")
    if not found:
        return None
    spec = rng.choice(found)
    r[spec.id] = "2099-01-01"
    return f"/{spec.id}", False


FAULTS: dict[str, Fault] = {
    "wrong_type": _wrong_type,
    "above_maximum": _above_maximum,
    "unknown_choice": _unknown_choice,
    "unknown_key": _unknown_key,
    "missing_required": _missing_required,
    "hidden_answered": _hidden_answered,
    "empty_text": _empty_text,
    "null": _null,
    "item_missing_name": _item_missing_name,
    "negative_cell": _negative_cell,
    "bad_email": _bad_email,
    "chosen_twice": _chosen_twice,
    "unknown_row": _unknown_row,
    "control_character": _control_character,
    "constraint": _constraint,
    "date_after_today": _date_after_today,
    "hidden_answered_engine_only": _hidden_answered_engine,
}


def invalid_responses(defn: Definition, count: int, seed: int = 3) -> list[Invalid]:
    """`count` responses with one fault each, cycling through the fault kinds that apply."""
    rng = random.Random(seed)
    found: list[Invalid] = []
    kinds = list(FAULTS)
    attempts = 0
    while len(found) < count and attempts < count * 20:
        kind = kinds[attempts % len(kinds)]
        attempts += 1
        response = valid_response(defn, rng)
        outcome = FAULTS[kind](defn, response, rng)
        if outcome is not None:
            found.append(Invalid(kind, response, *outcome))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--responses", type=int, help="print this many valid responses (JSON lines)"
    )
    parser.add_argument(
        "--invalid", type=int, help="print this many invalid responses (JSON lines)"
    )
    args = parser.parse_args(argv)
    defn = definition(args.questions, args.seed)
    if args.responses:
        for response in valid_responses(defn, args.responses):
            print(json.dumps(response, ensure_ascii=False))
    elif args.invalid:
        for bad in invalid_responses(defn, args.invalid):
            line = {"kind": bad.kind, "path": bad.path, "in_schema": bad.in_schema}
            print(json.dumps({**line, "response": bad.response}, ensure_ascii=False))
    else:
        sys.stdout.write(defn.yaml)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
