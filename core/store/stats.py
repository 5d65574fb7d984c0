"""Exit statistics: the share of positive exits by cohort, school or territory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_, select

from core.catalog.catalog import Catalog
from core.domain import FOLLOW_UPS, ExitKind, ExitStats
from core.store import tables as t
from core.store.database import Database

BREAKDOWNS = {
    "cohort": "promotion",
    "school": "école",
    "territory": "territoire",
    "sector": "filière",
}


def exit_stats(
    database: Database,
    catalog: Catalog,
    by: str = "cohort",
    schools: Collection[int] | None = None,
    year: int | None = None,
    follow_up: int | None = None,
) -> list[ExitStats]:
    """Positive and lasting exits per cohort, school or territory (CDI, CDD, intérim,
    alternance and formation are positive; CDI, alternance and contracts of 6 months or more
    last), over all trainees: those without a known exit are counted as unknown, never left
    out of the rate. By cohort, school, territory or sector; ``schools``: only theirs (a
    coordinator's); ``year``: the cohorts that ended that year (a funder's period);
    ``follow_up``: where trainees were 3 or 6 months after the end (None: at the end)."""
    group = {
        "cohort": (t.Cohort.id, t.Cohort.name),
        "school": (t.School.id, t.School.name),
        "territory": (t.School.territory, t.School.territory),
        "sector": (t.Cohort.sector, t.Cohort.sector),
    }[by]
    scope: list[Any] = []
    if schools is not None:
        scope.append(t.School.id.in_(list(schools)))
    if year is not None:
        scope.append(t.Cohort.ends_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    moment = (
        t.ExitRecord.follow_up.is_(None)
        if follow_up is None
        else t.ExitRecord.follow_up == follow_up
    )
    latest = (
        select(t.ExitRecord.trainee_id, func.max(t.ExitRecord.id).label("id"))
        .where(moment)
        .group_by(t.ExitRecord.trainee_id)
        .subquery()
    )
    with database.read() as session:
        totals = session.execute(
            select(group[0], group[1], func.count(t.Trainee.id))
            .select_from(t.Trainee)
            .join(t.Cohort)
            .join(t.School)
            .where(*scope)
            .group_by(*group)
        ).all()
        exits = session.execute(
            select(group[0], t.ExitRecord.kind, t.ExitRecord.contract_months)
            .select_from(t.ExitRecord)
            .join(latest, latest.c.id == t.ExitRecord.id)
            .join(t.Trainee, t.Trainee.id == t.ExitRecord.trainee_id)
            .join(t.Cohort)
            .join(t.School)
            .where(*scope)
        ).all()
    return sorted(_stats(catalog, by, totals, exits), key=lambda s: s.label)


def _stats(catalog: Catalog, by: str, totals: Any, exits: Any) -> list[ExitStats]:
    """Each group's counts, from its trainees and their latest exits."""
    counts: dict[Any, dict[str, int]] = {}
    lasting: dict[Any, int] = {}
    for key, kind, months in exits:
        counts.setdefault(key, {})
        counts[key][kind] = counts[key].get(kind, 0) + 1
        lasting[key] = lasting.get(key, 0) + ExitKind(kind).lasting(months)
    stats = []
    for key, label, trainees in totals:
        kinds = counts.get(key, {})
        if by == "territory" and label in catalog.territories:
            label = catalog.territories[label].name
        if by == "sector" and label in catalog.sectors:
            label = catalog.sectors[label].sector.name
        stats.append(
            ExitStats(
                key=str(key),
                label=str(label),
                trainees=trainees,
                exited=sum(kinds.values()),
                positive=sum(n for kind, n in kinds.items() if ExitKind(kind).positive),
                by_kind=kinds,
                lasting=lasting.get(key, 0),
            )
        )
    return stats


@dataclass(frozen=True)
class FollowUpDue:
    """A trainee to call: where are they, ``months`` after the end of their programme?"""

    trainee_id: int
    name: str
    cohort: str
    months: int
    due_on: dt.date


def follow_ups_due(
    database: Database, schools: Collection[int] | None, today: dt.date
) -> list[FollowUpDue]:
    """The follow-ups at 3 and 6 months whose day has come and that nobody recorded yet
    (a trainee who abandoned is not followed), the oldest first."""
    due = []
    with database.read() as session:
        for months in FOLLOW_UPS:
            rows = session.execute(
                select(t.Trainee.id, t.Trainee.first_name, t.Trainee.last_name, t.Cohort)
                .join(t.Cohort, t.Cohort.id == t.Trainee.cohort_id)
                .where(
                    t.Cohort.ends_on <= months_before(today, months),
                    t.Trainee.erased_at.is_(None),
                    *([t.Cohort.school_id.in_(list(schools))] if schools is not None else []),
                    ~exists().where(
                        t.ExitRecord.trainee_id == t.Trainee.id,
                        or_(t.ExitRecord.follow_up == months, t.ExitRecord.kind == "abandon"),
                    ),
                )
            ).all()
            due += [
                FollowUpDue(
                    tid,
                    f"{first} {last}",
                    cohort.name,
                    months,
                    months_after(cohort.ends_on, months),
                )
                for tid, first, last, cohort in rows
            ]
    return sorted(due, key=lambda d: (d.due_on, d.name))[:200]


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    import calendar

    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_before(day: dt.date, months: int) -> dt.date:
    return months_after(day, -months)
