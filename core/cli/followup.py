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


def add_positioning_commands(app: typer.Typer, opener: Opener) -> None:
    @app.command("positioning")
    def positioning_command(
        trainee: Annotated[int, typer.Argument(help="Trainee id.")],
        answer: Annotated[
            list[str] | None,
            typer.Option(
                help="ITEM=VALUE (repeat): a gesture's id = pas_fait, avec_aide, seul; "
                "a question's key = a few words."
            ),
        ] = None,
        on: Annotated[str | None, typer.Option(help="The day (YYYY-MM-DD); today.")] = None,
        by: Annotated[str | None, typer.Option(help="The account's e-mail.")] = None,
    ) -> None:
        """A trainee's positioning at entry: recorded with --answer, then shown with the
        progress since entry and the individual plan."""
        from core.followup import plans

        gestes = opener.gestes()
        if answer:
            answers = dict(a.partition("=")[::2] for a in answer)
            day = dt.date.fromisoformat(on) if on else dt.date.today()
            author = account_id(gestes, by) if by else None
            changed = refused(lambda: plans.observe(gestes, trainee, answers, day, author))
            typer.echo(f"{changed} item(s) recorded.")
        found = refused(lambda: plans.entry_file(gestes, trainee))
        values = found.snapshot.values
        for gesture in found.diagnostic.gestures:
            typer.echo(f"{gesture.id}\t{values.get(gesture.id, '-')}\t{gesture.name}")
        for question in found.diagnostic.questions:
            typer.echo(f"{question.key}\t{values.get(question.key, '-')}\t{question.label}")
        for line in found.since:
            typer.echo(f"since entry\t{line.competency}: {line.at_entry} -> {line.now}")
        for plan_line in found.plan:
            ended = f"\tended {plan_line.ended_on}" if plan_line.ended_on else ""
            what = plan_line.gesture or plan_line.text
            typer.echo(f"plan {plan_line.id}\t{plan_line.kind}\t{what}\t{plan_line.by}{ended}")

    @app.command("plan")
    def plan_command(
        trainee: Annotated[int, typer.Argument(help="Trainee id.")],
        kind: Annotated[
            str, typer.Argument(help="priorite, temps, module, accessibilite or autre.")
        ],
        text: Annotated[str, typer.Argument(help="What is adapted (for priorite: optional).")] = "",
        gesture: Annotated[str | None, typer.Option(help="The gesture, for priorite.")] = None,
        on: Annotated[str | None, typer.Option(help="The day (YYYY-MM-DD); today.")] = None,
        by: Annotated[str | None, typer.Option(help="The account's e-mail.")] = None,
    ) -> None:
        """Add a line to a trainee's individual plan, dated and signed."""
        from core.followup import plans

        gestes = opener.gestes()
        day = dt.date.fromisoformat(on) if on else dt.date.today()
        author = account_id(gestes, by) if by else None
        new = refused(
            lambda: plans.add_plan_line(gestes, trainee, kind, text, day, author, gesture)
        )
        typer.echo(f"Plan line {new} added for trainee {trainee}.")
