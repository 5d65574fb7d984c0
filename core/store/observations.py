"""The observation writer: attempts, evaluations, level decisions, comments, retractions and
exits. Append-only and idempotent.

Each write carries a key, and the same key twice stores one row (the second call returns the
first row). A correction is a new observation that supersedes an old one. Ids are checked
against the cohort's curriculum before anything is written, and a write either commits whole
or leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from core.catalog.catalog import Catalog, Catalogs, Kind
from core.catalog.definitions import Autonomy
from core.domain import (
    ERASED_MESSAGE,
    MAX_ATTEMPT_SECONDS,
    ExitDetails,
    ExitKind,
    ObservationKind,
    RecordError,
)
from core.judging.attempts import AttemptOutcome, StepResult, attempt_outcome
from core.judging.evaluation import EvaluationScore, Submission, score_evaluation
from core.store import tables as t
from core.store.database import Database


@dataclass(frozen=True)
class Recorded:
    """What a write returns: the stored row's id and whether this call created it."""

    id: int
    created: bool


@dataclass(frozen=True)
class RecordedAttempt(Recorded):
    outcome: AttemptOutcome


@dataclass(frozen=True)
class RecordedEvaluation(Recorded):
    score: EvaluationScore


KEY_REUSED = "Clé d'envoi déjà utilisée pour une autre saisie."


def check_definition(catalog: Catalog, cohort: Any, definition_id: str, kind: Kind) -> None:
    """``cohort``: anything with the cohort's ``sector`` and ``curriculum`` (a row will do)."""
    entry = catalog.entries.get(definition_id)
    if entry is None or entry.kind != kind or entry.sector != cohort.sector:
        raise RecordError(
            f"« {definition_id} » n'est pas défini par le parcours {cohort.curriculum} "
            f"de la promotion."
        )


def check_day(observed_on: dt.date, trainee: Any, cohort: Any) -> None:
    """An entry's day: not in the future, within the cohort's dates, not before the trainee
    joined. ``trainee`` and ``cohort``: rows, or anything with their columns."""
    # One day of tolerance: the server's clock may sit in another time zone than the school.
    if observed_on > dt.date.today() + dt.timedelta(days=1):
        raise RecordError("La date d'observation est dans le futur.", "observed_on")
    if observed_on < cohort.starts_on:
        message = f"La date est avant le début de la promotion ({cohort.starts_on:%d/%m/%Y})."
        raise RecordError(message, "observed_on")
    if observed_on > cohort.ends_on:
        message = f"La date est après la fin de la promotion ({cohort.ends_on:%d/%m/%Y})."
        raise RecordError(message, "observed_on")
    joined = getattr(trainee, "joined_on", None)
    if joined is not None and observed_on < joined:
        message = f"La date est avant l'arrivée du ou de la stagiaire ({joined:%d/%m/%Y})."
        raise RecordError(message, "observed_on")


def check_open(cohort: Any) -> None:
    if cohort.closed_at is not None:
        raise RecordError("Promotion clôturée : son dossier ne se modifie plus.")


def check_seconds(seconds: int | None) -> None:
    if seconds is not None and not 0 < seconds <= MAX_ATTEMPT_SECONDS:
        raise RecordError("Durée impossible : entre 1 seconde et 24 heures.")


def trainee_rows(session: Session, trainee_id: int) -> tuple[t.Trainee, t.Cohort]:
    """A trainee who may still receive entries, and their cohort."""
    row = session.execute(
        select(t.Trainee, t.Cohort)
        .join(t.Cohort, t.Cohort.id == t.Trainee.cohort_id)
        .where(t.Trainee.id == trainee_id)
    ).first()
    if row is None:
        raise RecordError(f"Stagiaire n° {trainee_id} introuvable.")
    trainee, cohort = row
    if trainee.erased_at is not None:
        raise RecordError(ERASED_MESSAGE)
    return trainee, cohort


def open_trainee_rows(session: Session, trainee_id: int) -> tuple[t.Trainee, t.Cohort]:
    """``trainee_rows``, for a training entry: the cohort must still be open."""
    trainee, cohort = trainee_rows(session, trainee_id)
    check_open(cohort)
    return trainee, cohort


# What closes a live attempt: its validation, or its abandonment (retractions of its taps).
_Later = aliased(t.Observation)  # an entry superseding another
CLOSING_KINDS = (ObservationKind.ATTEMPT.value, ObservationKind.RETRACTION.value)


@dataclass(frozen=True)
class _New:
    """What every observation states: whose, by whom, about what, when, and its key."""

    trainee_id: int
    author_id: int
    definition: str
    observed_on: dt.date
    key: str
    supersedes: int | None = None


