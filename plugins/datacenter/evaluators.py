"""Datacenter evaluators: timed racking and labelling conformity."""

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


def score_racking(evaluation: Evaluation, submission: Submission) -> EvaluationScore:
    """Safety criteria, then time within ``reference_minutes × tolerance``."""
    reference = float(evaluation.params["reference_minutes"])
    tolerance = float(evaluation.params.get("tolerance", 1.0))
    limit = reference * tolerance
    checks = criteria_checks(evaluation, submission)
    minutes = submission.value("duree_min")
    measurement = evaluation.measurement("duree_min")
    if minutes is None:
        checks.append(missing_check(measurement))
    else:
        check = value_check(
            measurement,
            minutes,
            Threshold(max=limit),
            message="Trop lent : reprendre le geste pour gagner en fluidité.",
        )
        checks.append(check)
    score = EvaluationScore.from_checks(evaluation, "datacenter.racking_time", checks)
    if minutes is not None:
        ratio = minutes / reference
        summary = f"{score.summary} — {ratio:.2f} × le temps de référence ({reference:g} min)"
        score = score.model_copy(update={"summary": summary.replace(".", ",", 1)})
    return score


def score_labelling(evaluation: Evaluation, submission: Submission) -> EvaluationScore:
    """Conforming labels over checked ones ≥ ``min_conformity``, and no duplicate id."""
    minimum = float(evaluation.params.get("min_conformity", 1.0))
    checked = submission.value("etiquettes_controlees") or 0
    conforming = submission.value("etiquettes_conformes") or 0
    duplicates = submission.value("doublons") or 0
    checks = criteria_checks(evaluation, submission)
    if conforming > checked:
        checks.append(
            Check(
                key="etiquettes_conformes",
                label="Étiquettes conformes",
                ok=False,
                critical=True,
                found=f"{conforming:g} sur {checked:g}",
                message="Plus d'étiquettes conformes que d'étiquettes contrôlées.",
            )
        )
    else:
        rate = conforming / checked if checked else 0.0
        checks.append(
            Check(
                key="taux_conformite",
                label="Taux de conformité",
                ok=rate >= minimum,
                critical=True,
                found=f"{rate:.0%}".replace("%", " %"),
                expected=f"≥ {minimum:.0%}".replace("%", " %"),
            )
        )
    checks.append(
        Check(
            key="doublons",
            label="Identifiants en double",
            ok=duplicates == 0,
            critical=True,
            found=f"{duplicates:g}",
            expected="0",
            message=None if duplicates == 0 else "Chaque élément doit avoir un identifiant unique.",
        )
    )
    return EvaluationScore.from_checks(evaluation, "datacenter.labelling", checks)


EVALUATORS = [
    Evaluator(
        "datacenter.racking_time",
        score_racking,
        "Mise en baie : critères de sécurité, durée ≤ reference_minutes × tolerance.",
        needs_measurements=("duree_min",),
        needs_params=("reference_minutes",),
    ),
    Evaluator(
        "datacenter.labelling",
        score_labelling,
        "Étiquetage TIA-606 : taux de conformité ≥ min_conformity et aucun doublon.",
        needs_measurements=("etiquettes_controlees", "etiquettes_conformes", "doublons"),
    ),
]
