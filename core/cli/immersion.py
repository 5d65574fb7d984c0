"""``gestes placement …``: immersions from the command line, through the same store functions
as the pages and the JSON API. Links and codes are printed once: only their hash is kept."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from core.cli.common import Opener, group, refused


def add_immersion_commands(app: typer.Typer, opener: Opener) -> None:
    placement = group(app, "placement", "Immersions at host companies, tutors' links, codes.")
    _record_commands(placement, opener)
    _link_commands(placement, opener)


def _record_commands(placement: typer.Typer, opener: Opener) -> None:
    @placement.command("add")
    def add(
        trainee: Annotated[int, typer.Argument(help="Trainee id.")],
        company: Annotated[str, typer.Option(help="Host company's name.")],
        tutor: Annotated[str, typer.Option(help="Tutor's full name.")],
        starts: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="First day.")],
        ends: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="Last day.")],
        hours: Annotated[int, typer.Option(help="Hours planned.")],
        employer: Annotated[str | None, typer.Option(help="Catalog employer id.")] = None,
        contact: Annotated[str | None, typer.Option(help="Tutor's phone or e-mail.")] = None,
        objective: Annotated[
            list[str] | None,
            typer.Option(help="An objective (repeat). Default: the employer's requirements."),
        ] = None,
    ) -> None:
        """Record a trainee's immersion."""
        from core.immersion.placements import Placement

        gestes = opener.gestes()
        new = Placement(
            0, trainee, company, employer, tutor, contact, starts.date(), ends.date(), hours, ()
        )
        lines = "\n".join(objective) if objective else None
        made = refused(lambda: gestes.store.placements.create(trainee, new, None, lines))
        typer.echo(f"Placement {made.id}: {made.company}, {len(made.objectives)} objectives.")
        for number, found in enumerate(made.objectives, start=1):
            typer.echo(f"  {number}. {found.label}")

    @placement.command("list")
    def listing(trainee: Annotated[int, typer.Argument(help="Trainee id.")]) -> None:
        """A trainee's immersions, hours done and whether the tutor signed the appraisal."""
        gestes = opener.gestes()
        for found in gestes.immersion_record(trainee).immersions:
            p = found.placement
            signed = f"signed by {found.appraisal.signer}" if found.appraisal else "no appraisal"
            typer.echo(
                f"{p.id}\t{p.company}\t{p.starts_on} → {p.ends_on}\t"
                f"{found.hours_done:g}/{p.planned_hours} h\t{p.tutor_name}\t{signed}"
            )


def _link_commands(placement: typer.Typer, opener: Opener) -> None:
    @placement.command("link")
    def link(placement_id: Annotated[int, typer.Argument(help="Placement id.")]) -> None:
        """Print a new link for the placement's tutor (shown once, valid 120 days)."""
        from core.immersion.placements import TUTOR_DAYS, LinkKind, new_tutor_code

        gestes = opener.gestes()
        found = gestes.store.placements.get(placement_id)
        if found is None:
            typer.echo(f"error: no placement {placement_id}", err=True)
            raise typer.Exit(1)
        code = new_tutor_code()
        refused(
            lambda: gestes.store.placements.issue_link(
                LinkKind.TUTOR, found.trainee_id, code, TUTOR_DAYS, None, found.id
            )
        )
        typer.echo(f"{gestes.settings.address()}/tuteur/{code}")

    @placement.command("code")
    def code(trainee: Annotated[int, typer.Argument(help="Trainee id.")]) -> None:
        """Print a new code for the trainee's own page (shown once, valid 180 days)."""
        from core.immersion.placements import TRAINEE_DAYS, LinkKind, new_trainee_code

        gestes = opener.gestes()
        new = new_trainee_code()
        refused(
            lambda: gestes.store.placements.issue_link(
                LinkKind.TRAINEE, trainee, new, TRAINEE_DAYS, None
            )
        )
        typer.echo(f"{new}  (to type at {gestes.settings.address()}/moi)")
