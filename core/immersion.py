"""Immersion and the three-way loop: placements at a host company, what its tutor writes, what
the trainee says of themselves, and who signed the booklet.

Pure values and functions: ``core.store.placements`` keeps the rows and hands back these
objects; the booklet, the pages and the API read the summaries built here. Every entry a
tutor, a trainee or a trainer makes is appended, never changed: the latest entry about the
same thing (an objective, a week, a competency) is the one that counts, and the earlier ones
stay for the audit trail.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pluggy import PluginManager

from core.catalog import Catalog
from core.models import Employer


class LinkKind(enum.StrEnum):
    """Who a link without an account is for."""

    TUTOR = "tutor"  # the host company's tutor: one placement of one trainee
    TRAINEE = "trainee"  # the trainee: their own progress, self-assessment and signature


class EntryKind(enum.StrEnum):
    COMPANY_OBSERVATION = "company_observation"  # tutor: one objective seen at work
    ATTENDANCE = "attendance"  # tutor: one week's hours and days absent
    APPRAISAL = "appraisal"  # tutor: the appraisal grid, text and hiring intention, signed
    SELF_ASSESSMENT = "self_assessment"  # trainee: « je sais faire / pas encore »
    CONFIRMATION = "confirmation"  # trainer: confirms a self-assessment, or not
    TRAINEE_SIGNATURE = "trainee_signature"
    TRAINER_SIGNATURE = "trainer_signature"


class CompanyResult(enum.StrEnum):
    REUSSI = "reussi"
    A_REPRENDRE = "a_reprendre"
    PAS_OCCASION = "pas_occasion"

    @property
    def label(self) -> str:
        return {
            CompanyResult.REUSSI: "Réussi",
            CompanyResult.A_REPRENDRE: "À reprendre",
            CompanyResult.PAS_OCCASION: "Pas eu l'occasion",
        }[self]


class Rating(enum.StrEnum):
    TRES_SATISFAISANT = "tres_satisfaisant"
    SATISFAISANT = "satisfaisant"
    A_AMELIORER = "a_ameliorer"
    NON_OBSERVE = "non_observe"

    @property
    def label(self) -> str:
        return {
            Rating.TRES_SATISFAISANT: "Très satisfaisant",
            Rating.SATISFAISANT: "Satisfaisant",
            Rating.A_AMELIORER: "À améliorer",
            Rating.NON_OBSERVE: "Non observé",
        }[self]


class Hiring(enum.StrEnum):
    """The tutor's hiring intention: for the school only, never printed in a booklet (another
    employer reading it would learn what a competitor thinks)."""

    OUI = "oui"
    PEUT_ETRE = "peut_etre"
    NON = "non"
    NE_SAIT_PAS = "ne_sait_pas"

    @property
    def label(self) -> str:
        return {
            Hiring.OUI: "Souhaite recruter",
            Hiring.PEUT_ETRE: "Peut-être",
            Hiring.NON: "Pas de recrutement envisagé",
            Hiring.NE_SAIT_PAS: "Ne se prononce pas",
        }[self]


@dataclass(frozen=True)
class Criterion:
    """One workplace behaviour the tutor appraises."""

    key: str
    label: str


# The core's appraisal grid; a sector plugin adds its own (``gestes_appraisal_criteria``).
DEFAULT_CRITERIA = (
    Criterion("ponctualite", "Ponctualité et assiduité"),
    Criterion("securite", "Respect des consignes de sécurité"),
    Criterion("equipe", "Travail en équipe"),
    Criterion("client", "Contact avec le client ou l'utilisateur"),
)
CRITERION_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def appraisal_criteria(plugins: PluginManager, sector: str) -> tuple[Criterion, ...]:
    """The core's criteria, then those sector plugins add (``gestes_appraisal_criteria``)."""
    found = {c.key: c for c in DEFAULT_CRITERIA}
    for answer in plugins.hook.gestes_appraisal_criteria(sector=sector):
        for key, label in answer or []:
            if CRITERION_KEY.match(key) and key not in found and label.strip():
                found[key] = Criterion(key, label.strip()[:200])
    return tuple(found.values())


@dataclass(frozen=True)
class Objective:
    """What the trainee should practise at the company: an employer's requirement (with the
    competency behind it) or a line the coordinator wrote."""

    label: str
    competency: str | None = None


