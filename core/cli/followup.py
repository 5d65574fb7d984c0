"""``gestes at-risk`` and ``gestes followup``: the trainees at risk and the call log, as on
the dashboard and the trainee page (the same derivation and store)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from core.cli.common import Opener, account_id, refused


def add_followup_commands(app: typer.Typer, opener: Opener) -> None:
    @app.command("at-risk")
    def at_risk_command(
        cohort: Annotated[list[int] | None, typer.Option(help="Cohort id (repeat); all.")] = None,
    ) -> None:
        """Trainees at risk today, each reason in words, and their last contact."""
        from core.followup.derive import at_risk

        gestes = opener.gestes()
        ids = cohort or [c.id for c, _ in gestes.store.lookup.cohorts(None) if not c.closed]
        for found in at_risk(gestes, ids):
            contact = found.last_contact.strftime("%d/%m/%Y") if found.last_contact else "none"
            typer.echo(f"{found.trainee_id}\t{found.name}\t{found.cohort}\tlast contact: {contact}")
            for signal in found.signals:
                typer.echo(f"\t- {signal.words}")

    @app.command("followup")
    def followup_command(
        trainee: Annotated[int, typer.Argument(help="Trainee id.")],
        outcome: Annotated[str, typer.Argument(help="What came of it.")],
        kind: Annotated[str, typer.Option(help="appel, entretien, message or autre.")] = "appel",
        on: Annotated[str | None, typer.Option(help="The day (YYYY-MM-DD); today.")] = None,
        by: Annotated[str | None, typer.Option(help="The account's e-mail.")] = None,
    ) -> None:
        """Log a contact with a trainee in the call log."""
        gestes = opener.gestes()
        day = dt.date.fromisoformat(on) if on else dt.date.today()
        author = account_id(gestes, by) if by else None
        new = refused(lambda: gestes.store.followups.add(trainee, kind, outcome, day, author))
        typer.echo(f"Contact {new} logged for trainee {trainee}.")
