"""The skill booklet (livret de compétences): data for one reader who hires, then HTML, then PDF.

``build_booklet`` turns a ``TraineeRecord`` and an employer (or a whole territory) into a
``BookletData``: a first page that answers in thirty seconds, then each employer's
requirements with the evidence and the points of vigilance beside them
(``core.booklet.employer``); then the full grid, the gestures mastered under the rule, the
practical evaluations and the sections plugins add. Written for employers: trainer comments,
the exit and internal ids are never in it. ``core.booklet.printing`` makes HTML and PDF.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from core.booklet.employer import EmployerPart, employer_part, vigilance
from core.booklet.immersion import (
    ConfirmedSkill,
    ImmersionPart,
    SignatureLine,
    confirmed_skills,
    immersion_parts,
    signature_lines,
)
from core.booklet.sections import BookletSection
from core.booklet.wording import mastered, printable, rule_text, status_legend
from core.catalog.catalog import Catalog
from core.catalog.definitions import (
    Competency,
    Employer,
    Frozen,
    LevelScale,
    Phase,
    Sector,
)
from core.french import decimal, hours_minutes
from core.judging.evidence import evidence_of, evidence_words, short_words
from core.judging.record import TraineeRecord
from core.settings import Settings

if TYPE_CHECKING:
    from core.booklet.identity import Identity
    from core.booklet.verification import Handed
    from core.context import Definitions
    from core.followup.positioning import SinceEntry
    from core.immersion.record import ImmersionRecord

TEMPLATES = Path(__file__).parent / "templates"


class GridLine(Frozen):
    name: str
    level: str
    rank: int
    tone: int  # what the level means, for its colour (LevelScale.tone)
    said: str  # « 3 réussites en autonomie sur 2 jours différents » (core.judging.evidence)


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


class Summary(Frozen):
    """Page one: what an employer needs in thirty seconds."""

    training: str  # « en cours jusqu'au … » or « terminée le … »
    headlines: tuple[str, ...]  # one line per employer, best fit first: essentials, share
    strongest: tuple[str, ...]  # up to three competencies at the highest levels reached
    vigilance: int  # how many points of vigilance the employer pages list
    immersion: str = ""  # where the trainee was placed, as recorded; empty: no placement


class EntryProgress(Frozen):
    competency: str
    at_entry: str  # what the positioning of the first days saw
    now: str  # the level in the record
    tone: int


class BookletData(Frozen):
    trainee: str
    trainee_ref: str = ""  # opaque (no personal data, no internal id): set when signed
    sector: str
    program: str
    curriculum_version: str
    school: str
    school_address: str = ""  # printed on the cover: where an employer reaches the school
    territory: str
    starts_on: dt.date
    ends_on: dt.date
    hours: tuple[tuple[str, int], ...]
    reader: str  # the employer, or the territory, this booklet is written for
    for_territory: bool = False  # written for every employer of a territory
    organisation: str | None = None  # the training organisation (settings), set when signed
    rules: tuple[str, ...] = ()  # how levels are established, in words, from the sector's rule
    pass_label: str = "Acquis"  # the level from which a competency counts as acquired
    legend: str = ""  # what « atteinte » (and « en progression », where it can be) means
    employers: tuple[EmployerPart, ...]
    grid: tuple[GridBlock, ...]
    gestures: tuple[GestureLine, ...]
    evaluations: tuple[EvaluationLine, ...]
    sections: tuple[BookletSection, ...]
    issued_on: dt.date
    catalog_version: str  # for the verification page's check, never printed
    summary: Summary
    acquired: tuple[AcquiredCompetency, ...] = ()
    # The immersion phase as planned (hours), then each placement as its tutor recorded it:
    # never a progress computed from the training floor.
    immersion_hours: int = 0
    immersion_done: str | None = None  # hours the tutors recorded, when there are placements
    # The floor's phases' hours attended, from the signed sheets (« 126 h 30 »), by phase
    # label; none before a sheet is signed (core.store.attendance).
    attended: tuple[tuple[str, str], ...] = ()
    immersions: tuple[ImmersionPart, ...] = ()
    confirmed: tuple[ConfirmedSkill, ...] = ()  # self-assessments a trainer confirmed
    signatures: tuple[SignatureLine, ...] = ()
    # progress since entry per competency, only where the trainee agreed to show it
    since_entry: tuple[EntryProgress, ...] = ()
    verify_url: str | None = None
    qr_svg: str | None = None  # the verification link as an inline SVG QR code
    badges: tuple[str, ...] = ()  # the acquired competencies as signed VC-JWT, when handed out


def with_verification(
    data: BookletData,
    handed: Handed,
    settings: Settings,
    identity: Identity,
    served_at: str | None = None,
    email: str | None = None,
) -> BookletData:
    """Add the short verification link (and its QR code) employers use to check the paper:
    at ``GESTES_PUBLIC_URL``, else where the app that builds it is served (``served_at``)."""
    import segno

    from core.booklet.badges import (
        credentials,
        issuer_id,
        recipient,
        signed_credentials,
        status_entry,
    )
    from core.booklet.verification import trainee_reference

    address = settings.address(served_at)
    url = f"{address}/v/{handed.code}"
    # With its SVG namespace (svg_inline leaves it out): the print path parses the page as
    # XML, where an <svg> without it is an unknown element and the code would not be drawn.
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", xmldecl=False, nl=False, scale=3, dark="#1b1f24"
    )
    data = data.model_copy(
        update={
            "verify_url": url,
            "qr_svg": buffer.getvalue().decode(),
            "trainee_ref": trainee_reference(settings.signing_key(), handed.trainee),
            "organisation": identity.organisation.line,
        }
    )
    # The badges' recipient: the trainee's e-mail salted and hashed (a stable salt per
    # trainee, so that the same booklet signs the same badges and stays cached)
    salt = trainee_reference(settings.signing_key(), -handed.trainee)[:16]
    recipient_id = recipient(email, salt) if email else None
    entry = None if handed.status_index is None else status_entry(address, handed.status_index)
    unsigned = credentials(
        data,
        issuer_id(address, identity),
        identity.name,
        recipient_id,
        entry,
        settings.verification_days,
    )
    badges = signed_credentials(unsigned, identity)
    return data.model_copy(update={"badges": tuple(badges)})


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
    immersion: ImmersionRecord,
    attended: Mapping[str, int] | None = None,
    since_entry: Sequence[SinceEntry] = (),
) -> BookletData:
    """One employer's booklet, or a territory's (every employer there, best fit first), with
    the immersions, confirmed self-assessments and signatures of ``immersion``
    (``Gestes.immersion_record``).
    Always given, never defaulted: a booklet built without the trainee's immersion would not
    match the one its verification page rebuilds (``core.immersion.record.ImmersionRecord()``
    says nothing was recorded)."""
    catalog = definitions.catalog
    info = record.trainee
    sector = catalog.sectors[info.sector]
    curriculum = sector.curriculum
    reader, readers = _readers(catalog, info.sector, info.territory, employer, territory)
    levels = record.level_codes()
    parts = sorted(
        (employer_part(catalog, record, e, levels) for e in readers),
        key=lambda p: (p.rank, p.name),
    )
    # the cohort's own hours where its coordinator set them, else the curriculum's
    hours = curriculum.hours_by_phase() | {
        phase: hours for phase in Phase for name, hours in info.planned_hours if name == phase.value
    }
    issued = today or dt.date.today()
    return BookletData(
        trainee=info.full_name,
        immersion_hours=hours[Phase.IMMERSION],
        immersion_done=_hours_done(immersion),
        attended=tuple(
            (phase.label, hours_minutes(attended.get(phase.value, 0)))
            for phase in Phase
            if phase is not Phase.IMMERSION and attended
        ),
        immersions=immersion_parts(immersion, issued),
        confirmed=confirmed_skills(catalog, immersion, _labels(curriculum.scale, levels)),
        signatures=signature_lines(immersion, info.full_name, info.school),
        since_entry=tuple(
            EntryProgress(competency=e.competency, at_entry=e.at_entry, now=e.now, tone=e.tone)
            for e in since_entry
        ),
        summary=_summary(catalog, sector, record, parts, issued).model_copy(
            update={"immersion": _immersion_line(immersion)}
        ),
        acquired=_acquired(sector, record),
        sector=sector.sector.name,
        program=curriculum.title,
        curriculum_version=curriculum.version,
        school=info.school,
        school_address=info.school_address,
        territory=catalog.territories[info.territory].name
        if info.territory in catalog.territories
        else info.territory,
        starts_on=info.starts_on,
        ends_on=info.ends_on,
        hours=tuple((phase.label, hours[phase]) for phase in Phase),
        reader=reader,
        for_territory=employer is None,
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
            if mastered(sector, g.autonomous_passed, g.autonomous_days)
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
        rules=rule_text(sector),
        legend=status_legend(sector, readers),
        pass_label=curriculum.scale.label(curriculum.scale.codes[curriculum.scale.acquired_rank]),
        issued_on=issued,
        catalog_version=catalog.version,
    )
    # Never printed, by design: trainer comments (internal notes), the exit (sortie), ids.


def _labels(scale: LevelScale, levels: dict[str, str]) -> dict[str, str]:
    """Each competency's level as the booklet words it."""
    return {competency: scale.label(code) for competency, code in levels.items()}