@dataclass(frozen=True)
class Placement:
    id: int
    trainee_id: int
    company: str
    employer: str | None  # catalog id, when the company is in the catalog
    tutor_name: str
    tutor_contact: str | None
    starts_on: dt.date
    ends_on: dt.date
    planned_hours: int
    objectives: tuple[Objective, ...]

    def state(self, today: dt.date) -> str:
        if today < self.starts_on:
            return "à venir"
        return "terminée" if today > self.ends_on else "en cours"


@dataclass(frozen=True)
class AccessLink:
    id: int
    kind: LinkKind
    trainee_id: int
    placement_id: int | None
    issued_on: dt.date
    expires_on: dt.date
    revoked: bool

    def refusal(self, today: dt.date) -> str | None:
        """Why the link no longer opens, or None."""
        if self.revoked:
            return "Ce lien a été retiré par l'école. Demandez-en un nouveau à la coordination."
        if today > self.expires_on:
            return (
                f"Ce lien a expiré le {self.expires_on:%d/%m/%Y}. "
                "Demandez-en un nouveau à la coordination."
            )
        return None


@dataclass(frozen=True)
class PortfolioEntry:
    """One append-only entry of the loop, attributed: ``signer`` is the name typed by a tutor
    or trainee, ``author`` the account of a trainer, ``link_id`` the link it came through."""

    id: int
    trainee_id: int
    placement_id: int | None
    kind: EntryKind
    subject: str
    payload: dict[str, object]
    recorded_at: dt.datetime
    signer: str | None = None
    author: str | None = None
    link_id: int | None = None


# ---------------------------------------------------------------- codes


TUTOR_DAYS = 120  # an immersion lasts weeks: the link outlives it for the final appraisal
TRAINEE_DAYS = 180
# Trainee codes are typed from paper: no 0/O, 1/I/L, 5/S confusion.
CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXYZ2346789"


def new_tutor_code() -> str:
    """An opaque code for a tutor's link: 128 random bits, nothing about anyone in it."""
    return secrets.token_urlsafe(16)


def new_trainee_code() -> str:
    """A code a trainee can type: 12 characters (about 58 bits), in three groups of four."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalised(code: str) -> str:
    """A typed trainee code as it was issued: case, spaces and dashes do not matter."""
    return re.sub(r"[\s-]", "", code).upper()


def code_hash(code: str) -> str:
    """What the store keeps of a code: its hash, so a leaked database opens no link."""
    return hashlib.sha256(normalised(code).encode()).hexdigest()


def form_token(key: bytes, code: str) -> str:
    """The anti-forgery token of a link's forms, derived from the link (it has no session)."""
    return hmac.new(key, f"link-form:{code_hash(code)}".encode(), "sha256").hexdigest()[:32]


# ---------------------------------------------------------------- objectives


def default_objectives(catalog: Catalog, sector: str, employer: Employer | None) -> list[Objective]:
    """A placement's objectives before the coordinator edits them: the employer's requirements
    for the trainee's trade (with the gestures behind each), else the trade's competencies."""
    if employer is not None:
        found = []
        for requirement in employer.requirements:
            entry = catalog.entries.get(requirement.competency)
            if entry is None or entry.sector != sector:
                continue
            competency = catalog.competency(requirement.competency)
            gestures = [g.name for g in catalog.gestures_for(competency.id)][:3]
            label = competency.name + (f" ({', '.join(gestures)})" if gestures else "")
            found.append(Objective(label[:300], competency.id))
        if found:
            return found
    return [
        Objective(c.name, c.id)
        for block in catalog.sectors[sector].blocks
        for c in block.competencies
    ]


def edited_objectives(text: str, defaults: Sequence[Objective]) -> list[Objective]:
    """One objective per line of ``text``; a line left as a default keeps its competency."""
    by_label = {o.label: o for o in defaults}
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return [by_label.get(line, Objective(line[:300])) for line in lines if line]


# ---------------------------------------------------------------- summaries


@dataclass(frozen=True)
class ObjectiveSeen:
    objective: Objective
    result: CompanyResult | None  # the latest; None: not observed yet
    on: dt.date | None = None
    note: str = ""  # for the school: never printed in a booklet


@dataclass(frozen=True)
class Week:
    week: dt.date  # its Monday
    hours: float
    days_absent: int


