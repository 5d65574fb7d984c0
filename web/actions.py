"""What the pages and the JSON API both do: a route of either kind checks its input, calls
one of these, then answers in its own way (a page, a fragment or JSON). Each checks role and
scope itself, so that no caller can forget to."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from typing import Any

import anyio
from fastapi import HTTPException, Request

from core.attendance.views import Session as AttendanceSession
from core.domain import Account, Cohort, Located, RecordError, Role
from core.french import SCHOOL_TIME
from core.immersion.placements import (
    TRAINEE_DAYS,
    TUTOR_DAYS,
    AccessLink,
    EntryKind,
    LinkKind,
    Placement,
    new_trainee_code,
    new_tutor_code,
)
from core.judging.attempts import StepResult
from core.qualiopi import QualiopiFile, school_file
from core.store import Candidate, RecordedTap, Tap, TapOutcome, TapWriter
from web.deps import (
    Id,
    cohort_of,
    gestes_of,
    observation_of,
    require_coordinator,
    served_at,
    store_of,
    trainee_of,
    valid_key,
)
from web.security import COOKIE, CurrentUser, require_school

MAX_MILLIS = 10**13  # a moment in epoch milliseconds: past any tablet's clock (year 2286)
DEVICE = r"^([A-Za-z0-9]{6,16})?$"  # the random id a tablet's page keeps (scoring.js)


@dataclass(frozen=True)
class Made:
    """When and where a tap was made, as the tablet says (``scoring.js``): the moment on its
    clock, the device (a random id it keeps) and the device's own count of taps."""

    at: dt.datetime | None = None
    device: str | None = None
    seq: int | None = None

    # A moment further from the server's clock than this is the device's clock being wrong
    # (not a tap queued offline for a weekend): the tap counts as made when it arrived.
    EARLIEST = dt.timedelta(days=30)
    LATEST = dt.timedelta(minutes=10)

    @classmethod
    def said(cls, millis: int | None, device: str | None, seq: int | None) -> Made:
        now = dt.datetime.now(dt.UTC)
        at = None
        if millis is not None:
            moment = dt.datetime.fromtimestamp(millis / 1000, dt.UTC)
            at = moment if now - cls.EARLIEST <= moment <= now + cls.LATEST else None
        return cls(at, device or None, seq if device else None)

    def day(self) -> dt.date:
        """The day it was made, on the schools' clock."""
        return (self.at or dt.datetime.now(dt.UTC)).astimezone(SCHOOL_TIME).date()


async def submit_tap(
    request: Request,
    user: CurrentUser,
    trainee_id: Id,
    gesture_id: str,
    attempt: str,
    step: str,
    result: StepResult,
    tap: int,
    day: dt.date | None = None,
    made: Made = Made(),
) -> RecordedTap:
    """One step tap, from the page or the API. It runs on the event loop and waits for the
    store without blocking it: the scope is remembered, the write goes to the tap writer
    (group commit) and comes back with the attempt to redraw."""
    check_tap_scope(request, user, trainee_id, gesture_id, attempt)
    day = day or made.day()
    one = Tap(trainee_id, user.id, gesture_id, attempt, step, result, day, "", *astuple(made))
    [outcome] = await write_taps(request, [(one, tap)])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def check_tap_scope(
    request: Request, user: CurrentUser, trainee_id: Id, gesture_id: str, attempt: str
) -> None:
    """The trainee is in the user's school, the gesture of its sector, the attempt's key
    well formed (the store checks the rest against the cohort's curriculum)."""
    store = store_of(request)
    scope = store.lookup.trainee_scope(trainee_id)  # remembered: one read per trainee
    require_school(user, scope.school_id if scope else None)
    assert scope is not None
    if not gesture_id.startswith(f"{scope.sector}."):  # the store checks the rest against
        raise HTTPException(status_code=404, detail="Geste inconnu pour cette promotion.")
    # the cohort's pinned curriculum, read in its transaction (a version is not remembered:
    # a cohort can move to a new one)
    if not valid_key(attempt):
        raise HTTPException(status_code=400, detail="Tentative invalide.")


