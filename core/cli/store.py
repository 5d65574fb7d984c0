"""``gestes`` commands on the store: the database, the demo, booklets, imports, exports and
RGPD. Each opens the application context through the command line's opener (one plugin
manager for the whole run) and calls the store's services; none touches SQL."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from core.cli.common import Opener, account_id, group, refused
from core.cli.corrections import trainee_corrections

if TYPE_CHECKING:
    from core.context import Gestes


def add_store_commands(app: typer.Typer, opener: Opener) -> None:
    """The database, the demo, booklets, imports, exports and RGPD."""
    _database_commands(app, opener)
    _booklet_commands(app, opener)
    _cohort_booklets_command(app, opener)
    _worker_command(app, opener)
    _data_commands(app, opener)
    _trainee_commands(app, opener)
    _verification_commands(app, opener)


def _database_commands(app: typer.Typer, opener: Opener) -> None:
    db = group(app, "db", "The database.")

    @db.command("upgrade")
    def db_upgrade() -> None:
        """Create or migrate the database to the current schema."""
        from core.settings import Settings
        from core.store import safe_url, upgrade_database

        settings = Settings()
        revision = refused(lambda: upgrade_database(settings))
        typer.echo(f"Database at revision {revision}: {safe_url(settings.url)}")

    @db.command("backup")
    def db_backup(
        target: Annotated[Path, typer.Argument(help="The copy to write.")],
    ) -> None:
        """A consistent copy of the running store: SQLite's online backup with the files
        that cannot be made again, or PostgreSQL's pg_dump (custom format)."""
        from core.settings import Settings
        from core.store import backup_database

        settings = Settings()
        size = refused(lambda: backup_database(settings, target))
        typer.echo(f"Backed up to {target} ({size // 1024} KiB).")
        if not settings.url.startswith("sqlite") and settings.file_store == "local":
            typer.echo(
                f"warning: the files (photos, proofs, keys) are in {settings.data_dir}, not in "
                "the dump: copy that directory beside it, or keep them in the database "
                "(GESTES_FILE_STORE=database).",
                err=True,
            )

    @db.command("restore")
    def db_restore(
        backup: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A backup.")],
        yes: Annotated[bool, typer.Option("--yes", help="Replace the store.")] = False,
    ) -> None:
        """Put a backup back in place of the store. SQLite: stop the server first.
        PostgreSQL: the other processes' connections are ended and they reconnect."""
        from core.settings import Settings
        from core.store import restore_database

        if not yes:
            typer.echo("Restoring replaces everything stored since: add --yes.", err=True)
            raise typer.Exit(2)
        ended = refused(lambda: restore_database(Settings(), backup))
        said = f" ({ended} connections of other processes ended: they reconnect)" if ended else ""
        typer.echo(f"Restored from {backup}{said}.")

    @app.command("demo")
    def demo_command() -> None:
        """Seed a realistic demo store (if empty) and print the logins."""
        seed_if_empty(opener.gestes(migrate=True))


PublicUrl = Annotated[
    str | None,
    typer.Option(
        "--public-url",
        help="Where employers open verification links (default: GESTES_PUBLIC_URL).",
    ),
]
AllowLocal = Annotated[
    bool,
    typer.Option(
        "--allow-local", help="Accept links to this machine (127.0.0.1): for a test only."
    ),
]


def _linked(gestes: Gestes, public_url: str | None, allow_local: bool) -> Gestes:
    """The context whose settings say where printed links point; a loopback address (no
    employer can open it) is refused unless asked for, and the address is always said."""
    import dataclasses
    import ipaddress
    from urllib.parse import urlsplit

    if public_url:
        settings = gestes.settings.model_copy(update={"public_url": public_url})
        gestes = dataclasses.replace(gestes, settings=settings)
    address = gestes.settings.address()
    host = urlsplit(address).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if loopback and not allow_local:
        typer.echo(
            f"error: the verification links and badges would point at {address}, which no "
            "employer can open: set GESTES_PUBLIC_URL or --public-url https://…, or add "
            "--allow-local for a test.",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"Verification links and badges point at {address}.", err=True)
    return gestes


def _booklet_commands(app: typer.Typer, opener: Opener) -> None:
    @app.command("booklet")
    def booklet_command(
        trainee: Annotated[int, typer.Option("--trainee", help="Trainee id.")],
        output: Annotated[Path, typer.Option("-o", "--output", help="PDF file to write.")],
        employer: Annotated[str | None, typer.Option(help="Employer id.")] = None,
        territory: Annotated[
            str | None, typer.Option(help="Territory id (default: the trainee's).")
        ] = None,
        public_url: PublicUrl = None,
        allow_local: AllowLocal = False,
    ) -> None:
        """Write a trainee's skill booklet (PDF) for an employer or a whole territory."""
        from core.booklet.handing import verified_booklet
        from core.booklet.printing import cached_pdf

        if employer and territory:
            raise typer.BadParameter("give --employer or --territory, not both")
        gestes = _linked(opener.gestes(), public_url, allow_local)
        data = refused(
            lambda: verified_booklet(
                gestes,
                gestes.store.records.trainee_record(trainee),
                employer=employer,
                territory=territory,
            )
        )
        booklets, identity = gestes.store.files.within("booklets"), gestes.trainee_identity(trainee)
        output.write_bytes(cached_pdf(data, booklets, identity))
        fits = ", ".join(f"{e.name} {e.met}/{e.total}" for e in data.employers) or "no employer"
        typer.echo(f"Wrote {output}: {data.trainee}, for {data.reader} ({fits}).")


