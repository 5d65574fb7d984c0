"""The opinions' results as the school reads them and publishes them: per questionnaire over
a period (its results page, the Qualiopi file's indicator 30, the API), and the trainees'
end-of-training satisfaction per programme for the cohorts ended in a year (the published
results, indicator 2). Counted by ``core.followup.opinions.results``, the one derivation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING

from core.followup.opinions import QUESTIONNAIRES, Results, results

if TYPE_CHECKING:
    from core.context import Gestes


def school_results(
    gestes: Gestes, school_id: int, start: dt.date, end: dt.date, cohort_id: int | None = None
) -> list[Results]:
    """Each questionnaire's results over the answers given in the period (of one cohort,
    when given), in the questionnaires' order, those without answers included."""
    answers = gestes.store.opinions.of_school(school_id, start, end)
    if cohort_id is not None:
        answers = [a for a in answers if a.cohort_id == cohort_id]
    return [
        results(kind, [a.answers for a in answers if a.questionnaire == kind])
        for kind in QUESTIONNAIRES
    ]


def programme_satisfaction(gestes: Gestes, school_id: int, year: int) -> dict[str, Results]:
    """Per sector: the end-of-training answers of the trainees of the cohorts that ended in
    ``year``, over how many trainees entered them (the same cohorts as the exits)."""
    cohorts: dict[str, list[int]] = defaultdict(list)
    for cohort, _ in gestes.store.lookup.cohorts([school_id]):
        if cohort.ends_on.year == year:
            cohorts[cohort.sector].append(cohort.id)
    found = {}
    for sector, ids in cohorts.items():
        entered = sum(len(gestes.store.lookup.cohort_trainees(c)) for c in ids)
        answers = gestes.store.opinions.of_cohorts(ids, "fin")
        found[sector] = results("fin", [a.answers for a in answers], asked=entered)
    return found
