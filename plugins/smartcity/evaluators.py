"""Smart-city evaluators: IP camera commissioning and a radio sensor's link.

PoE power available at the device per 802.3af/at class, and the DORI pixel densities of
EN 62676-4. Radio thresholds are the training floor's house rules,
given as parameters in the evaluation.
"""

from __future__ import annotations

from core.plugin_api import (
    Check,
    Evaluation,
    EvaluationScore,
    Evaluator,
    Submission,
    Threshold,
    criteria_checks,
    missing_check,
    value_check,
)

POE_DEVICE_WATTS = {1: 3.84, 2: 6.49, 3: 12.95, 4: 25.5}
DORI_PX_PER_M = {"detecter": 25, "observer": 62, "reconnaitre": 125, "identifier": 250}


def score_camera(evaluation: Evaluation, submission: Submission) -> EvaluationScore:
    purpose = str(evaluation.params["purpose"])
    max_offset = float(evaluation.params.get("max_clock_offset_s", 1))
    checks = criteria_checks(evaluation, submission)

    poe_class = submission.value("classe_poe")
    power = submission.value("puissance_w")
    if poe_class is not None and power is not None:
        budget = POE_DEVICE_WATTS[int(poe_class)]
        checks.append(
            value_check(
                evaluation.measurement("puissance_w"),
                power,
                Threshold(max=budget),
                label=f"Puissance dans le budget PoE classe {int(poe_class)}",
                message="La caméra demande plus que sa classe PoE : elle redémarrera en boucle.",
            )
        )
    density = submission.value("densite_px_m")
    if density is not None:
        needed = DORI_PX_PER_M[purpose]
        checks.append(
            value_check(
                evaluation.measurement("densite_px_m"),
                density,
                Threshold(min=needed),
                label=f"Densité de pixels pour « {purpose} » (DORI)",
                message="Rapprocher la caméra ou changer d'objectif.",
            )
        )
    offset = submission.value("ecart_horloge_s")
    if offset is not None:
        checks.append(
            value_check(
                evaluation.measurement("ecart_horloge_s"),
                offset,
                Threshold(max=max_offset),
                label="Horloge synchronisée",
                message="Vérifier le serveur NTP : l'horodatage fait foi.",
            )
        )
    checks += [missing_check(m) for m in evaluation.measurements if not submission.values(m.key)]
    return EvaluationScore.from_checks(evaluation, "smartcity.camera_commissioning", checks)


def score_radio(evaluation: Evaluation, submission: Submission) -> EvaluationScore:
    params = evaluation.params
    checks = criteria_checks(evaluation, submission)
    for key, param, advice in (
        ("rssi_dbm", "min_rssi_dbm", "Signal trop faible : déplacer le capteur ou l'antenne."),
        ("snr_db", "min_snr_db", "Trop de bruit : chercher une source de perturbation."),
    ):
        value = submission.value(key)
        if value is None:
            continue
        threshold = Threshold(min=float(params[param]))
        checks.append(value_check(evaluation.measurement(key), value, threshold, message=advice))
    sent = submission.value("messages_envoyes")
    received = submission.value("messages_recus")
    if sent:
        rate = (received or 0) / sent
        minimum = float(params.get("min_delivery", 0.9))
        checks.append(
            Check(
                key="taux_reception",
                label="Messages reçus sur la plateforme",
                ok=rate >= minimum and (received or 0) <= sent,
                critical=True,
                found=f"{received or 0:g} sur {sent:g} ({rate:.0%})".replace("%", " %"),
                expected=f"≥ {minimum:.0%}".replace("%", " %"),
            )
        )
    return EvaluationScore.from_checks(evaluation, "smartcity.radio_link", checks)


EVALUATORS = [
    Evaluator(
        "smartcity.camera_commissioning",
        score_camera,
        "Caméra IP : puissance dans la classe PoE, densité de pixels DORI, horloge, critères.",
        needs_measurements=("classe_poe", "puissance_w", "densite_px_m", "ecart_horloge_s"),
        needs_params=("purpose",),
    ),
    Evaluator(
        "smartcity.radio_link",
        score_radio,
        "Capteur radio : RSSI ≥ min_rssi_dbm, SNR ≥ min_snr_db, taux de réception ≥ min_delivery.",
        needs_measurements=("rssi_dbm", "snr_db", "messages_envoyes", "messages_recus"),
        needs_params=("min_rssi_dbm", "min_snr_db"),
    ),
]
