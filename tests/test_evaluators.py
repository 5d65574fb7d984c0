"""Every evaluator, built-in and from the sector plugins, on real evaluations."""

from __future__ import annotations

import pytest

from core.catalog.definitions import Criterion, Evaluation, Measurement, Threshold
from core.judging.evaluation import FieldError, Submission, parse_submission, score_evaluation


def score(catalog, evaluation_id, criteria=None, **measurements):
    evaluation = catalog.evaluation(evaluation_id)
    if criteria is None:  # every criterion met unless said otherwise
        criteria = {c.key: True for c in evaluation.criteria}
    values = {k: tuple(v) if isinstance(v, list | tuple) else (v,) for k, v in measurements.items()}
    return score_evaluation(
        catalog.evaluators, evaluation, Submission(criteria=criteria, measurements=values)
    )


def messages(result):
    return [c.message for c in result.checks if c.message]


# One passing and one failing case per evaluator; the meta-test below keeps this complete.
CASES = {
    "core.checklist": "smartcity.e.controle_acces",
    "core.thresholds": "datacenter.e.controle_esd",
    "core.standard": "fibre.e.raccordement_abonne",
    "fibre.splice_series": "fibre.e.epissures",
    "fibre.connector_losses": "fibre.e.connecteurs",
    "fibre.link_budget": "fibre.e.bilan_liaison",
    "datacenter.racking_time": "datacenter.e.mise_en_baie",
    "datacenter.labelling": "datacenter.e.etiquetage",
    "smartcity.camera_commissioning": "smartcity.e.mise_service_camera",
    "smartcity.radio_link": "smartcity.e.capteur_iot",
}


def test_every_evaluator_has_a_test_case(catalog):
    assert set(CASES) == set(catalog.evaluators)
    for evaluator, evaluation in CASES.items():
        assert catalog.evaluation(evaluation).evaluator == evaluator


def test_every_plugin_evaluator_is_used_by_a_real_evaluation(catalog):
    used = {e.evaluator for s in catalog.sectors.values() for e in s.evaluations}
    plugin_evaluators = {i for i, e in catalog.evaluators.items() if e.plugin != "core"}
    assert plugin_evaluators <= used


# ---------------------------------------------------------------- built-in


def test_checklist(catalog):
    assert score(catalog, "smartcity.e.controle_acces").passed
    # a non-critical miss fails too: min_ratio is 1.0 by default
    criteria = {c.key: True for c in catalog.evaluation("smartcity.e.controle_acces").criteria}
    assert not score(catalog, "smartcity.e.controle_acces", criteria | {"badges": False}).passed
    # alarm evaluation tolerates 80 %: one non-critical miss of six passes, a critical one fails
    alarm = {c.key: True for c in catalog.evaluation("smartcity.e.alarme").criteria}
    one_missed = score(catalog, "smartcity.e.alarme", alarm | {"zones": False})
    assert one_missed.passed and one_missed.summary == "5\u00a0points satisfaits sur 6"
    failed = score(catalog, "smartcity.e.alarme", alarm | {"walk_test": False})
    assert not failed.passed
    assert failed.summary == "Point critique non satisfait : Chaque détecteur testé en marche"


def test_thresholds(catalog):
    ok = score(
        catalog, "datacenter.e.controle_esd", resistance_bracelet_mohm=12, tension_corps_v=40
    )
    assert ok.passed and ok.score == 1
    strap_broken = score(
        catalog, "datacenter.e.controle_esd", resistance_bracelet_mohm=80, tension_corps_v=40
    )
    assert not strap_broken.passed and strap_broken.score == 0.5
    [failed] = [c for c in strap_broken.checks if not c.ok]
    assert (failed.found, failed.expected) == ("80 MΩ", "≤ 35 MΩ")
    missing = score(catalog, "datacenter.e.controle_esd", resistance_bracelet_mohm=12)
    assert not missing.passed


def test_standard_needs_criteria_and_thresholds(catalog):
    good = score(catalog, "fibre.e.raccordement_abonne", puissance_1490_dbm=-19.5)
    assert good.passed
    weak = score(catalog, "fibre.e.raccordement_abonne", puissance_1490_dbm=-26)
    assert not weak.passed
    criteria = {c.key: True for c in catalog.evaluation("fibre.e.raccordement_abonne").criteria}
    one_soft_miss = score(
        catalog,
        "fibre.e.raccordement_abonne",
        criteria | {"proprete": False},
        puissance_1490_dbm=-19.5,
    )
    assert one_soft_miss.passed  # 4/5 criteria, min_ratio 0.8
    critical_miss = score(
        catalog,
        "fibre.e.raccordement_abonne",
        criteria | {"synchro": False},
        puissance_1490_dbm=-19.5,
    )
    assert not critical_miss.passed


# ---------------------------------------------------------------- fibre


