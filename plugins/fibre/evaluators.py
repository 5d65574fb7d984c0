"""Fibre evaluators: splice series, connector losses and the PR→DTIo link budget.

Thresholds from the field: a fusion splice ≤ 0.2 dB (many firms redo above
0.1 dB); an SC/APC connector grade B1 ≤ 0.5 dB, C1 ≤ 0.8 dB, return loss > 55 dB; an APC↔UPC
mismatch loses 3.4–3.7 dB; a PR→DTIo link at 1310 nm ≤ 1.5 dB under 500 m, ≤ 2 dB from 500 to
1500 m.
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

CONNECTOR_GRADES = {"B1": 0.5, "C1": 0.8}
APC_UPC_MISMATCH = Threshold(min=3.4, max=3.7)


def score_splices(evaluation: Evaluation, submission: Submission) -> EvaluationScore:
    limit = float(evaluation.params["max_loss_db"])
    redo_above = float(evaluation.params.get("redo_above_db", limit))
    measurement = evaluation.measurement("pertes_db")
    losses = submission.values("pertes_db")
    checks = criteria_checks(evaluation, submission)
    for number, loss in enumerate(losses, start=1):
        check = value_check(
            measurement,
            loss,
            Threshold(max=limit),
            key=f"pertes_db_{number}",
            label=f"Soudure n° {number}",
            message="Soudure à refaire : perte au-delà du seuil.",
        )
        if check.ok and loss > redo_above:
            note = f"Conforme, mais au-delà de {redo_above:g} dB : à refaire chez certains clients."
            check = check.model_copy(update={"message": note.replace(".", ",", 1)})
        checks.append(check)
    score = EvaluationScore.from_checks(evaluation, "fibre.splice_series", checks)
    if losses:
        mean = sum(losses) / len(losses)
        worst = max(losses)
        redo = sum(loss > redo_above for loss in losses)
        extra = (
            f" — perte moyenne {mean:.3f} dB, pire {worst:.2f} dB,"
            f" {redo} au-delà de {redo_above:g} dB"
        )
        score = score.model_copy(update={"summary": score.summary + extra.replace(".", ",")})
    return score


def score_connectors(evaluation: Evaluation, submission: Submission) -> EvaluationScore:
    grade = str(evaluation.params["grade"])
    limit = CONNECTOR_GRADES[grade]
    min_return = float(evaluation.params.get("min_return_loss_db", 55))
    insertion = evaluation.measurement("insertion_db")
    returned = evaluation.measurement("retour_db")
    checks = criteria_checks(evaluation, submission)
    for number, loss in enumerate(submission.values("insertion_db"), start=1):
        mismatch = APC_UPC_MISMATCH.admits(loss)
        message = (
            "Perte typique d'une inversion APC/UPC : vérifier la couleur des connecteurs."
            if mismatch
            else "Connecteur à refaire : perte au-delà du grade."
        )
        checks.append(
            value_check(
                insertion,
                loss,
                Threshold(max=limit),
                key=f"insertion_db_{number}",
                label=f"Connecteur n° {number} — perte d'insertion (grade {grade})",
                message=message,
            )
        )
    for number, value in enumerate(submission.values("retour_db"), start=1):
        checks.append(
            value_check(
                returned,
                value,
                Threshold(min=min_return),
                key=f"retour_db_{number}",
                label=f"Connecteur n° {number} — perte de retour",
                message="Réflexion trop forte : face sale, rayée ou mal polie.",
            )
        )
    return EvaluationScore.from_checks(evaluation, "fibre.connector_losses", checks)


def link_limit(length_m: float) -> float | None:
    """Maximum PR→DTIo loss at 1310 nm for a link of this length; None beyond 1500 m."""
    if length_m < 500:
        return 1.5
    if length_m <= 1500:
        return 2.0
    return None


def score_link_budget(evaluation: Evaluation, submission: Submission) -> EvaluationScore:
    length = submission.value("longueur_m")
    loss = submission.value("perte_1310_db")
    checks = criteria_checks(evaluation, submission)
    measurement = evaluation.measurement("perte_1310_db")
    if length is None or loss is None:
        checks.append(missing_check(measurement))
    else:
        limit = link_limit(length)
        if limit is None:
            checks.append(
                Check(
                    key="perte_1310_db",
                    label=measurement.label,
                    ok=False,
                    critical=True,
                    found=f"{length:g} m",
                    expected="lien PR → DTIo de 1 500 m au plus",
                    message="Longueur hors du barème PR → DTIo : vérifier le lien mesuré.",
                )
            )
        else:
            band = "moins de 500 m" if length < 500 else "500 à 1 500 m"
            checks.append(
                value_check(
                    measurement,
                    loss,
                    Threshold(max=limit),
                    label=f"{measurement.label} (lien de {band})",
                    message="Perte au-delà du bilan : chercher à l'OTDR l'élément fautif.",
                )
            )
    return EvaluationScore.from_checks(evaluation, "fibre.link_budget", checks)


EVALUATORS = [
    Evaluator(
        "fibre.splice_series",
        score_splices,
        "Série de soudures : chaque perte ≤ max_loss_db ; au-delà de redo_above_db, signalée.",
        needs_measurements=("pertes_db",),
        needs_params=("max_loss_db",),
    ),
    Evaluator(
        "fibre.connector_losses",
        score_connectors,
        "Connecteurs : perte d'insertion selon le grade (B1 0,5 dB, C1 0,8 dB), retour ≥ 55 dB.",
        needs_measurements=("insertion_db", "retour_db"),
        needs_params=("grade",),
    ),
    Evaluator(
        "fibre.link_budget",
        score_link_budget,
        "Lien PR → DTIo à 1310 nm : ≤ 1,5 dB sous 500 m, ≤ 2 dB de 500 à 1 500 m.",
        needs_measurements=("longueur_m", "perte_1310_db"),
    ),
]
