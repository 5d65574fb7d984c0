"""The ``gestes`` command line.

Imports stay inside commands so that ``gestes --help`` starts fast and never loads the web
stack or WeasyPrint.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from core.catalog import Catalog
    from core.records import Records

CATALOG_EXIT = 1


def build_cli() -> typer.Typer:
    """A fresh Typer app (tests build their own instead of reloading modules)."""
    app = typer.Typer(
        name="gestes",
        help="Gestes: author and assess hands-on vocational training.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        # Plain Click help: rich formatting costs ~190 ms of imports on every `gestes --help`.
        rich_markup_mode=None,
    )

    @app.command("plugins")
    def plugins_command() -> None:
        """List every plugin, its version and what it contributes."""
        catalog = _load_or_exit()
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
        typer.echo(_table(header, rows))

    @app.command("validate")
    def validate_command() -> None:
        """Load and check every plugin; list every problem, exit 1 if any is an error."""
        catalog = _load_or_exit()
        for warning in catalog.warnings:
            typer.echo(f"warning: {warning}", err=True)
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
        catalog = _load_or_exit()
        json.dump(catalog.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")

    @app.command("show")
    def show_command(
        definition_id: Annotated[str, typer.Argument(metavar="ID", help="A dotted id.")],
    ) -> None:
        """Show one definition (sector, competency, gesture, evaluation, employer...)."""
        from core.show import describe, suggest

        catalog = _load_or_exit()
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
        from core.scaffold import ScaffoldError, scaffold_plugin

        try:
            created = scaffold_plugin(name, path)
        except ScaffoldError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None
        for file in created:
            typer.echo(f"created {file}")
        typer.echo(f"\nNext: pip install -e {path} && gestes validate")

    _add_store_commands(app)
    return app


def _add_store_commands(app: typer.Typer) -> None:
    """Commands on the store: the database, the demo, imports, exports and RGPD."""
    db = typer.Typer(help="The database.", no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(db, name="db")
    import_app = typer.Typer(help="Import data.", no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(import_app, name="import")
    export_app = typer.Typer(help="Export data.", no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(export_app, name="export")
    trainee_app = typer.Typer(
        help="One trainee (RGPD).", no_args_is_help=True, rich_markup_mode=None
    )
    app.add_typer(trainee_app, name="trainee")

    @db.command("upgrade")
    def db_upgrade() -> None:
        """Create or migrate the database to the current schema."""
        from core.settings import Settings
        from core.store.engine import current_revision, make_engine, upgrade

        settings = Settings()
        engine = make_engine(settings.url)
        upgrade(engine)
        typer.echo(f"Database at revision {current_revision(engine)}: {_safe_url(settings.url)}")

    @app.command("serve")
    def serve_command(
        demo: Annotated[bool, typer.Option("--demo", help="Seed the demo store if empty.")] = False,
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port.")] = 8000,
    ) -> None:
        """Run the web app (uvicorn)."""
        import uvicorn

        from web import create_app

        records = _records_or_exit(migrate=True)
        if demo:
            _seed_if_empty(records)
        typer.echo(f"Gestes on http://{host}:{port}/ ({_safe_url(records.settings.url)})")
        uvicorn.run(
            create_app(records.settings, records), host=host, port=port, log_level="warning"
        )

    @app.command("booklet")
    def booklet_command(
        trainee: Annotated[int, typer.Option("--trainee", help="Trainee id.")],
        output: Annotated[Path, typer.Option("-o", "--output", help="PDF file to write.")],
        employer: Annotated[str | None, typer.Option(help="Employer id.")] = None,
        territory: Annotated[
            str | None, typer.Option(help="Territory id (default: the trainee's).")
        ] = None,
    ) -> None:
        """Write a trainee's skill booklet (PDF) for an employer or a whole territory."""
        from core.booklet import cached_pdf, verified_booklet
        from core.plugins import get_plugin_manager
        from core.records import RecordError

        if employer and territory:
            raise typer.BadParameter("give --employer or --territory, not both")
        records = _records_or_exit()
        try:
            data = verified_booklet(
                records.catalog,
                records.trainee_record(trainee),
                records.settings,
                employer=employer,
                territory=territory,
                pm=get_plugin_manager(),
            )
        except (RecordError, KeyError) as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
        output.write_bytes(cached_pdf(data, records.settings.data_dir / "booklets"))
        fits = ", ".join(f"{e.name} {e.percent} %" for e in data.employers) or "no employer"
        typer.echo(f"Wrote {output}: {data.trainee}, for {data.reader} ({fits}).")

    @app.command("booklets")
    def booklets_command(
        cohort: Annotated[int, typer.Option("--cohort", help="Cohort id.")],
        output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write.")],
        workers: Annotated[int, typer.Option(help="Processes (default: one per core).")] = 0,
    ) -> None:
        """Write every booklet of a cohort (territory booklets), in parallel."""
        from core.booklet import booklet_filename, render_many, verified_booklet
        from core.plugins import get_plugin_manager
        from core.records import RecordError

        records = _records_or_exit()
        pm = get_plugin_manager()
        try:
            cohort_records = records.cohort_records(cohort)
        except RecordError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
        output.mkdir(parents=True, exist_ok=True)
        jobs = []
        for record in cohort_records:
            info = record.trainee
            target = output / booklet_filename(info.id, info.full_name)
            jobs.append(
                (verified_booklet(records.catalog, record, records.settings, pm=pm), target)
            )

        def progress(done: int, total: int) -> None:
            bar = "#" * (30 * done // total)
            typer.echo(f"\r[{bar:<30}] {done}/{total}", nl=done == total, err=True)

        written = render_many(
            jobs,
            workers=workers or None,
            progress=progress,
            cache_dir=records.settings.data_dir / "booklets",
        )
        typer.echo(f"Wrote {len(written)} booklets to {output}.")

    @app.command("demo")
    def demo_command() -> None:
        """Seed a realistic demo store (if empty) and print the logins."""

        _seed_if_empty(_records_or_exit(migrate=True))

    @import_app.command("trainees")
    def import_trainees(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv or .xlsx")],
        cohort: Annotated[int, typer.Option("--cohort", help="Cohort id.")],
    ) -> None:
        """Add the trainees of a CSV or XLSX file to a cohort: all of them, or none."""
        from core.records import RecordError
        from core.tabular import TableImportError, parse_trainees, read_rows

        records = _records_or_exit()
        from core.directory import Directory

        try:
            trainees = parse_trainees(read_rows(file.name, file.read_bytes()))
            ids = Directory(records).add_trainees(cohort, trainees)
        except TableImportError as error:
            for problem in error.problems:
                typer.echo(f"error: {problem}", err=True)
            typer.echo("Nothing imported.", err=True)
            raise typer.Exit(1) from None
        except RecordError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"{len(ids)} trainees added to cohort {cohort}.")

    @export_app.command("grid")
    def export_grid(
        cohort: Annotated[int, typer.Option("--cohort", help="Cohort id.")],
        output_format: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="File to write.")
        ] = None,
    ) -> None:
        """The cohort grid (trainees × competencies, level labels)."""
        from core.records import RecordError
        from core.tabular import grid_table, write_csv, write_xlsx

        if output_format not in {"csv", "xlsx"}:
            raise typer.BadParameter("csv or xlsx", param_hint="--format")
        records = _records_or_exit()
        try:
            grid = records.cohort_grid(cohort)
        except RecordError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
        if output_format == "csv":
            data = write_csv(grid_table(grid, records.catalog))
        else:
            data = write_xlsx(grid, records.catalog)
        if output is None:
            if output_format == "xlsx":
                raise typer.BadParameter("xlsx needs -o FILE", param_hint="--output")
            sys.stdout.write(data.decode("utf-8-sig"))
        else:
            output.write_bytes(data)
            typer.echo(f"Wrote {output} ({len(grid.rows)} trainees).")

    @trainee_app.command("export")
    def trainee_export(trainee: Annotated[int, typer.Argument(help="Trainee id.")]) -> None:
        """Everything about a trainee, as JSON (RGPD right of access)."""
        from core.records import RecordError
        from core.rgpd import export_trainee

        try:
            data = export_trainee(_records_or_exit(), trainee)
        except RecordError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")

    @trainee_app.command("erase")
    def trainee_erase(
        trainee: Annotated[int, typer.Argument(help="Trainee id.")],
        yes: Annotated[bool, typer.Option("--yes", help="Confirm the erasure.")] = False,
    ) -> None:
        """Erase a trainee's personal data (RGPD); statistics stay right."""
        from core.records import RecordError
        from core.rgpd import erase_trainee

        if not yes:
            typer.echo("Erasure cannot be undone: add --yes to confirm.", err=True)
            raise typer.Exit(2)
        try:
            files = erase_trainee(_records_or_exit(), trainee)
        except RecordError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"Trainee {trainee} erased ({files} evidence files deleted).")


