"""The Qualiopi file of a school over a period: for each indicator Gestes can evidence, the
records behind it, counted from the store (``core.store.qualiopi``) and said in words an
auditor reads — and, as plainly, the indicators Gestes does not hold yet. Nothing here is
typed for the audit: every figure is a count of what the school recorded while working.

Indicators (Référentiel national qualité, 2024 guide): 1 information published, 2 results,
8 positioning at entry, 10 adaptation, 11 assessment of what was learnt, 12 engagement and
drop-out prevention, 17 means, 28 the network of companies, 30 opinions, 31 complaints,
32 improvement."""

from __future__ import annotations

from dataclasses import dataclass

from core.french import counted


@dataclass(frozen=True)
class Indicator:
    number: int
    title: str
    evidence: tuple[str, ...]  # one line per kind of record, with its count
    held: bool  # False: Gestes does not keep this evidence yet (said, never faked); a count
    # of zero is held evidence: nothing of that kind was recorded over the period
    link: str | None = None  # where the auditor reads the records themselves


def indicators(c: dict[str, int], at_risk: int, results_link: str, year: int) -> list[Indicator]:
    """The file's indicators from the period's counts ``c``, the trainees at risk today and
    the school's published results page (for ``year``)."""
    return _teaching(c, results_link, year) + _following(c, at_risk)


def _teaching(c: dict[str, int], results_link: str, year: int) -> list[Indicator]:
    return [
        Indicator(
            1, "Information du public",
            (f"Page de résultats publiée : {results_link}",), True, results_link,
        ),
        Indicator(
            2, "Indicateurs de résultats",
            (f"{counted(c['cohorts'], 'promotion', 'promotions')} et "
             f"{counted(c['trainees'], 'stagiaire', 'stagiaires')} sur la période ; sorties "
             f"des promotions terminées en {year} publiées par formation.",),
            True, results_link,
        ),
        Indicator(
            8, "Positionnement à l'entrée",
            ("Profil d'entrée renseigné (prescripteur, situation, niveau) : "
             f"{_of(c['profiled'], c['trainees'])}.",
             "Positionnés à l'entrée sur les gestes du métier (diagnostic des premiers jours) : "
             f"{_of(c['positioned'], c['trainees'])}."),
            True,
        ),
        Indicator(
            10, "Adaptation du parcours",
            (f"Avec un plan individuel : {_of(c['planned'], c['trainees'])}.",
             f"Sur la période, {counted(c['priorities'], 'geste mis', 'gestes mis')} à travailler "
             f"en premier et {_adaptations(c['adaptations'])} (temps, module repris, "
             "aménagement), chacun daté et signé.",),
            True,
        ),
        Indicator(
            11, "Évaluation des acquis",
            (f"{counted(c['attempts'], 'essai', 'essais')} de gestes observés, "
             f"{counted(c['evaluations'], 'évaluation pratique', 'évaluations pratiques')}, "
             f"{counted(c['level_decisions'], 'niveau fixé', 'niveaux fixés')} avec justification.",
             f"{counted(c['booklets'], 'livret signé remis', 'livrets signés remis')}."),
            True,
        ),
    ]  # fmt: skip


def _following(c: dict[str, int], at_risk: int) -> list[Indicator]:
    return [
        Indicator(
            12, "Engagement et prévention des ruptures",
            (f"{counted(c['sessions'], 'demi-journée tenue', 'demi-journées tenues')} "
             "(émargement).",
             f"{counted(at_risk, 'stagiaire signalé', 'stagiaires signalés')} à accompagner "
             f"aujourd'hui ; {counted(c['contacts'], 'contact noté', 'contacts notés')} au "
             "journal d'accompagnement.",
             f"{counted(c['abandonments'], 'abandon enregistré', 'abandons enregistrés')} "
             "avec son motif."),
            True,
            "/dashboard",
        ),
        Indicator(
            17, "Moyens humains et techniques",
            (f"{counted(c['trainers'], 'formateur actif', 'formateurs actifs')} dans l'école.",),
            True,
        ),
        Indicator(
            28, "Réseau d'entreprises",
            (f"{counted(c['placements'], 'immersion commencée', 'immersions commencées')} sur la "
             f"période ; {counted(c['appraisals'], 'appréciation', 'appréciations')} de tuteurs "
             "signées.",),
            True,
        ),
        Indicator(
            30, "Recueil des appréciations",
            ("Questionnaires aux stagiaires, entreprises et financeurs : pas encore tenus dans "
             "Gestes.",), False,
        ),
        Indicator(
            31, "Traitement des réclamations",
            (f"{counted(c['complaints'], 'réclamation reçue', 'réclamations reçues')}, "
             f"{counted(c['acknowledged'], 'accusée', 'accusées')}, "
             f"{counted(c['answered'], 'répondue', 'répondues')}.",),
            True, "/complaints",
        ),
        Indicator(
            32, "Amélioration continue",
            (f"{counted(c['improvements'], 'action tirée', 'actions tirées')} des réclamations "
             "(amélioration).",),
            True, "/complaints",
        ),
    ]  # fmt: skip


def _of(part: int, whole: int) -> str:
    """« 1 stagiaire sur 3 », « 12 stagiaires sur 14 »."""
    return f"{counted(part, 'stagiaire', 'stagiaires')} sur {whole}"


def _adaptations(count: int) -> str:
    return counted(count, "adaptation décidée", "adaptations décidées")
