"""The store and the gestes service, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from sqlalchemy import func, select

from core.catalog.definitions import Autonomy, Phase
from core.domain import ExitKind, NewTrainee, Role
from core.judging.attempts import Outcome, StepResult
from core.judging.evaluation import Submission
from core.store import RecordError
from core.store import tables as t
from core.store.rgpd import ERASED_NAME
from core.store.tap_writer import Tap, TapWriter
from tests.conftest import context_on, photo

DAY = dt.date(2026, 2, 2)
SPLICE = "fibre.g.soudure_fusion"


def all_passed(gestes, gesture=SPLICE):
    return {s.key: StepResult.REUSSI for s in gestes.catalog.gesture(gesture).steps}


def attempt(world, trainee=0, day=DAY, autonomy=Autonomy.AUTONOME, steps=None, key=None, **kw):
    return world.gestes.store.observations.record_attempt(
        world.trainees[trainee],
        world.trainer,
        SPLICE,
        steps if steps is not None else all_passed(world.gestes),
        autonomy,
        day,
        key or uuid.uuid4().hex,
        **kw,
    )


def count(gestes, table=t.Observation):
    with gestes.store.database.read() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_attempt_is_judged_and_moves_competency_levels(world):
    first = attempt(world)
    assert first.created and first.outcome.outcome is Outcome.PASSED
    record = world.gestes.store.records.trainee_record(world.trainees[0])
    assert record.levels["fibre.c.souder"].level == "en_cours"
    attempt(world, day=DAY + dt.timedelta(days=2))
    record = world.gestes.store.records.trainee_record(world.trainees[0])
    assert record.levels["fibre.c.souder"].level == "acquis"
    assert record.levels["fibre.c.souder"].assessors == ("Karim Formateur",)
    assert record.gestures[SPLICE].autonomous_passed == 2
    soudure = next(m for m in record.modules if m.module == "fibre.m.soudure")
    assert soudure.done == pytest.approx(1 / 3)  # 1 of 2 gestures, evaluation not yet passed
    assert 0 < record.phases[Phase.GESTE] < 1
    assert record.phases[Phase.REMISE_A_NIVEAU] == 0


def test_failed_critical_step_is_stored_as_failed(world):
    steps = all_passed(world.gestes) | {"manchon": StepResult.A_REPRENDRE}
    result = attempt(world, steps=steps)
    assert result.outcome.outcome is Outcome.FAILED
    with world.gestes.store.database.read() as session:
        row = session.get(t.Observation, result.id)
        assert (row.passed, row.result, row.autonomy) == (False, "failed", 3)
        assert row.payload["steps"]["manchon"] == "a_reprendre"
        assert row.catalog_version == world.gestes.catalog.version


def test_same_submit_twice_stores_one_observation(world):
    first = attempt(world, key="tablette-42-envoi-7")
    again = attempt(world, key="tablette-42-envoi-7")
    assert (first.created, again.created) == (True, False)
    assert again.id == first.id and count(world.gestes) == 1
    with pytest.raises(RecordError, match="Clé d'envoi déjà utilisée"):
        attempt(world, trainee=1, key="tablette-42-envoi-7")


def test_ids_outside_the_cohort_curriculum_are_refused(world):
    gestes = world.gestes
    with pytest.raises(RecordError, match=r"n'est pas défini par le parcours fibre\.parcours"):
        gestes.store.observations.record_attempt(
            world.trainees[0],
            world.trainer,
            "datacenter.g.racker_serveur",
            {},
            Autonomy.AUTONOME,
            DAY,
            "k1",
        )
    with pytest.raises(RecordError, match="n'est pas défini"):
        gestes.store.observations.record_level(
            world.trainees[0],
            world.trainer,
            "fibre.g.soudure_fusion",
            "acquis",
            "vu sur chantier",
            DAY,
            "k2",
        )
    with pytest.raises(RecordError, match="Étape « clive » inconnue"):
        gestes.store.taps.record_step(
            world.trainees[0], world.trainer, SPLICE, "a1", "clive", StepResult.REUSSI, DAY, "k3"
        )
    with pytest.raises(RecordError, match="Niveau « expert » inconnu"):
        gestes.store.observations.record_level(
            world.trainees[0],
            world.trainer,
            "fibre.c.souder",
            "expert",
            "vu sur chantier",
            DAY,
            "k4",
        )
    with pytest.raises(RecordError, match="justification est obligatoire"):
        gestes.store.observations.record_level(
            world.trainees[0], world.trainer, "fibre.c.souder", "acquis", " ", DAY, "k5"
        )
    with pytest.raises(RecordError, match="dans le futur"):
        attempt(world, day=dt.date.today() + dt.timedelta(days=3))
    assert count(gestes) == 0


def test_a_failed_transaction_leaves_nothing_behind(world):
    gestes = world.gestes

    def failing_write():
        with gestes.store.database.write() as session:
            session.add(t.Trainee(cohort_id=world.cohort, first_name="Temp", last_name="Orary"))
            session.flush()  # the row reached the database inside the transaction...
            raise RuntimeError("disk full")  # ...and the failure rolls all of it back

    with pytest.raises(RuntimeError):
        failing_write()
    with gestes.store.database.read() as session:
        names = session.scalars(select(t.Trainee.first_name)).all()
    assert "Temp" not in names and len(names) == 3


def test_adding_trainees_is_all_or_nothing(world):
    from core.domain import NewTrainee

    with pytest.raises(RecordError) as caught:
        world.directory.add_trainees(
            world.cohort,
            [
                NewTrainee("Ok", "Fine"),
                NewTrainee("", "Sans prénom"),
                NewTrainee("Mail", "Faux", "pas-un-mail"),
            ],
        )
    assert "ligne 2 : prénom manquant" in str(caught.value)
    assert "ligne 3 : adresse e-mail invalide « pas-un-mail »" in str(caught.value)
    assert count(world.gestes, t.Trainee) == 3


def test_correction_supersedes_and_never_erases(world):
    gestes = world.gestes
    wrong = attempt(world, autonomy=Autonomy.AVEC_AIDE)
    fixed = attempt(world, autonomy=Autonomy.AUTONOME, supersedes=wrong.id)
    assert count(gestes) == 2
    record = gestes.store.records.trainee_record(world.trainees[0])
    assert record.levels["fibre.c.souder"].autonomous_successes == 1
    assert record.levels["fibre.c.souder"].attempts == 1
    with pytest.raises(RecordError, match="déjà été corrigée"):
        attempt(world, supersedes=wrong.id)
    first = gestes.store.observations.retract(
        fixed.id, world.trainer, "Saisi sur le mauvais stagiaire", "r1"
    )
    again = gestes.store.observations.retract(
        fixed.id, world.trainer, "Saisi sur le mauvais stagiaire", "r1"
    )
    assert (again.id, again.created) == (first.id, False)  # a double submit, answered once
    with pytest.raises(RecordError, match="déjà été corrigée"):
        gestes.store.observations.retract(fixed.id, world.trainer, "Autre motif encore", "r2")
    assert (
        gestes.store.records.trainee_record(world.trainees[0]).levels["fibre.c.souder"].level
        == "non_evalue"
    )
    assert count(gestes) == 3


def test_evaluation_level_decision_and_comment(world):
    gestes = world.gestes
    evaluation = gestes.catalog.evaluation("fibre.e.epissures")
    submission = Submission(
        criteria={c.key: True for c in evaluation.criteria},
        measurements={"pertes_db": (0.03,) * 11 + (0.25,)},
    )
    failed = gestes.store.observations.record_evaluation(
        world.trainees[0], world.trainer, "fibre.e.epissures", submission, DAY, "e1"
    )
    assert not failed.score.passed
    good = submission.model_copy(update={"measurements": {"pertes_db": (0.03,) * 12}})
    passed = gestes.store.observations.record_evaluation(
        world.trainees[0],
        world.trainer,
        "fibre.e.epissures",
        good,
        DAY + dt.timedelta(days=1),
        "e2",
    )
    assert passed.score.passed
    gestes.store.observations.record_level(
        world.trainees[0],
        world.coordinator,
        "fibre.c.photometre",
        "acquis",
        "Mesures validées en entreprise",
        DAY,
        "l1",
    )
    gestes.store.observations.record_comment(
        world.trainees[0], world.trainer, "Très soigneuse.", DAY, "c1", about=SPLICE
    )
    record = gestes.store.records.trainee_record(world.trainees[0])
    assert record.evaluations["fibre.e.epissures"].passed  # the latest result
    assert record.levels["fibre.c.photometre"].level == "acquis"
    assert record.levels["fibre.c.photometre"].decision.assessor == "Inès Coordinatrice"
    assert record.comments[0].text == "Très soigneuse." and record.comments[0].about == SPLICE


def test_live_steps_are_stored_one_tap_at_a_time(world):
    gestes = world.gestes
    for step in gestes.catalog.gesture(SPLICE).steps:
        gestes.store.taps.record_step(
            world.trainees[0],
            world.trainer,
            SPLICE,
            "tentative-1",
            step.key,
            StepResult.REUSSI,
            DAY,
            f"tap-{step.key}",
        )
    gestes.store.taps.record_step(
        world.trainees[0],
        world.trainer,
        SPLICE,
        "tentative-1",
        "manchon",
        StepResult.REUSSI,
        DAY,
        "tap-manchon",
    )  # double tap: still one row
    with gestes.store.database.read() as session:
        taps = session.scalars(
            select(t.Observation.step).where(t.Observation.attempt_key == "tentative-1")
        ).all()
    assert len(taps) == 8 and len(set(taps)) == 8


def tap(world, step="manchon", key=None, trainee=0, attempt="tentative-2", **kw):
    fields = {
        "trainee_id": world.trainees[trainee],
        "author_id": world.trainer,
        "gesture_id": SPLICE,
        "attempt_key": attempt,
        "step": step,
        "result": StepResult.REUSSI,
        "observed_on": DAY,
        "key": key or uuid.uuid4().hex,
    }
    return Tap(**(fields | kw))


def test_a_tap_on_an_attempt_already_validated_is_refused_not_silently_dropped(world):
    """Two tablets, or a tablet's queue sent late: the attempt was validated (its steps read
    at that moment) before this tap arrived. Stored, it would change nothing the record says
    while the trainer was told it was kept; refused, it says so on its step. A tap sent again
    that was stored before the validation is still answered as stored (its key)."""
    store = world.gestes.store
    [before] = store.taps.record_steps([tap(world, "manchon", key="k-avant", attempt="close-1")])
    steps = store.taps.live_attempt(world.trainees[0], "close-1").taps
    attempt(world, steps=steps, attempt_key="close-1")
    late, again, elsewhere = store.taps.record_steps(
        [
            tap(world, "denuder", attempt="close-1"),
            tap(world, "manchon", key="k-avant", attempt="close-1"),
            tap(world, "denuder", attempt="close-2"),  # another attempt: untouched
        ]
    )
    assert isinstance(late, RecordError) and "déjà validée" in str(late)
    assert not isinstance(again, RecordError) and again.id == before.id and not again.created
    assert not isinstance(elsewhere, RecordError) and elsewhere.created
    assert store.taps.live_attempt(world.trainees[0], "close-1").taps == steps


def made(second: int) -> dt.datetime:
    return dt.datetime(2026, 2, 3, 9, 0, second, tzinfo=dt.UTC)


def test_the_tap_made_last_is_the_steps_value_whatever_order_they_arrive_in(world):
    """A correction typed while an older tap waited in the queue: the older one arrives
    last, is stored (nothing is thrown away) and counted, but never becomes the value."""
    store = world.gestes.store
    fail = tap(world, result=StepResult.A_REPRENDRE, made_at=made(1), device="tab-a", seq=1)
    fixed = tap(world, result=StepResult.REUSSI, made_at=made(2), device="tab-a", seq=2)
    store.taps.record_steps([fixed])
    store.taps.record_steps([fail])  # the stale one, delivered after
    live = store.taps.live_attempt(world.trainees[0], "tentative-2")
    assert live.taps == {"manchon": StepResult.REUSSI}
    assert live.counts == {"manchon": 2}


def test_on_one_device_its_own_count_orders_taps_between_devices_their_clocks(world):
    """A tablet whose clock was set back mid-attempt still has its last tap win over its
    own earlier ones (its count); between two tablets, the later moment wins."""
    store = world.gestes.store
    store.taps.record_steps(
        [
            tap(
                world, "manchon", result=StepResult.A_REPRENDRE, made_at=made(30), device="a", seq=7
            ),
            tap(world, "manchon", result=StepResult.REUSSI, made_at=made(10), device="a", seq=8),
            tap(world, "denuder", result=StepResult.REUSSI, made_at=made(20), device="a", seq=9),
            tap(
                world, "denuder", result=StepResult.A_REPRENDRE, made_at=made(25), device="b", seq=1
            ),
        ][::-1]  # delivered in the reverse order
    )
    live = store.taps.live_attempt(world.trainees[0], "tentative-2")
    assert live.taps == {"manchon": StepResult.REUSSI, "denuder": StepResult.A_REPRENDRE}


def test_a_batch_of_taps_refuses_each_bad_tap_alone(world):
    gestes = world.gestes
    results = gestes.store.taps.record_steps(
        [
            tap(world, "manchon", key="k-manchon"),
            tap(world, "clive"),  # no such step
            tap(world, "denuder", trainee_id=999_999),  # no such trainee
            tap(world, "denuder", observed_on=dt.date.today() + dt.timedelta(days=9)),
            tap(world, "denuder", key="k-denuder"),
            tap(world, "denuder", key="k-denuder"),  # a double tap inside the batch
            tap(world, "nettoyer", trainee=1, attempt="tentative-3"),
        ]
    )
    assert [type(r).__name__ for r in results] == [
        "RecordedTap",
        "RecordError",
        "RecordError",
        "RecordError",
        "RecordedTap",
        "RecordedTap",
        "RecordedTap",
    ]
    assert "Étape « clive » inconnue" in str(results[1])
    assert "introuvable" in str(results[2]) and "futur" in str(results[3])
    assert (results[4].created, results[5].created) == (True, False)
    assert results[4].id == results[5].id
    # each tap comes back with its attempt as it stands after the whole batch
    live = results[0].attempt
    assert live.taps == {"manchon": StepResult.REUSSI, "denuder": StepResult.REUSSI}
    assert live.counts == {"manchon": 1, "denuder": 1}
    assert results[6].attempt.taps == {"nettoyer": StepResult.REUSSI}
    assert count(gestes) == 3
    assert gestes.store.taps.live_attempt(world.trainees[0], "tentative-2") == live
    # a repeat of a stored tap answers with the stored row; a key of another trainee is refused
    (again,) = gestes.store.taps.record_steps([tap(world, "manchon", key="k-manchon")])
    assert not isinstance(again, RecordError)
    assert (again.id, again.created) == (results[0].id, False)
    (stolen,) = gestes.store.taps.record_steps([tap(world, "manchon", key="k-manchon", trainee=1)])
    assert isinstance(stolen, RecordError) and "Clé d'envoi déjà utilisée" in str(stolen)
    assert count(gestes) == 3


def test_taps_of_an_erased_trainee_are_refused(world):
    world.gestes.store.rgpd.erase_trainee(world.trainees[0])
    with pytest.raises(RecordError, match="effacé"):
        world.gestes.store.taps.record_step(
            world.trainees[0],
            world.trainer,
            SPLICE,
            "a12345678",
            "manchon",
            StepResult.REUSSI,
            DAY,
            "k",
        )


def held_back(world, monkeypatch, fail_on: str = "") -> threading.Event:
    """The store's tap transactions wait for the returned gate (so that taps queue behind
    the first), and one holding the step ``fail_on`` is refused as a whole."""
    real = world.gestes.store.taps.record_steps
    gate = threading.Event()

    def record_steps(taps):
        gate.wait()
        if fail_on and any(t.step == fail_on for t in taps):
            raise RuntimeError("disk full")
        return real(taps)

    monkeypatch.setattr(world.gestes.store.taps, "record_steps", record_steps)
    return gate


def writing(world, run):
    """Run ``run(writer)`` (a coroutine) on an event loop, then close the writer."""
    import asyncio

    writer = TapWriter(world.gestes.store.taps)
    try:
        return writer, asyncio.run(run(writer))
    finally:
        writer.close()


def test_tap_writer_groups_concurrent_taps_in_few_transactions(world, monkeypatch):
    gate = held_back(world, monkeypatch)

    async def run(writer):
        waiting = writer.put(
            [tap(world, "manchon", attempt=f"tentative-{n:03}") for n in range(40)]
        )
        waiting += writer.put([tap(world, "clive")])  # refused: fails alone
        gate.set()
        return [await future for future in waiting]

    writer, outcomes = writing(world, run)
    assert all(r.created for r in outcomes[:-1]) and count(world.gestes) == 40
    assert isinstance(outcomes[-1], RecordError) and "clive" in str(outcomes[-1])
    assert writer.batches <= 2  # the first tap alone, then the 40 that queued behind it
    assert writer.written == 40


def test_taps_awaited_on_an_event_loop_wake_it_once_per_transaction(world, monkeypatch):
    """``TapWriter.write``: the outcomes of one transaction reach the waiting loop in one
    wake-up (a call into it from the writer thread), not one per tap; a refused tap comes
    back as its exception, beside the others stored."""
    import asyncio

    gate = held_back(world, monkeypatch)
    calls = [0]

    async def run(writer):
        loop = asyncio.get_running_loop()
        threadsafe = loop.call_soon_threadsafe

        def counted(*args, **kwargs):
            calls[0] += 1
            return threadsafe(*args, **kwargs)

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
        first = writer.put([tap(world, "manchon", attempt="premiere")])
        rest = [tap(world, "manchon", attempt=f"tentative-{n:03}") for n in range(30)]
        others = writer.put([*rest, tap(world, "clive")])
        gate.set()
        return await asyncio.gather(*first, *others)

    writer, outcomes = writing(world, run)
    assert all(o.created for o in outcomes[:-1]) and count(world.gestes) == 31
    assert isinstance(outcomes[-1], RecordError) and "clive" in str(outcomes[-1])
    assert calls[0] == writer.batches <= 2  # one per transaction, not one per tap (32)


def test_tap_writer_isolates_a_failing_transaction(world, monkeypatch):
    """A transaction the store refuses is retried tap by tap: only the tap at fault fails."""
    gate = held_back(world, monkeypatch, fail_on="lover")

    async def run(writer):
        waiting = writer.put([tap(world, step) for step in ("manchon", "lover", "denuder")])
        gate.set()
        return [await future for future in waiting]

    _, (first, failed, last) = writing(world, run)
    assert first.created and last.created
    assert isinstance(failed, RuntimeError) and "disk full" in str(failed)
    assert count(world.gestes) == 2


def test_closing_the_tap_writer_writes_what_is_queued(world):
    writer = TapWriter(world.gestes.store.taps)

    async def run():
        waiting = writer.put([tap(world, "manchon", attempt=f"t{n:08}") for n in range(25)])
        writer.close()
        stored = count(world.gestes)  # written before close() returned
        return stored, [await future for future in waiting]

    import asyncio

    stored, outcomes = asyncio.run(run())
    assert stored == 25 and all(o.created for o in outcomes)


@pytest.mark.parametrize("separate_services", [False, True])
def test_concurrent_writers_on_one_trainee_lose_nothing(world, separate_services):
    """Two writers (threads, or two services with their own engines like two processes)."""
    services = [world.gestes, world.gestes]
    if separate_services:
        url = world.gestes.store.database.engine.url
        from core.store.engine import make_engine

        kwargs = {}
        if world.gestes.store.database.engine.dialect.name == "postgresql":  # same test schema
            with world.gestes.store.database.engine.connect() as connection:
                path = connection.exec_driver_sql("SHOW search_path").scalar()
            kwargs = {"connect_args": {"options": f"-csearch_path={path}"}}
        other = make_engine(url.render_as_string(hide_password=False), **kwargs)
        services[1] = context_on(other, world.gestes.definitions, world.gestes.settings)
    errors = []

    def write(service, writer):
        try:
            for n in range(25):
                service.store.observations.record_attempt(
                    world.trainees[0],
                    world.trainer,
                    SPLICE,
                    all_passed(service),
                    Autonomy.AUTONOME,
                    DAY + dt.timedelta(days=n % 5),
                    f"w{writer}-{n}",
                )
                # the same submit from both writers: must end up as one row
                service.store.observations.record_comment(
                    world.trainees[0], world.trainer, f"note {n}", DAY, f"shared-{n}"
                )
        except Exception as error:  # surfaced below; a thread's exception is otherwise lost
            errors.append(error)

    threads = [threading.Thread(target=write, args=(s, i)) for i, s in enumerate(services)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with world.gestes.store.database.read() as session:
        kinds = dict(
            session.execute(
                select(t.Observation.kind, func.count()).group_by(t.Observation.kind)
            ).all()
        )
    assert kinds == {"attempt": 50, "comment": 25}
    record = world.gestes.store.records.trainee_record(world.trainees[0])
    assert record.gestures[SPLICE].attempts == 50


def test_cohort_grid(world):
    attempt(world, trainee=0)
    attempt(world, trainee=0, day=DAY + dt.timedelta(days=1))
    attempt(world, trainee=1, autonomy=Autonomy.AVEC_AIDE)
    grid = world.gestes.store.records.cohort_grid(world.cohort)
    assert grid.sector == "fibre" and len(grid.competencies) == 14
    souder = grid.competencies.index("fibre.c.souder")
    levels = {info.last_name: row[souder] for info, row in grid.rows}
    assert levels == {"Diallo": "acquis", "Martin": "en_cours", "Benali": "non_evalue"}
    assert [info.last_name for info, _ in grid.rows] == ["Benali", "Diallo", "Martin"]


def test_cohort_grid_is_remembered_until_the_cohort_changes(world, monkeypatch):
    from core.store.records import TraineeRecords

    gestes = world.gestes
    attempt(world, trainee=0)
    first = gestes.store.records.cohort_grid(world.cohort)
    derived = []
    derive = TraineeRecords._derive_grid
    monkeypatch.setattr(
        TraineeRecords,
        "_derive_grid",
        lambda self, cohort: derived.append(cohort) or derive(self, cohort),
    )
    assert (
        gestes.store.records.cohort_grid(world.cohort) is first and derived == []
    )  # nothing moved

    souder = first.competencies.index("fibre.c.souder")

    def level(grid, name):
        return next(row[souder] for info, row in grid.rows if info.last_name == name)

    second = attempt(world, trainee=0, day=DAY + dt.timedelta(days=1))
    assert (
        level(gestes.store.records.cohort_grid(world.cohort), "Diallo") == "acquis"
    )  # a new score
    gestes.store.observations.retract(second.id, world.trainer, "Mauvais jour", "retract-second")
    assert (
        level(gestes.store.records.cohort_grid(world.cohort), "Diallo") == "en_cours"
    )  # a correction
    world.directory.add_trainees(world.cohort, [NewTrainee("Inès", "Nouvelle")])
    assert len(gestes.store.records.cohort_grid(world.cohort).rows) == 4  # a new trainee
    gestes.store.rgpd.erase_trainee(world.trainees[1])
    names = [info.last_name for info, _ in gestes.store.records.cohort_grid(world.cohort).rows]
    assert "Martin" not in names  # an erasure
    assert len(derived) == 4
    other_cohort = gestes.store.records.cohort_grid(world.other_cohort)
    attempt(world, trainee=0)  # a score in this cohort leaves the other one's grid as it was
    assert gestes.store.records.cohort_grid(world.other_cohort) is other_cohort

    # Another process (here another service on the same database) sees the change too.
    other_process = context_on(gestes.store.database.engine, gestes.definitions, gestes.settings)
    assert level(other_process.store.records.cohort_grid(world.cohort), "Benali") == "non_evalue"
    attempt(world, trainee=2)
    assert level(other_process.store.records.cohort_grid(world.cohort), "Benali") == "en_cours"


def test_outcome_statistics(world):
    gestes = world.gestes
    gestes.store.observations.record_exit(
        world.trainees[0], world.coordinator, ExitKind.SANS_SOLUTION, dt.date(2026, 4, 20), "o1"
    )
    # a later exit replaces the first one: found a job after all
    gestes.store.observations.record_exit(
        world.trainees[0],
        world.coordinator,
        ExitKind.CDI,
        dt.date(2026, 6, 1),
        "o2",
        employer="employeur.telenco",
    )
    gestes.store.observations.record_exit(
        world.trainees[1], world.coordinator, ExitKind.SANS_SOLUTION, dt.date(2026, 4, 20), "o3"
    )
    gestes.store.observations.record_exit(
        world.trainees[1], world.coordinator, ExitKind.SANS_SOLUTION, dt.date(2026, 4, 20), "o3"
    )  # double submit
    with pytest.raises(RecordError, match=r"Employeur « employeur\.nope » inconnu"):
        gestes.store.observations.record_exit(
            world.trainees[2], world.coordinator, ExitKind.CDD, DAY, "o4", employer="employeur.nope"
        )
    [cohort] = [s for s in gestes.store.exit_stats("cohort") if s.label == "Fibre 2026-1"]
    assert (cohort.trainees, cohort.exited, cohort.positive) == (3, 2, 1)
    # over all trainees: the one whose exit is unknown is not counted as positive
    assert cohort.rate == pytest.approx(1 / 3) and cohort.unknown == 1
    assert cohort.by_kind == {"cdi": 1, "sans_solution": 1}
    [territory] = gestes.store.exit_stats("territory")
    assert territory.label == "Marseille" and territory.trainees == 3  # datacenter cohort empty
    [school] = gestes.store.exit_stats("school")
    assert school.positive == 1
    assert gestes.store.records.trainee_record(world.trainees[0]).exit.kind == "cdi"


JPEG = photo(description="GPS 43.29 N 5.38 E")


def test_evidence_is_stored_by_content_with_limits(world):
    gestes = world.gestes
    observation = attempt(world).id
    first = gestes.store.evidence.add(observation, JPEG, "soudure.jpg", "image/jpeg")
    # The same file for the same entry again (an outbox's resend): stored once.
    assert gestes.store.evidence.add(observation, JPEG, "soudure.jpg") == first
    other = attempt(world, day=DAY + dt.timedelta(days=1)).id
    second = gestes.store.evidence.add(other, JPEG, "../../etc/passwd")
    assert first != second
    with gestes.store.database.read() as session:
        rows = session.scalars(select(t.Evidence).order_by(t.Evidence.id)).all()
    assert len(rows) == 2 and {r.sha256 for r in rows} == {rows[0].sha256}
    assert rows[1].filename == "passwd"
    kept = gestes.store.files.read("evidence/" + gestes.store.evidence.name(rows[0].sha256))
    assert kept.startswith(b"\xff\xd8\xff") and b"GPS" not in kept  # re-encoded, no metadata
    with pytest.raises(RecordError, match="trop lourd : 0 Mo"):
        gestes.store.evidence.add(observation, JPEG + b"\x00" * 4096, "big.jpg")
    with pytest.raises(RecordError, match="Type de fichier refusé"):
        gestes.store.evidence.add(observation, b"<script>alert(1)</script>", "x.jpg", "image/jpeg")
    with pytest.raises(RecordError, match="ne correspond pas"):
        gestes.store.evidence.add(observation, JPEG, "x.png", "image/png")


def test_rgpd_export_and_erase(world):
    gestes = world.gestes
    kept = attempt(world)
    attempt(world, day=DAY + dt.timedelta(days=3))
    gestes.store.observations.record_comment(
        world.trainees[0], world.trainer, "Awa habite rue X.", DAY, "c1"
    )
    gestes.store.evidence.add(kept.id, JPEG, "photo.jpg")
    gestes.store.observations.record_exit(
        world.trainees[0], world.coordinator, ExitKind.CDI, DAY, "o1"
    )
    exported = gestes.store.rgpd.export_trainee(world.trainees[0])
    assert exported["trainee"]["first_name"] == "Awa"
    assert len(exported["observations"]) == 3 and len(exported["evidence"]) == 1
    assert exported["record"]["levels"]["fibre.c.souder"]["level"] == "acquis"
    import json

    json.dumps(exported)  # JSON-ready

    digest = exported["evidence"][0]["sha256"]
    assert gestes.store.rgpd.erase_trainee(world.trainees[0]) == 1
    assert gestes.store.files.read("evidence/" + gestes.store.evidence.name(digest)) is None
    after = gestes.store.rgpd.export_trainee(world.trainees[0])
    assert after["trainee"]["first_name"] == ERASED_NAME and after["trainee"]["email"] is None
    assert "Awa" not in json.dumps(after)
    comment = next(o for o in after["observations"] if o["kind"] == "comment")
    assert comment["payload"]["text"] == "[effacé]"
    # statistics and levels stay right
    assert after["record"]["levels"]["fibre.c.souder"]["level"] == "acquis"
    [cohort] = [s for s in gestes.store.exit_stats("cohort") if s.label == "Fibre 2026-1"]
    assert (cohort.trainees, cohort.positive) == (3, 1)
    with pytest.raises(RecordError, match="effacé"):
        attempt(world)


def test_authentication(world):
    directory = world.directory
    accounts = world.gestes.store.accounts
    assert accounts.authenticate("Formateur@Example.org ", "mot-de-passe-long").id == world.trainer
    assert accounts.authenticate("formateur@example.org", "wrong-password") is None
    assert accounts.authenticate("nobody@example.org", "mot-de-passe-long") is None
    with world.gestes.store.database.read() as session:
        stored = session.get(t.User, world.trainer).password_hash
    assert stored.startswith("$argon2") and "mot-de-passe" not in stored
    with pytest.raises(RecordError, match="au moins 12 caractères"):
        directory.create_user("x@example.org", "X", "court", Role.TRAINER)


def test_a_job_still_running_at_shutdown_is_said_interrupted(world, monkeypatch):
    import threading

    from core.booklet import jobs

    release = threading.Event()
    monkeypatch.setattr(jobs, "run", lambda gestes, job: release.wait(30))  # a long print
    gestes = world.gestes
    job = jobs.submit(gestes, world.cohort, world.coordinator, None)
    try:
        assert jobs.finish_here(gestes, timeout=0.05) == [job]
        state = gestes.store.jobs.get(job)
        assert state.state == "failed" and "arrêt du serveur" in state.error  # not « running »
    finally:
        release.set()
        assert jobs.join(job, timeout=30)


def test_an_attempt_left_unvalidated_is_listed_until_validated_or_abandoned(world):
    """Taps with no validation are an attempt someone can find again; abandoned, its taps are
    kept but superseded, it leaves the list, and a late tap for it is refused."""
    store = world.gestes.store
    trainee = world.trainees[0]
    store.taps.record_steps([tap(world, "manchon", attempt="left-1"), tap(world, attempt="left-2")])
    store.taps.record_steps([tap(world, "denuder", attempt="left-1")])
    found = {u.attempt_key: u for u in store.taps.unfinished(trainee)}
    assert set(found) == {"left-1", "left-2"} and found["left-1"].taps == 2
    assert found["left-1"].gesture_id == SPLICE
    store.taps.record_steps([tap(world, attempt="left-3", author_id=world.coordinator)])
    mine = store.taps.left_by(world.trainer, world.cohort)  # the trainer's home: theirs only
    assert {u.attempt_key for u in mine} == {"left-1", "left-2"}
    assert mine[0].trainee_name == "Awa Diallo" and mine[0].trainee_id == trainee
    assert store.taps.left_by(world.trainer, world.other_cohort) == []
    store.observations.abandon_attempt(trainee, "left-3", world.coordinator)
    steps = store.taps.live_attempt(trainee, "left-2").taps
    attempt(world, steps=steps, attempt_key="left-2")  # validated: no longer unfinished
    assert store.observations.abandon_attempt(trainee, "left-1", world.trainer) == 2
    assert store.taps.unfinished(trainee) == []
    assert store.taps.left_by(world.trainer, world.cohort) == []
    (late,) = store.taps.record_steps([tap(world, "nettoyer", attempt="left-1")])
    assert isinstance(late, RecordError) and "déjà validée" in str(late)
    with pytest.raises(RecordError, match="déjà validée ou abandonnée"):
        store.observations.abandon_attempt(trainee, "left-1", world.trainer)


def test_an_exit_key_is_its_trainees_only(world):
    """A key sent again for the same trainee stores nothing new; the same key for another
    trainee (even by mistake) is refused, never answered with the first trainee's row."""
    from core.domain import ExitKind

    store = world.gestes.store
    first = store.observations.record_exit(
        world.trainees[0], world.coordinator, ExitKind.CDI, DAY, "exit-key-1"
    )
    again = store.observations.record_exit(
        world.trainees[0], world.coordinator, ExitKind.CDI, DAY, "exit-key-1"
    )
    assert again.id == first.id and not again.created
    with pytest.raises(RecordError, match="Clé d'envoi déjà utilisée"):
        store.observations.record_exit(
            world.trainees[1], world.coordinator, ExitKind.CDD, DAY, "exit-key-1"
        )
    assert store.records.trainee_record(world.trainees[1]).exit is None


