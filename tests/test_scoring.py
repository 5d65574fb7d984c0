"""Pure scoring: attempt outcomes, competency levels, employer fit (with hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.catalog.definitions import (
    DEFAULT_RULE,
    DEFAULT_SCALE,
    AggregationRule,
    Autonomy,
    Employer,
    Gesture,
    LevelCondition,
    PassRule,
    Priority,
    Requirement,
    Step,
)
from core.judging.attempts import Outcome, StepResult, attempt_outcome
from core.judging.fit import Status, employer_fit
from core.judging.levels import (
    AttemptFact,
    EvaluationFact,
    LevelDecision,
    competency_level,
    meets,
    sector_levels,
)

R, F, U = StepResult.REUSSI, StepResult.A_REPRENDRE, StepResult.NON_OBSERVE


def gesture(critical: tuple[bool, ...], min_ratio: float = 1.0, max_seconds: int | None = None):
    steps = tuple(Step(key=f"s{i}", label=f"Étape {i}", critical=c) for i, c in enumerate(critical))
    return Gesture(
        id="t.g.x",
        name="Geste",
        competencies=("t.c.x",),
        steps=steps,
        pass_rule=PassRule(min_ratio=min_ratio, max_seconds=max_seconds),
    )


# ---------------------------------------------------------------- attempt outcome


def test_all_steps_passed_passes():
    g = gesture((False, True, False))
    outcome = attempt_outcome(g, {"s0": R, "s1": R, "s2": R})
    assert outcome.outcome is Outcome.PASSED and outcome.passed_steps == 3


def test_failed_critical_step_fails_even_if_everything_else_passed():
    g = gesture((False, True, False, False, False), min_ratio=0.5)
    outcome = attempt_outcome(g, {"s0": R, "s1": F, "s2": R, "s3": R, "s4": R})
    assert outcome.outcome is Outcome.FAILED
    assert outcome.reasons == ("Étape critique à reprendre : Étape 1",)


def test_unobserved_critical_step_leaves_the_attempt_incomplete():
    g = gesture((True, False))
    assert attempt_outcome(g, {"s1": R}).outcome is Outcome.INCOMPLETE


def test_ratio_rule_with_unobserved_steps():
    g = gesture((False,) * 5, min_ratio=0.8)  # needs 4 of 5
    assert attempt_outcome(g, {"s0": R, "s1": R, "s2": R, "s3": R, "s4": F}).passed
    assert attempt_outcome(g, {"s0": R, "s1": R, "s2": R, "s3": U}).outcome is Outcome.INCOMPLETE
    failed = attempt_outcome(g, {"s0": R, "s1": R, "s2": F, "s3": F})
    assert failed.outcome is Outcome.FAILED
    assert failed.reasons == ("2\u00a0étapes réussies sur 4 requises",)  # French agreement
    one = attempt_outcome(g, {"s0": R, "s1": F, "s2": F})
    assert one.reasons == ("1\u00a0étape réussie sur 4 requises",)


def test_time_limit_fails_the_attempt():
    g = gesture((False, False), max_seconds=300)
    assert attempt_outcome(g, {"s0": R, "s1": R}, seconds=300).passed
    late = attempt_outcome(g, {"s0": R, "s1": R}, seconds=301)
    assert late.outcome is Outcome.FAILED
    # In minutes, as the trainer typed it and the rule is read, never « 301 s pour 300 s ».
    assert late.reasons[0] == "Temps dépassé : 5\u00a0min 1\u00a0s pour 5\u00a0min au plus"


def test_a_duration_is_read_in_minutes_or_with_its_unit():
    from web.pages.scoring import _INVALID, _seconds

    assert _seconds("7,5") == 450 and _seconds("450 s") == 450 and _seconds("1 h") == 3600
    assert _seconds("45 min") == 2700 and _seconds("") is None
    assert _seconds("3 kg") == _INVALID and _seconds("vite") == _INVALID


def test_unknown_step_key_is_refused():
    with pytest.raises(KeyError, match=r"not steps of t\.g\.x: zz"):
        attempt_outcome(gesture((False, False)), {"zz": R})


def test_real_gesture(catalog):
    splice = catalog.gesture("fibre.g.soudure_fusion")
    all_passed = {step.key: R for step in splice.steps}
    assert attempt_outcome(splice, all_passed).passed
    forgot_sleeve = all_passed | {"manchon": F}
    assert attempt_outcome(splice, forgot_sleeve).reasons == (
        "Étape critique à reprendre : Enfiler le manchon de protection AVANT tout",
    )


@st.composite
def gestures_and_results(draw):
    critical = tuple(draw(st.lists(st.booleans(), min_size=2, max_size=8)))
    ratio = draw(st.sampled_from([0.5, 0.75, 0.8, 1.0]))
    results = draw(
        st.lists(st.sampled_from(list(StepResult)), min_size=len(critical), max_size=len(critical))
    )
    g = gesture(critical, min_ratio=ratio)
    return g, {f"s{i}": r for i, r in enumerate(results)}


@given(gestures_and_results())
def test_property_a_failed_critical_step_always_fails(case):
    g, results = case
    has_failed_critical = any(step.critical and results[step.key] is F for step in g.steps)
    outcome = attempt_outcome(g, results).outcome
    assert (outcome is Outcome.FAILED) >= has_failed_critical  # implies
    if outcome is Outcome.PASSED:
        assert all(results[s.key] is R for s in g.critical_steps)


@given(gestures_and_results(), st.data())
def test_property_observing_more_never_hurts_a_passed_attempt(case, data):
    """Turning an unobserved step into a success never makes the outcome worse."""
    g, results = case
    unobserved = [key for key, r in results.items() if r is U]
    assume(unobserved)
    key = data.draw(st.sampled_from(unobserved))
    before = attempt_outcome(g, results).outcome
    after = attempt_outcome(g, results | {key: R}).outcome
    rank = {Outcome.FAILED: 0, Outcome.INCOMPLETE: 1, Outcome.PASSED: 2}
    assert rank[after] >= rank[before]


@given(gestures_and_results())
def test_property_incomplete_means_it_could_still_pass(case):
    g, results = case
    best_case = {key: R if r is U else r for key, r in results.items()}
    outcome = attempt_outcome(g, results).outcome
    if outcome is Outcome.INCOMPLETE:
        assert attempt_outcome(g, best_case).passed
    if outcome is Outcome.FAILED:
        assert not attempt_outcome(g, best_case).passed


@given(gestures_and_results())
def test_property_counts_add_up(case):
    g, results = case
    outcome = attempt_outcome(g, results)
    assert outcome.passed_steps + outcome.failed_steps + outcome.unobserved_steps == len(g.steps)


# ---------------------------------------------------------------- competency levels

DAY = dt.date(2026, 3, 2)


def attempt(day: int, passed: bool = True, autonomy: Autonomy = Autonomy.AUTONOME) -> AttemptFact:
    return AttemptFact(
        gesture="t.g.x",
        day=DAY + dt.timedelta(days=day),
        passed=passed,
        autonomy=autonomy,
        assessor="Mme Martin",
    )


def level(attempts=(), evaluations=(), decisions=()):
    return competency_level(
        "t.c.x", DEFAULT_RULE, DEFAULT_SCALE, attempts, evaluations, decisions
    ).level


def test_default_rule_ladder():
    assert level() == "non_evalue"
    assert level([attempt(0, passed=False)]) == "non_acquis"
    assert level([attempt(0, autonomy=Autonomy.AVEC_AIDE)]) == "en_cours"
    # two autonomous successes on the same day: not yet acquired
    assert level([attempt(0), attempt(0)]) == "en_cours"
    assert level([attempt(0), attempt(3)]) == "acquis"
    # two successes, one with help: not acquired
    assert level([attempt(0), attempt(3, autonomy=Autonomy.SOUS_CONTROLE)]) == "en_cours"
    passed = EvaluationFact(evaluation="t.e.x", day=DAY, passed=True)
    failed = EvaluationFact(evaluation="t.e.x", day=DAY, passed=False)
    assert level([attempt(0), attempt(3)], [passed]) == "maitrise"
    assert level([attempt(0), attempt(3)], [failed]) == "acquis"
    assert level([], [failed]) == "non_acquis"


def test_latest_decision_overrides_with_its_justification():
    decisions = [
        LevelDecision(
            competency="t.c.x",
            at=dt.datetime(2026, 3, 5, 10),
            level="acquis",
            justification="Vu en entreprise",
        ),
        LevelDecision(
            competency="t.c.x",
            at=dt.datetime(2026, 3, 9, 10),
            level="en_cours",
            justification="Régression constatée",
        ),
    ]
    result = competency_level(
        "t.c.x", DEFAULT_RULE, DEFAULT_SCALE, [attempt(0), attempt(3)], (), decisions
    )
    assert result.level == "en_cours"
    assert result.decision is not None and result.decision.justification == "Régression constatée"


def test_evidence_trail():
    result = competency_level(
        "t.c.x", DEFAULT_RULE, DEFAULT_SCALE, [attempt(3), attempt(0), attempt(1, passed=False)]
    )
    assert (result.attempts, result.successes, result.autonomous_successes) == (3, 2, 2)
    assert result.success_days == (DAY, DAY + dt.timedelta(days=3))
    assert result.last_day == DAY + dt.timedelta(days=3)
    assert result.assessors == ("Mme Martin",)


attempts_strategy = st.lists(
    st.builds(
        AttemptFact,
        gesture=st.just("t.g.x"),
        day=st.dates(min_value=DAY, max_value=DAY + dt.timedelta(days=90)),
        passed=st.booleans(),
        autonomy=st.sampled_from(list(Autonomy)),
    ),
    max_size=12,
)
evaluations_strategy = st.lists(
    st.builds(
        EvaluationFact,
        evaluation=st.just("t.e.x"),
        day=st.dates(min_value=DAY, max_value=DAY + dt.timedelta(days=90)),
        passed=st.booleans(),
    ),
    max_size=3,
)


@given(
    attempts_strategy,
    evaluations_strategy,
    st.builds(
        AttemptFact,
        gesture=st.just("t.g.x"),
        day=st.dates(min_value=DAY),
        passed=st.just(True),
        autonomy=st.sampled_from(list(Autonomy)),
    ),
)
def test_property_a_success_never_lowers_a_level(attempts, evaluations, success):
    before = DEFAULT_SCALE.rank(level(attempts, evaluations))
    after = DEFAULT_SCALE.rank(level([*attempts, success], evaluations))
    assert after >= before


@given(attempts_strategy, evaluations_strategy, st.randoms())
def test_property_order_does_not_matter(attempts, evaluations, random):
    shuffled = list(attempts)
    random.shuffle(shuffled)
    assert level(attempts, evaluations) == level(shuffled, evaluations)


@given(attempts_strategy, evaluations_strategy)
def test_property_acquired_means_two_autonomous_successes_on_two_days(attempts, evaluations):
    if DEFAULT_SCALE.rank(level(attempts, evaluations)) >= DEFAULT_SCALE.rank("acquis"):
        good = [a for a in attempts if a.passed and a.autonomy >= Autonomy.AUTONOME]
        assert len(good) >= 2 and len({a.day for a in good}) >= 2
    if level(attempts, evaluations) == "maitrise":
        assert any(e.passed for e in evaluations)


@given(attempts_strategy)
def test_property_failures_alone_never_go_above_the_floor(attempts):
    failures = [a._replace(passed=False) for a in attempts]
    assert level(failures) in {"non_evalue", "non_acquis"}


def test_sector_levels_route_attempts_to_their_competencies(catalog):
    sector = catalog.sectors["fibre"]
    attempts = [
        AttemptFact(
            gesture="fibre.g.soudure_fusion", day=DAY, passed=True, autonomy=Autonomy.AUTONOME
        ),
        AttemptFact(
            gesture="fibre.g.soudure_fusion",
            day=DAY + dt.timedelta(days=7),
            passed=True,
            autonomy=Autonomy.AUTONOME,
        ),
    ]
    evaluations = [EvaluationFact(evaluation="fibre.e.epissures", day=DAY, passed=True)]
    levels = sector_levels(sector, attempts, evaluations)
    assert set(levels) == {c.id for c in sector.competencies}
    assert levels["fibre.c.souder"].level == "maitrise"  # gesture ×2 + its evaluation
    assert levels["fibre.c.outillage"].level == "acquis"  # same gesture, no evaluation
    assert levels["fibre.c.lover"].level == "non_acquis"  # only a (passed) evaluation
    assert levels["fibre.c.photometre"].level == "non_evalue"
    assert [lvl.level for lvl in levels.values()].count("maitrise") == 1


# ---------------------------------------------------------------- employer fit


def grading(_competency: str):
    return DEFAULT_SCALE, DEFAULT_RULE


EMPLOYER = Employer(
    id="employeur.x",
    name="X",
    territories=("territoire.lyon",),
    requirements=(
        Requirement(competency="t.c.a", min_level="acquis", priority=Priority.IMPORTANTE),
        Requirement(competency="t.c.b", min_level="maitrise", priority=Priority.ESSENTIELLE),
        Requirement(competency="t.c.c", min_level="en_cours", priority=Priority.APPRECIEE),
        Requirement(competency="t.c.d", min_level="acquis", priority=Priority.ESSENTIELLE),
    ),
)


def test_fit_counts_and_orders_by_priority():
    fit = employer_fit(
        EMPLOYER,
        {"t.c.a": "maitrise", "t.c.b": "acquis", "t.c.c": "en_cours", "t.c.d": "acquis"},
        grading,
    )
    assert (fit.met, fit.total, fit.percent) == (3, 4, 75)
    assert [r.requirement.competency for r in fit.requirements] == [
        "t.c.b",
        "t.c.d",
        "t.c.a",
        "t.c.c",
    ]
    assert [r.requirement.competency for r in fit.missing] == ["t.c.b"]
    assert fit.missing[0].status is Status.EN_COURS
    assert not fit.essentials_met


def test_fit_statuses():
    fit = employer_fit(EMPLOYER, {"t.c.a": "non_acquis"}, grading)
    statuses = {r.requirement.competency: r.status for r in fit.requirements}
    assert statuses == {
        "t.c.a": Status.NON_ACQUIS,
        "t.c.b": Status.NON_ACQUIS,
        "t.c.c": Status.NON_ACQUIS,
        "t.c.d": Status.NON_ACQUIS,
    }
    assert fit.percent == 0 and fit.requirements[0].level == "non_evalue"


levels_strategy = st.fixed_dictionaries(
    {c: st.sampled_from(DEFAULT_SCALE.codes) for c in ("t.c.a", "t.c.b", "t.c.c", "t.c.d")}
)


@given(levels_strategy, st.sampled_from(["t.c.a", "t.c.b", "t.c.c", "t.c.d"]))
def test_property_raising_a_level_never_lowers_the_fit(levels, competency):
    before = employer_fit(EMPLOYER, levels, grading)
    rank = DEFAULT_SCALE.rank(levels[competency])
    assume(rank + 1 < len(DEFAULT_SCALE.codes))
    raised = levels | {competency: DEFAULT_SCALE.codes[rank + 1]}
    after = employer_fit(EMPLOYER, raised, grading)
    assert after.percent >= before.percent and after.met >= before.met


@given(levels_strategy)
def test_property_percent_is_met_over_total_and_missing_is_the_rest(levels):
    fit = employer_fit(EMPLOYER, levels, grading)
    assert fit.percent == 100 * fit.met // fit.total
    assert len(fit.missing) == fit.total - fit.met
    assert fit.essentials_met == all(
        r.met for r in fit.requirements if r.requirement.priority is Priority.ESSENTIELLE
    )


def test_fit_against_a_real_employer(catalog):
    ovh = catalog.employers["employeur.ovhcloud"]
    levels = {r.competency: "maitrise" for r in ovh.requirements}
    fit = employer_fit(ovh, levels, catalog.grading)
    assert fit.percent == 100 and fit.essentials_met
    levels["datacenter.c.racker"] = "acquis"  # OVHcloud wants it mastered
    fit = employer_fit(ovh, levels, catalog.grading)
    assert (
        fit.met == fit.total - 1 and fit.missing[0].requirement.competency == "datacenter.c.racker"
    )


conditions_strategy = st.builds(
    lambda successes, days, autonomy, evaluated: LevelCondition(
        level="acquis",
        min_successes=successes,
        min_days=min(days, max(successes, 1)),
        min_autonomy=autonomy,
        evaluation_passed=evaluated,
    ),
    st.integers(0, 4),
    st.integers(1, 3),
    st.sampled_from(["avec_aide", "sous_controle", "autonome", "transmet"]),
    st.booleans(),
)


@given(attempts_strategy, evaluations_strategy, conditions_strategy)
def test_property_one_pass_summary_agrees_with_meets(attempts, evaluations, condition):
    """competency_level's one-pass summary applies exactly the rule ``meets`` states."""
    rule = AggregationRule(conditions=(condition,), observed_floor="non_acquis")
    result = competency_level("t.c.x", rule, DEFAULT_SCALE, attempts, evaluations)
    if attempts or evaluations:
        assert (result.level == "acquis") == meets(condition, attempts, evaluations)
