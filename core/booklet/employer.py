"""The booklet's pages for one employer: every requirement it has for the trainee's trade,
each with the whole truth beside it (level reached, the evidence, and what failed since),
the requirements of other trades named but not counted, and the points of vigilance."""

from __future__ import annotations

from core.catalog.catalog import Catalog
from core.catalog.definitions import Employer, Frozen
from core.french import plural
from core.judging.evidence import NO_EVIDENCE, Evidence, evidence_of, evidence_words
from core.judging.fit import employer_fit
from core.judging.record import TraineeRecord

NOT_RECRUITING = "ne recrute pas dans ce métier : ses exigences ne sont pas jugées ici."


class RequirementLine(Frozen):
    competency: str
    name: str
    priority: str
    essential: bool
    required: str
    level: str
    status: str  # acquis / en_cours / non_acquis (said « atteint / en progression / pas encore »)
    status_label: str
    evidence: Evidence  # what the level rests on (core.judging.evidence: one derivation)
    said: str  # the evidence in words, the same words as the grid and the badges
    vigilance: tuple[str, ...] = ()  # what failed, dated, on this competency

    @property
    def decided(self) -> bool:  # the level was set by a decision of the training team
        return self.evidence.decided_on is not None


class EmployerPart(Frozen):
    id: str
    name: str
    description: str | None
    percent: int
    met: int
    total: int
    essentials_met: bool
    essentials_missing: int
    essentials_total: int
    lines: tuple[RequirementLine, ...]
    other_trades: tuple[str, ...] = ()  # requirements of other trades: named, not counted
    recruits: bool = True  # False: no requirement in this trade, nothing judged
    rank: tuple[int, int, float] = (0, 0, 0.0)  # best fit first (core.judging.fit.EmployerFit.rank)

    @property
    def headline(self) -> str:
        """Page one's line for this employer: its essentials first, then the share met."""
        if not self.recruits:
            return (
                f"{self.name} ne recrute pas dans ce métier : ses exigences ne sont pas jugées ici."
            )
        share = f"{self.met} sur {self.total} {plural(self.met, 'atteinte', 'atteintes')}"
        if not self.essentials_total:
            return f"{self.name} : {share} ; aucune n'est essentielle pour ce métier."
        if self.essentials_met:
            return f"{self.name} : toutes les exigences essentielles sont atteintes ({share})."
        missing = self.essentials_missing
        words = plural(
            missing,
            "exigence essentielle pas encore atteinte",
            "exigences essentielles pas encore atteintes",
        )
        return f"{self.name} : {missing} {words} ({share})."

    @property
    def vigilance(self) -> tuple[str, ...]:
        """Every point of vigilance of this employer's requirements, once."""
        return tuple(dict.fromkeys(p for line in self.lines for p in line.vigilance))


def vigilance(catalog: Catalog, record: TraineeRecord, competency: str) -> tuple[str, ...]:
    """Practical evaluations of this competency whose latest result failed, with the date and
    the critical points not met: said beside the requirement, never pages away from it."""
    points = []
    for result in sorted(record.evaluations.values(), key=lambda r: r.day):
        evaluation = catalog.evaluation(result.evaluation)
        if result.passed or competency not in evaluation.competencies:
            continue
        failed = [c.label for c in result.checks if not c.ok and c.critical]
        detail = f" ; point critique non satisfait : {', '.join(failed)}" if failed else ""
        if len(failed) > 1:
            detail = f" ; points critiques non satisfaits : {', '.join(failed)}"
        points.append(f"Épreuve « {evaluation.name} » à reprendre le {result.day:%d/%m/%Y}{detail}")
    return tuple(points)


def employer_part(
    catalog: Catalog, record: TraineeRecord, employer: Employer, levels: dict[str, str]
) -> EmployerPart:
    trade = record.trainee.sector
    fit = employer_fit(
        employer,
        levels,
        lambda c: catalog.defining(c).grading(c),
        lambda c: catalog.defining(c).sector_id(c) == trade,
    )
    lines = []
    recruits = catalog.hires_in(employer, trade)
    for status in fit.requirements if recruits else ():
        competency = status.requirement.competency
        scale, _ = catalog.defining(competency).grading(competency)
        found = record.levels.get(competency)
        evidence = evidence_of(found) if found else NO_EVIDENCE
        lines.append(
            RequirementLine(
                competency=competency,
                name=_name(catalog, competency),
                priority=status.requirement.priority.label,
                essential=status.requirement.priority.rank == 0,
                required=scale.label(status.requirement.min_level),
                level=scale.label(status.level),
                status=status.status.value,
                status_label=status.status.label,
                evidence=evidence,
                said=evidence_words(evidence),
                vigilance=vigilance(catalog, record, competency),
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
        essentials_missing=fit.essentials_missing,
        essentials_total=fit.essentials_total,
        lines=tuple(lines),
        other_trades=tuple(_name(catalog, r.competency) for r in fit.other_trades),
        rank=fit.rank if recruits else (9, 9, 0.0),  # after every employer that recruits
        recruits=recruits,
    )


def _name(catalog: Catalog, competency: str) -> str:
    """A competency's name; one the trainee's curriculum version does not hold says so."""
    name = catalog.defining(competency).competency(competency).name
    return name if competency in catalog.entries else f"{name} (hors du programme suivi)"
