"""``gestes`` commands that set a school up without the demo: the first administrator,
accounts, schools, cohorts, trainers, closing a cohort, moving a trainee. They call the same
store functions as the pages and the JSON API."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer

from core.cli.common import Opener, account_id, group, refused
from core.cli.corrections import cohort_corrections, user_corrections
from core.cli.organisations import organisation_commands

ROLES = "admin, coordinator or trainer"


def add_setup_commands(app: typer.Typer, opener: Opener) -> None:
    _account_commands(app, opener)
    _school_commands(app, opener)
    cohort = _cohort_commands(app, opener)
    _curriculum_commands(cohort, opener)
    cohort_corrections(cohort, opener)


def _password(stdin: bool) -> str:
    """Read from standard input (scripts), or asked twice without echo."""
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    password: str = typer.prompt(
        "Mot de passe (12 caractères au moins)", hide_input=True, confirmation_prompt=True
    )
    return password


def _account_commands(app: typer.Typer, opener: Opener) -> None:
    admin = group(app, "admin", "Administrators.")
    user = group(app, "user", "Accounts.")
    user_corrections(user, opener)

    @admin.command("create")
    def admin_create(
        email: Annotated[str, typer.Argument(help="The administrator's address.")],
        name: Annotated[str, typer.Option(help="Full name.")] = "Administration",
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from stdin.")
        ] = False,
    ) -> None:
        """Create an administrator (the first one on a fresh install): password asked twice."""
        from core.domain import Role

        gestes = opener.gestes(migrate=True)
        password = _password(password_stdin)
        new = refused(lambda: gestes.store.directory.create_user(email, name, password, Role.ADMIN))
        typer.echo(f"Administrator {email} created (account {new}). Sign in at /login.")

    @user.command("create")
    def user_create(
        email: Annotated[str, typer.Argument(help="The person's address.")],
        name: Annotated[str, typer.Option(help="Full name.")],
        role: Annotated[str, typer.Option(help=ROLES)] = "trainer",
        school: Annotated[list[int] | None, typer.Option(help="School id (repeat).")] = None,
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from stdin.")
        ] = False,
    ) -> None:
        """Create an account for one or more schools."""
        from core.domain import Role

        if role not in {r.value for r in Role}:
            raise typer.BadParameter(ROLES, param_hint="--role")
        gestes = opener.gestes()
        password = _password(password_stdin)
        directory = gestes.store.directory
        new = refused(
            lambda: directory.create_user(
                email, name, password, Role(role), school or [], provisional=True
            )
        )
        typer.echo(f"Account {new} created: {email} ({role}).")

    @user.command("password")
    def user_password(
        email: Annotated[str, typer.Argument(help="The account's address.")],
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from stdin.")
        ] = False,
    ) -> None:
        """Set a forgotten password: every session of the account ends."""
        gestes = opener.gestes()
        password = _password(password_stdin)
        refused(lambda: gestes.store.accounts.reset_password(email, password))
        typer.echo(f"New password set for {email}; its sessions are closed.")


def _school_commands(app: typer.Typer, opener: Opener) -> None:
    school = group(app, "school", "Schools.")

    @school.command("create")
    def school_create(
        name: Annotated[str, typer.Argument(help="The school's name.")],
        city: Annotated[str, typer.Option(help="City.")],
        territory: Annotated[str, typer.Option(help="Territory id (gestes show …).")],
        address: Annotated[str | None, typer.Option(help="Postal address.")] = None,
    ) -> None:
        """Create a school in a territory of the catalog."""
        gestes = opener.gestes()
        directory = gestes.store.directory
        new = refused(lambda: directory.create_school(None, name, city, territory, address))
        typer.echo(f"School {new} created: {name} ({city}).")

    @school.command("list")
    def school_list() -> None:
        """Every school: id, name, city, territory."""
        for found in opener.gestes().store.lookup.schools():
            typer.echo(f"{found.id}\t{found.name}\t{found.city}\t{found.territory}")

    organisation_commands(school, opener)


def _cohort_commands(app: typer.Typer, opener: Opener) -> typer.Typer:
    cohort = group(app, "cohort", "Cohorts.")

    @cohort.command("create")
    def cohort_create(
        name: Annotated[str, typer.Argument(help="The cohort's name.")],
        school: Annotated[int, typer.Option(help="School id.")],
        sector: Annotated[str, typer.Option(help="Sector id (gestes plugins).")],
        starts: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="First day.")],
        ends: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="Last day.")],
        trainer: Annotated[list[int] | None, typer.Option(help="Trainer id (repeat).")] = None,
        hours: Annotated[
            list[str] | None, typer.Option(help="Planned hours of a phase: geste=280 (repeat).")
        ] = None,
    ) -> None:
        """Create a cohort of any installed sector, pinned to its curriculum's version."""
        planned = {}
        for item in hours or []:
            phase, _, value = item.partition("=")
            if not value.isdigit():
                raise typer.BadParameter("phase=hours, e.g. geste=280", param_hint="--hours")
            planned[phase] = int(value)
        gestes = opener.gestes()
        new = refused(
            lambda: gestes.store.directory.create_cohort(
                school, sector, name, starts.date(), ends.date(), trainer or [], planned
            )
        )
        found = gestes.store.lookup.cohort(new)
        assert found is not None
        typer.echo(f"Cohort {new} created: {name}, {sector} {found.curriculum_version}.")

    @cohort.command("list")
    def cohort_list() -> None:
        """Every cohort: id, name, sector and curriculum version, school, dates, state."""
        for found, where in opener.gestes().store.lookup.cohorts():
            state = "closed" if found.closed else "open"
            typer.echo(
                f"{found.id}\t{found.name}\t{found.sector} {found.curriculum_version}\t"
                f"{where.name}\t{found.starts_on} → {found.ends_on}\t{state}"
            )

    @cohort.command("close")
    def cohort_close(cohort_id: Annotated[int, typer.Argument(help="Cohort id.")]) -> None:
        """Close a cohort: read-only afterwards, still in statistics."""
        gestes = opener.gestes()
        refused(lambda: gestes.store.directory.close_cohort(cohort_id))
        typer.echo(f"Cohort {cohort_id} closed.")

    @cohort.command("trainers")
    def cohort_trainers(
        cohort_id: Annotated[int, typer.Argument(help="Cohort id.")],
        trainer: Annotated[list[int], typer.Option(help="Trainer id (repeat).")],
    ) -> None:
        """Set the cohort's trainers (replaces the list)."""
        gestes = opener.gestes()
        refused(lambda: gestes.store.directory.set_trainers(cohort_id, trainer))
        typer.echo(f"Cohort {cohort_id}: {len(trainer)} trainer(s).")

    return cohort


