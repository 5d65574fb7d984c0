"""The words of the domain that the store keeps: people and their roles, schools, cohorts,
trainees, observation kinds, exits, and the refusal a write may meet.

They live here, free of the store, so that the booklet, the web app and the CLI can speak of
a role or an exit without importing SQLAlchemy; ``core.store`` maps them to its tables and
hands these objects back. One name per meaning: an *exit* (sortie) is where a trainee went
after the programme; an attempt's verdict is its *outcome* (``core.judging.attempts``).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class RecordError(ValueError):
    """A refused write or an unknown id. The message is French: it is shown as it is, beside
    ``field`` (the form field at fault) when the refusal is about one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


SESSION_HOURS = 12  # a training day, with margin; then sign in again
# Announced (PostgreSQL NOTIFY, payload: the account's id) whenever sessions end, so that
# every process forgets them at once (web.security.SessionCache).
SESSIONS_CHANNEL = "gestes_sessions"
MAX_ATTEMPT_SECONDS = 24 * 3600  # a gesture attempt lasts at most a day: longer is a typo
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ERASED_MESSAGE = "Ce ou cette stagiaire a été effacé·e (RGPD) : aucun ajout possible."


class Role(enum.StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    TRAINER = "trainer"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.ADMIN: "Administration",
    Role.COORDINATOR: "Coordination",
    Role.TRAINER: "Formation",
}


class ObservationKind(enum.StrEnum):
    """What an observation records."""

    STEP = "step"  # one step result, tapped live during an attempt
    ATTEMPT = "attempt"  # a whole gesture attempt: steps, autonomy, time, outcome
    EVALUATION = "evaluation"  # a practical evaluation's measurements and its score
    LEVEL = "level"  # a level set directly by a trainer, with a justification
    COMMENT = "comment"
    RETRACTION = "retraction"  # cancels a mistaken entry, which it supersedes


class ExitKind(enum.StrEnum):
    """Where a trainee went (sortie). All but « sans solution » and « abandon » are positive
    exits; an abandonment (the trainee left during the programme) carries its reason."""

    CDI = "cdi"
    CDD = "cdd"
    INTERIM = "interim"
    ALTERNANCE = "alternance"
    FORMATION = "formation"
    SANS_SOLUTION = "sans_solution"
    ABANDON = "abandon"

    @property
    def positive(self) -> bool:
        return self not in (ExitKind.SANS_SOLUTION, ExitKind.ABANDON)

    @property
    def has_length(self) -> bool:
        """A contract whose length decides whether the exit lasts (6 months or more)."""
        return self in (ExitKind.CDD, ExitKind.INTERIM)

    def lasting(self, months: int | None) -> bool:
        """A lasting exit as funders count it: a CDI, an apprenticeship, or a contract of
        6 months or more."""
        if self in (ExitKind.CDI, ExitKind.ALTERNANCE):
            return True
        return self.has_length and months is not None and months >= LASTING_MONTHS

    @property
    def label(self) -> str:
        return _EXIT_LABELS[self]


_EXIT_LABELS = {
    ExitKind.CDI: "CDI",
    ExitKind.CDD: "CDD",
    ExitKind.INTERIM: "Intérim",
    ExitKind.ALTERNANCE: "Alternance",
    ExitKind.FORMATION: "Formation",
    ExitKind.SANS_SOLUTION: "Sans solution",
    ExitKind.ABANDON: "Abandon en cours de parcours",
}
LASTING_MONTHS = 6
FOLLOW_UPS = (3, 6)  # months after the end of the programme
# Why a trainee left (an abandonment), in the categories funders' reports use.
ABANDON_REASONS = {
    "sante": "Santé",
    "logement_mobilite": "Logement, mobilité",
    "financier": "Difficultés financières",
    "familial": "Raisons familiales",
    "projet": "Projet ou motivation",
    "exclusion": "Exclusion",
    "autre": "Autre",
}