class Observations:
    def __init__(self, database: Database, catalog: Catalog, catalogs: Catalogs) -> None:
        self._db = database
        self._catalog = catalog
        self._catalogs = catalogs

    def _catalog_of(self, cohort: Any) -> Catalog:
        """The definitions a cohort is judged by: its pinned curriculum version's."""
        return self._catalogs(cohort.sector, cohort.curriculum_version)

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
        check_seconds(seconds)
        new = _New(trainee_id, author_id, gesture_id, observed_on, key, supersedes)
        with self._db.write() as session:
            rows = open_trainee_rows(session, trainee_id)
            cohort = rows[1]
            catalog = self._catalog_of(cohort)
            check_definition(catalog, cohort, gesture_id, "gesture")
            try:
                outcome = attempt_outcome(catalog.gesture(gesture_id), steps, seconds)
            except KeyError:
                raise RecordError("Étape inconnue pour ce geste.") from None
            recorded = self._add(
                session,
                rows,
                new,
                ObservationKind.ATTEMPT,
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
        new = _New(trainee_id, author_id, evaluation_id, observed_on, key, supersedes)
        with self._db.write() as session:
            rows = open_trainee_rows(session, trainee_id)
            cohort = rows[1]
            catalog = self._catalog_of(cohort)
            check_definition(catalog, cohort, evaluation_id, "evaluation")
            evaluation = catalog.evaluation(evaluation_id)
            score = score_evaluation(catalog.evaluators, evaluation, submission)
            recorded = self._add(
                session,
                rows,
                new,
                ObservationKind.EVALUATION,
                passed=score.passed,
                result="passed" if score.passed else "failed",
                payload={
                    "submission": submission.model_dump(mode="json"),
                    "score": score.model_dump(mode="json"),
                },
            )
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
            raise RecordError(
                "Une justification est obligatoire pour fixer un niveau.", "justification"
            )
        new = _New(trainee_id, author_id, competency_id, observed_on, key, supersedes)
        with self._db.write() as session:
            rows = open_trainee_rows(session, trainee_id)
            cohort = rows[1]
            catalog = self._catalog_of(cohort)
            check_definition(catalog, cohort, competency_id, "competency")
            scale, _ = catalog.grading(competency_id)
            if level not in scale.codes:
                raise RecordError(
                    f"Niveau « {level} » inconnu dans l'échelle du parcours.", "level"
                )
            payload = {"justification": justification.strip()}
            return self._add(
                session, rows, new, ObservationKind.LEVEL, level=level, payload=payload
            )

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
            raise RecordError("Le commentaire doit faire entre 1 et 4 000 caractères.", "text")
        if about is not None and self._catalog.entries.get(about, None) is None:
            raise RecordError(f"« {about} » n'est pas défini par le catalogue.")
        with self._db.write() as session:
            rows = open_trainee_rows(session, trainee_id)
            cohort = rows[1]
            new = _New(trainee_id, author_id, about or cohort.sector, observed_on, key, supersedes)
            return self._add(session, rows, new, ObservationKind.COMMENT, payload={"text": text})

    def retract(self, observation_id: int, author_id: int, reason: str, key: str) -> Recorded:
        """Cancel a mistaken entry (wrong trainee, wrong gesture): it stays, superseded."""
        if len(reason.strip()) < 5:
            raise RecordError("Indiquez pourquoi cette saisie est annulée.")
        with self._db.write() as session:
            old = session.get(t.Observation, observation_id)
            if old is None:
                raise RecordError("La saisie à annuler n'existe pas.")
            rows = open_trainee_rows(session, old.trainee_id)
            new = _New(
                old.trainee_id, author_id, old.definition, dt.date.today(), key, observation_id
            )
            payload = {"reason": reason.strip()}
            recorded = self._add(session, rows, new, ObservationKind.RETRACTION, payload=payload)
            if old.kind == ObservationKind.ATTEMPT.value and old.attempt_key:
                self._retract_taps(session, rows, old, author_id)
            return recorded

    def _retract_taps(
        self, session: Session, rows: tuple[t.Trainee, t.Cohort], attempt: t.Observation, by: int
    ) -> None:
        """An attempt cancelled takes its taps with it: none is left counting as a live entry
        (a curriculum move blocked by the attempt stayed blocked by its taps)."""
        taps = session.scalars(
            select(t.Observation.id).where(
                t.Observation.attempt_key == attempt.attempt_key,
                t.Observation.trainee_id == attempt.trainee_id,
                t.Observation.kind == ObservationKind.STEP.value,
                ~exists().where(t.Observation.id == _Later.supersedes_id),
            )
        ).all()
        for tap_id in taps:
            new = _New(
                attempt.trainee_id,
                by,
                attempt.definition,
                dt.date.today(),
                f"retract-tap:{tap_id}",
                tap_id,
            )
            payload = {"reason": "Tentative annulée : ses étapes avec elle."}
            self._add(
                session,
                rows,
                new,
                ObservationKind.RETRACTION,
                payload=payload,
                attempt_key=attempt.attempt_key,
            )

    def abandon_attempt(self, trainee_id: int, attempt_key: str, author_id: int) -> int:
        """An attempt left unvalidated, given up: each of its taps is retracted (kept,
        superseded, the attempt's key on the retraction), in one transaction; a tap arriving
        for it afterwards is refused as for a validated attempt. How many taps it had."""
        with self._db.write() as session:
            rows = open_trainee_rows(session, trainee_id)
            taps = session.execute(
                select(t.Observation.id, t.Observation.definition).where(
                    t.Observation.attempt_key == attempt_key,
                    t.Observation.trainee_id == trainee_id,
                    t.Observation.kind == ObservationKind.STEP.value,
                )
            ).all()
            if not taps:
                raise RecordError("Tentative introuvable pour ce stagiaire.")
            closed = session.scalar(
                select(t.Observation.id).where(
                    t.Observation.attempt_key == attempt_key,
                    t.Observation.kind.in_(CLOSING_KINDS),
                )
            )
            if closed is not None:
                raise RecordError("Tentative déjà validée ou abandonnée.")
            for tap_id, gesture in taps:
                new = _New(
                    trainee_id, author_id, gesture, dt.date.today(), f"abandon:{tap_id}", tap_id
                )
                payload = {"reason": "Tentative abandonnée, non validée."}
                self._add(
                    session,
                    rows,
                    new,
                    ObservationKind.RETRACTION,
                    payload=payload,
                    attempt_key=attempt_key,
                )
            return len(taps)

    def record_exit(
        self,
        trainee_id: int,
        author_id: int,
        kind: ExitKind,
        on: dt.date,
        key: str,
        *,
        employer: str | None = None,
        employer_name: str | None = None,
        details: ExitDetails | None = None,
    ) -> Recorded:
        """Where a trainee went (sortie); the latest by date is the trainee's exit. Never
        dated in the future (nor before the cohort began): an exit counts once it happened."""
        if employer is not None and employer not in self._catalog.employers:
            raise RecordError(f"Employeur « {employer} » inconnu du catalogue.")
        details = details or ExitDetails()
        details.check(ExitKind(kind))
        if on > dt.date.today():
            raise RecordError(
                "La date de sortie est dans le futur : une sortie compte une fois faite.", "on"
            )
        with self._db.write() as session:
            _, cohort = trainee_rows(session, trainee_id)
            if on < cohort.starts_on:
                raise RecordError("La date de sortie est avant le début de la promotion.", "on")
            if details.follow_up and on < cohort.ends_on:
                raise RecordError("Un suivi se fait après la fin de la promotion.", "on")
            existing = session.scalar(
                select(t.ExitRecord).where(t.ExitRecord.idempotency_key == key)
            )
            if existing is not None:  # a key is its subject's: never another trainee's row
                if existing.trainee_id != trainee_id:
                    raise RecordError(KEY_REUSED)
                return Recorded(existing.id, created=False)
            row = t.ExitRecord(
                idempotency_key=key,
                trainee_id=trainee_id,
                kind=ExitKind(kind).value,
                on=on,
                employer=employer,
                employer_name=employer_name,
                author_id=author_id,
                reason=details.reason,
                contract_months=details.contract_months,
                full_time=details.full_time,
                follow_up=details.follow_up,
            )
            session.add(row)
            session.flush()
            return Recorded(row.id, created=True)

    # ------------------------------------------------------------ one row

    def _add(
        self,
        session: Session,
        rows: tuple[t.Trainee, t.Cohort],
        new: _New,
        kind: ObservationKind,
        **columns: Any,
    ) -> Recorded:
        """Check and insert one observation in the caller's transaction."""
        trainee, cohort = rows
        if kind is not ObservationKind.RETRACTION:  # a correction is dated when it is made
            check_day(new.observed_on, trainee, cohort)
        if new.supersedes is not None:
            repeated = session.scalar(
                select(t.Observation.id).where(t.Observation.idempotency_key == new.key)
            )
            if repeated is None:  # a repeated submit is answered by _insert, not refused here
                _check_supersedable(session, new.supersedes, trainee.id)
        row = t.Observation(
            idempotency_key=new.key,
            trainee_id=trainee.id,
            cohort_id=cohort.id,
            author_id=new.author_id,
            kind=kind.value,
            definition=new.definition,
            catalog_version=self._catalog_of(cohort).version,
            observed_on=new.observed_on,
            supersedes_id=new.supersedes,
            **columns,
        )
        return _insert(session, row)


def _check_supersedable(session: Session, old_id: int, trainee_id: int) -> None:
    old = session.get(t.Observation, old_id)
    if old is None or old.trainee_id != trainee_id:
        raise RecordError("La saisie à corriger n'existe pas pour ce ou cette stagiaire.")
    if session.scalar(select(exists().where(t.Observation.supersedes_id == old_id))):
        raise RecordError("Cette saisie a déjà été corrigée : corrigez la plus récente.")


def _insert(session: Session, row: t.Observation) -> Recorded:
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
        raise RecordError(KEY_REUSED)
    return Recorded(existing.id, created=False)
