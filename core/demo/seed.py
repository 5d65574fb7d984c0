"""``gestes demo``: a realistic store for trying Gestes out.

Three schools in three territories, one cohort per sector (about 40 trainees), weeks of
gesture attempts whose success grows with practice and with each trainee's ease, practical
evaluations at the end of each module, a few comments, and exits for the finished cohort.
Everything goes through the store's services, exactly as a trainer's input would. The
demo names no sector: it deals the installed ones to its three schools.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from core.calendar_fr import working_day
from core.catalog.catalog import Catalog
from core.catalog.definitions import Autonomy, Evaluation, Phase
from core.context import Gestes
from core.demo.attendance import seed_attendance
from core.demo.entry import seed_entry
from core.demo.immersion import Immersions
from core.demo.opinions import seed_opinions
from core.demo.partners import seed_candidates, seed_partners
from core.domain import ExitDetails, ExitKind, NewTrainee, Role
from core.judging.attempts import StepResult
from core.judging.evaluation import Submission
from core.store import Observations, Store

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


# The demo's schools, each with its trainer, the age of its cohort and its size.
_SCHOOLS = (
    ("afpa-marseille", "AFPA Saint-Jérôme", "Marseille", "territoire.marseille", 95, 12),
    ("afpa-roubaix", "AFPA Roubaix", "Roubaix", "territoire.hauts_de_france", 200, 16),
    ("e2c-lyon", "E2C Rhône", "Lyon", "territoire.lyon", 60, 12),
)
_TRAINERS = (
    ("formateur.marseille@gestes.demo", "Karim Haddad", "Marseille"),
    ("formateur.roubaix@gestes.demo", "Sébastien Leroy", "Roubaix"),
    ("formatrice.lyon@gestes.demo", "Nadia Morel", "Lyon"),
)
# Installed sectors are dealt to the schools in id order, Roubaix first (the in-tree ones:
# datacenter in Roubaix, fibre in Lyon, smart city in Marseille); a fourth goes to Roubaix.
_DEAL = (1, 2, 0)
_COORDINATOR = "coordination@gestes.demo"


def seed_demo(gestes: Gestes, today: dt.date | None = None, seed: int = 2026) -> list[Login]:
    """Fill an empty store with one cohort per installed sector; returns the logins."""
    today = today or dt.date.today()
    rng = random.Random(seed)
    store, catalog = gestes.store, gestes.catalog
    schools = [store.directory.create_school(*school[:4]) for school in _SCHOOLS]
    logins, users = _people(store, schools)
    dealt = [(_DEAL[n % len(_DEAL)], s) for n, s in enumerate(sorted(catalog.sectors))]
    needed = max(60, sum(_SCHOOLS[place][5] for place, _ in dealt))
    names = iter(rng.sample([(f, n) for f in FIRST for n in LAST], needed))
    for place, sector_id in sorted(dealt):
        *_, territory, age, size = _SCHOOLS[place]
        starts_on = working_day(today - dt.timedelta(days=age))  # never on Ascension Day
        ends_on = starts_on + dt.timedelta(weeks=catalog.sectors[sector_id].curriculum.weeks)
        trainer = users[_TRAINERS[place][0]]
        cohort = store.directory.create_cohort(
            schools[place],
            sector_id,
            f"{sector_id.capitalize()} — promotion {starts_on.year}-{1 + (starts_on.month > 6)}",
            starts_on,
            ends_on,
            [trainer],
        )
        trainees = store.directory.add_trainees(
            cohort,
            [
                NewTrainee(first, last, f"{first}.{last}@exemple.fr".lower().replace("ï", "i"))
                for first, last in (next(names) for _ in range(size))
            ],
        )
        seed_entry(gestes, random.Random(seed - cohort), trainees, starts_on, trainer)
        _Simulation(gestes, rng, sector_id, starts_on, min(today, ends_on), trainer).run(trainees)
        Immersions(gestes, rng, sector_id, territory, today, trainer).run(trainees, ends_on)
        # Its own random draws: the rest of the demo stays as it was before attendance.
        floor = random.Random(seed + cohort)
        seed_attendance(gestes, floor, cohort, trainees, trainer, today, users[_COORDINATOR])
        if ends_on < today:
            employers = [e.id for e in catalog.employers_in(territory, sector=sector_id)]
            _exits(store.observations, rng, trainees, ends_on, users[_COORDINATOR], employers)
    _followups(gestes, today, users[_COORDINATOR])
    seed_opinions(gestes, random.Random(seed + 30), today, users[_COORDINATOR])
    seed_partners(gestes, users[_COORDINATOR])
    seed_candidates(gestes, today, users[_COORDINATOR])
    return logins


def _followups(gestes: Gestes, today: dt.date, coordinator: int) -> None:
    """The coordination called the first two trainees at risk: the call log has a start."""
    from core.followup.derive import at_risk

    cohorts = [c.id for c, _ in gestes.store.lookup.cohorts(None) if not c.closed]
    said = (
        "Appel : fatigue et transports le matin ; point avec le formateur jeudi.",
        "Entretien : reprise du geste en binôme, nouveau point dans une semaine.",
    )
    for found, words in zip(at_risk(gestes, cohorts, today)[:2], said, strict=False):
        kind = "appel" if words.startswith("Appel") else "entretien"
        about = ",".join(sorted({s.kind for s in found.signals}))
        day = today - dt.timedelta(days=2)
        gestes.store.followups.add(found.trainee_id, kind, words, day, coordinator, about)


def _people(store: Store, schools: list[int]) -> tuple[list[Login], dict[str, int]]:
    """The admin, a coordinator of the first and last schools, a trainer per school."""
    directory = store.directory
    logins = [Login("admin@gestes.demo", ADMIN_PASSWORD, "admin", "toutes les écoles")]
    directory.create_user("admin@gestes.demo", "Administratrice Gestes", ADMIN_PASSWORD, Role.ADMIN)
    people = [
        (
            _COORDINATOR,
            "Inès Coordinatrice",
            Role.COORDINATOR,
            [schools[0], schools[1]],
            "Marseille et Roubaix",
        ),
        *(
            (email, name, Role.TRAINER, [school], city)
            for (email, name, city), school in zip(_TRAINERS, schools, strict=True)
        ),
    ]
    users = {}
    for email, name, role, scope, where in people:
        users[email] = directory.create_user(email, name, PASSWORD, role, scope)
        logins.append(Login(email, PASSWORD, role.value, where))
    return logins, users


class _Simulation:
    def __init__(
        self,
        gestes: Gestes,
        rng: random.Random,
        sector: str,
        starts_on: dt.date,
        until: dt.date,
        trainer: int,
    ) -> None:
        self.catalog: Catalog = gestes.catalog
        self.observations = gestes.store.observations
        self.rng, self.trainer = rng, trainer
        self.sector = self.catalog.sectors[sector]
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
                self.observations.record_comment(
                    trainee,
                    self.trainer,
                    text,
                    span[0],
                    f"demo-c-{trainee}-{module.id}",
                    about=module.id,
                )

    def _practise(self, trainee: int, gesture_id: str, span: list[dt.date], ease: float) -> None:
        gesture = self.catalog.gesture(gesture_id)
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
            result = self.observations.record_attempt(
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
        evaluation = self.catalog.evaluation(evaluation_id)
        chance = 1 / (1 + math.exp(-(ease + 1.5)))
        submission = _submission(evaluation, self.rng, chance)
        self.observations.record_evaluation(
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
    observations: Observations,
    rng: random.Random,
    trainees: list[int],
    ended: dt.date,
    coordinator: int,
    employers: list[str],
) -> None:
    """About 73 % positive exits, as the seeds report."""
    kinds = list(ExitKind)[:6]  # CDI, CDD, intérim, alternance, formation, sans solution
    weights = [20, 27, 10, 10, 6, 27]
    for trainee in trainees[:-2]:  # two trainees still without news
        kind = rng.choices(kinds, weights)[0]
        employer = rng.choice(employers) if employers and kind in kinds[:4] else None
        observations.record_exit(
            trainee,
            coordinator,
            kind,
            min(ended + dt.timedelta(days=rng.randint(5, 60)), dt.date.today()),
            f"demo-o-{trainee}",
            employer=employer,
            # a CDD's length, without drawing from the generator (the rest stays as seeded)
            details=ExitDetails(contract_months=6 if trainee % 2 else 3)
            if kind.has_length
            else None,
        )


def _workday(start: dt.date, offset: int) -> dt.date:
    """``offset`` working days after ``start`` (weekends and French public holidays skipped)."""
    day = working_day(start)
    for _ in range(offset):
        day = working_day(day + dt.timedelta(days=1))
    return day