@dataclass(frozen=True)
class ExitDetails:
    """What funders ask of an exit beyond its kind: an abandonment's reason (one of
    ``ABANDON_REASONS``), a CDD's or an intérim's length in months, and working time."""

    reason: str | None = None
    contract_months: int | None = None
    full_time: bool | None = None
    follow_up: int | None = None  # 3 or 6: months after the end (None: the end itself)

    def check(self, kind: ExitKind) -> None:
        if self.follow_up not in FOLLOW_UPS and self.follow_up is not None:
            raise RecordError("Suivi à 3 ou à 6 mois seulement.", "follow_up")
        if self.follow_up and kind is ExitKind.ABANDON:
            raise RecordError("Un suivi dit où en est la personne, pas un abandon.", "kind")
        if kind is ExitKind.ABANDON and self.reason not in ABANDON_REASONS:
            raise RecordError("Indiquez le motif de l'abandon.", "reason")
        if kind is not ExitKind.ABANDON and self.reason is not None:
            raise RecordError("Un motif accompagne seulement un abandon.", "reason")
        if self.contract_months is not None:
            if not kind.has_length:
                raise RecordError(
                    "Une durée accompagne seulement un CDD ou un intérim.", "contract_months"
                )
            if not 1 <= self.contract_months <= 60:
                raise RecordError("Durée du contrat : de 1 à 60 mois.", "contract_months")


@dataclass(frozen=True)
class Organisation:
    """The legal body that runs a school and answers for its documents: its name, its
    declaration of activity number (NDA, 11 digits), SIRET (14 digits), Qualiopi certificate
    and a contact. Each field unset on a school falls back to the installation's."""

    name: str | None = None
    nda: str | None = None
    siret: str | None = None
    qualiopi: str | None = None
    contact: str | None = None

    @property
    def line(self) -> str | None:
        """« E2C Marseille · NDA 93 13 00000 13 · SIRET … · certificat Qualiopi … », or None."""
        parts = [
            self.name,
            self.nda and f"NDA {self.nda}",
            self.siret and f"SIRET {self.siret}",
            self.qualiopi and f"certificat Qualiopi {self.qualiopi}",
        ]
        found = [p for p in parts if p]
        return " · ".join(found) if found else None

    def over(self, default: Organisation) -> Organisation:
        """This organisation with ``default``'s value wherever a field is unset. The name
        decides: a school that names its own body never borrows the installation's numbers."""
        if self.name and self.name != default.name:
            return self
        return Organisation(
            *(mine or theirs for mine, theirs in zip(self.fields(), default.fields(), strict=True))
        )

    def fields(self) -> tuple[str | None, ...]:
        return (self.name, self.nda, self.siret, self.qualiopi, self.contact)


@dataclass(frozen=True)
class School:
    id: int
    slug: str
    name: str
    city: str
    territory: str  # catalog id: territoire.marseille
    address: str | None = None
    attendance_step: int | None = None  # minutes; unset: a quarter-hour
    absence_alert: int | None = None  # half-days; unset: the installation's setting
    organisation: Organisation = Organisation()  # as set for the school only (no fallback)
    signing_certificate: str | None = None  # PEM of its own certificate; unset: the installation's


@dataclass(frozen=True)
class Cohort:
    id: int
    school_id: int
    name: str
    sector: str
    curriculum: str
    curriculum_version: str  # pinned when the cohort was created
    starts_on: dt.date
    ends_on: dt.date
    planned_hours: tuple[tuple[str, int], ...] = ()  # (phase, hours) as planned for it
    closed: bool = False
    trainers: tuple[int, ...] = ()

    def accepts(self, day: dt.date) -> str | None:
        """Why an entry observed on ``day`` cannot belong to this cohort, or None."""
        if day < self.starts_on:
            return f"La date est avant le début de la promotion ({self.starts_on:%d/%m/%Y})."
        if day > self.ends_on:
            return f"La date est après la fin de la promotion ({self.ends_on:%d/%m/%Y})."
        return None


@dataclass(frozen=True)
class Trainee:
    id: int
    cohort_id: int
    first_name: str
    last_name: str
    email: str | None
    external_ref: str | None
    erased: bool
    joined_on: dt.date | None = None
    birth_date: dt.date | None = None
    phone: str | None = None
    prescriber: str | None = None
    statuses: tuple[str, ...] = ()
    qualification: str | None = None


