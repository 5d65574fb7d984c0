"""Corrections from the command line, with the same trace as the pages (who: ``--by``, the
account the change is recorded under): an account's name, role and schools, a cohort's
name, dates and hours, a trainee's identity and entry date, deleting what has nothing
recorded, and each one's history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from core.cli.common import Opener, account_id, refused

By = Annotated[str, typer.Option("--by", help="E-mail of the account making the change.")]
Day = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="AAAA-MM-JJ.")]


def _history(lines: list[Any]) -> None:
    for c in lines:
        typer.echo(
            f"{c.at:%Y-%m-%d %H:%M}\t{c.by}\t{c.entity} {c.entity_id}\t{c.field}\t"
            f"{c.before or '—'} → {c.after or '—'}"
        )
    if not lines:
        typer.echo("No change recorded.")


def user_corrections(user: typer.Typer, opener: Opener) -> None:
    @user.command("edit")
    def user_edit(
        user_id: Annotated[int, typer.Argument(help="Account id.")],
        by: By,
        name: Annotated[str | None, typer.Option(help="Full name.")] = None,
        role: Annotated[str | None, typer.Option(help="admin, coordinator or trainer.")] = None,
        school: Annotated[list[int] | None, typer.Option(help="School id (repeat).")] = None,
    ) -> None:
        """Correct an account's name, role or schools (what is not given stays)."""
        from core.domain import Role

        gestes = opener.gestes()
        author = account_id(gestes, by)
        found = next((a for a in gestes.store.accounts.all() if a.id == user_id), None)
        if found is None:
            typer.echo(f"error: no account {user_id}.", err=True)
            raise typer.Exit(1)
        wanted = Role(role) if role else found.role
        changed = refused(
            lambda: gestes.store.corrections.edit_account(
                user_id,
                author,
                name=name or found.name,
                role=wanted,
                schools=school if school is not None else found.schools,
            )
        )
        typer.echo(f"Account {user_id}: {changed} field(s) changed.")

    @user.command("history")
    def user_history(user_id: Annotated[int, typer.Argument(help="Account id.")]) -> None:
        """The account's changes, the latest first."""
        _history(opener.gestes().store.corrections.history("account", [user_id]))


def cohort_corrections(cohort: typer.Typer, opener: Opener) -> None:
    @cohort.command("edit")
    def cohort_edit(
        cohort_id: Annotated[int, typer.Argument(help="Cohort id.")],
        by: By,
        name: Annotated[str | None, typer.Option(help="The cohort's name.")] = None,
        starts: Day = None,
        ends: Day = None,
        hours: Annotated[
            list[str] | None, typer.Option(help="Planned hours of a phase: geste=280 (repeat).")
        ] = None,
    ) -> None:
        """Correct a cohort's name, dates or planned hours (what is not given stays)."""
        gestes = opener.gestes()
        author = account_id(gestes, by)
        found = gestes.store.lookup.cohort(cohort_id)
        if found is None:
            typer.echo(f"error: no cohort {cohort_id}.", err=True)
            raise typer.Exit(1)
        planned = None
        if hours:
            planned = {}
            for item in hours:
                phase, _, value = item.partition("=")
                if not value.isdigit():
                    raise typer.BadParameter("phase=hours, e.g. geste=280", param_hint="--hours")
                planned[phase] = int(value)
        changed = refused(
            lambda: gestes.store.corrections.edit_cohort(
                cohort_id,
                author,
                name=name or found.name,
                starts_on=starts.date() if starts else found.starts_on,
                ends_on=ends.date() if ends else found.ends_on,
                planned_hours=planned,
            )
        )
        typer.echo(f"Cohort {cohort_id}: {changed} field(s) changed.")

    @cohort.command("delete")
    def cohort_delete(
        cohort_id: Annotated[int, typer.Argument(help="Cohort id.")],
        by: By,
        yes: Annotated[bool, typer.Option("--yes", help="Confirm.")] = False,
    ) -> None:
        """Delete a cohort with nothing recorded (its trainees with it)."""
        if not yes:
            typer.echo("error: deleting a cohort: confirm with --yes.", err=True)
            raise typer.Exit(1)
        gestes = opener.gestes()
        refused(lambda: gestes.store.corrections.delete_cohort(cohort_id, account_id(gestes, by)))
        typer.echo(f"Cohort {cohort_id} deleted.")

    @cohort.command("history")
    def cohort_history(cohort_id: Annotated[int, typer.Argument(help="Cohort id.")]) -> None:
        """What was corrected in the cohort and its trainees, the latest first."""
        _history(opener.gestes().store.corrections.of_cohort(cohort_id))


def trainee_corrections(trainee: typer.Typer, opener: Opener) -> None:
    @trainee.command("edit")
    def trainee_edit(
        trainee_id: Annotated[int, typer.Argument(help="Trainee id.")],
        by: By,
        first_name: Annotated[str | None, typer.Option(help="First name.")] = None,
        last_name: Annotated[str | None, typer.Option(help="Last name.")] = None,
        email: Annotated[str | None, typer.Option(help="E-mail ('' to remove).")] = None,
        joined: Day = None,
    ) -> None:
        """Correct a trainee's identity or entry date (what is not given stays)."""
        gestes = opener.gestes()
        author = account_id(gestes, by)
        found = gestes.store.lookup.trainee(trainee_id)
        if found is None:
            typer.echo(f"error: no trainee {trainee_id}.", err=True)
            raise typer.Exit(1)
        who = found[0]
        changed = refused(
            lambda: gestes.store.corrections.edit_trainee(
                trainee_id,
                author,
                first_name=first_name or who.first_name,
                last_name=last_name or who.last_name,
                email=who.email if email is None else email,
                external_ref=who.external_ref,
                joined_on=joined.date() if joined else who.joined_on,
            )
        )
        typer.echo(f"Trainee {trainee_id}: {changed} field(s) changed.")

    @trainee.command("delete")
    def trainee_delete(
        trainee_id: Annotated[int, typer.Argument(help="Trainee id.")],
        by: By,
        yes: Annotated[bool, typer.Option("--yes", help="Confirm.")] = False,
    ) -> None:
        """Delete a trainee added by mistake, with nothing recorded."""
        if not yes:
            typer.echo("error: deleting a trainee: confirm with --yes.", err=True)
            raise typer.Exit(1)
        gestes = opener.gestes()
        refused(lambda: gestes.store.corrections.delete_trainee(trainee_id, account_id(gestes, by)))
        typer.echo(f"Trainee {trainee_id} deleted.")
