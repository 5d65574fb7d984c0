"""The ``gestes`` command line.

Imports stay inside commands so that ``gestes --help`` starts fast and never loads the web
stack or WeasyPrint.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from core.cli.common import CATALOG_EXIT, Opener, table


def build_cli() -> typer.Typer:
    """A fresh Typer app with the core's commands and those every plugin adds through the
    ``gestes_commands`` hook (a sector plugin's, the web package's ``serve``), from the one
    plugin manager the whole run uses. Tests build their own."""
    from core.plugins import PluginLoadError, get_plugin_manager

    try:
        plugins = get_plugin_manager(commands=True)
        opener = Opener(plugins)
    except PluginLoadError:  # said by the first command that needs the catalog
        plugins = get_plugin_manager(load_entrypoints=False, commands=True)
        opener = Opener()
    app = typer.Typer(
        name="gestes",
        help="Gestes: author and assess hands-on vocational training.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        # Plain Click help: rich formatting costs ~190 ms of imports on every `gestes --help`.
        rich_markup_mode=None,
    )

    _catalog_commands(app, opener)
    _authoring_commands(app, opener)
    from core.cli.store import add_store_commands

    add_store_commands(app, opener)
    from core.cli.setup import add_setup_commands

    add_setup_commands(app, opener)
    from core.cli.immersion import add_immersion_commands

    add_immersion_commands(app, opener)
    from core.cli.attendance import add_attendance_commands

    add_attendance_commands(app, opener)
    from core.cli import followup

    followup.add_followup_commands(app, opener)
    followup.add_positioning_commands(app, opener)
    followup.add_qualiopi_commands(app, opener)
    followup.add_opinion_commands(app, opener)
    followup.add_register_commands(app, opener)
    from core.cli.partners import add_candidate_commands, add_partner_commands

    add_partner_commands(app, opener)
    add_candidate_commands(app, opener)
    plugins.hook.gestes_commands(cli=app, open_gestes=opener.gestes)
    return app


def _catalog_commands(app: typer.Typer, opener: Opener) -> None:
    """What the installed plugins define: list, validate, export."""

    @app.command("plugins")
    def plugins_command() -> None:
        """List every plugin, its version and what it contributes."""
        catalog = opener.catalog()
        columns = (
            "sector",
            "block",
            "competency",
            "gesture",
            "evaluation",
            "module",
            "employer",
            "territory",
            "evaluator",
        )
        plural = {"competency": "competencies", "territory": "territories"}
        header = ("plugin", "version", *[plural.get(c, c + "s") for c in columns])
        rows = [(p.name, p.version, *[str(p.counts[c]) for c in columns]) for p in catalog.plugins]
        typer.echo(table(header, rows))

    @app.command("validate")
    def validate_command() -> None:
        """Load and check every plugin; list every problem, exit 1 if any is an error."""
        from core.plugins import private_imports

        definitions = opener.definitions()
        catalog = definitions.catalog
        for warning in catalog.warnings:
            typer.echo(f"warning: {warning}", err=True)
        for said in private_imports(definitions.plugins):
            typer.echo(f"warning: {said}", err=True)
        sectors = len(catalog.sectors)
        competencies = len(catalog.ids("competency"))
        gestures = len(catalog.ids("gesture"))
        evaluations = len(catalog.ids("evaluation"))
        typer.echo(
            f"Catalog {catalog.version} is valid: {sectors} sectors, {competencies} competencies, "
            f"{gestures} gestures, {evaluations} evaluations, {len(catalog.employers)} employers "
            f"in {len(catalog.territories)} territories ({len(catalog.warnings)} warnings)."
        )

    @app.command("catalog")
    def catalog_command(
        output_format: Annotated[
            str, typer.Option("--format", "-f", help="Only json for now.")
        ] = "json",
    ) -> None:
        """Print the whole validated catalog (for tooling and checks)."""
        if output_format != "json":
            raise typer.BadParameter("only 'json' is supported", param_hint="--format")
        catalog = opener.catalog()
        json.dump(catalog.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")


def _authoring_commands(app: typer.Typer, opener: Opener) -> None:
    """For curriculum designers: read one definition, scaffold a plugin."""

    @app.command("schema")
    def schema_command(
        kind: Annotated[str, typer.Argument(help="sector or employers")] = "sector",
    ) -> None:
        """Print the JSON Schema of a plugin's YAML files (for editors' completion)."""
        from core.catalog.schema import KINDS, file_schema

        if kind not in KINDS:
            raise typer.BadParameter("sector or employers", param_hint="KIND")
        json.dump(file_schema(kind), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")

    @app.command("show")
    def show_command(
        definition_id: Annotated[str, typer.Argument(metavar="ID", help="A dotted id.")],
    ) -> None:
        """Show one definition (sector, competency, gesture, evaluation, employer...)."""
        from core.catalog.show import describe, suggest

        catalog = opener.catalog()
        if definition_id not in catalog:
            typer.echo(
                f"No definition with id '{definition_id}'.{suggest(catalog, definition_id)}",
                err=True,
            )
            raise typer.Exit(CATALOG_EXIT)
        typer.echo(describe(catalog, definition_id))

    @app.command("new-plugin")
    def new_plugin_command(
        name: Annotated[str, typer.Argument(help="Sector id: lower case, e.g. 'electricite'.")],
        path: Annotated[Path, typer.Option("--path", help="Folder to create.")],
    ) -> None:
        """Scaffold an external sector plugin package, ready for `pip install -e`."""
        from core.catalog.scaffold import ScaffoldError, scaffold_plugin

        try:
            created = scaffold_plugin(name, path)
        except ScaffoldError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None
        for file in created:
            typer.echo(f"created {file}")
        typer.echo(f"\nNext: ./dev pip install -e {path} && ./dev gestes validate")


def main() -> None:
    build_cli()()