def test_the_data_directory_and_database_files_are_private_whatever_the_umask(
    tmp_path, definitions
):
    """Trainees' data, password hashes and sharing codes: 0700 for the folder, 0600 for the
    SQLite file, its WAL and shared memory, even under a permissive umask (022)."""
    import os

    from core.context import open_gestes
    from core.settings import Settings

    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)  # as an earlier version left it
    before = os.umask(0o022)
    try:
        gestes = open_gestes(Settings(data_dir=data), definitions=definitions, migrate=True)
        gestes.store.directory.create_school(None, "École", "Lyon", "territoire.lyon")
    finally:
        os.umask(before)
    assert data.stat().st_mode & 0o777 == 0o700
    files = [p for p in data.iterdir() if p.name.startswith("gestes.sqlite3")]
    assert {p.name for p in files} >= {"gestes.sqlite3", "gestes.sqlite3-wal"}
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o600, path


def test_the_set_up_link_sent_twice_at_once_makes_one_administrator(gestes):
    """Two sends of the one-time set-up form racing: one administrator, the other refused."""
    import threading

    from core.domain import Role

    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def send(n: int) -> None:
        barrier.wait()
        try:
            outcomes.append(
                gestes.store.directory.create_user(
                    f"admin{n}@example.org",
                    "Admin",
                    "mot-de-passe-long",
                    Role.ADMIN,
                    first_admin=True,
                )
            )
        except RecordError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(o).__name__ for o in outcomes) == ["RecordError", "int"]
    admins = [a for a in gestes.store.accounts.all() if a.role is Role.ADMIN]
    assert len(admins) == 1
