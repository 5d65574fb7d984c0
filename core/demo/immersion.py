"""The demo's immersions: the last weeks of each cohort at partner companies, recorded as the
tutors would through their links (``core.demo.seed``)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from core.calendar_fr import working_day
from core.catalog.definitions import Phase
from core.context import Gestes
from core.immersion.placements import (
    EntryKind,
    LinkKind,
    Objective,
    Placement,
    appraisal_criteria,
    default_objectives,
    new_tutor_code,
)

_TUTORS = ("Karim Benali", "Sophie Martin", "Julien Roux", "Claire Fontaine", "Omar Said")
_APPRAISALS = (
    "Sérieux et ponctuel, pose des questions à bon escient. Progresse vite sur le terrain.",
    "Travail soigné, respecte les consignes de sécurité. Doit gagner en rythme.",
    "Bonne intégration dans l'équipe, à l'aise avec les clients. À confirmer en autonomie.",
)


class Immersions:
    """The last weeks of a cohort spent at partner companies, as tutors would record them
    through their links: attendance, observations, and for finished placements the signed
    appraisal; then a few self-assessments confirmed, and signatures on finished booklets."""

    def __init__(
        self,
        gestes: Gestes,
        rng: random.Random,
        sector: str,
        territory: str,
        today: dt.date,
        trainer: int,
    ) -> None:
        self.gestes, self.rng, self.today, self.trainer = gestes, rng, today, trainer
        self.sector = gestes.catalog.sectors[sector]
        self.employers = gestes.catalog.employers_in(territory, sector=sector)

    def run(self, trainees: list[int], ends_on: dt.date) -> None:
        hours = self.sector.curriculum.hours_by_phase()[Phase.IMMERSION]
        starts_on = ends_on - dt.timedelta(weeks=max(2, round(hours / 35)))
        starts_on = working_day(starts_on + dt.timedelta(days=-starts_on.weekday() % 7))  # Monday
        if starts_on > self.today:
            # Before the immersion phase, a few trainees try the job in a two-week PMSMP
            # (période de mise en situation en milieu professionnel), running now.
            begun = working_day(self.today - dt.timedelta(days=7))
            for trainee in trainees[:3]:
                self._placement(trainee, begun, begun + dt.timedelta(days=13), 70)
            return
        for trainee in trainees[:-1]:  # one trainee still looking for a host company
            self._placement(trainee, starts_on, ends_on, hours)

    def _placement(self, trainee: int, starts_on: dt.date, ends_on: dt.date, hours: int) -> None:
        store, rng = self.gestes.store.placements, self.rng
        employer = rng.choice(self.employers) if self.employers else None
        tutor = rng.choice(_TUTORS)
        objectives = default_objectives(self.gestes.catalog, self.sector.sector.id, employer)
        company = employer.name if employer else "Entreprise partenaire locale"
        placement = store.create(
            trainee,
            Placement(
                0,
                trainee,
                company,
                employer.id if employer else None,
                tutor,
                None,
                starts_on,
                ends_on,
                hours,
                (),
            ),
            None,
            "\n".join(o.label for o in objectives[:6]),  # a few of them, as a coordinator would
        )
        link = store.issue_link(LinkKind.TUTOR, trainee, new_tutor_code(), 120, None, placement.id)

        def add(kind: EntryKind, payload: dict[str, object], subject: str = "") -> int:
            signer = tutor if kind is EntryKind.APPRAISAL else None
            return store.add(
                trainee,
                kind,
                payload,
                subject=subject,
                placement_id=placement.id,
                signer=signer,
                link=link,
            )

        week = starts_on - dt.timedelta(days=starts_on.weekday())
        while week <= ends_on and week + dt.timedelta(days=4) < self.today:  # weeks gone by
            days = sum(
                starts_on <= week + dt.timedelta(days=d) <= ends_on for d in range(5)
            )  # the first and last weeks may be short
            absent = min(days, rng.choices([0, 1, 2], [85, 12, 3])[0])
            add(
                EntryKind.ATTENDANCE,
                {"hours": 7 * (days - absent), "days_absent": absent},
                week.isoformat(),
            )
            week += dt.timedelta(days=7)
        finished = ends_on < self.today
        for number, _ in enumerate(placement.objectives, start=1):
            if finished or rng.random() < 0.5:
                result = rng.choices(["reussi", "a_reprendre", "pas_occasion"], [70, 15, 15])[0]
                add(EntryKind.COMPANY_OBSERVATION, {"result": result, "note": ""}, str(number))
        if finished:
            self._appraise(add)
            self._sign(trainee, objectives)

    def _appraise(self, add: Callable[..., int]) -> None:
        ratings = {
            c.key: self.rng.choices(
                ["tres_satisfaisant", "satisfaisant", "a_ameliorer"], [35, 50, 15]
            )[0]
            for c in appraisal_criteria(self.gestes.plugins, self.sector.sector.id)
        }
        hiring = self.rng.choices(["oui", "peut_etre", "non"], [40, 40, 20])[0]
        text = self.rng.choice(_APPRAISALS)
        add(
            EntryKind.APPRAISAL,
            {"ratings": ratings, "text": text, "hiring": hiring, "consent": True},
        )

    def _sign(self, trainee: int, objectives: list[Objective]) -> None:
        store = self.gestes.store.placements
        competency = next((o.competency for o in objectives if o.competency), None)
        if competency:
            said = store.add(trainee, EntryKind.SELF_ASSESSMENT, {"can": True}, subject=competency)
            store.add(
                trainee,
                EntryKind.CONFIRMATION,
                {"confirmed": True, "answers": said},
                subject=competency,
                author_id=self.trainer,
            )
        if self.rng.random() < 0.7:
            found = self.gestes.store.lookup.trainee(trainee)
            name = f"{found[0].first_name} {found[0].last_name}" if found else "?"
            store.add(trainee, EntryKind.TRAINEE_SIGNATURE, {"consent": True}, signer=name)
            store.add(
                trainee, EntryKind.TRAINER_SIGNATURE, {"consent": True}, author_id=self.trainer
            )