def test_splice_series(catalog):
    good = [0.02, 0.05, 0.03, 0.08, 0.04, 0.01, 0.06, 0.02, 0.03, 0.05, 0.04, 0.03]
    result = score(catalog, "fibre.e.epissures", pertes_db=good)
    assert result.passed and "perte moyenne 0,038 dB" in result.summary
    borderline = [*good[:11], 0.15]
    result = score(catalog, "fibre.e.epissures", pertes_db=borderline)
    assert result.passed, "0.15 dB is within 0.2 dB"
    assert any("au-delà de 0,1 dB" in m for m in messages(result))
    bad = [*good[:11], 0.25]
    result = score(catalog, "fibre.e.epissures", pertes_db=bad)
    assert not result.passed
    assert "Soudure n° 12" in result.summary


def test_connector_losses_and_apc_upc_mismatch(catalog):
    ok = score(
        catalog,
        "fibre.e.connecteurs",
        insertion_db=[0.2, 0.3, 0.45, 0.5],
        retour_db=[60, 62, 58, 65],
    )
    assert ok.passed
    mismatch = score(
        catalog,
        "fibre.e.connecteurs",
        insertion_db=[0.2, 3.5, 0.3, 0.3],
        retour_db=[60, 62, 58, 65],
    )
    assert not mismatch.passed
    assert any("inversion APC/UPC" in m for m in messages(mismatch))
    c1_grade = score(
        catalog,
        "fibre.e.connecteurs",
        insertion_db=[0.2, 0.7, 0.3, 0.3],
        retour_db=[60, 62, 58, 65],
    )
    assert not c1_grade.passed, "0.7 dB is C1, the evaluation asks for B1 (0.5 dB)"
    reflective = score(
        catalog,
        "fibre.e.connecteurs",
        insertion_db=[0.2, 0.2, 0.3, 0.3],
        retour_db=[60, 40, 58, 65],
    )
    assert not reflective.passed and any("Réflexion" in m for m in messages(reflective))


@pytest.mark.parametrize(
    ("length", "loss", "passed"),
    [
        (300, 1.4, True),
        (300, 1.6, False),
        (499, 1.5, True),
        (500, 1.9, True),
        (1500, 2.0, True),
        (1200, 2.1, False),
        (1600, 1.0, False),
    ],
)
def test_link_budget_by_length(catalog, length, loss, passed):
    result = score(catalog, "fibre.e.bilan_liaison", longueur_m=length, perte_1310_db=loss)
    assert result.passed is passed


def test_link_budget_says_why(catalog):
    too_long = score(catalog, "fibre.e.bilan_liaison", longueur_m=1600, perte_1310_db=1.0)
    assert messages(too_long) == ["Longueur hors du barème PR → DTIo : vérifier le lien mesuré."]
    lossy = score(catalog, "fibre.e.bilan_liaison", longueur_m=800, perte_1310_db=2.4)
    [check] = [c for c in lossy.checks if not c.ok]
    assert check.expected == "≤ 2 dB" and "500 à 1 500 m" in check.label


# ---------------------------------------------------------------- datacenter


def test_racking_time(catalog):
    quick = score(catalog, "datacenter.e.mise_en_baie", duree_min=24)
    assert quick.passed and "1,20 × le temps de référence (20 min)" in quick.summary
    slow = score(catalog, "datacenter.e.mise_en_baie", duree_min=31)
    assert not slow.passed  # reference 20 min × tolerance 1.5 = 30 min
    criteria = {c.key: True for c in catalog.evaluation("datacenter.e.mise_en_baie").criteria}
    alone = score(catalog, "datacenter.e.mise_en_baie", criteria | {"binome": False}, duree_min=15)
    assert not alone.passed, "fast but lifted alone: fails on a critical criterion"


def test_labelling_conformity(catalog):
    assert score(
        catalog,
        "datacenter.e.etiquetage",
        etiquettes_controlees=48,
        etiquettes_conformes=48,
        doublons=0,
    ).passed
    one_bad = score(
        catalog,
        "datacenter.e.etiquetage",
        etiquettes_controlees=48,
        etiquettes_conformes=47,
        doublons=0,
    )
    assert not one_bad.passed
    assert [c.found for c in one_bad.checks if c.key == "taux_conformite"] == ["98 %"]
    duplicates = score(
        catalog,
        "datacenter.e.etiquetage",
        etiquettes_controlees=48,
        etiquettes_conformes=48,
        doublons=2,
    )
    assert not duplicates.passed
    nonsense = score(
        catalog,
        "datacenter.e.etiquetage",
        etiquettes_controlees=10,
        etiquettes_conformes=12,
        doublons=0,
    )
    assert not nonsense.passed


# ---------------------------------------------------------------- smart city


def test_camera_commissioning(catalog):
    good = {"classe_poe": 3, "puissance_w": 9.8, "densite_px_m": 280, "ecart_horloge_s": 0.2}
    assert score(catalog, "smartcity.e.mise_service_camera", **good).passed
    over_budget = score(catalog, "smartcity.e.mise_service_camera", **good | {"classe_poe": 2})
    assert not over_budget.passed  # 9.8 W > 6.49 W available to a class 2 device
    blurry = score(catalog, "smartcity.e.mise_service_camera", **good | {"densite_px_m": 130})
    assert not blurry.passed  # enough to recognise (125), not to identify (250)
    drifting = score(catalog, "smartcity.e.mise_service_camera", **good | {"ecart_horloge_s": 4})
    assert not drifting.passed
    criteria = {c.key: True for c in catalog.evaluation("smartcity.e.mise_service_camera").criteria}
    default_password = score(
        catalog, "smartcity.e.mise_service_camera", criteria | {"mot_de_passe": False}, **good
    )
    assert not default_password.passed


