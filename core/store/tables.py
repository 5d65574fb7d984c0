"""The tables. Definitions live in the catalog; rows here only refer to catalog ids. The words
stored in them (roles, observation kinds, exit kinds) are ``core.domain``'s."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so that migrations read the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    territory: Mapped[str] = mapped_column(String(120))  # catalog id: territoire.marseille
    address: Mapped[str | None] = mapped_column(String(300))
    # Its attendance rules (minutes a lateness counts to; unjustified half-days that alert),
    # its legal body and its own certificate (PEM; its key is in the file store): unset, the
    # installation's (core.store.organisations).
    attendance_step: Mapped[int | None] = mapped_column(Integer)
    absence_alert: Mapped[int | None] = mapped_column(Integer)
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    organisation_nda: Mapped[str | None] = mapped_column(String(20))
    organisation_siret: Mapped[str | None] = mapped_column(String(20))
    organisation_qualiopi: Mapped[str | None] = mapped_column(String(100))
    organisation_contact: Mapped[str | None] = mapped_column(String(300))
    signing_certificate: Mapped[str | None] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set by someone else (an account made, a password replaced): changed at next sign-in.
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserSchool(Base):
    """The schools a coordinator or trainer works for (admins see every school)."""

    __tablename__ = "user_schools"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)


class Cohort(Base):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(60))
    curriculum: Mapped[str] = mapped_column(String(120))
    curriculum_version: Mapped[str] = mapped_column(String(20))  # pinned when created
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    # Hours planned per phase ({"geste": 280, ...}); the curriculum's when the cohort began.
    planned_hours: Mapped[dict[str, int] | None] = mapped_column(JSON)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CohortTrainer(Base):
    __tablename__ = "cohort_trainers"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class Trainee(Base):
    """Only the personal data the job needs: a name, ways to reach them, what funders count."""

    __tablename__ = "trainees"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    external_ref: Mapped[str | None] = mapped_column(String(60))  # e.g. France Travail id
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    joined_on: Mapped[dt.date | None] = mapped_column(Date)  # unset: the cohort's start
    birth_date: Mapped[dt.date | None] = mapped_column(Date)  # tells homonyms apart; age band
    phone: Mapped[str | None] = mapped_column(String(30))
    prescriber: Mapped[str | None] = mapped_column(String(120))  # France Travail, Mission Locale…
    statuses: Mapped[str | None] = mapped_column(String(120))  # ENTRY_STATUSES, comma-joined
    qualification: Mapped[str | None] = mapped_column(String(10))  # QUALIFICATIONS


class TraineeMove(Base):
    """A trainee moved to another cohort of the same sector; their observations follow them."""

    __tablename__ = "trainee_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    from_cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"))
    to_cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"))
    moved_on: Mapped[dt.date] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the CLI
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Curriculum(Base):
    """A sector's definitions at the version a cohort was pinned to."""

    __tablename__ = "curricula"
    __table_args__ = (UniqueConstraint("sector", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sector: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(20))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CurriculumMove(Base):
    """A cohort moved from one curriculum version to another: who, when, from, to; and its
    latest entry then, so that the move can be undone while nothing new was recorded."""

    __tablename__ = "curriculum_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    from_version: Mapped[str] = mapped_column(String(20))
    to_version: Mapped[str] = mapped_column(String(20))
    moved_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    moved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    latest_entry: Mapped[int] = mapped_column(Integer, default=0)  # observation id, 0: none
    undone_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Change(Base):
    """One correction of a person or a group, field by field: who, when, before, after.
    ``school_id`` scopes who may read it (a school's coordinators see their own)."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entity: Mapped[str] = mapped_column(String(20))  # account, cohort, trainee
    entity_id: Mapped[int] = mapped_column(Integer)
    school_id: Mapped[int | None] = mapped_column(Integer, index=True)
    field: Mapped[str] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(String(400))
    after: Mapped[str | None] = mapped_column(String(400))


class ShareLink(Base):
    """A link a coordinator sent an employer to download a booklet: an opaque code, never the
    payload, so the school can withdraw it (revoked_at) before it expires."""

    __tablename__ = "share_links"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the code
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    employer: Mapped[str | None] = mapped_column(String(120))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Observation(Base):
    """What a trainer saw. Never updated or deleted: a correction supersedes."""

    __tablename__ = "observations"
    __table_args__ = (
        Index("ix_observations_trainee_kind", "trainee_id", "kind"),
        Index("ix_observations_cohort_kind", "cohort_id", "kind"),
        # A cohort's latest observation, read to know whether a cached grid is still current.
        Index("ix_observations_cohort_latest", "cohort_id", "id"),
        # "Is this row superseded?" is asked of every row read. Corrections are rare, so a
        # partial index holds only them: small, and selective even after ANALYZE (a full
        # index, all NULL, made SQLite's planner scan 11 million rows instead).
        Index(
            "ix_observations_supersedes",
            "supersedes_id",
            sqlite_where=text("supersedes_id IS NOT NULL"),
            postgresql_where=text("supersedes_id IS NOT NULL"),
        ),
        # Serves the cohort grid from the index alone: attempts are ~15 % of the rows
        # (steps are the rest), so a partial index stays small (bench/store.py).
        Index(
            "ix_observations_attempt_facts",
            "cohort_id",
            "kind",  # also in the index: SQLite covers a query only with every column it reads
            "trainee_id",
            "definition",
            "observed_on",
            "passed",
            "autonomy",
            "author_id",
            "result",
            sqlite_where=text("kind = 'attempt'"),
            postgresql_where=text("kind = 'attempt'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    definition: Mapped[str] = mapped_column(String(120))  # gesture, evaluation or competency id
    catalog_version: Mapped[str] = mapped_column(String(20))
    observed_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id"))
    # Typed columns for what aggregation reads; the rest of the observation is in payload.
    attempt_key: Mapped[str | None] = mapped_column(String(80), index=True)
    step: Mapped[str | None] = mapped_column(String(60))
    result: Mapped[str | None] = mapped_column(String(20))  # step result or attempt outcome
    passed: Mapped[bool | None] = mapped_column(Boolean)
    autonomy: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A step tap, as the device made it: the moment on its clock and its own count. The
    # step's value is the tap made last, whatever order the network delivered them in
    # (core.store.tap_writer.latest_taps).
    made_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    device: Mapped[str | None] = mapped_column(String(40))
    device_seq: Mapped[int | None] = mapped_column(Integer)


class Evidence(Base):
    """A file (photo of a splice, a certification report) attached to an observation."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExitRecord(Base):
    """A trainee's exit (sortie). The latest by date is the trainee's exit."""

    __tablename__ = "exits"
    __table_args__ = (UniqueConstraint("idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(80))
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    on: Mapped[dt.date] = mapped_column(Date)
    employer: Mapped[str | None] = mapped_column(String(120))  # catalog id, when known
    employer_name: Mapped[str | None] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(40))  # an abandonment's category
    contract_months: Mapped[int | None] = mapped_column(Integer)  # a CDD's or intérim's length
    full_time: Mapped[bool | None] = mapped_column(Boolean)
    # None: the exit at the end; 3 or 6: where the trainee is that many months after it.
    follow_up: Mapped[int | None] = mapped_column(Integer)


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored, so a
    leaked database does not hand out live sessions. Rotated at login, deleted at logout."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Placement(Base):
    """A trainee's immersion (stage, PMSMP) at a host company, with its tutor."""

    __tablename__ = "placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    employer: Mapped[str | None] = mapped_column(String(120))  # catalog id, when known
    company: Mapped[str] = mapped_column(String(200))
    tutor_name: Mapped[str] = mapped_column(String(200))
    tutor_contact: Mapped[str | None] = mapped_column(String(254))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    planned_hours: Mapped[int] = mapped_column(Integer)
    # [{"label": ..., "competency": id or null}, ...] as the coordinator left them
    objectives: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AccessLink(Base):
    """A page opened without an account: a tutor's (one placement) or a trainee's own. Only
    the code's hash is kept: a leaked database opens no link."""

    __tablename__ = "access_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PortfolioEntry(Base):
    """What a tutor, a trainee or a trainer wrote during immersion
    (``core.immersion.placements.EntryKind``).
    Never updated: the latest entry about a subject counts. Attributed: a name typed with the
    link it came through, or a signed-in account."""

    __tablename__ = "portfolio_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placements.id"))
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(120), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    signer: Mapped[str | None] = mapped_column(String(200))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("access_links.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Verification(Base):
    """A booklet as it was handed out, behind the short code its cover prints (``/v/<code>``):
    who and whom it was for, and the fingerprint of what it showed. No expiry (the PDF/A is
    for archives); the school can withdraw it (revoked_at)."""

    __tablename__ = "verifications"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id"), index=True)
    employer: Mapped[str | None] = mapped_column(String(120))
    territory: Mapped[str | None] = mapped_column(String(120))
    content: Mapped[str] = mapped_column(String(64))  # core.booklet.verification.content_key
    issued_on: Mapped[dt.date] = mapped_column(Date)  # the first time it was handed out
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # What the booklet showed when handed out (BookletData as JSON, without its QR code and
    # badges): its page shows the paper's summary. None: handed out before it was kept.
    shown: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Its place in the badges' revocation list (W3C Bitstring Status List): its badges name
    # it, and withdrawing the booklet sets that bit.
    status_index: Mapped[int | None] = mapped_column(Integer, unique=True)


class StoredFile(Base):
    """A file kept in the database (``GESTES_FILE_STORE=database``): evidence, cached booklets,
    exports and keys that every machine of a network reaches (``core.store.shared_files``)."""

    __tablename__ = "stored_files"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    written_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Job(Base):
    """Long work (a cohort's booklets zipped) and its progress, read by the page that waits
    for it in whichever process serves it; run in the process that asked, or by `gestes
    worker` on any machine (``core.booklet.jobs``)."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    served_at: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(10), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[str | None] = mapped_column(String(300))  # a name in the file store
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class FailedAttempt(Base):
    """A wrong password or an unknown code, by the key it counts against (an account, an
    address, a code): a keyed hash, never the address or the e-mail itself. Kept for the
    limiter's window only (``core.store.limits``)."""

    __tablename__ = "failed_attempts"
    __table_args__ = (Index("ix_failed_attempts_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AttendanceSession(Base):
    """A cohort's half-day on the floor (``core.attendance.sessions``): its times, the module
    taught, the trainer named. A cancelled one (a day off) stays, with its note."""

    __tablename__ = "attendance_sessions"
    __table_args__ = (UniqueConstraint("cohort_id", "day", "half", name="uq_attendance_half_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    half: Mapped[str] = mapped_column(String(12))  # matin, apres_midi
    starts: Mapped[int] = mapped_column(Integer)  # minutes from midnight
    ends: Mapped[int] = mapped_column(Integer)
    module: Mapped[str] = mapped_column(String(120))  # catalog id
    phase: Mapped[str] = mapped_column(String(20))
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(String(200))
    # The sheet's chain: how many entries it holds and the last one's hash. Kept here, the
    # row every append locks, an entry removed from the end shows too (core.attendance.chain).
    length: Mapped[int] = mapped_column(Integer, default=0)
    head: Mapped[str] = mapped_column(String(64), default="0" * 64)


class AttendanceEntry(Base):
    """One line of a half-day's sheet, never updated nor deleted: a signature, an absence, a
    departure, a correction, a justification, the trainer's countersignature. Each is chained
    by hash to the one before it on its sheet (``core.attendance.chain``)."""

    __tablename__ = "attendance_entries"
    __table_args__ = (
        UniqueConstraint("session_id", "position", name="uq_attendance_entry_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("attendance_sessions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # its place in the sheet's chain
    key: Mapped[str] = mapped_column(String(80), unique=True)  # idempotency
    trainee_id: Mapped[int | None] = mapped_column(ForeignKey("trainees.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # core.attendance.hours.Kind
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # on the device
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    device: Mapped[str | None] = mapped_column(String(40))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    minute: Mapped[int | None] = mapped_column(Integer)  # arrival (late) or departure
    present: Mapped[bool | None] = mapped_column(Boolean)  # a correction's verdict
    left_minute: Mapped[int | None] = mapped_column(Integer)  # a correction's departure
    category: Mapped[str | None] = mapped_column(String(20))  # a justification's
    reason: Mapped[str | None] = mapped_column(String(500))
    strokes: Mapped[Any] = mapped_column(JSON, nullable=True)  # [[x, y, x, y…], …] 0–1000
    proof: Mapped[str | None] = mapped_column(String(64))  # a justification's file (SHA-256)
    proof_type: Mapped[str | None] = mapped_column(String(40))
    previous: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
