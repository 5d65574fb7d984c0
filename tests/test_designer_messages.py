"""A designer's mistakes, one at a time in the tiny plugin's YAML: every message is French,
points at the line of the key at fault (counted from 1), and says how to fix it (the nearest
valid word, the valid values, or what to write) — the default named when the value came
from one."""

from __future__ import annotations

import re

import pytest

from tests.conftest import edit, problems_of

ENGLISH = re.compile(r"\b(must|needs?|is not|cannot|should|Input|Value error|repeated)\b")

PASS_FAIL = """  weeks: 12
  scale:
    id: tiny.scale.titre
    name: Titre
    pass_mark: {pass_mark}
    levels:
      - {{code: non_evalue, label: Non évalué}}
      - {{code: non_valide, label: Non validé}}
      - {{code: valide, label: Validé}}
  rule:
    observed_floor: non_valide
    conditions:
      - {{level: {level}, min_successes: 2, min_days: {days}}}
"""


def _pass_fail(pass_mark="valide", level="valide", days=2):
    return PASS_FAIL.format(pass_mark=pass_mark, level=level, days=days)


def _second_line(path, needle):
    lines = [n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return lines[1]


# (what is broken, how: [(file, old, new)], what the message says, the line's text
# (its last occurrence), the fix suggested)
MISTAKES = [
    (
        "pass_mark not a level",
        [("sector.yaml", "  weeks: 12\n", _pass_fail(pass_mark="validee"))],
        "pass_mark « validee » n'est pas un niveau de l'échelle",
        "pass_mark: validee",
        "vouliez-vous dire « valide » ?",
    ),
    (
        "a step key twice",
        [("sector.yaml", "      - key: percer", "      - key: marquer")],
        "clé d'étape « marquer » répétée (déjà n° 1 de la liste)",
        "key: marquer",
        "renommez l'une des deux",
    ),
    (
        "a rule level unknown, nothing near",
        [
            ("sector.yaml", "  weeks: 12\n", _pass_fail(level="expert")),
            ("employers.yaml", "min_level: acquis", "min_level: valide"),
            ("employers.yaml", "min_level: en_cours", "min_level: valide"),
        ],
        "le niveau « expert » n'est pas dans l'échelle",
        "level: expert",
        "valeurs possibles : « non_evalue », « non_valide », « valide »",
    ),
    (
        "an employer's level with an accent",
        [("employers.yaml", "min_level: en_cours", "min_level: validé")],
        "« validé » n'est pas une clé valide",
        "min_level: validé",
        "écrivez « valide »",
    ),
    (
        "min_level left out, its default not in the scale",
        [
            ("sector.yaml", "  weeks: 12\n", _pass_fail()),
            ("employers.yaml", "min_level: acquis, ", ""),
            ("employers.yaml", "min_level: en_cours", "min_level: valide"),
        ],
        "min_level absent : sa valeur par défaut, « acquis », n'est pas dans l'échelle",
        "competency: tiny.c.visser",
        "niveaux : « non_evalue », « non_valide », « valide »",
    ),
    (
        "more days than successes",
        [("sector.yaml", "  weeks: 12\n", _pass_fail(days=3))],
        "min_days (3) ne peut pas dépasser min_successes (2)",
        "min_successes: 2, min_days: 3",
        None,
    ),
    (
        "a threshold upside down",
        [("sector.yaml", "threshold: {min: 4, max: 6}", "threshold: {min: 6, max: 4}")],
        "min (6) est au-dessus de max (4)",
        "threshold: {min: 6, max: 4}",
        "inversez-les",
    ),
]


@pytest.mark.parametrize(
    ("broken", "edits", "said", "line_text", "fix"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_a_designers_mistake_is_said_in_french_at_its_line_with_a_fix(
    load_tiny, tiny_copy, broken, edits, said, line_text, fix
):
    for file, old, new in edits:
        edit(tiny_copy / file, old, new)
    problems = problems_of(load_tiny)
    found = [p for p in problems if said in p]
    assert found, (broken, problems)
    [problem] = found
    assert not ENGLISH.search(problem), problem
    file = next(f for f, *_ in edits if line_text.split(":")[0] in (tiny_copy / f).read_text())
    lines = [
        n
        for n, text in enumerate((tiny_copy / file).read_text().splitlines(), 1)
        if line_text in text
    ]
    assert f"{tiny_copy / file}:{lines[-1]}:" in problem, (problem, lines)
    if fix:
        assert fix in problem


def test_an_evaluators_missing_parameter_is_said_with_what_to_write():
    from core.catalog.definitions import Evaluation
    from core.judging.evaluation import Evaluator

    evaluator = Evaluator(id="cvc.delta_t", score=lambda *a: None, needs_params=("dp_after_max",))
    evaluation = Evaluation.model_validate(
        {
            "id": "cvc.e.filtres",
            "name": "Filtres",
            "competencies": ["cvc.c.filtres"],
            "evaluator": "cvc.delta_t",
            "criteria": [{"key": "propre", "label": "Propre"}],
        }
    )
    [(path, message)] = evaluator.check(evaluation)
    assert path == ("params",)
    assert message == (
        "le correcteur cvc.delta_t demande le paramètre « dp_after_max » : ajoutez "
        "« dp_after_max: <valeur> » sous params"
    )
