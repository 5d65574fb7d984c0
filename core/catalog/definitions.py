"""Definitions: what is taught and how it is judged.

Every model is a frozen pydantic model loaded from a plugin's YAML. Every definition carries a
stable dotted id (``fibre.splice.fusion``) that observations refer to for years, so ids are
data, never derived from titles. Text meant for people (names, descriptions) is in French.
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from core.catalog.base import (  # re-exported: plugins and core import them from here
    ID_PATTERN as ID_PATTERN,
)
from core.catalog.base import KEY_PATTERN as KEY_PATTERN
from core.catalog.base import Definition as Definition
from core.catalog.base import DottedId as DottedId
from core.catalog.base import Frozen as Frozen
from core.catalog.base import Key as Key
from core.catalog.base import Text as Text
from core.catalog.hints import At, one_of, require_unique
from core.catalog.positioning import Positioning
from core.french import decimal

# ---------------------------------------------------------------- references and scales


class References(Definition):
    """Alignments to public frameworks; stored only where the real code is known."""

    rome: tuple[Annotated[str, StringConstraints(pattern=r"^[A-N]\d{4}$")], ...] = ()
    rncp: tuple[Annotated[str, StringConstraints(pattern=r"^RNCP\d{4,6}$")], ...] = ()
    esco: tuple[
        Annotated[str, StringConstraints(pattern=r"^http://data\.europa\.eu/esco/skill/[\w-]+$")],
        ...,
    ] = ()
    note: Text | None = None


class Level(Definition):
    code: Key
    label: Text
    # An acquired level counts as "met" for an employer's requirement at or below it.
    description: Text | None = None


class LevelScale(Definition):
    """Ordered levels, lowest first. The first level is "not yet observed".

    ``pass_mark`` is the level from which a competency counts as acquired (validated, passed):
    Open Badges are issued, gestures listed as mastered and modules counted done only there
    and above. Unset, it is « acquis » where the scale has it, else the highest level: a scale
    that does not say never has a competency claimed below its top.
    """

    id: DottedId
    name: Text
    levels: tuple[Level, ...] = Field(min_length=2)
    pass_mark: Key | None = None

    @model_validator(mode="after")
    def _unique_codes(self) -> LevelScale:
        codes = [level.code for level in self.levels]
        require_unique("levels", "code", "code de niveau", codes)
        mark, where = self.pass_mark, ("pass_mark",)
        if mark is not None and mark not in codes:
            said = f"pass_mark « {mark} » n'est pas un niveau de l'échelle"
            raise At(where, said, one_of(mark, codes))
        if mark == codes[0]:
            said = f"pass_mark ne peut pas être le premier niveau (« {mark} » : pas encore observé)"
            raise At(where, said, "choisissez un niveau au-dessus : " + ", ".join(codes[1:]))
        return self

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(level.code for level in self.levels)

    def rank(self, code: str) -> int:
        """Position of a level in the scale (0 = lowest); ValueError if unknown."""
        return self.codes.index(code)

    def label(self, code: str) -> str:
        return self.levels[self.rank(code)].label

    def tone(self, code: str) -> int:
        """What a level means, for its colour (web, booklet, XLSX), whatever its position:
        0 not observed yet (the first level), 1 not acquired, 2 on its way (the level just
        under the pass mark, when another lies below it), 3 acquired (the pass mark), 4 beyond.
        A pass/fail scale's « validé » is green and « non validé » red, never amber."""
        rank, passed = self.rank(code), self.acquired_rank
        if rank == 0:
            return 0
        if rank >= passed:
            return 3 if rank == passed else 4
        return 2 if rank == passed - 1 and rank > 1 else 1

    @property
    def acquired_rank(self) -> int:
        """The rank from which a competency counts as acquired: the scale's ``pass_mark``,
        else « acquis » where the scale has it, else its top level (the one place this is
        decided; never below what the scale says)."""
        if self.pass_mark is not None:
            return self.rank(self.pass_mark)
        return self.rank("acquis") if "acquis" in self.codes else len(self.codes) - 1


DEFAULT_SCALE = LevelScale(
    id="core.scale.standard",
    name="Échelle usuelle des organismes de formation",
    levels=(
        Level(code="non_evalue", label="Non évalué"),
        Level(code="non_acquis", label="Non acquis"),
        Level(code="en_cours", label="En cours d'acquisition"),
        Level(code="acquis", label="Acquis"),
        Level(code="maitrise", label="Maîtrisé"),
    ),
)


class Autonomy(enum.IntEnum):
    """Second axis recorded on each attempt: how much help the trainee needed."""

    AVEC_AIDE = 1
    SOUS_CONTROLE = 2
    AUTONOME = 3
    TRANSMET = 4

    @property
    def label(self) -> str:
        return _AUTONOMY_LABELS[self]

    @classmethod
    def from_key(cls, key: str) -> Autonomy:
        return cls[key.upper()]


