"""Gather, for the cohorts a coordinator follows, what ``core.followup.risk`` derives from:
attendance (the signed sheets), the record (progress, gestures), immersion (the tutors'
appraisals), and the call log's last contact. One reading per cohort, not per trainee."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from core.catalog.definitions import Phase
from core.followup.risk import APPRAISAL_DAYS, STUCK, AtRisk, Elapsed, Situation, signals
from core.immersion.placements import Rating

if TYPE_CHECKING:
    from core.catalog.catalog import Catalog
    from core.context import Gestes
    from core.immersion.record import ImmersionRecord
    from core.judging.record import TraineeRecord

RECENT = 14  # days after its end a cohort is still followed (exits, late appraisals)


def at_risk(gestes: Gestes, cohort_ids: list[int], today: dt.date | None = None) -> list[AtRisk]:
    """Every trainee of these cohorts with a reason to worry, the most signals first."""
    today = today or dt.date.today()
    found: list[AtRisk] = []
    for cohort_id in cohort_ids:
        found += _cohort(gestes, cohort_id, today)
    contacts = gestes.store.followups.last_contacts([a.trainee_id for a in found])
    found = [
        dataclasses.replace(a, last_contact=seen[0], contacts=seen[1])
        if (seen := contacts.get(a.trainee_id))
        else a
        for a in found
    ]
    return sorted(found, key=lambda a: (-len(a.signals), a.cohort, a.name))


def trainee_signals(gestes: Gestes, trainee_id: int, today: dt.date | None = None) -> AtRisk | None:
    """One trainee's signals (``None``: nothing to worry about), as the dashboard lists them."""
    scope = gestes.store.lookup.trainee_scope(trainee_id)
    if scope is None:
        return None
    found = [a for a in at_risk(gestes, [scope.cohort_id], today) if a.trainee_id == trainee_id]
    return found[0] if found else None


def _cohort(gestes: Gestes, cohort_id: int, today: dt.date) -> list[AtRisk]:
    store = gestes.store
    cohort, school = store.lookup.cohort(cohort_id), store.lookup.cohort_school(cohort_id)
    if cohort is None or school is None or cohort.ends_on < today - dt.timedelta(days=RECENT):
        return []
    threshold = school.absence_alert or gestes.settings.absence_alert
    hours = store.attendance.hours(cohort_id, today)
    placed = store.placements.placed(cohort_id)
    catalog = gestes.catalog_for(cohort)
    found = []
    for record in store.records.cohort_records(cohort_id):
        info = record.trainee
        if info.erased:
            continue
        absent = hours.get(info.id)
        late, poor = (
            _tutors(gestes.immersion_record(info.id), today) if info.id in placed else ((), ())
        )
        situation = Situation(
            unjustified=absent.unjustified if absent else 0,
            threshold=threshold,
            progress=record.phases.get(Phase.GESTE),
            elapsed=Elapsed(info.starts_on, info.ends_on, today).share,
            stuck=_stuck(record, catalog),
            exited=record.exit is not None,
            appraisals_late=late,
            appraisals_poor=poor,
        )
        said = signals(situation)
        if said:
            found.append(AtRisk(info.id, info.full_name, cohort_id, cohort.name, said))
    return found


def _stuck(record: TraineeRecord, catalog: Catalog) -> tuple[tuple[str, int], ...]:
    return tuple(
        (catalog.gesture(g).name, progress.attempts)
        for g, progress in record.gestures.items()
        if progress.attempts >= STUCK and progress.passed == 0
    )


def _tutors(
    journey: ImmersionRecord, today: dt.date
) -> tuple[tuple[tuple[str, dt.date], ...], tuple[tuple[str, int, int], ...]]:
    late: list[tuple[str, dt.date]] = []
    poor: list[tuple[str, int, int]] = []
    for immersion in journey.immersions:
        placement = immersion.placement
        if immersion.appraisal is None:
            if (today - placement.ends_on).days > APPRAISAL_DAYS:
                late.append((placement.company, placement.ends_on))
            continue
        rated = [r for _, r in immersion.appraisal.ratings if r is not Rating.NON_OBSERVE]
        weak = sum(r is Rating.A_AMELIORER for r in rated)
        if rated and weak * 2 >= len(rated):
            poor.append((placement.company, weak, len(rated)))
    return tuple(late), tuple(poor)