def _cohort_booklets_command(app: typer.Typer, opener: Opener) -> None:
    @app.command("booklets")
    def booklets_command(
        cohort: Annotated[int, typer.Option("--cohort", help="Cohort id.")],
        output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write.")],
        workers: Annotated[int, typer.Option(help="Processes (default: one per core).")] = 0,
        public_url: PublicUrl = None,
        allow_local: AllowLocal = False,
    ) -> None:
        """Write every booklet of a cohort (territory booklets), in parallel."""
        from core.booklet.handing import verified_booklet
        from core.booklet.printing import booklet_filename, render_many

        gestes = _linked(opener.gestes(), public_url, allow_local)
        cohort_records = refused(lambda: gestes.store.records.cohort_records(cohort))
        output.mkdir(parents=True, exist_ok=True)
        jobs = [
            (
                verified_booklet(gestes, record),
                output / booklet_filename(record.trainee.id, record.trainee.full_name),
            )
            for record in cohort_records
        ]

        def progress(done: int, total: int) -> None:
            bar = "#" * (30 * done // total)
            typer.echo(f"\r[{bar:<30}] {done}/{total}", nl=done == total, err=True)

        written = render_many(
            jobs,
            workers=workers or None,
            progress=progress,
            # Printing processes share the cache when it is a directory; with the files in the
            # database each prints afresh (a connection does not cross a fork).
            cache_dir=(
                gestes.settings.data_dir / "booklets"
                if gestes.settings.file_store == "local"
                else None
            ),
            signing=gestes.cohort_identity(cohort),
        )
        typer.echo(f"Wrote {len(written)} booklets to {output}.")


def _worker_command(app: typer.Typer, opener: Opener) -> None:
    @app.command("worker")
    def worker_command(
        until_idle: Annotated[
            bool, typer.Option("--until-idle", help="Stop once the queue is empty.")
        ] = False,
    ) -> None:
        """Run queued long work (a cohort's booklets) from the PostgreSQL queue, on any
        machine that reaches the database (GESTES_JOBS=queue, GESTES_FILE_STORE=database)."""
        from core.booklet.jobs import work

        gestes = opener.gestes()
        typer.echo("Worker: running queued jobs (Ctrl+C stops after the job in hand).", err=True)
        refused(lambda: work(gestes, until_idle=until_idle))


def _data_commands(app: typer.Typer, opener: Opener) -> None:
    import_app = group(app, "import", "Import data.")
    export_app = group(app, "export", "Export data.")

    @import_app.command("trainees")
    def import_trainees(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv or .xlsx")],
        cohort: Annotated[int, typer.Option("--cohort", help="Cohort id.")],
        duplicates: Annotated[
            str,
            typer.Option(help="Trainees already in the school: refuse, skip, update or add."),
        ] = "refuse",
    ) -> None:
        """Add the trainees of a CSV or XLSX file to a cohort: all of them, or none; one
        already in the school is never added twice unless asked (--duplicates add)."""
        from core.tabular import TableImportError, parse_trainees, read_rows

        gestes = opener.gestes()
        try:
            trainees = parse_trainees(read_rows(file.name, file.read_bytes()))
        except TableImportError as error:
            for problem in error.problems:
                typer.echo(f"error: {problem}", err=True)
            typer.echo("Nothing imported.", err=True)
            raise typer.Exit(1) from None
        if duplicates not in ("refuse", "skip", "update", "add"):
            raise typer.BadParameter("refuse, skip, update or add", param_hint="--duplicates")
        policy: Any = duplicates
        ids = refused(lambda: gestes.store.directory.add_trainees(cohort, trainees, policy))
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
        from core.tabular import grid_table, write_csv, write_xlsx

        if output_format not in {"csv", "xlsx"}:
            raise typer.BadParameter("csv or xlsx", param_hint="--format")
        if output is None and output_format == "xlsx":
            raise typer.BadParameter("xlsx needs -o FILE", param_hint="--output")
        gestes = opener.gestes()
        grid = refused(lambda: gestes.store.records.cohort_grid(cohort))
        catalog = gestes.catalog_for(grid)  # the cohort's curriculum names its columns
        if output_format == "csv":
            data = write_csv(grid_table(grid, catalog))
        else:
            data = write_xlsx(grid, catalog)
        if output is None:
            sys.stdout.write(data.decode("utf-8-sig"))
        else:
            output.write_bytes(data)
            typer.echo(f"Wrote {output} ({len(grid.rows)} trainees).")


def _trainee_commands(app: typer.Typer, opener: Opener) -> None:
    trainee_app = group(app, "trainee", "One trainee: move, attempts left open, RGPD.")
    _attempt_commands(trainee_app, opener)
    trainee_corrections(trainee_app, opener)

    @trainee_app.command("export")
    def trainee_export(trainee: Annotated[int, typer.Argument(help="Trainee id.")]) -> None:
        """Everything about a trainee, as JSON (RGPD right of access)."""
        gestes = opener.gestes()
        data = refused(lambda: gestes.store.rgpd.export_trainee(trainee))
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")

    @trainee_app.command("move")
    def trainee_move(
        trainee: Annotated[int, typer.Argument(help="Trainee id.")],
        to: Annotated[int, typer.Option("--to", help="Cohort id, same sector.")],
    ) -> None:
        """Move a trainee to another cohort of the same sector; the history follows."""
        import datetime as dt

        gestes = opener.gestes()
        directory = gestes.store.directory
        refused(lambda: directory.move_trainee(trainee, to, dt.date.today(), None))
        typer.echo(f"Trainee {trainee} moved to cohort {to}.")

    @trainee_app.command("erase")
    def trainee_erase(
        trainee: Annotated[int, typer.Argument(help="Trainee id.")],
        yes: Annotated[bool, typer.Option("--yes", help="Confirm the erasure.")] = False,
    ) -> None:
        """Erase a trainee's personal data (RGPD); statistics stay right."""
        if not yes:
            typer.echo("Erasure cannot be undone: add --yes to confirm.", err=True)
            raise typer.Exit(2)
        gestes = opener.gestes()
        found = gestes.store.lookup.trainee(trainee)
        files = refused(lambda: gestes.store.rgpd.erase_trainee(trainee))
        typer.echo(f"Trainee {trainee} erased ({files} evidence files deleted).")
        years = gestes.settings.attendance_retention_years
        kept = gestes.store.attendance.kept_until(found[1].id, years) if found else None
        if kept is not None:
            typer.echo(
                f"Their attendance sheets are funding evidence: kept, under the pseudonym, "
                f"until {kept:%d/%m/%Y} (GESTES_ATTENDANCE_RETENTION_YEARS={years}); then "
                "`gestes attendance purge` deletes them."
            )


def _attempt_commands(trainee_app: typer.Typer, opener: Opener) -> None:
    @trainee_app.command("unfinished")
    def trainee_unfinished(trainee: Annotated[int, typer.Argument(help="Trainee id.")]) -> None:
        """The trainee's attempts tapped but never validated nor abandoned."""
        found = refused(lambda: opener.gestes().store.taps.unfinished(trainee))
        for u in found:
            typer.echo(f"{u.attempt_key}\t{u.gesture_id}\t{u.taps} taps\t{u.last:%Y-%m-%d %H:%M}")
        if not found:
            typer.echo("No unfinished attempt.")

    @trainee_app.command("abandon")
    def trainee_abandon(
        trainee: Annotated[int, typer.Argument(help="Trainee id.")],
        attempt: Annotated[str, typer.Argument(help="The attempt's key (see 'unfinished').")],
        by: Annotated[str, typer.Option("--by", help="E-mail of the account giving it up.")],
    ) -> None:
        """Give up an attempt left unvalidated: its taps are kept, superseded, with who
        gave it up."""
        gestes = opener.gestes()
        store, author = gestes.store, account_id(gestes, by)
        taps = refused(lambda: store.observations.abandon_attempt(trainee, attempt, author))
        typer.echo(f"Attempt {attempt} abandoned ({taps} taps kept, superseded).")


def seed_if_empty(gestes: Gestes) -> None:
    """Seed the demo into an empty store and print the logins (they stay valid afterwards)."""
    from core.demo.seed import ADMIN_PASSWORD, PASSWORD, seed_demo

    if gestes.store.lookup.has_schools():
        typer.echo("The store already holds data: nothing seeded.")
        typer.echo(
            f"Demo logins, if this is the demo store: admin@gestes.demo / {ADMIN_PASSWORD}, "
            f"formateur.marseille@gestes.demo / {PASSWORD}"
        )
        return
    logins = seed_demo(gestes)
    typer.echo("Demo seeded. Logins:")
    for login in logins:
        typer.echo(f"  {login.email:<34} {login.password:<20} {login.role:<12} {login.scope}")


def _verification_commands(app: typer.Typer, opener: Opener) -> None:
    verification = group(app, "verification", "Booklets handed out, by their short code.")

    @verification.command("list")
    def listing(trainee: Annotated[int, typer.Argument(help="Trainee id.")]) -> None:
        """A trainee's booklets as handed out: code, date, reader, withdrawn or not."""
        gestes = opener.gestes()
        for handed in gestes.store.verifications.of(trainee):
            reader = handed.employer or handed.territory or "territory"
            state = "withdrawn" if handed.revoked_at else "valid"
            typer.echo(f"{handed.code}\t{handed.issued}\t{reader}\t{state}")

    @verification.command("revoke")
    def revoke(code: Annotated[str, typer.Argument(help="The code after /v/.")]) -> None:
        """Withdraw a booklet: its verification link then says the school withdrew it."""
        gestes = opener.gestes()
        refused(lambda: gestes.store.verifications.revoke(code))
        typer.echo(f"Booklet {code} withdrawn.")
