"""The three in-tree sectors carry a real program: what the core engine issue asks of them."""

from __future__ import annotations

import json

import pytest

from core.catalog.definitions import Phase

SECTORS = ["datacenter", "fibre", "smartcity"]
SEED_TERRITORIES = [
    "territoire.marseille",
    "territoire.hauts_de_france",
    "territoire.lyon",
    "territoire.ile_de_france",
]


@pytest.mark.parametrize("sector_id", SECTORS)
def test_sector_size(catalog, sector_id):
    sector = catalog.sectors[sector_id]
    assert len(sector.competencies) >= 12
    assert len(sector.blocks) >= 3
    assert len(sector.gestures) >= 10
    for gesture in sector.gestures:
        assert 4 <= len(gesture.steps) <= 8, gesture.id
        assert gesture.critical_steps, f"{gesture.id} has no critical step"
    assert len(sector.evaluations) >= 3
    plugin_evaluators = [
        e for e in sector.evaluations if catalog.evaluators[e.evaluator].plugin == sector_id
    ]
    assert plugin_evaluators, f"{sector_id} uses no evaluator of its own"


@pytest.mark.parametrize("sector_id", SECTORS)
def test_program_is_a_real_three_to_five_month_program(catalog, sector_id):
    curriculum = catalog.sectors[sector_id].curriculum
    hours = curriculum.hours_by_phase()
    assert all(hours[phase] > 0 for phase in Phase)
    assert 12 <= curriculum.weeks <= 22  # 3 to 5 months
    assert curriculum.total_hours == curriculum.weeks * curriculum.hours_per_week
    assert hours[Phase.GESTE] > hours[Phase.REMISE_A_NIVEAU]


@pytest.mark.parametrize("sector_id", SECTORS)
def test_every_gesture_is_taught_and_every_competency_evidenced(catalog, sector_id):
    sector = catalog.sectors[sector_id]
    taught = {g for m in sector.curriculum.modules for g in m.gestures}
    assert taught == {g.id for g in sector.gestures}
    for competency in sector.competencies:
        assert catalog.gestures_for(competency.id) or catalog.evaluations_for(competency.id)


def test_employers_cover_the_seed_territories(catalog):
    assert len(catalog.employers) >= 8
    for territory in SEED_TERRITORIES:
        assert catalog.employers_in(territory), territory
    assert catalog.warnings == ()


def test_a_trainee_meets_the_employers_of_their_own_trade(catalog):
    """Marseille has datacenter, fibre and smart-city employers; a smart-city trainee's
    territory booklet lists only those who ask for smart-city competencies, and an operator
    hiring for several trades is judged on this one."""
    marseille = {e.id for e in catalog.employers_in("territoire.marseille", sector="smartcity")}
    assert marseille == {
        "employeur.legrand",
        "employeur.otsi",
        "employeur.seven_equipement",
        "employeur.free_pro",
    }
    free_pro = catalog.employers["employeur.free_pro"]
    sectors = {catalog.entries[r.competency].sector for r in free_pro.requirements}
    assert sectors == {"datacenter", "fibre", "smartcity"}
    seen = catalog.hiring_for(free_pro, "smartcity")
    assert {catalog.entries[r.competency].sector for r in seen.requirements} == {"smartcity"}
    assert catalog.hiring_for(catalog.employers["employeur.legrand"], "fibre").requirements == (
        catalog.employers["employeur.legrand"].requirements  # no fibre need: shown whole
    )


def test_catalog_json_round_trips(catalog):
    data = json.loads(json.dumps(catalog.to_dict()))
    assert data["version"] == catalog.version
    assert {s["sector"]["id"] for s in data["sectors"]} == set(SECTORS)
    assert {p["name"] for p in data["plugins"]} == {"core", *SECTORS}


def test_catalog_version_changes_with_content(catalog):
    from dataclasses import replace

    sectors = dict(catalog.sectors)
    fibre = sectors["fibre"]
    sectors["fibre"] = fibre.model_copy(
        update={"curriculum": fibre.curriculum.model_copy(update={"version": "2026.2"})}
    )
    changed = replace(catalog, sectors=sectors, version="")
    assert changed.version != catalog.version and len(changed.version) == 12