def _seed_if_empty(records: Records) -> None:
    """Seed the demo into an empty store and print the logins (they stay valid afterwards)."""
    from sqlalchemy import func, select

    from core.demo import ADMIN_PASSWORD, PASSWORD, seed_demo
    from core.store import tables as t

    with records._read() as session:
        schools = session.scalar(select(func.count()).select_from(t.School)) or 0
    if schools:
        typer.echo("The store already holds data: nothing seeded.")
        typer.echo(
            f"Demo logins, if this is the demo store: admin@gestes.demo / {ADMIN_PASSWORD}, "
            f"formateur.marseille@gestes.demo / {PASSWORD}"
        )
        return
    logins = seed_demo(records)
    typer.echo("Demo seeded. Logins:")
    for login in logins:
        typer.echo(f"  {login.email:<34} {login.password:<20} {login.role:<12} {login.scope}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _records_or_exit(*, migrate: bool = False) -> Records:
    from core.records import RecordError, open_records

    catalog = _load_or_exit()
    try:
        return open_records(catalog=catalog, migrate=migrate)
    except RecordError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


def _load_or_exit() -> Catalog:
    """The catalog, or every problem printed to stderr and exit 1."""
    from core.loading import CatalogError, load_catalog
    from core.plugins import PluginLoadError

    try:
        return load_catalog()
    except PluginLoadError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(CATALOG_EXIT) from None
    except CatalogError as error:
        for problem in error.problems:
            typer.echo(f"error: {problem}", err=True)
        for warning in error.warnings:
            typer.echo(f"warning: {warning}", err=True)
        typer.echo(f"{len(error.problems)} error(s): the catalog was not loaded.", err=True)
        raise typer.Exit(CATALOG_EXIT) from None


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    return "\n".join(lines)


def main() -> None:
    build_cli()()