async def write_taps(request: Request, taps: list[tuple[Tap, int]]) -> list[TapOutcome]:
    """Hand checked taps, each with its number, to the tap writer and await their outcomes.
    The key makes a tap idempotent: a tap the tablet made carries its device and count (sent
    again from its outbox, it is stored once); without them (no JavaScript) the same rendered
    button submitted twice carries the same tap number."""
    writer: TapWriter = request.app.state.taps
    return await writer.write([dataclasses.replace(tap, key=tap_key(tap, n)) for tap, n in taps])


def tap_key(tap: Tap, n: int) -> str:
    if tap.device and tap.seq is not None:
        return f"{tap.attempt_key}:{tap.device}:{tap.seq}"
    return f"{tap.attempt_key}:{tap.step}:{n}:{tap.result.value}"


async def receive_evidence(request: Request, user: CurrentUser, observation_id: Id) -> Located:
    """Store the file posted as ``photo`` (page or API). An announced body over the limit is
    refused before it is read, and no more than the limit is ever read."""
    gestes = gestes_of(request)
    store = gestes.store
    observation = observation_of(store, user, observation_id)
    limit = gestes.settings.evidence_max_bytes
    if int(request.headers.get("content-length", "0")) > limit + 64 * 1024:
        raise RecordError(f"Fichier trop lourd : {limit // (1024 * 1024)} Mo au maximum.")
    form = await request.form()
    upload = form.get("photo")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise RecordError("Choisissez une photo.")
    data = await upload.read(limit + 1)
    # Decoding and encoding a photo again takes seconds and hundreds of MB for a large one:
    # in a worker thread, never on the event loop (taps and every page would wait behind it),
    # and a few at a time (DECODES) so that many uploads at once cannot exhaust memory.
    await anyio.to_thread.run_sync(
        store.evidence.add,
        observation_id,
        data,
        upload.filename,
        upload.content_type,
        limiter=_decodes(request),
    )
    return observation


DECODES = 2  # photos decoded at once per process


def _decodes(request: Request) -> anyio.CapacityLimiter:
    state = request.app.state
    if getattr(state, "photo_decodes", None) is None:  # made inside the running event loop
        state.photo_decodes = anyio.CapacityLimiter(DECODES)
    limiter: anyio.CapacityLimiter = state.photo_decodes
    return limiter


async def receive_proof(request: Request, form: Any) -> tuple[str, str] | None:
    """A justification's proof posted as ``proof``, kept like evidence (decoded off the event
    loop, a few at a time); its digest and media type, or None when no file was chosen."""
    upload = form.get("proof")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return None
    store = gestes_of(request).store
    limit = gestes_of(request).settings.evidence_max_bytes
    data = await upload.read(limit + 1)
    proofs = store.attendance.proofs
    assert proofs is not None
    kept: tuple[str, str] = await anyio.to_thread.run_sync(
        proofs.keep, data, upload.content_type, limiter=_decodes(request)
    )
    return kept


def change_own_password(
    request: Request, user: CurrentUser, current: str, new: str, confirm: str
) -> None:
    """Change one's own password (page and API): the current one asked, the policy checked,
    every other session of the account ended at once. RecordError (with its field) if not."""
    if new != confirm:
        raise RecordError("Les deux saisies du nouveau mot de passe diffèrent.", "confirm")
    token = request.cookies.get(COOKIE, "")
    store_of(request).accounts.change_password(user.id, current, new, token)
    request.app.state.sessions.clear()  # other sessions of the account end now, not in 5 s


def withdraw_booklet(request: Request, user: CurrentUser, code: str) -> int:
    """Withdraw a booklet of one of the coordinator's schools (pages and API); its trainee."""
    require_coordinator(user)
    store = store_of(request)
    handed = store.verifications.get(code[:20])
    if handed is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    trainee_of(store, user, handed.trainee)
    store.verifications.revoke(handed.code)
    return handed.trainee


