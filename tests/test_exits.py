"""Exits as funders count them: never dated in the future, an abandonment with its reason,
a contract's length (6 months or more: a lasting exit), and rates over all trainees with
the unknown ones shown — never a rate over the known exits only."""

from __future__ import annotations

import datetime as dt

import pytest

from core.domain import ExitDetails, ExitKind, RecordError

DAY = dt.date(2026, 4, 20)


def test_an_exit_in_the_future_or_before_the_cohort_is_refused(world):
    record = world.gestes.store.observations.record_exit
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(RecordError, match="dans le futur") as refused:
        record(world.trainees[0], world.coordinator, ExitKind.CDI, tomorrow, "f1")
    assert refused.value.field == "on"
    with pytest.raises(RecordError, match="avant le début de la promotion"):
        record(world.trainees[0], world.coordinator, ExitKind.CDI, dt.date(2025, 12, 1), "f2")
    assert world.gestes.store.exit_stats("cohort")[0].exited == 0


def test_an_abandonment_has_its_reason_and_a_contract_its_length(world):
    record = world.gestes.store.observations.record_exit
    awa, lucas, nour = world.trainees
    with pytest.raises(RecordError, match="motif de l'abandon"):
        record(awa, world.coordinator, ExitKind.ABANDON, DAY, "a1")
    record(awa, world.coordinator, ExitKind.ABANDON, DAY, "a2", details=ExitDetails("sante"))
    with pytest.raises(RecordError, match="seulement un CDD ou un intérim"):
        record(lucas, world.coordinator, ExitKind.CDI, DAY, "l1", details=ExitDetails(None, 6))
    record(lucas, world.coordinator, ExitKind.CDD, DAY, "l2", details=ExitDetails(None, 6, True))
    record(nour, world.coordinator, ExitKind.CDD, DAY, "n1", details=ExitDetails(None, 3))
    [stats] = [s for s in world.gestes.store.exit_stats("cohort") if s.label == "Fibre 2026-1"]
    assert (stats.trainees, stats.exited, stats.unknown) == (3, 3, 0)
    assert (stats.positive, stats.lasting) == (2, 1)  # the 3-month CDD is positive, not lasting
    assert stats.by_kind == {"abandon": 1, "cdd": 2}


def test_the_rate_is_over_all_trainees_with_the_unknown_shown(world):
    record = world.gestes.store.observations.record_exit
    record(world.trainees[0], world.coordinator, ExitKind.CDI, DAY, "c1")
    [stats] = [s for s in world.gestes.store.exit_stats("cohort") if s.label == "Fibre 2026-1"]
    # One CDI of three trainees, two unknown: a third, never 100 % of the known exits.
    assert stats.rate == pytest.approx(1 / 3) and stats.unknown == 2
    assert stats.lasting_rate == pytest.approx(1 / 3)


def test_the_exit_form_refuses_beside_its_field(world):
    import re

    from fastapi.testclient import TestClient

    from web import create_app

    web = TestClient(create_app(world.gestes))
    web.post("/login", data={"email": "coord@example.org", "password": "mot-de-passe-long"})
    page = web.get(f"/trainees/{world.trainees[0]}?ouvert=sortie")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    sent = {"csrf_token": csrf, "submit_id": "exit0123456789", "kind": "cdi", "on": future}
    refused = web.post(f"/trainees/{world.trainees[0]}/exit", data=sent)
    assert refused.status_code == 400
    assert 'id="erreur-on"' in refused.text and "dans le futur" in refused.text
    abandon = {**sent, "kind": "abandon", "on": DAY.isoformat(), "submit_id": "exit0123456790"}
    refused = web.post(f"/trainees/{world.trainees[0]}/exit", data=abandon)
    assert 'id="erreur-reason"' in refused.text
    stored = web.post(
        f"/trainees/{world.trainees[0]}/exit", data={**abandon, "reason": "financier"}
    )
    assert stored.status_code == 200 and "Abandon en cours de parcours" in stored.text