def _immersion_line(immersion: ImmersionRecord) -> str:
    """Page one's word on the immersion: the companies, and whether each tutor signed."""
    said = []
    for found in immersion.immersions:
        appraisal = found.appraisal
        state = (
            f"appréciation signée par {appraisal.signer}" if appraisal else "appréciation attendue"
        )
        said.append(f"{found.placement.company} ({state})")
    return f"Immersion en entreprise : {' ; '.join(said)}." if said else ""


def _hours_done(immersion: ImmersionRecord) -> str | None:
    """Hours of immersion the tutors recorded, written as people write them (31,5)."""
    if not any(i.weeks for i in immersion.immersions):
        return None
    return decimal(sum(i.hours_done for i in immersion.immersions))


def _summary(
    catalog: Catalog,
    sector: Sector,
    record: TraineeRecord,
    parts: list[EmployerPart],
    today: dt.date,
) -> Summary:
    info = record.trainee
    training = (
        f"formation terminée le {info.ends_on:%d/%m/%Y}"
        if info.ends_on < today
        else f"formation en cours jusqu'au {info.ends_on:%d/%m/%Y}"
    )
    headlines = tuple(part.headline for part in parts) or (
        "Aucun employeur de ce territoire ne recrute dans ce métier.",
    )
    scale = sector.curriculum.scale

    def strength(c: Competency) -> tuple[int, int]:
        level = record.levels[c.id]
        return (-scale.rank(level.level), -level.autonomous_successes)

    # A strength is never contradicted a page later: a competency whose latest practical
    # evaluation failed (a point of vigilance) is not one.
    ranked = sorted(
        (
            c
            for c in sector.competencies
            if -strength(c)[0] >= scale.acquired_rank and not vigilance(catalog, record, c.id)
        ),
        key=strength,
    )
    return Summary(
        training=training,
        headlines=headlines,
        strongest=tuple(c.name for c in ranked[:3]),
        vigilance=len({p for part in parts for p in part.vigilance}),
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
                    tone=scale.tone(record.levels[c.id].level),
                    said=short_words(evidence_of(record.levels[c.id])),
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
    readable = printable(record)
    for found in hook(record=readable, employer=reader):
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
            # The same words as the booklet's pages: never the decision's justification
            said = evidence_words(evidence_of(level))
            evidence = f"{said[0].upper()}{said[1:]}, sur le plateau technique."
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