def account_of(request: Request, user: CurrentUser, user_id: Id) -> Account:
    """An account the user may manage (else 403 or 404, page or API): an administrator any;
    a coordinator the trainers of their own schools — a school runs its own staff without
    asking the network's administrator, never another school's nor a coordinator's."""
    require_coordinator(user)
    found = next((a for a in store_of(request).accounts.all() if a.id == user_id), None)
    if found is None:
        raise HTTPException(status_code=404, detail="Compte introuvable.")
    if not user.is_admin and not manages(user, found.role, found.schools):
        raise HTTPException(status_code=403, detail="Compte d'une autre école ou d'un autre rôle.")
    return found


OWN_TRAINERS = "Des comptes de formation de vos écoles seulement."


def manages(user: CurrentUser, role: Role, schools: Iterable[int]) -> bool:
    """Whether ``user`` may give an account this role and these schools: an administrator
    any; a coordinator a trainer of their own schools only."""
    if user.is_admin:
        return True
    wanted = set(schools)
    return role is Role.TRAINER and bool(wanted) and wanted <= set(user.schools)


def replace_forgotten_password(
    request: Request, user: CurrentUser, user_id: Id, password: str
) -> None:
    """A forgotten password replaced by an administrator (page or API); every session of the
    account ends: this process forgets them at once, the others are told (NOTIFY)."""
    account_of(request, user, user_id)
    store_of(request).accounts.reset_password(user_id, password)
    request.app.state.sessions.clear()


def set_account_active(request: Request, user: CurrentUser, user_id: Id, active: bool) -> None:
    """Deactivate or reactivate an account (page or API); never one's own."""
    account_of(request, user, user_id)
    if user_id == user.id and not active:
        raise HTTPException(
            status_code=400, detail="Vous ne pouvez pas désactiver votre propre compte."
        )
    store_of(request).accounts.set_active(user_id, active)
    request.app.state.sessions.clear()  # a deactivated user's sessions end now


def placement_of(request: Request, user: CurrentUser, placement_id: int) -> Placement:
    """A placement of one of the user's schools, or a 404."""
    store = gestes_of(request).store
    placement = store.placements.get(placement_id)
    if placement is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    trainee_of(store, user, placement.trainee_id)
    return placement


def record_placement(
    request: Request, user: CurrentUser, new: Placement, objectives: str | None
) -> Placement:
    """Record ``new`` for a trainee of the user's schools (pages and API; the store checks it
    and fills in the objectives, ``core.store.placements``)."""
    store = gestes_of(request).store
    trainee_of(store, user, new.trainee_id)
    return store.placements.create(new.trainee_id, new, user.id, objectives)


def issue_tutor_link(request: Request, user: CurrentUser, placement: Placement) -> str:
    """A new link for the placement's tutor: its address, shown once."""
    gestes = gestes_of(request)
    code = new_tutor_code()
    gestes.store.placements.issue_link(
        LinkKind.TUTOR, placement.trainee_id, code, TUTOR_DAYS, user.id, placement.id
    )
    return f"{gestes.settings.address(served_at(request))}/tuteur/{code}"


def issue_trainee_code(request: Request, user: CurrentUser, trainee_id: int) -> tuple[str, str]:
    """A new code for the trainee, shown once, and where to type it."""
    gestes = gestes_of(request)
    code = new_trainee_code()
    gestes.store.placements.issue_link(LinkKind.TRAINEE, trainee_id, code, TRAINEE_DAYS, user.id)
    return code, f"{gestes.settings.address(served_at(request))}/moi"


def withdraw_link(request: Request, user: CurrentUser, link_id: int) -> AccessLink:
    """Withdraw a tutor's link (coordination) or a trainee's code (any of the school's staff):
    it opens nothing from now on."""
    store = gestes_of(request).store
    link = store.placements.link(link_id)
    if link is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    trainee_of(store, user, link.trainee_id)
    if link.kind is LinkKind.TUTOR:
        require_coordinator(user)
    store.placements.revoke(link.id)
    return link


