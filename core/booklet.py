"""The skill booklet (livret de compétences): data for one reader who hires, then HTML, then PDF.

``build_booklet`` turns a ``TraineeRecord`` and an employer (or a whole territory) into a
``BookletData``: that employer's requirements come first, with the trainee's status and the
evidence behind each; then the full grid, the gestures mastered, the practical evaluations,
the sections plugins add, the trainers' appreciation. ``core.booklet_print`` turns it into HTML and
PDF.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING

from core.booklet_sections import BookletSection
from core.catalog import Catalog
from core.domain import ExitKind
from core.fit import employer_fit
from core.french import counted
from core.models import Employer, Frozen, Phase, Sector
from core.settings import Settings
from core.trainee_record import TraineeRecord

if TYPE_CHECKING:
    from core.context import Definitions

TEMPLATES = Path(__file__).parent / "templates"


class RequirementLine(Frozen):
    competency: str
    name: str
    priority: str
    required: str
    level: str
    status: str  # acquis / en_cours / non_acquis
    status_label: str
    autonomous_successes: int
    days: int
    first_day: dt.date | None
    last_day: dt.date | None
    assessors: tuple[str, ...]
    evaluation_passed: bool


class EmployerPart(Frozen):
    id: str
    name: str
    description: str | None
    percent: int
    met: int
    total: int
    essentials_met: bool
    lines: tuple[RequirementLine, ...]


class GridLine(Frozen):
    name: str
    level: str
    rank: int
    autonomous_successes: int
    days: int


class GridBlock(Frozen):
    name: str
    lines: tuple[GridLine, ...]


class GestureLine(Frozen):
    name: str
    passed: int
    autonomous_passed: int
    last_day: dt.date | None


class EvaluationLine(Frozen):
    name: str
    day: dt.date
    passed: bool
    summary: str
    assessor: str


class AcquiredCompetency(Frozen):
    """A competency at "acquis" or above, as the Open Badges attachment describes it."""

    id: str
    name: str
    level: str
    evidence: str
    rome: tuple[str, ...] = ()
    rncp: tuple[str, ...] = ()


class BookletData(Frozen):
    trainee: str
    trainee_ref: str = ""  # an opaque reference (no personal data) for the credentials
    sector: str
    program: str
    curriculum_version: str
    school: str
    territory: str
    starts_on: dt.date
    ends_on: dt.date
    hours: tuple[tuple[str, int], ...]
    reader: str  # the employer, or the territory, this booklet is written for
    employers: tuple[EmployerPart, ...]
    grid: tuple[GridBlock, ...]
    gestures: tuple[GestureLine, ...]
    evaluations: tuple[EvaluationLine, ...]
    sections: tuple[BookletSection, ...]
    appreciation: tuple[tuple[dt.date, str, str], ...]
    exit: str | None  # where the trainee went (sortie), when known
    issued_on: dt.date
    catalog_version: str
    acquired: tuple[AcquiredCompetency, ...] = ()
    immersion: tuple[tuple[str, int, int], ...] = ()  # module, hours, % done
    verify_url: str | None = None
    qr_svg: str | None = None  # the verification link as an inline SVG QR code


def with_verification(
    data: BookletData,
    trainee: int,
    settings: Settings,
    *,
    employer: str | None = None,
    territory: str | None = None,
    served_at: str | None = None,
) -> BookletData:
    """Add the signed verification link (and its QR code) employers use to check the paper:
    at ``GESTES_PUBLIC_URL``, else where the app that builds it is served (``served_at``)."""
    import segno

    from core.verification import Claim, content_key, sign

    claim = Claim(
        trainee=trainee,
        employer=employer,
        territory=territory,
        content=content_key(data),
        issued=data.issued_on,
        expires=data.issued_on + dt.timedelta(days=settings.verification_days),
    )
    url = f"{settings.address(served_at)}/verify/{sign(claim, settings.signing_key())}"
    # With its SVG namespace (svg_inline leaves it out): the print path parses the page as
    # XML, where an <svg> without it is an unknown element and the code would not be drawn.
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", xmldecl=False, nl=False, scale=2, dark="#1b1f24"
    )
    return data.model_copy(update={"verify_url": url, "qr_svg": buffer.getvalue().decode()})


class UnknownReader(KeyError):
    """A booklet asked for an employer or territory the catalog does not have; says which
    ones it has (a KeyError, as a missing id is, with a readable message)."""

    def __init__(self, kind: str, given: str | None, known: list[str]) -> None:
        super().__init__(given)
        self.message = f"no {kind} with id {given!r}; known: {', '.join(known) or 'none'}"

    def __str__(self) -> str:
        return self.message


def build_booklet(
    definitions: Definitions,
    record: TraineeRecord,
    *,
    employer: str | None = None,
    territory: str | None = None,
    today: dt.date | None = None,
) -> BookletData:
    """One employer's booklet, or a territory's (every employer there, best fit first)."""
    catalog = definitions.catalog
    info = record.trainee
    sector = catalog.sectors[info.sector]
    curriculum = sector.curriculum
    reader, readers = _readers(catalog, info.sector, info.territory, employer, territory)
    levels = record.level_codes()
    parts = [
        _employer_part(catalog, record, catalog.hiring_for(e, info.sector), levels) for e in readers
    ]
    parts.sort(key=lambda p: (-p.percent, p.name))
    hours = curriculum.hours_by_phase()
    return BookletData(
        trainee=info.full_name,
        trainee_ref=f"{info.cohort_id}-{info.id}",
        immersion=tuple(
            (catalog.module(m.module).name, m.hours, round(m.done * 100))
            for m in record.modules
            if m.phase is Phase.IMMERSION
        ),
        acquired=_acquired(sector, record),
        sector=sector.sector.name,
        program=curriculum.title,
        curriculum_version=curriculum.version,
        school=info.school,
        territory=catalog.territories[info.territory].name
        if info.territory in catalog.territories
        else info.territory,
        starts_on=info.starts_on,
        ends_on=info.ends_on,
        hours=tuple((phase.label, hours[phase]) for phase in Phase),
        reader=reader,
        employers=tuple(parts),
        grid=_grid(sector, record),
        gestures=tuple(
            GestureLine(
                name=catalog.gesture(g.gesture).name,
                passed=g.passed,
                autonomous_passed=g.autonomous_passed,
                last_day=g.last_day,
            )
            for g in record.gestures.values()
            if g.autonomous_passed > 0
        ),
        evaluations=tuple(
            EvaluationLine(
                name=catalog.evaluation(e.evaluation).name,
                day=e.day,
                passed=e.passed,
                summary=e.summary,
                assessor=e.assessor,
            )
            for e in sorted(record.evaluations.values(), key=lambda e: e.day)
        ),
        sections=_plugin_sections(definitions, record, employer),
        appreciation=tuple((c.day, c.author, c.text) for c in record.comments[-6:]),
        exit=_exit_line(record),
        issued_on=today or dt.date.today(),
        catalog_version=catalog.version,
    )


def _readers(
    catalog: Catalog,
    sector: str,
    home: str,
    employer: str | None,
    territory: str | None,
) -> tuple[str, list[Employer]]:
    """Who the booklet is written for, and the employers it judges the trainee against."""
    if employer is not None:
        if employer not in catalog.employers:
            hiring = sorted(e.id for e in catalog.employers.values() if catalog.hires_in(e, sector))
            raise UnknownReader("employer", employer, hiring)
        return catalog.employers[employer].name, [catalog.employers[employer]]
    territory = territory or home
    if territory not in catalog.territories:
        raise UnknownReader("territory", territory, sorted(catalog.territories))
    return catalog.territories[territory].name, catalog.employers_in(territory, sector=sector)


def _grid(sector: Sector, record: TraineeRecord) -> tuple[GridBlock, ...]:
    scale = sector.curriculum.scale
    return tuple(
        GridBlock(
            name=block.name,
            lines=tuple(
                GridLine(
                    name=c.name,
                    level=scale.label(record.levels[c.id].level),
                    rank=scale.rank(record.levels[c.id].level),
                    autonomous_successes=record.levels[c.id].autonomous_successes,
                    days=len(record.levels[c.id].success_days),
                )
                for c in block.competencies
            ),
        )
        for block in sector.blocks
    )


def _plugin_sections(
    definitions: Definitions, record: TraineeRecord, employer: str | None
) -> tuple[BookletSection, ...]:
    """What plugins add (``gestes_booklet_sections``, called through pluggy), by order."""
    reader = definitions.catalog.employers.get(employer) if employer else None
    sections: list[BookletSection] = []
    hook = definitions.plugins.hook.gestes_booklet_sections
    for found in hook(record=record, employer=reader):
        sections.extend(found or [])
    return tuple(sorted(sections, key=lambda s: s.order))


def _acquired(sector: Sector, record: TraineeRecord) -> tuple[AcquiredCompetency, ...]:
    """Competencies at the acquired level or above, with their evidence (Open Badges)."""
    curriculum = sector.curriculum
    scale = curriculum.scale
    acquired = []
    for block in sector.blocks:
        for competency in block.competencies:
            level = record.levels[competency.id]
            if scale.rank(level.level) < scale.acquired_rank:
                continue
            refs = competency.references
            evidence = (
                f"{counted(level.autonomous_successes, 'réussite', 'réussites')} en autonomie "
                f"sur {counted(len(level.success_days), 'jour', 'jours')} différents, observées "
                "sur le plateau technique"
                + (" ; épreuve pratique réussie." if level.evaluation_passed else ".")
            )
            if level.decision is not None:
                evidence = f"Niveau fixé par l'équipe pédagogique : {level.decision.justification}"
            acquired.append(
                AcquiredCompetency(
                    id=competency.id,
                    name=competency.name,
                    level=scale.label(level.level),
                    evidence=evidence,
                    rome=refs.rome or block.references.rome or sector.sector.references.rome,
                    rncp=refs.rncp or block.references.rncp or curriculum.references.rncp,
                )
            )
    return tuple(acquired)


def _exit_line(record: TraineeRecord) -> str | None:
    if record.exit is None:
        return None
    where = f" chez {record.exit.employer_name}" if record.exit.employer_name else ""
    return f"{ExitKind(record.exit.kind).label}{where}, le {record.exit.on:%d/%m/%Y}"


def _employer_part(
    catalog: Catalog, record: TraineeRecord, employer: Employer, levels: dict[str, str]
) -> EmployerPart:
    fit = employer_fit(employer, levels, catalog.grading)
    lines = []
    for status in fit.requirements:
        competency = status.requirement.competency
        scale, _ = catalog.grading(competency)
        evidence = record.levels.get(competency)
        lines.append(
            RequirementLine(
                competency=competency,
                name=catalog.competency(competency).name,
                priority=status.requirement.priority.label,
                required=scale.label(status.requirement.min_level),
                level=scale.label(status.level),
                status=status.status.value,
                status_label=status.status.label,
                autonomous_successes=evidence.autonomous_successes if evidence else 0,
                days=len(evidence.success_days) if evidence else 0,
                first_day=evidence.success_days[0] if evidence and evidence.success_days else None,
                last_day=evidence.success_days[-1] if evidence and evidence.success_days else None,
                assessors=evidence.assessors if evidence else (),
                evaluation_passed=evidence.evaluation_passed if evidence else False,
            )
        )
    return EmployerPart(
        id=employer.id,
        name=employer.name,
        description=employer.description,
        percent=fit.percent,
        met=fit.met,
        total=fit.total,
        essentials_met=fit.essentials_met,
        lines=tuple(lines),
    )


def verified_booklet(
    definitions: Definitions,
    settings: Settings,
    record: TraineeRecord,
    *,
    employer: str | None = None,
    territory: str | None = None,
    served_at: str | None = None,
) -> BookletData:
    """The booklet as every channel hands it out (CLI, download, share link, cohort ZIP):
    built, then signed with its verification link and QR code."""
    data = build_booklet(definitions, record, employer=employer, territory=territory)
    return with_verification(
        data,
        record.trainee.id,
        settings,
        employer=employer,
        territory=territory,
        served_at=served_at,
    )
