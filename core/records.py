"""The records service: every write to the store, and the views derived from it.

Writes are append-only and idempotent: each carries a key, and the same key twice stores one
row (the second call returns the first row). A correction is a new observation that
supersedes an old one. Ids are checked against the cohort's sector before anything is
written, and a write either commits whole or leaves the store as it was.

On SQLite, writes go one at a time through a process-wide lock with short transactions
(``BEGIN IMMEDIATE``): competing writers queue in Python instead of backing off on SQLite's
file lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, Select, bindparam, exists, func, or_, select
from sqlalchemy.dialects import postgresql as postgresql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, sessionmaker

from core.attempts import AttemptOutcome, StepResult, attempt_outcome
from core.catalog import Catalog, Kind
from core.evaluation import Check, EvaluationScore, Submission, score_evaluation
from core.levels import AttemptFact, EvaluationFact, LevelDecision, sector_levels
from core.models import Autonomy
from core.settings import Settings
from core.store import tables as t
from core.taps import LiveAttempt, RecordedTap, Tap, live_attempts
from core.trainee_record import (
    CommentEntry,
    EvaluationResult,
    ExitInfo,
    TraineeInfo,
    TraineeRecord,
    derive_record,
)

RETRACTION = "retraction"  # kind of an observation that cancels another one
GRIDS_KEPT = 256  # cohort grids remembered per process (one per cohort, a few KB each)


class RecordError(ValueError):
    """A refused write. The message is French: it is shown to the trainer as it is."""


@dataclass(frozen=True)
class Recorded:
    """What a write returns: the observation's id and whether this call created it."""

    id: int
    created: bool


@dataclass(frozen=True)
class TraineeScope:
    cohort_id: int
    school_id: int
    sector: str


@dataclass(frozen=True)
class RecordedAttempt(Recorded):
    outcome: AttemptOutcome


@dataclass(frozen=True)
class RecordedEvaluation(Recorded):
    score: EvaluationScore


# Content sniffing: the browser's declared type is not trusted.
_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}


