"""Opinions (Qualiopi indicator 30): short questionnaires in plain French — a few questions
answered on a four-face scale, and a few words for the school — for trainees at the end and
three months after, for tutors with their appraisal, and for employers and funders by link;
then their results, counted the one way every page, the API and the published results use.

The first question of each questionnaire is the overall one: a respondent counts as
satisfied when they answered it « plutôt oui » or « tout à fait ». A rate is always given
with how many answered out of how many were asked; the free text stays with the school."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.domain import RecordError

# The scale, lowest first, in words; pages draw a face beside each (never a face alone).
SCALE = {1: "Pas du tout", 2: "Plutôt non", 3: "Plutôt oui", 4: "Tout à fait"}
SATISFIED = 3  # from « plutôt oui »
TRAINEE_END_DAYS = 14  # the end questionnaire opens two weeks before the cohort's end
LATER_DAYS = 90  # the later one, three months after


@dataclass(frozen=True)
class Questionnaire:
    kind: str
    title: str  # who answers, about what
    questions: tuple[tuple[str, str], ...]  # (key, question): the first is the overall one
    prompt: str  # the free text's invitation


QUESTIONNAIRES = {
    q.kind: q
    for q in (
        Questionnaire(
            "fin", "Stagiaires, en fin de formation",
            (("global", "Dans l'ensemble, la formation vous a plu ?"),
             ("metier", "Vous avez appris les gestes du métier ?"),
             ("aide", "Les formateurs vous ont aidé·e ?"),
             ("conseil", "Vous la conseilleriez à quelqu'un ?")),
            "Un mot pour l'école ? (facultatif)",
        ),
        Questionnaire(
            "trois_mois", "Stagiaires, trois mois après",
            (("global", "Avec le recul, la formation vous a servi ?"),
             ("travail", "Vous utilisez ce que vous avez appris ?"),
             ("conseil", "Vous la conseilleriez à quelqu'un ?")),
            "Que faites-vous aujourd'hui ? (facultatif)",
        ),
        Questionnaire(
            "tuteur", "Tuteurs, avec leur appréciation",
            (("global", "Dans l'ensemble, l'immersion s'est bien passée ?"),
             ("pret", "Le ou la stagiaire était prêt·e pour le terrain ?"),
             ("ecole", "L'école vous a bien accompagné·e ?"),
             ("encore", "Vous accueilleriez un autre stagiaire ?")),
            "Un conseil pour l'école ? (facultatif)",
        ),
        Questionnaire(
            "entreprise", "Entreprises partenaires",
            (("global", "Dans l'ensemble, vous êtes satisfait·e du partenariat ?"),
             ("besoins", "Les stagiaires répondent à vos besoins ?"),
             ("ecole", "L'école est joignable et réactive ?"),
             ("encore", "Vous continueriez avec l'école ?")),
            "Un mot pour l'école ? (facultatif)",
        ),
        Questionnaire(
            "financeur", "Financeurs et prescripteurs",
            (("global", "Dans l'ensemble, vous êtes satisfait·e de l'action ?"),
             ("suivi", "Vous recevez ce qu'il vous faut pour suivre les stagiaires ?"),
             ("resultats", "Les résultats sont à la hauteur ?")),
            "Un mot pour l'école ? (facultatif)",
        ),
    )
}  # fmt: skip
BY_LINK = ("entreprise", "financeur")  # questionnaires sent by link to people outside


def checked(kind: str, answers: Mapping[str, str], text: str) -> tuple[dict[str, int], str]:
    """The answers as 1 to 4 per question and the free text, stripped; refused in French
    beside the question when an answer is not on the scale, or nothing was answered."""
    questionnaire = QUESTIONNAIRES.get(kind)
    if questionnaire is None:
        raise RecordError("Questionnaire inconnu.")
    kept: dict[str, int] = {}
    for key, _question in questionnaire.questions:
        raw = str(answers.get(key) or "").strip()
        if not raw:
            continue
        if raw not in {str(v) for v in SCALE}:
            raise RecordError("Choisissez l'un des quatre visages.", key)
        kept[key] = int(raw)
    if questionnaire.questions[0][0] not in kept:
        raise RecordError(
            "Répondez au moins à la première question.", questionnaire.questions[0][0]
        )
    text = text.strip()
    if len(text) > 1000:
        raise RecordError("1 000 caractères au plus.", "text")
    return kept, text


def due(ends_on: dt.date, today: dt.date) -> tuple[str, ...]:
    """The trainee questionnaires open today for a cohort ending on ``ends_on``."""
    opened = []
    if today >= ends_on - dt.timedelta(days=TRAINEE_END_DAYS):
        opened.append("fin")
    if today >= ends_on + dt.timedelta(days=LATER_DAYS):
        opened.append("trois_mois")
    return tuple(opened)


@dataclass(frozen=True)
class QuestionResult:
    question: str
    answered: int
    satisfied: int  # « plutôt oui » or « tout à fait »


@dataclass(frozen=True)
class Results:
    kind: str
    title: str
    respondents: int
    satisfied: int  # respondents satisfied overall (the first question)
    asked: int | None  # how many were asked, where known (trainees); None for links
    questions: tuple[QuestionResult, ...]

    @property
    def rate(self) -> int | None:
        """Satisfied respondents in percent; None without any respondent."""
        return round(100 * self.satisfied / self.respondents) if self.respondents else None


def results(kind: str, answers: Iterable[Mapping[str, int]], asked: int | None = None) -> Results:
    """One questionnaire's results from its answers (each a mapping question → 1..4)."""
    questionnaire = QUESTIONNAIRES[kind]
    rows = list(answers)
    overall = questionnaire.questions[0][0]
    return Results(
        kind=kind,
        title=questionnaire.title,
        respondents=len(rows),
        satisfied=sum(1 for r in rows if r.get(overall, 0) >= SATISFIED),
        asked=asked,
        questions=tuple(
            QuestionResult(
                question=label,
                answered=sum(1 for r in rows if key in r),
                satisfied=sum(1 for r in rows if r.get(key, 0) >= SATISFIED),
            )
            for key, label in questionnaire.questions
        ),
    )