@dataclass(frozen=True)
class Account:
    """A person who signs in (never their password hash)."""

    id: int
    email: str
    name: str
    role: Role
    active: bool
    schools: tuple[int, ...] = ()


@dataclass(frozen=True)
class SignedIn:
    """Who a browser session belongs to, with the session's CSRF token."""

    id: int
    name: str
    email: str
    role: Role
    schools: frozenset[int]
    csrf_token: str
    provisional: bool = False  # a password someone else chose: changed before anything else

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def can_see_school(self, school_id: int) -> bool:
        return self.is_admin or school_id in self.schools


@dataclass(frozen=True)
class Entry:
    """One stored observation as a page lists it (a trainee's latest entries)."""

    id: int
    kind: ObservationKind
    definition: str
    observed_on: dt.date
    passed: bool | None
    recorded_at: dt.datetime | None = None  # when it was typed, for audit
    level: str | None = None  # a level decision's level
    author: str = ""
    photos: int = 0
    evidence: tuple[tuple[int, bool], ...] = ()  # (id, is an image) of each attached file


@dataclass(frozen=True)
class Share:
    """A booklet shared with an employer through a link the school can withdraw. ``id``
    names it on the school's pages (the hash the store keeps); ``code`` is the link's own,
    known only when it is made (the store keeps no copy of it)."""

    id: str
    trainee_id: int
    employer: str | None
    issued_on: dt.date
    expires_on: dt.date
    revoked: bool
    code: str = ""

    def refusal(self, today: dt.date) -> str | None:
        """Why the link no longer opens, or None."""
        if self.revoked:
            return "Ce lien a été retiré par l'école."
        if today > self.expires_on:
            return f"Ce lien a expiré le {self.expires_on:%d/%m/%Y}."
        return None


@dataclass(frozen=True)
class Located:
    """Where an observation belongs: whose it is and which school may see it."""

    id: int
    trainee_id: int
    school_id: int
    author_id: int = 0


@dataclass(frozen=True)
class NewTrainee:
    """A trainee to enrol: only the personal data the job needs."""

    first_name: str
    last_name: str
    email: str | None = None
    external_ref: str | None = None
    joined_on: dt.date | None = None  # unset: the cohort's start
    birth_date: dt.date | None = None
    phone: str | None = None
    prescriber: str | None = None  # who sent them: France Travail, Mission Locale…
    statuses: tuple[str, ...] = ()  # ENTRY_STATUSES
    qualification: str | None = None  # QUALIFICATIONS


@dataclass(frozen=True)
class Duplicate:
    """A trainee of an import who is already in the school: which line, who, and why it is
    taken for the same person."""

    line: int  # from 1, as the list was given
    name: str
    cohort: str  # where the one already there is
    why: str  # « même e-mail », « même identifiant France Travail », « même nom »
    trainee_id: int = 0  # the one already there

    @property
    def said(self) -> str:
        where = f"promotion « {self.cohort} »"
        return f"{self.name} (n° {self.line}) est déjà dans l'école, {where} ({self.why})"


# The entry profile funders count (Région, France Travail, ESF+): a trainee's situation at
# entry (several may hold) and their level of qualification (the national nomenclature).
ENTRY_STATUSES = {
    "demandeur_emploi": "Demandeur d'emploi",
    "longue_duree": "Chômage de longue durée (12 mois et plus)",
    "rsa": "Bénéficiaire du RSA",
    "qpv": "Résident d'un quartier prioritaire (QPV)",
    "rqth": "Reconnaissance de handicap (RQTH)",
}
QUALIFICATIONS = {
    "sans": "Sans diplôme (infra 3)",
    "3": "CAP, BEP (niveau 3)",
    "4": "Bac (niveau 4)",
    "5": "Bac+2 et plus (niveau 5 et plus)",
}
AGE_BANDS = ("Moins de 26 ans", "26 à 49 ans", "50 ans et plus")