def _sniff(data: bytes) -> str | None:
    for media_type, signatures in _SIGNATURES.items():
        if data.startswith(signatures):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class Records:
    def __init__(self, engine: Engine, catalog: Catalog, settings: Settings | None = None):
        self.engine = engine
        self.catalog = catalog
        self.settings = settings or Settings()
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Writes start with BEGIN IMMEDIATE on SQLite (see core.store.engine.make_engine).
        self._write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)
        self._scopes: dict[int, TraineeScope] = {}
        self._compiled: dict[Scope, tuple[str, Any, dict[str, Any]]] = {}
        self._grids: dict[int, tuple[tuple[Any, ...], CohortGrid]] = {}
        self._lock: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    # ------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def _write(self) -> Iterator[Session]:
        with self._lock, self._write_sessions.begin() as session:
            yield session

    @contextlib.contextmanager
    def _write_connection(self) -> Iterator[Connection]:
        """A write transaction without the ORM, for the hot path (taps)."""
        with self._lock, self._write_engine.begin() as connection:
            yield connection

    def _read(self) -> Session:
        return self._sessions()

    def trainee_scope(self, trainee_id: int) -> TraineeScope | None:
        """Where a trainee belongs. Asked by every request about a trainee, and it never
        changes (a trainee stays in their cohort), so it is remembered once known."""
        scope = self._scopes.get(trainee_id)
        if scope is None:
            with self._read() as session:
                row = session.execute(
                    select(t.Trainee.cohort_id, t.Cohort.school_id, t.Cohort.sector)
                    .join(t.Cohort, t.Cohort.id == t.Trainee.cohort_id)
                    .where(t.Trainee.id == trainee_id)
                ).first()
            if row is None:
                return None
            scope = self._scopes[trainee_id] = TraineeScope(*row)
        return scope

    def _trainee(self, session: Session, trainee_id: int) -> tuple[t.Trainee, t.Cohort]:
        row = session.execute(
            select(t.Trainee, t.Cohort)
            .join(t.Cohort, t.Cohort.id == t.Trainee.cohort_id)
            .where(t.Trainee.id == trainee_id)
        ).first()
        if row is None:
            raise RecordError(f"Stagiaire n° {trainee_id} introuvable.")
        trainee, cohort = row
        if trainee.erased_at is not None:
            raise RecordError(_ERASED)
        return trainee, cohort

    def _check_definition(self, cohort: Any, definition_id: str, kind: Kind) -> None:
        """``cohort``: anything with the cohort's ``sector`` and ``curriculum`` (a row will do)."""
        entry = self.catalog.entries.get(definition_id)
        if entry is None or entry.kind != kind or entry.sector != cohort.sector:
            raise RecordError(
                f"« {definition_id} » n'est pas défini par le parcours {cohort.curriculum} "
                f"de la promotion."
            )

    def _insert(self, session: Session, row: t.Observation) -> Recorded:
        """Insert once per idempotency key; a repeat returns the row already stored."""
        # The unique constraint decides: no look-up first on the common (new) path.
        try:
            with session.begin_nested():
                session.add(row)
            return Recorded(row.id, created=True)
        except IntegrityError:  # this key is already stored: a repeated submit
            existing = session.scalar(
                select(t.Observation).where(t.Observation.idempotency_key == row.idempotency_key)
            )
            if existing is None:
                raise
        if existing.trainee_id != row.trainee_id or existing.kind != row.kind:
            raise RecordError("Clé d'envoi déjà utilisée pour une autre saisie.")
        return Recorded(existing.id, created=False)

    def _observation(
        self,
        session: Session,
        trainee: t.Trainee,
        cohort: t.Cohort,
        author_id: int,
        kind: str,
        definition: str,
        observed_on: dt.date,
        key: str,
        supersedes: int | None,
        **columns: Any,
    ) -> t.Observation:
        _check_day(observed_on)
        if supersedes is not None:
            repeated = session.scalar(
                select(t.Observation.id).where(t.Observation.idempotency_key == key)
            )
            if repeated is None:  # a repeated submit is answered by _insert, not refused here
                self._check_supersedable(session, supersedes, trainee.id)
        row = t.Observation(
            idempotency_key=key,
            trainee_id=trainee.id,
            cohort_id=cohort.id,
            author_id=author_id,
            kind=kind,
            definition=definition,
            catalog_version=self.catalog.version,
            observed_on=observed_on,
            supersedes_id=supersedes,
            **columns,
        )
        return row

    def _check_supersedable(self, session: Session, old_id: int, trainee_id: int) -> None:
        old = session.get(t.Observation, old_id)
        if old is None or old.trainee_id != trainee_id:
            raise RecordError("La saisie à corriger n'existe pas pour ce ou cette stagiaire.")
        if session.scalar(select(exists().where(t.Observation.supersedes_id == old_id))):
            raise RecordError("Cette saisie a déjà été corrigée : corrigez la plus récente.")

    # ------------------------------------------------------------ writes

    def record_step(
        self,
        trainee_id: int,
        author_id: int,
        gesture_id: str,
        attempt_key: str,
        step: str,
        result: StepResult,
        observed_on: dt.date,
        key: str,
    ) -> RecordedTap:
        """One tap on one step during a live attempt (grouped by ``attempt_key``)."""
        tap = Tap(trainee_id, author_id, gesture_id, attempt_key, step, result, observed_on, key)
        (outcome,) = self.record_steps([tap])
        if isinstance(outcome, RecordError):
            raise outcome
        return outcome

    def record_steps(self, taps: Sequence[Tap]) -> list[RecordedTap | RecordError]:
        """Many taps in one short transaction (``core.taps.TapWriter`` groups the web's).

        Each tap is checked on its own: a refused one gets its error in the list and the
        others are written. Each result carries its attempt as it stands after the batch,
        read in the same transaction, so the page can be redrawn without another query.
        """
        outcomes: dict[int, RecordedTap | RecordError] = {}
        with self._write_connection() as connection:
            ids = list({tap.trainee_id for tap in taps})
            trainees = {row.id: row for row in connection.execute(_TAP_TRAINEES, {"ids": ids})}
            rows: dict[str, dict[str, Any]] = {}  # by idempotency key: a repeat in the batch
            for n, tap in enumerate(taps):  # is answered like a repeat of a stored tap
                try:
                    cohort = self._check_tap(tap, trainees.get(tap.trainee_id))
                except RecordError as error:
                    outcomes[n] = error
                    continue
                rows.setdefault(
                    tap.key,
                    {
                        "idempotency_key": tap.key,
                        "trainee_id": tap.trainee_id,
                        "cohort_id": cohort,
                        "author_id": tap.author_id,
                        "kind": t.Kind.STEP,
                        "definition": tap.gesture_id,
                        "catalog_version": self.catalog.version,
                        "observed_on": tap.observed_on,
                        "attempt_key": tap.attempt_key,
                        "step": tap.step,
                        "result": StepResult(tap.result).value,
                    },
                )
            created: dict[str, int] = {}
            if rows:
                insert = _TAP_INSERTS[self.engine.dialect.name]
                returned = connection.execute(insert, list(rows.values()))
                created = dict(returned.all())  # key -> id of each row inserted
            stored = {}
            if repeated := [key for key in rows if key not in created]:
                stored = {
                    row.idempotency_key: row
                    for row in connection.execute(_STORED_KEYS, {"keys": repeated})
                }
            wanted = {tap.attempt_key: tap.trainee_id for tap in taps}
            attempts = self._live_attempts(connection, wanted)
        first: set[str] = set()
        for n, tap in enumerate(taps):
            if n in outcomes:
                continue
            new = tap.key in created and tap.key not in first
            first.add(tap.key)
            if tap.key in created:
                row_id = created[tap.key]
            else:
                row = stored[tap.key]
                if row.trainee_id != tap.trainee_id or row.kind != t.Kind.STEP:
                    outcomes[n] = RecordError("Clé d'envoi déjà utilisée pour une autre saisie.")
                    continue
                row_id = row.id
            outcomes[n] = RecordedTap(row_id, new, attempts[tap.attempt_key])
        return [outcomes[n] for n in range(len(taps))]

    def _check_tap(self, tap: Tap, trainee: Any) -> int:
        """The tap's cohort id, once the tap is known to be possible."""
        if trainee is None:
            raise RecordError(f"Stagiaire n° {tap.trainee_id} introuvable.")
        if trainee.erased_at is not None:
            raise RecordError(_ERASED)
        self._check_definition(trainee, tap.gesture_id, "gesture")
        if tap.step not in {s.key for s in self.catalog.gesture(tap.gesture_id).steps}:
            raise RecordError(f"Étape « {tap.step} » inconnue pour ce geste.")
        _check_day(tap.observed_on)
        cohort: int = trainee.cohort
        return cohort

    def live_attempt(self, trainee_id: int, attempt_key: str) -> LiveAttempt:
        """The taps of a live attempt so far."""
        with self._read() as session:
            return self._live_attempts(session.connection(), {attempt_key: trainee_id})[attempt_key]

    @staticmethod
    def _live_attempts(connection: Connection, wanted: dict[str, int]) -> dict[str, LiveAttempt]:
        # Only attempt_key in SQL: it is random and unique per attempt, whereas with
        # trainee_id in the WHERE SQLite chose the (trainee_id, kind) index and scanned every
        # step the trainee ever had (bench/web.py). Trainee and kind are checked in Python.
        rows = connection.execute(_LIVE_TAPS, {"keys": list(wanted)})
        return live_attempts(rows, wanted, t.Kind.STEP)  # type: ignore[arg-type]

    def record_attempt(
        self,
        trainee_id: int,
        author_id: int,
        gesture_id: str,
        steps: Mapping[str, StepResult],
        autonomy: Autonomy,
        observed_on: dt.date,
        key: str,
        *,
        seconds: int | None = None,
        attempt_key: str | None = None,
        supersedes: int | None = None,
    ) -> RecordedAttempt:
        """A whole gesture attempt; its outcome is judged here, by the pure rule."""
        if seconds is not None and not 0 < seconds <= 24 * 3600:
            raise RecordError("Durée impossible : entre 1 seconde et 24 heures.")
        with self._write() as session:
            trainee, cohort = self._trainee(session, trainee_id)
            self._check_definition(cohort, gesture_id, "gesture")
            gesture = self.catalog.gesture(gesture_id)
            try:
                outcome = attempt_outcome(gesture, steps, seconds)
            except KeyError:
                raise RecordError("Étape inconnue pour ce geste.") from None
            row = self._observation(
                session,
                trainee,
                cohort,
                author_id,
                t.Kind.ATTEMPT,
                gesture_id,
                observed_on,
                key,
                supersedes,
                attempt_key=attempt_key,
                result=outcome.outcome.value,
                passed=outcome.passed,
                autonomy=int(autonomy),
                seconds=seconds,
                payload={
                    "steps": {k: StepResult(v).value for k, v in steps.items()},
                    "reasons": list(outcome.reasons),
                },
            )
            recorded = self._insert(session, row)
        return RecordedAttempt(recorded.id, recorded.created, outcome)

    def record_evaluation(
        self,
        trainee_id: int,
        author_id: int,
        evaluation_id: str,
        submission: Submission,
        observed_on: dt.date,
        key: str,
        *,
        supersedes: int | None = None,
    ) -> RecordedEvaluation:
        """A practical evaluation's measurements, scored by its evaluator, kept with the score."""
        with self._write() as session:
            trainee, cohort = self._trainee(session, trainee_id)
            self._check_definition(cohort, evaluation_id, "evaluation")
            evaluation = self.catalog.evaluation(evaluation_id)
            score = score_evaluation(self.catalog.evaluators, evaluation, submission)
            row = self._observation(
                session,
                trainee,
                cohort,
                author_id,
                t.Kind.EVALUATION,
                evaluation_id,
                observed_on,
                key,
                supersedes,
                passed=score.passed,
                result="passed" if score.passed else "failed",
                payload={
                    "submission": submission.model_dump(mode="json"),
                    "score": score.model_dump(mode="json"),
                },
            )
            recorded = self._insert(session, row)
        return RecordedEvaluation(recorded.id, recorded.created, score)

    def record_level(
        self,
        trainee_id: int,
        author_id: int,
        competency_id: str,
        level: str,
        justification: str,
        observed_on: dt.date,
        key: str,
        *,
        supersedes: int | None = None,
    ) -> Recorded:
        """A level set directly by a trainer; the justification is required."""
        if len(justification.strip()) < 5:
            raise RecordError("Une justification est obligatoire pour fixer un niveau.")
        with self._write() as session:
            trainee, cohort = self._trainee(session, trainee_id)
            self._check_definition(cohort, competency_id, "competency")
            scale, _ = self.catalog.grading(competency_id)
            if level not in scale.codes:
                raise RecordError(f"Niveau « {level} » inconnu dans l'échelle du parcours.")
            row = self._observation(
                session,
                trainee,
                cohort,
                author_id,
                t.Kind.LEVEL,
                competency_id,
                observed_on,
                key,
                supersedes,
                level=level,
                payload={"justification": justification.strip()},
            )
            return self._insert(session, row)

    def record_comment(
        self,
        trainee_id: int,
        author_id: int,
        text: str,
        observed_on: dt.date,
        key: str,
        *,
        about: str | None = None,
        supersedes: int | None = None,
    ) -> Recorded:
        text = text.strip()
        if not text or len(text) > 4000:
            raise RecordError("Le commentaire doit faire entre 1 et 4 000 caractères.")
        with self._write() as session:
            trainee, cohort = self._trainee(session, trainee_id)
            if about is not None and self.catalog.entries.get(about, None) is None:
                raise RecordError(f"« {about} » n'est pas défini par le catalogue.")
            row = self._observation(
                session,
                trainee,
                cohort,
                author_id,
                t.Kind.COMMENT,
                about or cohort.sector,
                observed_on,
                key,
                supersedes,
                payload={"text": text},
            )
            return self._insert(session, row)

    def retract(self, observation_id: int, author_id: int, reason: str, key: str) -> Recorded:
        """Cancel a mistaken entry (wrong trainee, wrong gesture): it stays, superseded."""
        if len(reason.strip()) < 5:
            raise RecordError("Indiquez pourquoi cette saisie est annulée.")
        with self._write() as session:
            old = session.get(t.Observation, observation_id)
            if old is None:
                raise RecordError("La saisie à annuler n'existe pas.")
            trainee, cohort = self._trainee(session, old.trainee_id)
            row = self._observation(
                session,
                trainee,
                cohort,
                author_id,
                RETRACTION,
                old.definition,
                dt.date.today(),
                key,
                observation_id,
                payload={"reason": reason.strip()},
            )
            return self._insert(session, row)

    def record_outcome(
        self,
        trainee_id: int,
        author_id: int,
        kind: t.Exit,
        on: dt.date,
        key: str,
        *,
        employer: str | None = None,
        employer_name: str | None = None,
    ) -> Recorded:
        if employer is not None and employer not in self.catalog.employers:
            raise RecordError(f"Employeur « {employer} » inconnu du catalogue.")
        with self._write() as session:
            self._trainee(session, trainee_id)
            existing = session.scalar(select(t.Outcome).where(t.Outcome.idempotency_key == key))
            if existing is not None:
                return Recorded(existing.id, created=False)
            row = t.Outcome(
                idempotency_key=key,
                trainee_id=trainee_id,
                kind=t.Exit(kind).value,
                on=on,
                employer=employer,
                employer_name=employer_name,
                author_id=author_id,
            )
            session.add(row)
            session.flush()
            return Recorded(row.id, created=True)

    def add_evidence(
        self, observation_id: int, data: bytes, filename: str, declared_type: str | None = None
    ) -> int:
        """Attach a file, stored once by content hash under the data directory."""
        if len(data) > self.settings.evidence_max_bytes:
            limit = self.settings.evidence_max_bytes // (1024 * 1024)
            raise RecordError(f"Fichier trop lourd : {limit} Mo au maximum.")
        media_type = _sniff(data)
        if media_type is None or media_type not in self.settings.evidence_types:
            raise RecordError("Type de fichier refusé : photo JPEG, PNG ou WebP, ou PDF.")
        if declared_type and declared_type != media_type:
            raise RecordError("Le contenu du fichier ne correspond pas à son type.")
        digest = hashlib.sha256(data).hexdigest()
        path = self.evidence_path(digest)
        if not path.exists():  # written first: a failed insert leaves only an orphan file
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part")
            partial.write_bytes(data)
            partial.replace(path)
        with self._write() as session:
            observation = session.get(t.Observation, observation_id)
            if observation is None:
                raise RecordError("La saisie à laquelle joindre le fichier n'existe pas.")
            self._trainee(session, observation.trainee_id)
            row = t.Evidence(
                observation_id=observation_id,
                sha256=digest,
                size=len(data),
                media_type=media_type,
                filename=Path(filename).name[:200] or "fichier",
            )
            session.add(row)
            session.flush()
            return row.id

    def evidence_path(self, digest: str) -> Path:
        return self.settings.evidence_dir / digest[:2] / digest[2:4] / digest

    # ------------------------------------------------------------ reads

    def current(self, *where: Any) -> Select[t.Observation]:
        """Observations that nothing supersedes, retractions excluded."""
        return select(t.Observation).where(*_current(*where))

    def _rows(self, session: Session, scope: Scope, scope_id: int) -> _Rows:
        """The current observations of a trainee or a cohort that derivation reads.

        Attempts are by far the most numerous (a 16-trainee cohort holds thousands), so they
        are read through the driver, without SQLAlchemy's per-row type processing, only the
        judged ones, without their payload; each distinct day string is parsed once. Both
        statements are built and compiled once per scope: building them cost more than
        running them on a small cohort (bench/web.py).
        """
        connection = session.connection()
        sql, parameters = self._attempts_sql(scope, scope_id)
        cursor = connection.connection.cursor()  # the DBAPI cursor: fetchall in one call
        try:
            cursor.execute(sql, parameters)
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        days: dict[Any, dt.date] = {}
        attempts = []
        for trainee, definition, day, passed, autonomy, author in fetched:
            if day not in days:
                days[day] = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
            attempts.append((trainee, definition, days[day], bool(passed), autonomy or 1, author))
        others = connection.execute(_OTHER_ROWS[scope], {"scope_id": scope_id}).all()
        return _Rows(attempts, list(others))

    def _attempts_sql(self, scope: Scope, scope_id: int) -> tuple[str, Any]:
        """The attempts statement as the driver takes it, with its parameters: a list for a
        positional driver (sqlite3), a dict for a named one (psycopg)."""
        if scope not in self._compiled:
            compiled = _ATTEMPT_ROWS[scope].compile(dialect=self.engine.dialect)
            positions = compiled.positiontup
            constants = compiled.construct_params({"scope_id": 0})  # kind, judged results
            self._compiled[scope] = (str(compiled), positions, dict(constants))
        sql, positions, constants = self._compiled[scope]
        values = {**constants, "scope_id": scope_id}
        return sql, [values[name] for name in positions] if positions else values

    def trainee_info(self, session: Session, trainee_id: int) -> TraineeInfo:
        row = session.execute(
            select(t.Trainee, t.Cohort, t.School)
            .join(t.Cohort, t.Cohort.id == t.Trainee.cohort_id)
            .join(t.School, t.School.id == t.Cohort.school_id)
            .where(t.Trainee.id == trainee_id)
        ).first()
        if row is None:
            raise RecordError(f"Stagiaire n° {trainee_id} introuvable.")
        trainee, cohort, school = row
        return _info(trainee, cohort, school)

    def trainee_record(self, trainee_id: int) -> TraineeRecord:
        with self._read() as session:
            info = self.trainee_info(session, trainee_id)
            rows = self._rows(session, "trainee", trainee_id)
            authors = self._authors(session, rows.authors())
            outcome = session.scalars(
                select(t.Outcome)
                .where(t.Outcome.trainee_id == trainee_id)
                .order_by(t.Outcome.on.desc(), t.Outcome.id.desc())
                .limit(1)
            ).first()
        return self._derive(info, rows, authors, outcome)

    def _derive(
        self,
        info: TraineeInfo,
        rows: _Rows,
        authors: Mapping[int, str],
        outcome: t.Outcome | None,
    ) -> TraineeRecord:
        facts = _Facts.from_rows(rows, authors)
        exit_info = (
            ExitInfo(
                kind=outcome.kind,
                on=outcome.on,
                employer=outcome.employer,
                employer_name=outcome.employer_name,
            )
            if outcome is not None
            else None
        )
        sector = self.catalog.sectors[info.sector]
        return derive_record(
            sector,
            info,
            facts.attempts,
            facts.evaluations,
            facts.decisions,
            facts.comments,
            exit_info,
        )

    def _authors(self, session: Session, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        return dict(session.execute(select(t.User.id, t.User.name).where(t.User.id.in_(ids))).all())

    def _cohort(self, cohort_id: int, outcomes: bool = True) -> _CohortRows:
        """A cohort's trainees and current observations, from one query per table."""
        with self._read() as session:
            cohort = session.get(t.Cohort, cohort_id)
            if cohort is None:
                raise RecordError(f"Promotion n° {cohort_id} introuvable.")
            school = session.get(t.School, cohort.school_id)
            assert school is not None
            trainees = session.scalars(
                select(t.Trainee)
                .where(t.Trainee.cohort_id == cohort_id)
                .order_by(t.Trainee.last_name, t.Trainee.first_name, t.Trainee.id)
            ).all()
            rows = self._rows(session, "cohort", cohort_id)
            authors = self._authors(session, rows.authors())
            exits: dict[int, t.Outcome] = {}
            if outcomes:
                for outcome in session.scalars(
                    select(t.Outcome)
                    .join(t.Trainee, t.Trainee.id == t.Outcome.trainee_id)
                    .where(t.Trainee.cohort_id == cohort_id)
                    .order_by(t.Outcome.on, t.Outcome.id)
                ):
                    exits[outcome.trainee_id] = outcome  # the latest wins
        by_trainee = {trainee.id: _Rows([], []) for trainee in trainees}
        for attempt in rows.attempts:
            by_trainee[attempt[0]].attempts.append(attempt)
        for other in rows.others:
            by_trainee[other[0]].others.append(other)
        infos = [_info(trainee, cohort, school) for trainee in trainees]
        return _CohortRows(cohort, infos, by_trainee, authors, exits)

    def cohort_records(self, cohort_id: int) -> list[TraineeRecord]:
        """Every trainee's full record (levels, gestures, modules, phases) of a cohort."""
        data = self._cohort(cohort_id)
        return [
            self._derive(info, data.rows[info.id], data.authors, data.exits.get(info.id))
            for info in data.trainees
        ]

    def cohort_grid(self, cohort_id: int) -> CohortGrid:
        """Trainees × competencies: levels only (no module or gesture progress).

        Remembered until the cohort changes: its latest observation (every score, correction
        or comment is a new one) and its trainees (added, erased) are read first, two index
        look-ups, and the grid is derived again only when they moved. Each process keeps
        its own grids; they are checked against the database, so several processes agree."""
        version = self._cohort_version(cohort_id)
        cached = self._grids.get(cohort_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        grid = self._derive_grid(cohort_id)
        if len(self._grids) >= GRIDS_KEPT:
            self._grids.pop(next(iter(self._grids)))  # the oldest entry goes
        self._grids[cohort_id] = (version, grid)
        return grid

    def _cohort_version(self, cohort_id: int) -> tuple[Any, ...]:
        with self._read() as session:
            latest = session.scalar(
                select(func.max(t.Observation.id)).where(t.Observation.cohort_id == cohort_id)
            )
            trainees = session.execute(
                select(func.count(), func.max(t.Trainee.id), func.count(t.Trainee.erased_at)).where(
                    t.Trainee.cohort_id == cohort_id
                )
            ).one()
        return (latest, *trainees)

    def _derive_grid(self, cohort_id: int) -> CohortGrid:
        data = self._cohort(cohort_id, outcomes=False)
        sector = self.catalog.sectors[data.cohort.sector]
        competencies = tuple(c.id for c in sector.competencies)
        rows = []
        for info in data.trainees:
            facts = _Facts.from_rows(data.rows[info.id], data.authors)
            levels = sector_levels(
                sector, facts.attempts, facts.evaluation_facts(), facts.decisions
            )
            rows.append((info, tuple(levels[c].level for c in competencies)))
        return CohortGrid(
            cohort_id=cohort_id, sector=sector.id, competencies=competencies, rows=tuple(rows)
        )

    def outcome_stats(self, by: str = "cohort") -> list[ExitStats]:
        """Positive-exit rate per cohort, school or territory (CDI, CDD, intérim, alternance
        and formation count as positive), over trainees with a recorded exit."""
        group = {
            "cohort": (t.Cohort.id, t.Cohort.name),
            "school": (t.School.id, t.School.name),
            "territory": (t.School.territory, t.School.territory),
        }[by]
        latest = (
            select(t.Outcome.trainee_id, func.max(t.Outcome.id).label("id"))
            .group_by(t.Outcome.trainee_id)
            .subquery()
        )
        with self._read() as session:
            totals = session.execute(
                select(group[0], group[1], func.count(t.Trainee.id))
                .select_from(t.Trainee)
                .join(t.Cohort)
                .join(t.School)
                .group_by(*group)
            ).all()
            exits = session.execute(
                select(group[0], t.Outcome.kind, func.count())
                .select_from(t.Outcome)
                .join(latest, latest.c.id == t.Outcome.id)
                .join(t.Trainee, t.Trainee.id == t.Outcome.trainee_id)
                .join(t.Cohort)
                .join(t.School)
                .group_by(group[0], t.Outcome.kind)
            ).all()
        counts: dict[Any, dict[str, int]] = {}
        for key, kind, count in exits:
            counts.setdefault(key, {})[kind] = count
        stats = []
        for key, label, trainees in totals:
            kinds = counts.get(key, {})
            exited = sum(kinds.values())
            positive = sum(n for kind, n in kinds.items() if t.Exit(kind).positive)
            if by == "territory" and label in self.catalog.territories:
                label = self.catalog.territories[label].name
            stats.append(
                ExitStats(
                    key=str(key),
                    label=str(label),
                    trainees=trainees,
                    exited=exited,
                    positive=positive,
                    by_kind=kinds,
                )
            )
        return sorted(stats, key=lambda s: s.label)


@dataclass(frozen=True)
class _CohortRows:
    cohort: t.Cohort
    trainees: list[TraineeInfo]
    rows: dict[int, _Rows]
    authors: Mapping[int, str]
    exits: dict[int, t.Outcome]


@dataclass
class _Rows:
    """Current observation rows: attempts (trainee, gesture, day, passed, autonomy, author)
    and the few others (evaluations, level decisions, comments) with their payload."""

    attempts: list[tuple[Any, ...]]
    others: list[Any]

    def authors(self) -> set[int]:
        return {a[5] for a in self.attempts} | {o[7] for o in self.others}


@dataclass
class _Facts:
    """Observation rows turned into the inputs of the pure derivation functions."""

    attempts: list[AttemptFact]
    evaluations: list[EvaluationResult]
    decisions: list[LevelDecision]
    comments: list[CommentEntry]

    @classmethod
    def from_rows(cls, rows: _Rows, authors: Mapping[int, str]) -> _Facts:
        facts = cls([], [], [], [])
        facts.attempts = [
            AttemptFact(definition, day, passed, _AUTONOMY[autonomy], authors.get(author, ""))
            for _trainee, definition, day, passed, autonomy, author in rows.attempts
        ]
        evaluation, level, comment = (
            t.Kind.EVALUATION.value,
            t.Kind.LEVEL.value,
            t.Kind.COMMENT.value,
        )
        for (
            _trainee,
            kind,
            definition,
            day,
            recorded_at,
            passed,
            level_code,
            author_id,
            payload,
        ) in rows.others:
            author = authors.get(author_id, "")
            if kind == evaluation:
                score = payload.get("score", {})
                facts.evaluations.append(
                    EvaluationResult(
                        evaluation=definition,
                        day=day,
                        passed=bool(passed),
                        score=float(score.get("score", 0)),
                        summary=str(score.get("summary", "")),
                        assessor=author,
                        checks=tuple(Check.model_validate(c) for c in score.get("checks", ())),
                    )
                )
            elif kind == level and level_code:
                facts.decisions.append(
                    LevelDecision(
                        competency=definition,
                        at=_aware(recorded_at),
                        level=level_code,
                        justification=str(payload.get("justification", "")),
                        assessor=author,
                    )
                )
            elif kind == comment:
                facts.comments.append(
                    CommentEntry(
                        day=day, author=author, text=str(payload.get("text", "")), about=definition
                    )
                )
        return facts

    def evaluation_facts(self) -> list[EvaluationFact]:
        return [
            EvaluationFact(evaluation=e.evaluation, day=e.day, passed=e.passed, assessor=e.assessor)
            for e in self.evaluations
        ]


_ERASED = "Ce ou cette stagiaire a été effacé·e (RGPD) : aucun ajout possible."


def _check_day(observed_on: dt.date) -> None:
    if observed_on > dt.date.today() + dt.timedelta(days=1):
        raise RecordError("La date d'observation est dans le futur.")


_JUDGED = frozenset({"passed", "failed"})  # an incomplete attempt is no evidence either way
_NEWER = aliased(t.Observation, name="newer")  # built once: aliasing is costly


def _current(*where: Any) -> tuple[Any, ...]:
    """Conditions for observations that nothing supersedes, retractions excluded."""
    return (
        *where,
        t.Observation.kind != RETRACTION,
        ~exists().where(_NEWER.supersedes_id == t.Observation.id),
    )


Scope = Literal["trainee", "cohort"]
_SCOPE_COLUMNS = {"trainee": t.Observation.trainee_id, "cohort": t.Observation.cohort_id}
_ATTEMPT_ROWS = {
    scope: select(
        t.Observation.trainee_id,
        t.Observation.definition,
        t.Observation.observed_on,
        t.Observation.passed,
        t.Observation.autonomy,
        t.Observation.author_id,
    ).where(
        *_current(
            column == bindparam("scope_id"),
            t.Observation.kind == t.Kind.ATTEMPT,
            # OR, not IN: an IN list is rendered at execution, and this is compiled once
            or_(*(t.Observation.result == result for result in sorted(_JUDGED))),
        )
    )
    for scope, column in _SCOPE_COLUMNS.items()
}
_OTHER_ROWS = {
    scope: select(
        t.Observation.trainee_id,
        t.Observation.kind,
        t.Observation.definition,
        t.Observation.observed_on,
        t.Observation.recorded_at,
        t.Observation.passed,
        t.Observation.level,
        t.Observation.author_id,
        t.Observation.payload,
    ).where(
        *_current(
            column == bindparam("scope_id"),
            t.Observation.kind.in_([t.Kind.EVALUATION, t.Kind.LEVEL, t.Kind.COMMENT]),
        )
    )
    for scope, column in _SCOPE_COLUMNS.items()
}
_AUTONOMY = {int(a): a for a in Autonomy}


@dataclass(frozen=True)
class CohortGrid:
    cohort_id: int
    sector: str
    competencies: tuple[str, ...]
    rows: tuple[tuple[TraineeInfo, tuple[str, ...]], ...]


@dataclass(frozen=True)
class ExitStats:
    key: str
    label: str
    trainees: int
    exited: int
    positive: int
    by_kind: Mapping[str, int]

    @property
    def rate(self) -> float | None:
        """Share of positive exits among trainees whose exit is known."""
        return self.positive / self.exited if self.exited else None


def _info(trainee: t.Trainee, cohort: t.Cohort, school: t.School) -> TraineeInfo:
    return TraineeInfo(
        id=trainee.id,
        first_name=trainee.first_name,
        last_name=trainee.last_name,
        cohort_id=cohort.id,
        cohort=cohort.name,
        school=school.name,
        territory=school.territory,
        sector=cohort.sector,
        curriculum_version=cohort.curriculum_version,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        erased=trainee.erased_at is not None,
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def open_records(
    settings: Settings | None = None, catalog: Catalog | None = None, *, migrate: bool = False
) -> Records:
    """The records service on the configured database (upgraded first if ``migrate``)."""
    from alembic.script import ScriptDirectory

    from core.loading import load_catalog
    from core.store.engine import alembic_config, current_revision, make_engine, upgrade

    settings = settings or Settings()
    engine = make_engine(settings.url)
    if migrate:
        upgrade(engine)
    else:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        if current_revision(engine) != head:
            raise RecordError("La base n'est pas à jour : lancez « gestes db upgrade ».")
    return Records(engine, catalog or load_catalog(), settings)


# The statements of the tap path, built once: building a statement cost more than running it
# (core.taps, bench/web.py).
_TAP_TRAINEES = (
    select(t.Trainee.id, t.Trainee.erased_at, t.Cohort.id.label("cohort"))
    .add_columns(t.Cohort.sector, t.Cohort.curriculum)
    .join(t.Cohort, t.Cohort.id == t.Trainee.cohort_id)
    .where(t.Trainee.id.in_(bindparam("ids", expanding=True)))
)
_STORED_KEYS = select(
    t.Observation.idempotency_key, t.Observation.id, t.Observation.trainee_id, t.Observation.kind
).where(t.Observation.idempotency_key.in_(bindparam("keys", expanding=True)))
_LIVE_TAPS = (
    select(
        t.Observation.attempt_key,
        t.Observation.step,
        t.Observation.result,
        t.Observation.trainee_id,
        t.Observation.kind,
    )
    .where(t.Observation.attempt_key.in_(bindparam("keys", expanding=True)))
    .order_by(t.Observation.id)
)
# Insert, skipping a row whose idempotency key is already stored; returns what it inserted.
_TAP_INSERTS = {
    name: dialect.insert(t.Observation)
    .on_conflict_do_nothing(index_elements=["idempotency_key"])
    .returning(t.Observation.idempotency_key, t.Observation.id)
    for name, dialect in (("sqlite", sqlite_dialect), ("postgresql", postgresql_dialect))
}
