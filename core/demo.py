"""``gestes demo``: a realistic store for trying Gestes out.

Three schools in three territories, one cohort per sector (about 40 trainees), weeks of
gesture attempts whose success grows with practice and with each trainee's ease, practical
evaluations at the end of each module, a few comments, and exits for the finished cohort.
Everything goes through the records service, exactly as a trainer's input would.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from core.attempts import StepResult
from core.directory import Directory, NewTrainee
from core.evaluation import Submission
from core.models import Autonomy, Evaluation, Phase
from core.records import Records
from core.store import tables as t

ADMIN_PASSWORD = "gestes-admin-demo"
PASSWORD = "gestes-demo-2026"

FIRST = [
    "Awa",
    "Lucas",
    "Nour",
    "Yanis",
    "Inès",
    "Kevin",
    "Fatou",
    "Mehdi",
    "Sarah",
    "Dylan",
    "Aïcha",
    "Jordan",
    "Léa",
    "Moussa",
    "Chloé",
    "Bilal",
    "Manon",
    "Samir",
    "Océane",
    "Ibrahim",
    "Julie",
    "Ryan",
    "Kadiatou",
    "Thomas",
    "Yasmine",
    "Enzo",
    "Amina",
    "Hugo",
    "Mariam",
    "Nicolas",
    "Salomé",
    "Adama",
    "Camille",
    "Rayan",
    "Laura",
    "Ousmane",
    "Emma",
    "Walid",
    "Priscilla",
    "Anthony",
]
LAST = [
    "Diallo",
    "Martin",
    "Benali",
    "Traoré",
    "Dubois",
    "Nguyen",
    "Mendy",
    "Lefebvre",
    "Haddad",
    "Petit",
    "Camara",
    "Moreau",
    "Kone",
    "Garcia",
    "Bensaïd",
    "Roux",
    "Sissoko",
    "Fontaine",
    "Cissé",
    "Lambert",
]


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    role: str
    scope: str


def seed_demo(records: Records, today: dt.date | None = None, seed: int = 2026) -> list[Login]:
    """Fill an empty store; returns the logins to print."""
    today = today or dt.date.today()
    rng = random.Random(seed)
    directory = Directory(records)
    marseille = directory.create_school(
        "afpa-marseille", "AFPA Saint-Jérôme", "Marseille", "territoire.marseille"
    )
    roubaix = directory.create_school(
        "afpa-roubaix", "AFPA Roubaix", "Roubaix", "territoire.hauts_de_france"
    )
    lyon = directory.create_school("e2c-lyon", "E2C Rhône", "Lyon", "territoire.lyon")
    logins = [Login("admin@gestes.demo", ADMIN_PASSWORD, "admin", "toutes les écoles")]
    directory.create_user(
        "admin@gestes.demo", "Administratrice Gestes", ADMIN_PASSWORD, t.Role.ADMIN
    )
    people = [
        (
            "coordination@gestes.demo",
            "Inès Coordinatrice",
            t.Role.COORDINATOR,
            [marseille, roubaix],
            "Marseille et Roubaix",
        ),
        (
            "formateur.marseille@gestes.demo",
            "Karim Haddad",
            t.Role.TRAINER,
            [marseille],
            "Marseille",
        ),
        ("formateur.roubaix@gestes.demo", "Sébastien Leroy", t.Role.TRAINER, [roubaix], "Roubaix"),
        ("formatrice.lyon@gestes.demo", "Nadia Morel", t.Role.TRAINER, [lyon], "Lyon"),
    ]
    users = {}
    for email, name, role, schools, scope in people:
        users[email] = directory.create_user(email, name, PASSWORD, role, schools)
        logins.append(Login(email, PASSWORD, role.value, scope))

    cohorts = [
        (
            marseille,
            "smartcity",
            "Smart city — promotion 2026-2",
            today - dt.timedelta(days=95),
            12,
            "formateur.marseille@gestes.demo",
        ),
        (
            roubaix,
            "datacenter",
            "Datacenter — promotion 2026-1",
            today - dt.timedelta(days=200),
            16,
            "formateur.roubaix@gestes.demo",
        ),
        (
            lyon,
            "fibre",
            "Fibre — promotion 2026-2",
            today - dt.timedelta(days=60),
            12,
            "formatrice.lyon@gestes.demo",
        ),
    ]
    names = iter(rng.sample([(f, n) for f in FIRST for n in LAST], 60))
    for school, sector, name, starts_on, size, trainer_email in cohorts:
        weeks = records.catalog.sectors[sector].curriculum.weeks
        ends_on = starts_on + dt.timedelta(weeks=weeks)
        trainer = users[trainer_email]
        cohort = directory.create_cohort(school, sector, name, starts_on, ends_on, [trainer])
        trainees = directory.add_trainees(
            cohort,
            [
                NewTrainee(first, last, f"{first}.{last}@exemple.fr".lower().replace("ï", "i"))
                for first, last in (next(names) for _ in range(size))
            ],
        )
        _Simulation(records, rng, sector, starts_on, min(today, ends_on), trainer).run(trainees)
        if ends_on < today:
            _exits(records, rng, trainees, ends_on, users["coordination@gestes.demo"])
    return logins


class _Simulation:
    def __init__(
        self,
        records: Records,
        rng: random.Random,
        sector: str,
        starts_on: dt.date,
        until: dt.date,
        trainer: int,
    ) -> None:
        self.records, self.rng, self.trainer = records, rng, trainer
        self.sector = records.catalog.sectors[sector]
        self.starts_on, self.until = starts_on, until

    def run(self, trainees: list[int]) -> None:
        for trainee in trainees:
            ease = self.rng.gauss(0, 1)  # how easily this trainee picks gestures up
            self._trainee(trainee, ease)

    def _trainee(self, trainee: int, ease: float) -> None:
        day = self.starts_on
        for module in self.sector.curriculum.modules:
            days = max(1, round(module.hours / 7))
            span = [_workday(day, n) for n in range(days)]
            day = _workday(day, days)
            if module.phase is not Phase.GESTE:
                continue
            for gesture_id in module.gestures:
                self._practise(trainee, gesture_id, span, ease)
            for evaluation_id in module.evaluations:
                if span[-1] <= self.until:
                    self._evaluate(trainee, evaluation_id, span[-1], ease)
            if span[0] <= self.until and self.rng.random() < 0.25:
                text = self.rng.choice(
                    [
                        "Geste soigné, gagne en assurance.",
                        "Doit encore relire la fiche sécurité.",
                        "Très bonne entraide avec le binôme.",
                        "Absent deux jours, à rattraper.",
                    ]
                )
                self.records.record_comment(
                    trainee,
                    self.trainer,
                    text,
                    span[0],
                    f"demo-c-{trainee}-{module.id}",
                    about=module.id,
                )

    def _practise(self, trainee: int, gesture_id: str, span: list[dt.date], ease: float) -> None:
        gesture = self.records.catalog.gesture(gesture_id)
        successes = 0
        for number, day in enumerate(span[:: max(1, len(span) // 4)] + span[-1:]):
            if day > self.until:
                return
            chance = 1 / (1 + math.exp(-(ease + 0.9 * number - 1.2)))
            steps = {step.key: StepResult.REUSSI for step in gesture.steps}
            if self.rng.random() > chance:
                missed = self.rng.choice(gesture.steps)
                steps[missed.key] = StepResult.A_REPRENDRE
            autonomy = (Autonomy.AVEC_AIDE, Autonomy.SOUS_CONTROLE, Autonomy.AUTONOME)[
                min(2, successes)
            ]
            result = self.records.record_attempt(
                trainee,
                self.trainer,
                gesture_id,
                steps,
                autonomy,
                day,
                f"demo-a-{trainee}-{gesture_id}-{number}",
                seconds=int(
                    sum(s.expected_seconds or 60 for s in gesture.steps)
                    * self.rng.uniform(0.8, 1.6)
                ),
            )
            successes += result.outcome.passed

    def _evaluate(self, trainee: int, evaluation_id: str, day: dt.date, ease: float) -> None:
        evaluation = self.records.catalog.evaluation(evaluation_id)
        chance = 1 / (1 + math.exp(-(ease + 1.5)))
        submission = _submission(evaluation, self.rng, chance)
        self.records.record_evaluation(
            trainee,
            self.trainer,
            evaluation_id,
            submission,
            day,
            f"demo-e-{trainee}-{evaluation_id}",
        )


def _submission(evaluation: Evaluation, rng: random.Random, chance: float) -> Submission:
    criteria = {c.key: rng.random() < (chance if c.critical else 0.9) for c in evaluation.criteria}
    values = {}
    for m in evaluation.measurements:
        example = (
            m.example
            if m.example is not None
            else (m.threshold.max if m.threshold and m.threshold.max is not None else 1.0)
        )
        series = []
        for _ in range(m.count):
            value = example if m.type == "int" else example * rng.uniform(0.7, 1.3)
            if m.range is not None:
                value = min(max(value, m.range.min or value), m.range.max or value)
            series.append(round(value, 2))
        values[m.key] = tuple(series)
    return Submission(criteria=criteria, measurements=values)


def _exits(
    records: Records, rng: random.Random, trainees: list[int], ended: dt.date, coordinator: int
) -> None:
    """About 73 % positive exits, as the seeds report."""
    kinds = [
        t.Exit.CDI,
        t.Exit.CDD,
        t.Exit.INTERIM,
        t.Exit.ALTERNANCE,
        t.Exit.FORMATION,
        t.Exit.SANS_SOLUTION,
    ]
    weights = [20, 27, 10, 10, 6, 27]
    with records._read() as session:
        from sqlalchemy import select

        territory, sector = session.execute(
            select(t.School.territory, t.Cohort.sector)
            .join(t.Cohort)
            .join(t.Trainee)
            .where(t.Trainee.id == trainees[0])
        ).one()
    employers = [e.id for e in records.catalog.employers_in(territory, sector=sector)]
    for trainee in trainees[:-2]:  # two trainees still without news
        kind = rng.choices(kinds, weights)[0]
        employer = rng.choice(employers) if employers and kind in kinds[:4] else None
        records.record_outcome(
            trainee,
            coordinator,
            kind,
            ended + dt.timedelta(days=rng.randint(5, 60)),
            f"demo-o-{trainee}",
            employer=employer,
        )


def _workday(start: dt.date, offset: int) -> dt.date:
    """``offset`` working days after ``start`` (weekends skipped)."""
    day = start
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    for _ in range(offset):
        day += dt.timedelta(days=1)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
    return day