def _curriculum_commands(cohort: typer.Typer, opener: Opener) -> None:
    @cohort.command("curriculum")
    def cohort_curriculum(cohort_id: Annotated[int, typer.Argument(help="Cohort id.")]) -> None:
        """The cohort's curriculum version against the installed one: what changes (judgement
        marked *), the entries that block a move, the levels that would change."""
        gestes = opener.gestes()
        status = refused(lambda: gestes.store.curricula.status(cohort_id))
        typer.echo(f"Pinned {status.pinned}, installed {status.installed}.")
        for change in status.changes:
            typer.echo(f"{'*' if change.judgement else ' '} {change.label}")
        for entry in status.blocking:
            typer.echo(f"blocks the move: {entry.label} [{entry.ref}]")
        if status.behind and status.known and not status.blocking:
            shifts = gestes.store.records.level_shifts(cohort_id, status.installed)
            for shift in shifts:
                typer.echo(f"{shift.trainee}\t{shift.competency}\t{shift.before} → {shift.after}")
            typer.echo(f"{len(shifts)} level(s) would change.")
        move = status.last_move
        if move is not None:
            undone = "undone" if move.undone else ("can be undone" if move.undoable else "kept")
            typer.echo(
                f"Last move: {move.from_version} → {move.to_version} by {move.by}, {undone}."
            )

    @cohort.command("upgrade")
    def cohort_upgrade(
        cohort_id: Annotated[int, typer.Argument(help="Cohort id.")],
        by: Annotated[str, typer.Option("--by", help="E-mail of the coordinator moving it.")],
        yes: Annotated[
            bool, typer.Option("--yes", help="Confirm: the levels that would change were read.")
        ] = False,
    ) -> None:
        """Move the cohort to the installed curriculum version (read 'curriculum' first)."""
        if not yes:
            typer.echo(
                "error: read 'gestes cohort curriculum ID', then confirm with --yes.", err=True
            )
            raise typer.Exit(1)
        gestes = opener.gestes()
        author = account_id(gestes, by)
        status = refused(lambda: gestes.store.curricula.upgrade(cohort_id, author))
        typer.echo(f"Cohort {cohort_id} now follows version {status.pinned}.")

    @cohort.command("undo-upgrade")
    def cohort_undo_upgrade(
        cohort_id: Annotated[int, typer.Argument(help="Cohort id.")],
        by: Annotated[str, typer.Option("--by", help="E-mail of the coordinator undoing it.")],
    ) -> None:
        """Back to the version the cohort left, while nothing was recorded since the move."""
        gestes = opener.gestes()
        author = account_id(gestes, by)
        status = refused(lambda: gestes.store.curricula.undo(cohort_id, author))
        typer.echo(f"Cohort {cohort_id} follows version {status.pinned} again.")
