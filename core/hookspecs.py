"""The hooks a Gestes plugin can implement.

A plugin is a module (or object) with functions decorated by ``core.hookimpl`` and registered
under the ``gestes`` entry-point group. Implementations may take fewer arguments than the
spec names. Every collection hook returns a list; results from all plugins are concatenated.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pluggy import HookimplMarker, HookspecMarker

if TYPE_CHECKING:
    from typer import Typer

    from core.booklet.sections import BookletSection
    from core.catalog.catalog import Catalog
    from core.catalog.definitions import Employer, EmployerDocument, Sector
    from core.catalog.sources import Problem
    from core.judging.evaluation import Evaluator
    from core.plugin_api import OpenGestes
    from core.units import Unit

hookspec = HookspecMarker("gestes")
hookimpl = HookimplMarker("gestes")


# ---------------------------------------------------------------- definitions


@hookspec
def gestes_sectors() -> list[Path | Sector]:  # type: ignore[empty-body]
    """Sectors (filières) this plugin contributes.

    Called once by ``core.catalog.loading.load_catalog`` when the catalog is built (at start-up
    of the CLI, the web app and the tests), before any other definition hook.

    :returns: a list whose items are either a ``Path`` to a sector YAML file or to a folder of
        YAML files merged into one sector (the usual case: the core reads it, and every problem
        names the file and line), or a ready ``core.catalog.definitions.Sector`` built in Python.

    Example::

        from pathlib import Path
        from core.plugin_api import hookimpl


        @hookimpl
        def gestes_sectors():
            return [Path(__file__).parent / "sector"]
    """


@hookspec
def gestes_evaluators() -> list[Evaluator]:  # type: ignore[empty-body]
    """Named evaluators that score practical evaluations.

    Called once by ``core.catalog.loading.load_catalog``. An evaluation names its evaluator by id
    (``evaluator: fibre.splice_series``); the catalog refuses an evaluation whose evaluator
    nobody registered, and one that lacks the measurements, criteria or parameters the
    evaluator declares it needs. The core's built-ins (``core.checklist``,
    ``core.thresholds``, ``core.standard``) come from an ordinary implementation of this
    hook, so reusing one of their ids is a duplicate-id error like any other.

    :returns: a list of ``core.judging.evaluation.Evaluator``; ``score`` must be a pure function
        ``(Evaluation, Submission) -> EvaluationScore``.

    Example::

        from core.plugin_api import (
            EvaluationScore, Evaluator, Threshold, criteria_checks, value_check
        )


        def score_splices(evaluation, submission):
            limit = float(evaluation.params["max_loss_db"])
            measurement = evaluation.measurement("pertes_db")
            checks = criteria_checks(evaluation, submission) + [
                value_check(measurement, loss, Threshold(max=limit), label=f"Soudure n° {n}")
                for n, loss in enumerate(submission.values("pertes_db"), start=1)
            ]
            return EvaluationScore.from_checks(evaluation, "fibre.splice_series", checks)


        @hookimpl
        def gestes_evaluators():
            return [
                Evaluator(
                    "fibre.splice_series",
                    score_splices,
                    "Chaque soudure ≤ max_loss_db",
                    needs_measurements=("pertes_db",),
                    needs_params=("max_loss_db",),
                )
            ]
    """


@hookspec
def gestes_employers() -> list[Path | Employer | EmployerDocument]:  # type: ignore[empty-body]
    """Territories, employers and their requirements.

    Called once by ``core.catalog.loading.load_catalog``, after ``gestes_sectors``. A
    requirement may name a competency of any sector, and an employer may hire in several
    territories; the catalog checks every reference once all plugins have answered. The core
    contributes the seed territories (Marseille, Hauts-de-France, Lyon, Île-de-France, Bordeaux).

    :returns: a list whose items are a ``Path`` to a YAML file (or folder) with top-level
        ``territories:`` and/or ``employers:`` lists, a ``core.catalog.definitions.Employer`` or a
        ``core.catalog.definitions.EmployerDocument``.

    Example::

        @hookimpl
        def gestes_employers():
            return [Path(__file__).parent / "employers.yaml"]
    """


# ---------------------------------------------------------------- checks


@hookspec
def gestes_units() -> list[Unit]:  # type: ignore[empty-body]
    """Units of measurement a sector's measurements are written in, beyond the core's
    (``core.units.CORE_UNITS``: m, s, min, °C, K, °F, Pa, kPa, bar, V, A, W, Ω, dB, %…).

    Called once by ``core.catalog.loading.load_catalog``. A measurement whose unit neither
    the core nor a plugin declares is refused, with the nearest known one. On the training
    floor a value typed with another unit of the same dimension is converted (« 0,2 kPa » for
    a measurement in Pa), so give ``dimension`` one of the core's (« pression ») to share its
    units, and ``factor``/``offset`` to the dimension's base unit.

    :returns: a list of ``core.plugin_api.Unit``.

    Example::

        from core.plugin_api import Unit


        @hookimpl
        def gestes_units():
            return [Unit("m³/h", "débit", factor=1 / 3600, minimum=0, aliases=("m3/h",))]
    """


@hookspec
def gestes_validate(catalog: Catalog) -> list[Problem | str]:  # type: ignore[empty-body]
    """Problems a plugin wants to report about the whole, already cross-checked catalog.

    Called once by ``core.catalog.loading.load_catalog`` after the core's own checks passed, so
    every reference in ``catalog`` resolves. Use it for house rules the data model cannot express
    (``every fibre gesture must involve a PPE step``). A returned ``Problem`` with severity
    ``"error"`` stops the catalog from loading; ``"warning"`` is only reported by
    ``gestes validate``. A plain string is an error without a location.

    :param catalog: the complete ``core.catalog.catalog.Catalog``.
    :returns: a list of problems, empty when all is well.

    Example::

        from core.plugin_api import Problem


        @hookimpl
        def gestes_validate(catalog):
            return [
                Problem(
                    f"unknown connector grade {e.params.get('grade')!r}",
                    catalog.locate(e.id, "params", "grade"),
                )
                for s in catalog.sectors.values()
                for e in s.evaluations
                if e.evaluator == "fibre.connector_losses"
                and e.params.get("grade") not in {"B1", "C1"}
            ]
    """


# ---------------------------------------------------------------- outputs


@hookspec
def gestes_booklet_sections(record: Any, employer: Employer | None) -> list[BookletSection]:  # type: ignore[empty-body]
    """Extra sections for a trainee's skill booklet (livret de compétences).

    Called by ``core.booklet.data.build_booklet`` each time a booklet is built, once per booklet,
    after the core sections are assembled. Sections are placed after the practical evaluations, in
    ``order`` then plugin order. Return an empty list for trainees of other sectors.

    :param record: the trainee's ``TraineeRecord`` as a booklet may print it — ``trainee``
        (``TraineeInfo``: names, cohort, school, territory, sector, dates), ``levels``
        (competency id → ``CompetencyLevel``: ``level`` code, ``attempts``, ``successes``,
        ``autonomous_successes``, ``success_days``, ``autonomous_days``, ``last_day``,
        ``assessors``, ``decision`` without its justification), ``gestures`` (gesture id →
        ``GestureProgress``), ``evaluations`` (evaluation id → its latest
        ``EvaluationResult``: ``day``, ``passed``, ``score``,
        ``summary``, ``checks``), ``modules`` and ``phases`` (progress, 0..1). Trainers'
        comments, the exit and decisions' justifications are left out: they never reach a
        booklet.
        Write numbers with ``core.plugin_api.quantity`` / ``decimal`` (``0,04 dB``).
    :param employer: the employer the booklet is written for, or ``None`` for a territory or a
        general booklet.
    :returns: a list of ``core.booklet.sections.BookletSection``.

    Example::

        from core.plugin_api import BookletSection, SectionRow, quantity


        @hookimpl
        def gestes_booklet_sections(record, employer):
            return [
                BookletSection(
                    title="Pertes d'épissure",
                    columns=("Soudure", "Perte", "Seuil"),
                    rows=(SectionRow(cells=("1", quantity(0.04, "dB"), "≤ 0,2 dB"), ok=True),),
                )
            ]
    """


@hookspec
def gestes_appraisal_criteria(sector: str) -> list[tuple[str, str]]:  # type: ignore[empty-body]
    """Workplace behaviours a host company's tutor appraises at the end of an immersion, for
    trainees of ``sector``, beyond the core's own (punctuality, safety, teamwork, client
    contact: ``core.immersion.placements.DEFAULT_CRITERIA``).

    Called each time an appraisal form or a booklet is built. Return an empty list for other
    sectors. A key already used (by the core or another plugin) is ignored: the first wins.

    :param sector: the sector id of the trainee's cohort (``fibre``).
    :returns: a list of ``(key, label)``: ``key`` lower-case letters, digits and ``_`` (at
        most 40), ``label`` the French words the tutor reads.

    Example::

        @hookimpl
        def gestes_appraisal_criteria(sector):
            if sector != "fibre":
                return []
            return [("hauteur", "Travail en hauteur et en chambre, en sécurité")]
    """


# ---------------------------------------------------------------- command line


@hookspec
def gestes_commands(cli: Typer, open_gestes: OpenGestes) -> None:
    """Add commands to the ``gestes`` command line (as ``llm``'s ``register_commands`` does).

    Called once when the command line is built, before it parses its arguments. The web
    package adds ``gestes serve`` this way, so the core never imports the web app.

    :param cli: the ``typer.Typer`` application; add commands with ``@cli.command()``.
    :param open_gestes: ``open_gestes(migrate=False)`` gives the application context
        (``core.context.Gestes``: catalog, plugin manager, settings, store) built from the
        same plugin manager, or prints what is wrong and exits; call it inside a command.
    :returns: nothing; the commands are added to ``cli``.

    A sector plugin implements it like any other hook (registered under the ``gestes``
    entry-point group); a module that only adds commands registers under
    ``gestes.commands``. The command line registers every plugin to build itself, so keep
    a plugin's top-level imports light (``hookimpl`` only) and import what a command or a
    hook needs inside it: ``gestes --help`` stays fast (``bench/catalog.py``). Type the
    opener with ``core.plugin_api.OpenGestes``.

    Example::

        import typer
        from core.plugin_api import hookimpl


        @hookimpl
        def gestes_commands(cli, open_gestes):
            @cli.command("electricite-stats")
            def stats() -> None:
                # Trainees per cohort of the electricite sector.
                gestes = open_gestes()
                for cohort, school in gestes.store.lookup.cohorts():
                    if cohort.sector == "electricite":
                        typer.echo(f"{cohort.name} ({school.name})")
    """