_AUTONOMY_LABELS = {
    Autonomy.AVEC_AIDE: "Avec aide",
    Autonomy.SOUS_CONTROLE: "Sous contrôle",
    Autonomy.AUTONOME: "En autonomie",
    Autonomy.TRANSMET: "Transmet",
}
AutonomyKey = Literal["avec_aide", "sous_controle", "autonome", "transmet"]


# ---------------------------------------------------------------- competencies


class Competency(Definition):
    id: DottedId
    name: Text
    description: Text | None = None
    references: References = References()


class CompetencyBlock(Definition):
    """A group of competencies, like an RNCP block or a titre professionnel CCP."""

    id: DottedId
    name: Text
    references: References = References()
    competencies: tuple[Competency, ...] = Field(min_length=1)


# ---------------------------------------------------------------- gestures


class Step(Definition):
    """One checklist line of a gesture. ``critical`` steps fail the attempt when failed."""

    key: Key
    label: Text
    critical: bool = False
    why: Text | None = Field(
        default=None, description="Safety or quality reason, shown to trainees"
    )
    expected_seconds: int | None = Field(default=None, gt=0, le=8 * 3600)
    tools: tuple[Text, ...] = ()
    safety_gear: tuple[Text, ...] = ()


class PassRule(Definition):
    """When an attempt whose critical steps all passed counts as passed."""

    min_ratio: float = Field(default=1.0, gt=0, le=1, description="Share of steps passed")
    max_seconds: int | None = Field(default=None, gt=0, description="Time limit for the attempt")


class Gesture(Definition):
    """A professional gesture: an ordered checklist a trainer ticks beside the trainee."""

    id: DottedId
    name: Text
    description: Text | None = None
    competencies: tuple[DottedId, ...] = Field(min_length=1)
    steps: tuple[Step, ...] = Field(min_length=2, max_length=20)
    pass_rule: PassRule = PassRule()

    @model_validator(mode="after")
    def _unique_step_keys(self) -> Gesture:
        require_unique("steps", "key", "clé d'étape", [step.key for step in self.steps])
        return self

    @property
    def critical_steps(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.critical)


# ---------------------------------------------------------------- practical evaluations


