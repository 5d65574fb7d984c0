"""The Qualiopi file of a school over a period: for each indicator Gestes can evidence, the
records behind it, counted from the store (``core.store.qualiopi``) and said in words an
auditor reads — and, as plainly, the indicators Gestes does not hold yet. Nothing here is
typed for the audit: every figure is a count of what the school recorded while working.

Indicators (Référentiel national qualité, 2024 guide): 1 information published, 2 results,
8 positioning at entry, 10 adaptation, 11 assessment of what was learnt, 12 engagement and
drop-out prevention, 17 means, 28 the network of companies, 30 opinions, 31 complaints,
32 improvement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.domain import RecordError
from core.followup.opinions import Results
from core.french import counted, school_day

if TYPE_CHECKING:
    from core.context import Gestes


@dataclass(frozen=True)
class Indicator:
    number: int
    title: str
    evidence: tuple[str, ...]  # one line per kind of record, with its count
    held: bool  # False: Gestes does not keep this evidence yet (said, never faked); a count
    # of zero is held evidence: nothing of that kind was recorded over the period
    link: str | None = None  # where the auditor reads the records themselves


def indicators(
    c: dict[str, int],
    at_risk: int,
    results_link: str,
    year: int,
    opinions: Sequence[Results] = (),
) -> list[Indicator]:
    """The file's indicators from the period's counts ``c``, the trainees at risk today,
    the school's published results page (for ``year``) and the questionnaires' results."""
    return _teaching(c, results_link, year) + _following(c, at_risk, opinions)


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


def _following(c: dict[str, int], at_risk: int, opinions: Sequence[Results]) -> list[Indicator]:
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
            30, "Recueil des appréciations", _opinions(opinions), True, "/opinions",
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


# ---------------------------------------------------------------- the file, printed


@dataclass(frozen=True)
class QualiopiFile:
    """A school's file over a period, as the page, the API, the signed PDF and the auditor's
    link all show it (one derivation)."""

    school_id: int
    school: str
    start: dt.date
    end: dt.date
    made_on: dt.date
    indicators: list[Indicator]


def school_file(
    gestes: Gestes, school_id: int, start: dt.date, end: dt.date, address: str
) -> QualiopiFile:
    """The file from the store's counts, the trainees at risk today, and the published
    results page at ``address`` (the installation's public address)."""
    from core.followup.derive import at_risk

    store = gestes.store
    school = store.lookup.school(school_id)
    if school is None:
        raise RecordError(f"École n° {school_id} introuvable.")
    counts = store.qualiopi.counts(school_id, start, end)
    running = [c.id for c, _ in store.lookup.cohorts([school_id]) if not c.closed]
    year = end.year - 1 if end.month < 12 else end.year
    link = f"{address}/resultats/{school.slug}?annee={year}"
    from core.followup.satisfaction import school_results

    opinions = school_results(gestes, school_id, start, end)
    found = indicators(counts, len(at_risk(gestes, running)), link, year, opinions)
    made_on = school_day(dt.datetime.now(dt.UTC))
    return QualiopiFile(school_id, school.name, start, end, made_on, found)


def file_pdf(gestes: Gestes, file: QualiopiFile) -> bytes:
    """The file printed and signed by the school (PAdES, as its booklets and certificates)."""
    from core.attendance.documents import organisation_of, printed

    identity = gestes.identity(file.school_id)
    name, line = organisation_of(identity, file.school)
    return printed(identity, "qualiopi.html", name, "Dossier Qualiopi", f=file, organisation=line)


def file_zip(gestes: Gestes, file: QualiopiFile) -> bytes:
    """The signed PDF, the indicators as CSV (one line of evidence per row) and how to
    check the signature, in one ZIP an auditor keeps."""
    import csv
    import io
    import zipfile

    table = io.StringIO()
    writer = csv.writer(table, delimiter=";")
    writer.writerow(["indicateur", "intitulé", "tenu", "preuve"])
    for i in file.indicators:
        for line in i.evidence:
            writer.writerow([i.number, i.title, "oui" if i.held else "non", line])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dossier-qualiopi.pdf", file_pdf(gestes, file))
        archive.writestr("indicateurs.csv", "\ufeff" + table.getvalue())  # Excel reads UTF-8
        archive.writestr("LISEZMOI.txt", _README.format(f=file))
    return buffer.getvalue()


_README = """Dossier Qualiopi — {f.school}, du {f.start:%d/%m/%Y} au {f.end:%d/%m/%Y}
Établi le {f.made_on:%d/%m/%Y} par Gestes à partir des enregistrements de l'école.

dossier-qualiopi.pdf  le dossier, signé électroniquement par l'école (PAdES) : tout lecteur
                      PDF montre la signature ; en ligne de commande : pdfsig dossier-qualiopi.pdf
indicateurs.csv       chaque ligne de preuve par indicateur (séparateur « ; », UTF-8)

Chaque nombre est un compte de ce que l'école a enregistré en travaillant : rien n'a été
saisi pour l'audit. Un indicateur « non tenu » n'est pas encore gardé par Gestes.
"""


def _opinions(found: Sequence[Results]) -> tuple[str, ...]:
    """One line per questionnaire answered over the period: how many, how many satisfied."""
    lines = tuple(
        f"{r.title} : {counted(r.respondents, 'réponse', 'réponses')}, "
        f"{counted(r.satisfied, 'satisfait', 'satisfaits')} ({r.rate}\u00a0%)."
        for r in found
        if r.respondents
    )
    return lines or ("Aucun questionnaire rempli sur la période.",)