def answer_self_assessment(
    request: Request,
    user: CurrentUser,
    trainee_id: int,
    competency: str,
    answers: int,
    confirmed: bool,
) -> None:
    """A trainer's answer to one self-assessment (pages and API): only a confirmation counts,
    and it says who confirmed it and when."""
    gestes = gestes_of(request)
    trainee_of(gestes.store, user, trainee_id)
    entries = gestes.store.placements.entries(trainee_id)
    said = [e for e in entries if e.kind is EntryKind.SELF_ASSESSMENT and e.id == answers]
    if not said or said[0].subject != competency:
        raise HTTPException(status_code=404, detail="Auto-évaluation introuvable.")
    gestes.store.placements.add(
        trainee_id,
        EntryKind.CONFIRMATION,
        {"confirmed": confirmed, "answers": answers},
        subject=competency,
        author_id=user.id,
    )


def sign_booklet(request: Request, user: CurrentUser, trainee_id: int, consent: bool) -> None:
    """The signed-in trainer signs the booklet for the teaching team (pages and API): name and
    date come from the account and the clock, never from the form."""
    gestes = gestes_of(request)
    trainee_of(gestes.store, user, trainee_id)
    if not consent:
        raise RecordError("Cochez la case pour signer le livret.", field="consent")
    gestes.store.placements.add(
        trainee_id, EntryKind.TRAINER_SIGNATURE, {"consent": True}, author_id=user.id
    )


def writable_session(
    request: Request, user: CurrentUser, session_id: int, staff: bool = False
) -> tuple[AttendanceSession, Cohort]:
    """A half-day, if this person may write on its sheet: the coordination of its school, or
    a trainer of its cohort (never another cohort's sheet, even in the same school);
    ``staff``: the coordination only (corrections, justifications, the timetable)."""
    store = store_of(request)
    session = store.attendance.session(session_id)
    if session is None:
        raise HTTPException(status_code=404, detail="Demi-journée introuvable.")
    cohort = cohort_of(store, user, session.cohort_id)
    if staff:
        require_coordinator(user)
    elif user.role is Role.TRAINER and user.id not in cohort.trainers:
        raise HTTPException(
            status_code=403, detail="Seuls les formateurs de cette promotion signent sa feuille."
        )
    if cohort.closed and not staff:
        raise HTTPException(status_code=403, detail="Promotion clôturée : la feuille est close.")
    return session, cohort


def qualiopi_file(
    request: Request, user: CurrentUser, school_id: int, start: dt.date, end: dt.date
) -> QualiopiFile:
    """A school's Qualiopi file over a period (``core.qualiopi``), for its coordination."""
    require_coordinator(user)
    require_school(user, school_id)
    gestes = gestes_of(request)
    if end < start:
        raise HTTPException(status_code=404, detail="Introuvable.")
    address = gestes.settings.address(served_at(request))
    try:
        return school_file(gestes, school_id, start, end, address)
    except RecordError:
        raise HTTPException(status_code=404, detail="Introuvable.") from None


def coordinated_school(request: Request, user: CurrentUser, ecole: int | None) -> Any:
    """The school a coordination page is about: ``ecole``, else the user's first; 404
    outside their schools (and for a coordinator of none)."""
    require_coordinator(user)
    schools = [s for s in gestes_of(request).store.lookup.schools() if user.can_see_school(s.id)]
    school = (
        next((s for s in schools if s.id == ecole), None) if ecole else next(iter(schools), None)
    )
    if school is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    return school


def candidate_of(request: Request, user: CurrentUser, candidate_id: int) -> Candidate:
    """A candidate of one of the coordinator's schools, else 404."""
    require_coordinator(user)
    found = gestes_of(request).store.candidates.get(candidate_id)
    if found is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    require_school(user, found.school_id)
    return found