def test_radio_link(catalog):
    good = {"rssi_dbm": -98, "snr_db": 4.5, "messages_envoyes": 30, "messages_recus": 29}
    assert score(catalog, "smartcity.e.capteur_iot", **good).passed
    assert not score(catalog, "smartcity.e.capteur_iot", **good | {"rssi_dbm": -121}).passed
    assert not score(catalog, "smartcity.e.capteur_iot", **good | {"snr_db": -14}).passed
    lossy = score(catalog, "smartcity.e.capteur_iot", **good | {"messages_recus": 20})
    assert not lossy.passed
    assert [c.found for c in lossy.checks if c.key == "taux_reception"] == ["20 sur 30 (67 %)"]


# ---------------------------------------------------------------- parsing typed input


EVAL = Evaluation(
    id="t.e.x",
    name="Épreuve",
    competencies=("t.c.x",),
    criteria=(Criterion(key="propre", label="Poste propre"),),
    measurements=(
        Measurement(
            key="perte",
            label="Perte",
            unit="dB",
            range=Threshold(min=0, max=10),
            threshold=Threshold(max=0.2),
            count=2,
        ),
        Measurement(key="nombre", label="Nombre", type="int"),
    ),
)


def test_parse_accepts_decimal_commas_and_checkbox_values():
    result = parse_submission(EVAL, {"propre": "on"}, {"perte": ["0,15", " 0.3 "], "nombre": "3"})
    assert result == Submission(
        criteria={"propre": True}, measurements={"perte": (0.15, 0.3), "nombre": (3.0,)}
    )


def test_parse_lists_every_field_error_in_french():
    result = parse_submission(EVAL, {}, {"perte": ["abc", "0.1"], "nombre": "2.5", "x": "1"})
    assert isinstance(result, list)
    assert FieldError("perte", "Perte n° 1 : « abc » n'est pas un nombre.", 0) in result
    assert FieldError("nombre", "Nombre : un nombre entier est attendu.") in result
    assert FieldError("x", "Mesure inconnue pour cette épreuve.") in result


def test_parse_refuses_impossible_values_but_keeps_failing_ones():
    impossible = parse_submission(EVAL, {}, {"perte": ["-1", "0.1"], "nombre": "1"})
    assert impossible == [  # a box of a series is named, and only it is flagged
        FieldError("perte", "Perte n° 1 : -1 dB est impossible (attendu entre 0 et 10 dB).", 0)
    ]
    failing = parse_submission(EVAL, {}, {"perte": ["5", "0.1"], "nombre": "1"})
    assert isinstance(failing, Submission)  # 5 dB is a result (a bad one), not a typo


def test_parse_counts_series_and_missing_values():
    errors = parse_submission(EVAL, {}, {"perte": ["0.1"], "nombre": ""})
    assert errors == [
        FieldError("perte", "Perte : 2\u00a0valeurs attendues, 1\u00a0saisie."),
        FieldError("nombre", "Nombre : valeur manquante."),
    ]
    assert parse_submission(EVAL, {}, {"perte": ["nan", "inf"], "nombre": "1"}) == [
        FieldError("perte", "Perte n° 1 : « nan » n'est pas un nombre.", 0),
        FieldError("perte", "Perte n° 2 : « inf » n'est pas un nombre.", 1),
    ]
    # The form sends every box: an empty one in the middle is named, not just counted.
    assert parse_submission(EVAL, {}, {"perte": ["0.1", ""], "nombre": "1"}) == [
        FieldError("perte", "Perte n° 2 : valeur manquante.", 1)
    ]


def test_values_of_one_unit_are_written_with_the_same_decimals():
    from core.judging.evaluation import Check, aligned

    checks = [
        Check(key="a", label="n° 1", ok=True, found="0,2 dB"),
        Check(key="b", label="n° 2", ok=True, found="0,22 dB"),
        Check(key="c", label="retour", ok=True, found="62,3 dB"),
        Check(key="d", label="longueur", ok=True, found="420 m"),
        Check(key="e", label="absent", ok=False, found="non mesuré"),
    ]
    assert [c.found for c in aligned(checks)] == [
        "0,20 dB",  # padded to its neighbours, never rounded
        "0,22 dB",
        "62,30 dB",
        "420 m",  # another unit, whole numbers: untouched
        "non mesuré",
    ]


def test_a_score_prints_a_series_evenly(catalog):
    result = score(catalog, "fibre.e.epissures", pertes_db=[0.2, 0.05, 0.1] + [0.04] * 9)
    assert {len(c.found.split(",")[1]) for c in result.checks if c.found.endswith(" dB")} == {5}