def age_band(born: dt.date | None, on: dt.date) -> str | None:
    """The band funders count a trainee in, by their age at ``on`` (their entry)."""
    if born is None:
        return None
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return AGE_BANDS[0] if age < 26 else AGE_BANDS[1] if age < 50 else AGE_BANDS[2]


# How the coordination reached a trainee it follows (the call log, core.store.followups).
CONTACT_KINDS = {"appel": "Appel", "entretien": "Entretien", "message": "Message", "autre": "Autre"}

# Positioning at entry and the individual plan (core.followup.positioning).
# What a trainer saw of a diagnostic gesture, weakest first.
OBSERVED = {
    "pas_fait": "Pas encore fait",
    "avec_aide": "Fait avec aide",
    "seul": "Fait seul·e",
}

# An individual plan's lines: the gestures to work first and the adaptations (dated, signed).
PLAN_KINDS = {
    "priorite": "Geste à travailler en premier",
    "temps": "Temps supplémentaire",
    "module": "Module repris",
    "accessibilite": "Aménagement (accessibilité)",
    "autre": "Autre adaptation",
}


PHONE = re.compile(r"\+?[0-9][0-9 .\-()]{5,24}")  # « 06 12 34 56 78 », « +33 6 12… »


def trainee_problems(trainee: NewTrainee) -> list[str]:
    """What is wrong with one trainee's data, in French (empty when all is well)."""
    problems = []
    if not trainee.first_name.strip():
        problems.append("prénom manquant")
    if not trainee.last_name.strip():
        problems.append("nom manquant")
    if len(trainee.first_name) > 100 or len(trainee.last_name) > 100:
        problems.append("nom ou prénom trop long (100 caractères au plus)")
    if trainee.email and not EMAIL.match(trainee.email):
        problems.append(f"adresse e-mail invalide « {trainee.email} »")
    if trainee.birth_date and not 14 <= (dt.date.today() - trainee.birth_date).days // 365 <= 80:
        problems.append(f"date de naissance improbable « {trainee.birth_date:%d/%m/%Y} »")
    if trainee.phone and not PHONE.fullmatch(trainee.phone):
        problems.append(f"téléphone illisible « {trainee.phone} »")
    if trainee.prescriber and len(trainee.prescriber) > 120:
        problems.append("prescripteur trop long (120 caractères au plus)")
    if unknown := [s for s in trainee.statuses if s not in ENTRY_STATUSES]:
        problems.append(f"situation inconnue « {', '.join(unknown)} »")
    if trainee.qualification and trainee.qualification not in QUALIFICATIONS:
        problems.append(f"niveau de qualification inconnu « {trainee.qualification} »")
    fields = (
        trainee.first_name,
        trainee.last_name,
        trainee.email or "",
        trainee.external_ref or "",
        trainee.prescriber or "",
    )
    if any(ord(c) < 32 or ord(c) == 127 for field in fields for c in field):
        problems.append("caractère de contrôle (invisible) dans le nom, l'adresse ou l'identifiant")
    return problems


def numbered_problems(trainees: Sequence[NewTrainee], label: str = "ligne") -> list[str]:
    """``ligne 2 : prénom manquant``: what is wrong with each trainee of a list, by position."""
    return [
        f"{label} {number} : {', '.join(found)}"
        for number, trainee in enumerate(trainees, start=1)
        if (found := trainee_problems(trainee))
    ]


@dataclass(frozen=True)
class ExitStats:
    key: str
    label: str
    trainees: int
    exited: int
    positive: int
    by_kind: Mapping[str, int]
    lasting: int = 0  # CDI, alternance, a contract of 6 months or more

    @property
    def unknown(self) -> int:
        """Trainees whose exit is not recorded (yet): counted, never left out of a rate."""
        return self.trainees - self.exited

    @property
    def rate(self) -> float | None:
        """Share of positive exits among all trainees (an unknown exit is not a positive
        one: the rate never overstates)."""
        return self.positive / self.trainees if self.trainees else None

    @property
    def lasting_rate(self) -> float | None:
        return self.lasting / self.trainees if self.trainees else None
