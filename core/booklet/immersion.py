"""The booklet's immersion pages and signatures, from what was recorded during immersion
(``core.immersion.placements``).

Only what was written for employers is printed: the company, the tutor, the dates, hours done
against hours planned, each objective's latest result at work, the appraisal grid and the text
the tutor wrote for the booklet. The tutor's notes, the weeks' absences and the hiring
intention stay with the school. Nothing is computed where nothing was recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from core.catalog.catalog import Catalog
from core.catalog.definitions import Frozen
from core.french import counted, decimal
from core.immersion.record import Immersion, ImmersionRecord


class ImmersionPart(Frozen):
    company: str
    tutor: str
    starts_on: dt.date
    ends_on: dt.date
    state: str  # « à venir », « en cours », « terminée »
    hours: str  # « 70 h effectuées sur 140 h prévues », or that none are recorded yet
    objectives: tuple[tuple[str, str], ...]  # (objective, latest result at work)
    seen: str  # « 3 objectifs sur 5 réussis en entreprise »
    ratings: tuple[tuple[str, str], ...]  # (criterion, rating)
    appraisal: str  # the text the tutor wrote for the booklet
    signed: str  # « Appréciation signée par … le … », or what is awaited


class SignatureLine(Frozen):
    role: str
    name: str | None  # None: still awaited
    on: dt.date | None
    detail: str = ""


class ConfirmedSkill(Frozen):
    """A competency the trainee said they can do, confirmed by a trainer: printed as such,
    never as a level (a level comes from observations)."""

    name: str
    confirmed_by: str
    on: dt.date
    level: str = ""  # the level the observations give, said beside the trainee's word


def immersion_parts(immersion: ImmersionRecord, today: dt.date) -> tuple[ImmersionPart, ...]:
    return tuple(_part(i, today) for i in immersion.immersions)


def _part(found: Immersion, today: dt.date) -> ImmersionPart:
    placement = found.placement
    done = found.hours_done
    hours = (
        f"{decimal(done)} h effectuées sur {placement.planned_hours} h prévues"
        if found.weeks
        else f"{placement.planned_hours} h prévues ; aucune présence enregistrée pour l'instant"
    )
    reussi = sum(1 for o in found.objectives if o.result is not None and o.result.value == "reussi")
    appraisal = found.appraisal
    return ImmersionPart(
        company=placement.company,
        tutor=placement.tutor_name,
        starts_on=placement.starts_on,
        ends_on=placement.ends_on,
        state=placement.state(today),
        hours=hours,
        objectives=tuple(
            (o.objective.label, o.result.label if o.result else "Pas encore observé")
            for o in found.objectives
        ),
        seen=f"{counted(reussi, 'objectif', 'objectifs')} sur {len(found.objectives)} "
        + ("réussi" if reussi < 2 else "réussis")
        + " en entreprise",
        ratings=tuple((c.label, r.label) for c, r in appraisal.ratings) if appraisal else (),
        appraisal=appraisal.text if appraisal else "",
        signed=(
            f"Appréciation signée par {appraisal.signer} le {appraisal.signed_at:%d/%m/%Y}"
            if appraisal
            else "Appréciation du tuteur ou de la tutrice pas encore remplie"
        ),
    )


def signature_lines(
    immersion: ImmersionRecord, trainee: str, school: str
) -> tuple[SignatureLine, ...]:
    """Each signature the booklet asks for, who gave it and when, or that it is awaited."""
    roles = {
        "trainee": f"Le ou la stagiaire : {trainee}",
        "tutor": "Tuteur ou tutrice en entreprise",
        "trainer": f"Pour {school}, l'équipe pédagogique",
    }
    return tuple(
        SignatureLine(role=roles[s.role], name=s.name, on=s.on, detail=s.detail)
        for s in immersion.signatures()
    )


def confirmed_skills(
    catalog: Catalog, immersion: ImmersionRecord, levels: Mapping[str, str] | None = None
) -> tuple[ConfirmedSkill, ...]:
    """The trainee's own « je sais faire » a trainer confirmed, each with the level the
    observations give (``levels``: competency → its label), so that a reader never takes
    the trainee's word for a level."""
    levels = levels or {}
    return tuple(
        ConfirmedSkill(
            name=catalog.competency(s.competency).name,
            confirmed_by=s.confirmed_by or "",
            on=s.confirmed_on,
            level=levels.get(s.competency, ""),
        )
        for s in immersion.self_assessed.values()
        if s.can and s.confirmed and s.confirmed_on and s.competency in catalog.entries
    )
