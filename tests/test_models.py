"""Definitions are frozen, strict about unknown fields, and check what they can alone."""

from __future__ import annotations

import pydantic
import pytest

from core.catalog.definitions import (
    DEFAULT_SCALE,
    Autonomy,
    Evaluation,
    Gesture,
    Level,
    LevelCondition,
    LevelScale,
    Measurement,
    Phase,
    Priority,
    Step,
    Threshold,
)


def test_definitions_are_frozen(catalog):
    gesture = catalog.gesture("fibre.g.soudure_fusion")
    with pytest.raises(pydantic.ValidationError):
        gesture.name = "autre"  # type: ignore[misc]
    assert isinstance(gesture.steps, tuple)


def test_unknown_fields_are_refused():
    with pytest.raises(pydantic.ValidationError, match="Extra inputs are not permitted"):
        Step(key="a", label="A", critcal=True)  # type: ignore[call-arg]


def test_step_keys_must_be_unique():
    steps = (Step(key="a", label="A"), Step(key="a", label="B"))
    with pytest.raises(pydantic.ValidationError, match="clé d'étape « a » répétée"):
        Gesture(id="t.g.x", name="X", competencies=("t.c.x",), steps=steps)


def test_gesture_needs_at_least_two_steps():
    with pytest.raises(pydantic.ValidationError):
        Gesture(id="t.g.x", name="X", competencies=("t.c.x",), steps=(Step(key="a", label="A"),))


@pytest.mark.parametrize("bad", ["fibre", "Fibre.x", "fibre..x", "fibre.x y", "1fibre.x"])
def test_dotted_ids(bad):
    with pytest.raises(pydantic.ValidationError):
        Gesture(
            id=bad,
            name="X",
            competencies=("t.c.x",),
            steps=(Step(key="a", label="A"), Step(key="b", label="B")),
        )


def test_threshold():
    assert Threshold(max=0.2).admits(0.2) and not Threshold(max=0.2).admits(0.21)
    assert Threshold(min=-24).describe("dBm") == "≥ -24 dBm"
    assert Threshold(min=0, max=1.5).describe("dB") == "entre 0 et 1,5 dB"
    with pytest.raises(pydantic.ValidationError, match="min, max ou les deux"):
        Threshold()
    with pytest.raises(pydantic.ValidationError, match=r"min \(2\) est au-dessus de max \(1\)"):
        Threshold(min=2, max=1)


def test_evaluation_needs_content_and_unique_keys():
    with pytest.raises(
        pydantic.ValidationError,
        match="des critères \\(criteria\\), des mesures \\(measurements\\) ou les deux",
    ):
        Evaluation(id="t.e.x", name="X", competencies=("t.c.x",))
    m = Measurement(key="a", label="A")
    with pytest.raises(pydantic.ValidationError, match=r"clé de mesure « .* » répétée"):
        Evaluation(id="t.e.x", name="X", competencies=("t.c.x",), measurements=(m, m))


def test_scale():
    assert DEFAULT_SCALE.codes[0] == "non_evalue" and DEFAULT_SCALE.rank("acquis") == 3
    assert DEFAULT_SCALE.label("en_cours") == "En cours d'acquisition"
    with pytest.raises(pydantic.ValidationError, match=r"code de niveau « .* » répétée"):
        LevelScale(id="t.s.x", name="X", levels=(Level(code="a", label="A"),) * 2)


def test_level_condition_days_cannot_exceed_successes():
    with pytest.raises(pydantic.ValidationError, match="min_days \\(3\\) ne peut pas dépasser"):
        LevelCondition(level="acquis", min_successes=2, min_days=3)


def test_labels_in_french():
    assert Autonomy.from_key("autonome").label == "En autonomie"
    assert Autonomy.AVEC_AIDE < Autonomy.SOUS_CONTROLE < Autonomy.AUTONOME < Autonomy.TRANSMET
    assert Phase.GESTE.label == "Apprentissage du geste"
    assert [p.label for p in Priority] == ["Essentielle", "Importante", "Appréciée"]
    assert [p.rank for p in Priority] == [0, 1, 2]


def test_references_are_checked():
    from core.catalog.definitions import References

    assert References(rome=("I1403",), rncp=("RNCP36873",)).rome == ("I1403",)
    with pytest.raises(pydantic.ValidationError):
        References(rome=("technicien",))
    with pytest.raises(pydantic.ValidationError):
        References(esco=("https://example.org/skill",))