class Threshold(Definition):
    """Pass bounds of a measurement (inclusive). ``min``/``max`` may be used alone."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Threshold:
        if self.min is None and self.max is None:
            raise ValueError("un seuil demande min, max ou les deux")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise At(
                ("min",),
                f"min ({decimal(self.min)}) est au-dessus de max ({decimal(self.max)})",
                "inversez-les",
            )
        return self

    def admits(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def describe(self, unit: str = "") -> str:
        suffix = f" {unit}" if unit else ""
        if self.min is not None and self.max is not None:
            return f"entre {_fmt(self.min)} et {_fmt(self.max)}{suffix}"
        if self.max is not None:
            return f"≤ {_fmt(self.max)}{suffix}"
        return f"≥ {_fmt(self.min)}{suffix}"


def _fmt(value: float | None) -> str:
    return decimal(value or 0)


class Measurement(Definition):
    """A typed value the assessor enters: ``count`` > 1 means a series (e.g. 12 splices)."""

    key: Key
    label: Text
    type: Literal["float", "int"] = "float"
    unit: Annotated[str, StringConstraints(max_length=12)] = ""
    # Physically possible range: a value outside is a typing mistake, not a failure.
    range: Threshold | None = None
    # Pass bounds used by the built-in thresholds evaluator; plugins may compute their own.
    threshold: Threshold | None = None
    count: int = Field(default=1, ge=1, le=200)
    help: Text | None = None
    # A typical correct value: the form's placeholder, and what the demo data is drawn around.
    example: float | None = None


class Criterion(Definition):
    """A yes/no observation in a practical evaluation; ``critical`` ones must be met."""

    key: Key
    label: Text
    critical: bool = False


class Evaluation(Definition):
    """A practical evaluation (épreuve pratique / mise en situation professionnelle)."""

    id: DottedId
    name: Text
    description: Text | None = None
    competencies: tuple[DottedId, ...] = Field(min_length=1)
    evaluator: DottedId = "core.standard"
    criteria: tuple[Criterion, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    min_ratio: float = Field(default=1.0, gt=0, le=1, description="Share of criteria to meet")
    # Evaluator-specific settings, checked by the evaluator itself (see Evaluator.check).
    params: dict[Key, float | int | str | bool] = Field(default_factory=dict)
    duration_minutes: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _has_content(self) -> Evaluation:
        if not self.criteria and not self.measurements:
            raise ValueError(
                "une épreuve demande des critères (criteria), des mesures (measurements) ou les "
                "deux"
            )
        require_unique("criteria", "key", "clé de critère", [c.key for c in self.criteria])
        require_unique("measurements", "key", "clé de mesure", [m.key for m in self.measurements])
        return self

    def measurement(self, key: str) -> Measurement:
        for measurement in self.measurements:
            if measurement.key == key:
                return measurement
        raise KeyError(key)


# ---------------------------------------------------------------- curriculum


class Phase(enum.StrEnum):
    REMISE_A_NIVEAU = "remise_a_niveau"
    GESTE = "geste"
    IMMERSION = "immersion"

    @property
    def label(self) -> str:
        return _PHASE_LABELS[self]


_PHASE_LABELS = {
    Phase.REMISE_A_NIVEAU: "Remise à niveau",
    Phase.GESTE: "Apprentissage du geste",
    Phase.IMMERSION: "Immersion en entreprise",
}


class Module(Definition):
    id: DottedId
    name: Text
    phase: Phase
    hours: int = Field(gt=0, le=1000)
    description: Text | None = None
    gestures: tuple[DottedId, ...] = ()
    evaluations: tuple[DottedId, ...] = ()
    competencies: tuple[DottedId, ...] = ()


class LevelCondition(Definition):
    """One rung of an aggregation rule: the evidence needed to reach ``level``."""

    level: Key
    min_successes: int = Field(default=1, ge=0, description="Successful gesture attempts")
    min_days: int = Field(default=1, ge=1, description="…on at least this many different days")
    min_autonomy: AutonomyKey = "avec_aide"
    evaluation_passed: bool = False

    @model_validator(mode="after")
    def _days_possible(self) -> LevelCondition:
        if self.min_successes and self.min_days > self.min_successes:
            raise At(
                ("min_days",),
                f"min_days ({self.min_days}) ne peut pas dépasser min_successes "
                f"({self.min_successes}) : il faut au moins une réussite par jour compté",
            )
        return self


class AggregationRule(Definition):
    """How observations turn into a competency level.

    Conditions are tried from the highest level down; the first one met gives the level.
    A competency with observations but no condition met sits at ``observed_floor``; one with no
    observation at all sits at the scale's first level.
    """

    conditions: tuple[LevelCondition, ...] = Field(min_length=1)
    observed_floor: Key = "non_acquis"


DEFAULT_RULE = AggregationRule(
    conditions=(
        LevelCondition(
            level="maitrise",
            min_successes=2,
            min_days=2,
            min_autonomy="autonome",
            evaluation_passed=True,
        ),
        LevelCondition(level="acquis", min_successes=2, min_days=2, min_autonomy="autonome"),
        LevelCondition(level="en_cours", min_successes=1),
    ),
)


class Curriculum(Definition):
    """A sector's program (parcours): modules in order with hours, versioned."""

    id: DottedId
    title: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d{4}\.\d+$")]
    weeks: int = Field(ge=4, le=52)
    hours_per_week: int = Field(default=35, ge=10, le=40)
    scale: LevelScale = DEFAULT_SCALE
    rule: AggregationRule = DEFAULT_RULE
    modules: tuple[Module, ...] = Field(min_length=1)
    references: References = References()
    # the diagnostic in the first days; unset, the first gesture of each block
    positioning: Positioning | None = None

    def hours_by_phase(self) -> dict[Phase, int]:
        hours = dict.fromkeys(Phase, 0)
        for module in self.modules:
            hours[module.phase] += module.hours
        return hours

    @property
    def total_hours(self) -> int:
        return sum(module.hours for module in self.modules)


class SectorInfo(Definition):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    name: Text
    description: Text | None = None
    references: References = References()


class Sector(Definition):
    """One plugin's trade (filière) with everything taught and judged in it."""

    sector: SectorInfo
    curriculum: Curriculum
    blocks: tuple[CompetencyBlock, ...] = Field(min_length=1)
    gestures: tuple[Gesture, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()

    @property
    def id(self) -> str:
        return self.sector.id

    @property
    def competencies(self) -> tuple[Competency, ...]:
        return tuple(c for block in self.blocks for c in block.competencies)


# ---------------------------------------------------------------- territories and employers


class Priority(enum.StrEnum):
    ESSENTIELLE = "essentielle"
    IMPORTANTE = "importante"
    APPRECIEE = "appreciee"

    @property
    def label(self) -> str:
        return {"essentielle": "Essentielle", "importante": "Importante"}.get(
            self.value, "Appréciée"
        )

    @property
    def rank(self) -> int:
        return list(Priority).index(self)


class Territory(Definition):
    id: DottedId
    name: Text
    region: Text
    cities: tuple[Text, ...] = ()


class Requirement(Definition):
    competency: DottedId
    min_level: Key = "acquis"
    priority: Priority = Priority.IMPORTANTE


class Employer(Definition):
    id: DottedId
    name: Text
    territories: tuple[DottedId, ...] = Field(min_length=1)
    description: Text | None = None
    requirements: tuple[Requirement, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_requirements(self) -> Employer:
        require_unique(
            "requirements",
            "competency",
            "compétence demandée",
            [r.competency for r in self.requirements],
        )
        return self


class EmployerDocument(Definition):
    """What a ``gestes_employers`` YAML file holds: territories and/or employers."""

    territories: tuple[Territory, ...] = ()
    employers: tuple[Employer, ...] = ()