@dataclass(frozen=True)
class Appraisal:
    ratings: tuple[tuple[Criterion, Rating], ...]
    text: str  # written for the booklet
    hiring: Hiring  # for the school only
    signer: str
    signed_at: dt.datetime


@dataclass(frozen=True)
class Immersion:
    """One placement and what its tutor recorded, latest entries only."""

    placement: Placement
    objectives: tuple[ObjectiveSeen, ...]
    weeks: tuple[Week, ...]
    appraisal: Appraisal | None

    @property
    def hours_done(self) -> float:
        return sum(week.hours for week in self.weeks)

    @property
    def days_absent(self) -> int:
        return sum(week.days_absent for week in self.weeks)


def latest(entries: Iterable[PortfolioEntry], kind: EntryKind) -> dict[str, PortfolioEntry]:
    """The latest entry of ``kind`` about each subject (entries come in id order)."""
    found: dict[str, PortfolioEntry] = {}
    for entry in sorted(entries, key=lambda e: e.id):
        if entry.kind is kind:
            found[entry.subject] = entry
    return found


def immersion(
    placement: Placement, entries: Iterable[PortfolioEntry], criteria: Sequence[Criterion]
) -> Immersion:
    mine = [e for e in entries if e.placement_id == placement.id]
    seen = latest(mine, EntryKind.COMPANY_OBSERVATION)
    objectives = []
    for number, objective in enumerate(placement.objectives, start=1):
        entry = seen.get(str(number))
        objectives.append(
            ObjectiveSeen(
                objective,
                CompanyResult(str(entry.payload["result"])) if entry else None,
                entry.recorded_at.date() if entry else None,
                str(entry.payload.get("note") or "") if entry else "",
            )
        )
    weeks = tuple(
        Week(
            dt.date.fromisoformat(key),
            float(str(e.payload["hours"])),
            int(str(e.payload["days_absent"])),
        )
        for key, e in sorted(latest(mine, EntryKind.ATTENDANCE).items())
    )
    appraisal = latest(mine, EntryKind.APPRAISAL).get("")
    return Immersion(
        placement,
        tuple(objectives),
        weeks,
        _appraisal(appraisal, criteria) if appraisal else None,
    )


def _appraisal(entry: PortfolioEntry, criteria: Sequence[Criterion]) -> Appraisal:
    given = entry.payload.get("ratings")
    ratings = given if isinstance(given, dict) else {}
    return Appraisal(
        ratings=tuple((c, Rating(str(ratings[c.key]))) for c in criteria if c.key in ratings),
        text=str(entry.payload.get("text") or ""),
        hiring=Hiring(str(entry.payload.get("hiring") or Hiring.NE_SAIT_PAS)),
        signer=entry.signer or "",
        signed_at=entry.recorded_at,
    )


@dataclass(frozen=True)
class SelfAssessment:
    """A trainee's word on a competency, and the trainer's answer when there is one."""

    competency: str
    can: bool
    on: dt.date
    entry_id: int  # what a trainer's answer refers to
    confirmed: bool | None = None  # None: the trainer has not answered this one yet
    confirmed_by: str | None = None
    confirmed_on: dt.date | None = None


def self_assessments(entries: Iterable[PortfolioEntry]) -> dict[str, SelfAssessment]:
    """The latest self-assessment of each competency, with the trainer's answer to it (an
    answer given to an earlier self-assessment does not carry over to a newer one)."""
    entries = list(entries)
    answers = latest(entries, EntryKind.CONFIRMATION)
    found = {}
    for competency, entry in latest(entries, EntryKind.SELF_ASSESSMENT).items():
        answer = answers.get(competency)
        current = answer is not None and answer.payload.get("answers") == entry.id
        found[competency] = SelfAssessment(
            competency,
            bool(entry.payload.get("can")),
            entry.recorded_at.date(),
            entry.id,
            bool(answer.payload.get("confirmed")) if answer and current else None,
            answer.author if answer and current else None,
            answer.recorded_at.date() if answer and current else None,
        )
    return found


@dataclass(frozen=True)
class Signature:
    role: str  # trainee, tutor or trainer
    name: str | None  # None: still awaited
    on: dt.date | None = None
    detail: str = ""