def test_exits_break_down_by_school_territory_sector_and_year_as_a_funder_reads_them(world):
    import csv
    import io
    import re

    from fastapi.testclient import TestClient
    from openpyxl import load_workbook

    from web import create_app

    store = world.gestes.store
    record = store.observations.record_exit
    record(world.trainees[0], world.coordinator, ExitKind.CDI, DAY, "b1")
    record(
        world.trainees[1], world.coordinator, ExitKind.CDD, DAY, "b2", details=ExitDetails(None, 6)
    )
    [sector] = [s for s in store.exit_stats("sector") if s.key == "fibre"]
    assert (sector.label, sector.trainees, sector.positive, sector.lasting) == (
        world.gestes.catalog.sectors["fibre"].sector.name,
        3,
        2,
        2,
    )
    assert store.exit_stats("school", schools=[world.school + 100]) == []  # another's schools
    assert [s.trainees for s in store.exit_stats("cohort", year=2026) if s.trainees] == [3]
    assert all(s.trainees == 0 for s in store.exit_stats("cohort", year=2031))  # none ended then
    web = TestClient(create_app(world.gestes))
    web.post("/login", data={"email": "coord@example.org", "password": "mot-de-passe-long"})
    page = web.get("/exits?by=school&year=2026")
    assert page.status_code == 200 and "École de Marseille" in page.text
    assert re.search(r'href="/exits.xlsx\?by=school&amp;year=2026"', page.text)
    sheet = web.get("/exits.csv?by=school&year=2026")  # French Excel's separator
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:7] == [
        "école",
        "stagiaires",
        "sorties inconnues",
        "positives",
        "% positives",
        "durables",
        "% durables",
    ]
    assert rows[1][:7] == ["École de Marseille", "3", "1", "2", "66 %", "2", "66 %"]
    book = load_workbook(io.BytesIO(web.get("/exits.xlsx?by=territory").content)).active
    assert book.cell(1, 1).value == "territoire" and book.cell(2, 1).value == "Marseille"
    api = web.get("/api/exits/breakdown", params={"by": "sector"}).json()
    assert api[0]["lasting"] == 2 and api[0]["unknown"] == 1
    trainer = TestClient(create_app(world.gestes))
    trainer.post("/login", data={"email": "formateur@example.org", "password": "mot-de-passe-long"})
    assert trainer.get("/exits").status_code == 403


def test_follow_ups_at_three_and_six_months_are_due_recorded_and_counted(world):
    """The cohort ended 10/04/2026: by the 10th of October both follow-ups are due for each
    trainee; recorded, they leave the to-do list and count « à 6 mois », apart from the exit
    at the end; a trainee who abandoned is not followed."""
    from core.store.stats import months_after

    store = world.gestes.store
    awa, _, nour = world.trainees
    assert months_after(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    due = store.follow_ups_due(None, today=dt.date(2026, 10, 10))
    assert sorted((d.name, d.months) for d in due) == sorted(
        (n, m) for n in ("Awa Diallo", "Lucas Martin", "Nour Benali") for m in (3, 6)
    )
    assert store.follow_ups_due(None, today=dt.date(2026, 7, 9)) == []  # not yet 3 months
    record = store.observations.record_exit
    record(awa, world.coordinator, ExitKind.SANS_SOLUTION, DAY, "e1")
    with pytest.raises(RecordError, match="après la fin de la promotion"):
        record(
            awa,
            world.coordinator,
            ExitKind.CDI,
            dt.date(2026, 4, 1),
            "f0",
            details=ExitDetails(follow_up=6),
        )
    record(
        awa,
        world.coordinator,
        ExitKind.CDI,
        dt.date(2026, 10, 10),
        "f6",
        details=ExitDetails(follow_up=6),
    )
    record(nour, world.coordinator, ExitKind.ABANDON, DAY, "n0", details=ExitDetails("sante"))
    due = store.follow_ups_due(None, today=dt.date(2026, 10, 10))
    assert ("Awa Diallo", 6) not in {(d.name, d.months) for d in due}
    assert not any(d.name == "Nour Benali" for d in due)  # abandoned: not followed
    [at_end] = [s for s in store.exit_stats("cohort") if s.label == "Fibre 2026-1"]
    [later] = [s for s in store.exit_stats("cohort", follow_up=6) if s.label == "Fibre 2026-1"]
    assert (at_end.positive, at_end.by_kind) == (0, {"sans_solution": 1, "abandon": 1})
    assert (later.positive, later.lasting, later.unknown) == (1, 1, 2)
