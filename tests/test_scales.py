"""A sector with its own scale: a pass/fail one, as French « titres professionnels » judge
(non évalué / non validé / validé). Nothing is claimed below its pass mark."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from core.booklet.data import _acquired
from core.booklet.wording import mastered, rule_text
from core.catalog.definitions import AggregationRule, Autonomy, Level, LevelCondition, LevelScale
from core.judging.levels import AttemptFact
from core.judging.record import TraineeInfo, derive_record

PASS_FAIL = LevelScale(
    id="test.scale.titre",
    name="Titre professionnel",
    levels=(
        Level(code="non_evalue", label="Non évalué"),
        Level(code="non_valide", label="Non validé"),
        Level(code="valide", label="Validé"),
    ),
)
RULE = AggregationRule(
    conditions=(
        LevelCondition(level="valide", min_successes=3, min_days=2, min_autonomy="autonome"),
    ),
    observed_floor="non_valide",
)


@pytest.fixture
def titre(catalog):
    fibre = catalog.sectors["fibre"]
    curriculum = fibre.curriculum.model_copy(update={"scale": PASS_FAIL, "rule": RULE})
    return fibre.model_copy(update={"curriculum": curriculum})


def info():
    return TraineeInfo(
        id=1,
        first_name="Awa",
        last_name="Diallo",
        cohort_id=1,
        cohort="C",
        school="S",
        territory="territoire.lyon",
        sector="fibre",
        curriculum_version="2026.1",
        starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 5, 1),
    )


def test_without_acquis_the_pass_mark_is_the_top_never_the_level_below():
    assert PASS_FAIL.acquired_rank == 2  # « validé »: was « non validé » (len - 2) before
    explicit = PASS_FAIL.model_copy(update={"pass_mark": "valide"})
    assert explicit.acquired_rank == 2
    with pytest.raises(ValidationError, match="pass_mark « passe » n'est pas un niveau"):
        LevelScale.model_validate({**PASS_FAIL.model_dump(), "pass_mark": "passe"})
    with pytest.raises(ValidationError, match="ne peut pas être le premier niveau"):
        LevelScale.model_validate({**PASS_FAIL.model_dump(), "pass_mark": "non_evalue"})


def test_no_badge_and_no_progress_below_the_pass_mark(titre):
    splice = "fibre.g.soudure_fusion"
    one = [AttemptFact(splice, dt.date(2026, 2, 2), True, Autonomy.AUTONOME, "Nadia")]
    record = derive_record(titre, info(), one)
    assert record.levels["fibre.c.souder"].level == "non_valide"
    assert _acquired(titre, record) == ()  # no Open Badge for « Non validé »
    assert not mastered(titre, 1, 1)  # a gesture done once is not mastered
    three = one + [
        AttemptFact(splice, dt.date(2026, 2, d), True, Autonomy.AUTONOME, "Nadia") for d in (3, 4)
    ]
    record = derive_record(titre, info(), three)
    assert [a.level for a in _acquired(titre, record)] == ["Validé", "Validé"]  # souder, outillage


def test_the_rule_is_said_in_the_sectors_own_words(titre):
    assert rule_text(titre) == (
        "« Validé » demande 3\u00a0réussites en autonomie, observées 2\u00a0jours différents",
    )


def test_the_legend_never_promises_a_status_the_scale_cannot_give(titre, catalog):
    """Under pass/fail, a requirement is met or not yet: no « en progression » in the legend
    (requirement_status can never give it there); the usual scale keeps it."""
    from core.booklet.wording import status_legend
    from core.catalog.definitions import Employer, Requirement
    from core.judging.fit import can_progress

    asked = Requirement(competency="fibre.c.souder", min_level="valide")
    hiring = Employer(
        id="e.titre", name="Titre SA", territories=("territoire.lyon",), requirements=(asked,)
    )
    assert not can_progress(asked, PASS_FAIL, RULE)
    assert "en progression" not in status_legend(titre, [hiring])
    assert "pas encore" in status_legend(titre, [hiring])
    usual = list(catalog.employers.values())
    assert "en progression" in status_legend(catalog.sectors["fibre"], usual)


def test_colours_follow_what_a_level_means_not_where_it_sits():
    from core.catalog.definitions import DEFAULT_SCALE

    # The usual scale keeps its colours: grey, red, amber, light green, green.
    assert [DEFAULT_SCALE.tone(code) for code in DEFAULT_SCALE.codes] == [0, 1, 2, 3, 4]
    # Pass/fail: « Validé » (the top, at position 2) is green, « Non validé » red, never
    # amber (position 2 of the usual scale: « En cours »).
    assert [PASS_FAIL.tone(code) for code in PASS_FAIL.codes] == [0, 1, 3]
    six = LevelScale(
        id="test.scale.six",
        name="Six niveaux",
        levels=tuple(Level(code=f"n{i}", label=f"N{i}") for i in range(6)),
        pass_mark="n2",
    )
    assert [six.tone(code) for code in six.codes] == [0, 1, 3, 4, 4, 4]


def test_the_booklet_and_the_export_colour_a_pass_fail_scale_by_meaning(titre):
    from core.booklet.data import _grid

    splice = "fibre.g.soudure_fusion"
    days = (2, 3, 4)
    facts = [AttemptFact(splice, dt.date(2026, 2, d), True, Autonomy.AUTONOME, "N") for d in days]
    lines = {
        line.name: line
        for block in _grid(titre, derive_record(titre, info(), facts))
        for line in block.lines
    }
    validated = next(line for line in lines.values() if line.level == "Validé")
    assert (validated.rank, validated.tone) == (2, 3)  # position 2, coloured as acquired