@dataclass(frozen=True)
class Loop:
    """Everything the three-way loop recorded about one trainee."""

    immersions: tuple[Immersion, ...] = ()
    self_assessed: dict[str, SelfAssessment] = field(default_factory=dict)
    trainee_signature: PortfolioEntry | None = None
    trainer_signature: PortfolioEntry | None = None

    def signatures(self) -> tuple[Signature, ...]:
        """Trainee, tutor(s) and trainer: who signed and when, or what is still awaited."""
        trainee = self.trainee_signature
        trainer = self.trainer_signature
        tutors = [
            Signature(
                "tutor",
                i.appraisal.signer if i.appraisal else None,
                i.appraisal.signed_at.date() if i.appraisal else None,
                i.placement.company,
            )
            for i in self.immersions
        ] or [Signature("tutor", None, None, "aucune immersion enregistrée")]
        return (
            Signature(
                "trainee",
                trainee.signer if trainee else None,
                trainee.recorded_at.date() if trainee else None,
            ),
            *tutors,
            Signature(
                "trainer",
                trainer.author if trainer else None,
                trainer.recorded_at.date() if trainer else None,
            ),
        )


def loop_of(
    placements: Sequence[Placement],
    entries: Sequence[PortfolioEntry],
    criteria: Sequence[Criterion],
) -> Loop:
    signed = latest(entries, EntryKind.TRAINEE_SIGNATURE).get("")
    trainer = latest(entries, EntryKind.TRAINER_SIGNATURE).get("")
    return Loop(
        immersions=tuple(immersion(p, entries, criteria) for p in placements),
        self_assessed=self_assessments(entries),
        trainee_signature=signed,
        trainer_signature=trainer,
    )


def week_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week: attendance is recorded per week."""
    return day - dt.timedelta(days=day.weekday())


# ---------------------------------------------------------------- checks


def entry_problem(
    kind: EntryKind, subject: str, payload: dict[str, object], signer: str | None
) -> tuple[str, str] | None:
    """What is wrong with an entry, as (field, French message), or None. Checked by the store
    before any write, whichever page, API route or command sent it."""
    if len(subject) > 120:
        return ("subject", "Sujet trop long.")
    if signer is not None and not (0 < len(signer.strip()) <= 200):
        return ("signer", "Votre nom et prénom (200 caractères au plus).")
    note = payload.get("note") or payload.get("text") or ""
    if not isinstance(note, str) or len(note) > 2000:
        return ("text", "Texte trop long (2000 caractères au plus).")
    if kind is EntryKind.COMPANY_OBSERVATION:
        if payload.get("result") not in set(CompanyResult):
            return ("result", "Choisissez réussi, à reprendre ou pas eu l'occasion.")
    elif kind is EntryKind.ATTENDANCE:
        return _attendance_problem(subject, payload)
    elif kind is EntryKind.APPRAISAL:
        ratings = payload.get("ratings")
        if not isinstance(ratings, dict) or any(
            not CRITERION_KEY.match(str(k)) or v not in set(Rating) for k, v in ratings.items()
        ):
            return ("ratings", "Une appréciation par critère, parmi celles proposées.")
        if payload.get("hiring") not in set(Hiring):
            return ("hiring", "Choisissez une intention de recrutement.")
        if signer is None or payload.get("consent") is not True:
            return ("consent", "Cochez la case et écrivez votre nom pour signer.")
    if kind is EntryKind.TRAINEE_SIGNATURE and (
        signer is None or payload.get("consent") is not True
    ):
        return ("consent", "Cochez la case et écrivez votre nom pour signer.")
    if kind is EntryKind.SELF_ASSESSMENT and not isinstance(payload.get("can"), bool):
        return ("can", "Je sais faire, ou pas encore ?")
    if kind is EntryKind.CONFIRMATION and not isinstance(payload.get("confirmed"), bool):
        return ("confirmed", "Confirmé, ou pas encore ?")
    return None


def _attendance_problem(subject: str, payload: dict[str, object]) -> tuple[str, str] | None:
    try:
        week = dt.date.fromisoformat(subject)
    except ValueError:
        return ("week", "Semaine attendue (date de son lundi).")
    if week.weekday() != 0:
        return ("week", "Semaine attendue (date de son lundi).")
    hours, absent = payload.get("hours"), payload.get("days_absent")
    if not isinstance(hours, int | float) or not 0 <= hours <= 60:
        return ("hours", "Heures de la semaine : entre 0 et 60.")
    if not isinstance(absent, int) or not 0 <= absent <= 7:
        return ("days_absent", "Jours d'absence : entre 0 et 7.")
    return None
