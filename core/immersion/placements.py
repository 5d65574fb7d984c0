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
from collections.abc import Sequence
from dataclasses import dataclass

from pluggy import PluginManager

from core.catalog.catalog import Catalog
from core.catalog.definitions import Employer


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
    # trainee: « show my progress since entry in my booklet », or no longer (the latest counts)
    PROGRESS_SHOWN = "progress_shown"


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


def exact_hash(code: str) -> str:
    """What the store keeps of a tutor's code, which nobody types: its hash as it is, case
    and dashes included (normalised like a trainee's, 128 bits fell to about 114)."""
    return hashlib.sha256(f"exact:{code}".encode()).hexdigest()


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
    if kind is EntryKind.PROGRESS_SHOWN and not isinstance(payload.get("shown"), bool):
        return ("shown", "Montrer, ou ne plus montrer ?")
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
