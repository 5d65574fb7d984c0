"""Following trainees from the command line, on the same derivations and store as the pages:
``gestes at-risk`` and ``gestes followup`` (the call log), ``gestes positioning`` and
``gestes plan`` (entry and individual plan), ``gestes qualiopi`` and ``gestes auditor-link``
(the school's file and its read-only link), ``gestes opinions`` and ``gestes opinion-link``
(the questionnaires' results, a link for an employer or a funder), ``gestes complaints``
and ``gestes entry-profile``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
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


def add_qualiopi_commands(app: typer.Typer, opener: Opener) -> None:
    @app.command("qualiopi")
    def qualiopi_command(
        school: Annotated[int, typer.Argument(help="School id.")],
        start: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD; a year ago.")] = None,
        end: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD; today.")] = None,
        zip_file: Annotated[
            Path | None, typer.Option("--zip", help="Also write the signed file (ZIP) here.")
        ] = None,
    ) -> None:
        """A school's Qualiopi file over a period: each indicator and its evidence."""
        from core.qualiopi import file_zip, school_file

        gestes = opener.gestes()
        last = dt.date.fromisoformat(end) if end else dt.date.today()
        first = dt.date.fromisoformat(start) if start else last - dt.timedelta(days=365)
        address = gestes.settings.address()
        file = refused(lambda: school_file(gestes, school, first, last, address))
        for indicator in file.indicators:
            held = "" if indicator.held else " (pas encore tenu)"
            typer.echo(f"{indicator.number}\t{indicator.title}{held}")
            for line in indicator.evidence:
                typer.echo(f"\t- {line}")
        if zip_file:
            zip_file.write_bytes(file_zip(gestes, file))
            typer.echo(f"Signed file written to {zip_file}.")

    @app.command("auditor-link")
    def auditor_link_command(
        school: Annotated[int, typer.Argument(help="School id.")],
        start: Annotated[str, typer.Option("--from", help="YYYY-MM-DD.")],
        end: Annotated[str, typer.Option("--to", help="YYYY-MM-DD.")],
        days: Annotated[int, typer.Option(help="How long it opens (1 to 30 days).")] = 14,
    ) -> None:
        """A read-only link to a school's Qualiopi file for an auditor (shown once)."""
        gestes = opener.gestes()
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        trainees = gestes.store.qualiopi.trainees(school, first, last)
        _, code = refused(
            lambda: gestes.store.audits.create(
                school, first, last, trainees, days, dt.date.today(), None
            )
        )
        typer.echo(f"{gestes.settings.address()}/audit/{code}")


def add_opinion_commands(app: typer.Typer, opener: Opener) -> None:
    @app.command("opinions")
    def opinions_command(
        school: Annotated[int, typer.Argument(help="School id.")],
        start: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD; a year ago.")] = None,
        end: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD; today.")] = None,
    ) -> None:
        """Each questionnaire's results over a period: answers, satisfied, per question."""
        from core.followup.satisfaction import school_results

        gestes = opener.gestes()
        last = dt.date.fromisoformat(end) if end else dt.date.today()
        first = dt.date.fromisoformat(start) if start else last - dt.timedelta(days=365)
        for found in school_results(gestes, school, first, last):
            rate = f"{found.rate} %" if found.rate is not None else "-"
            typer.echo(f"{found.kind}\t{found.respondents} answer(s)\tsatisfied: {rate}")
            for question in found.questions:
                typer.echo(f"\t{question.satisfied}/{question.answered}\t{question.question}")

    @app.command("opinion-link")
    def opinion_link_command(
        school: Annotated[int, typer.Argument(help="School id.")],
        questionnaire: Annotated[str, typer.Argument(help="entreprise or financeur.")],
        who: Annotated[str, typer.Argument(help="Whom it is sent to.")],
        days: Annotated[int, typer.Option(help="How long it opens (1 to 90 days).")] = 30,
    ) -> None:
        """A questionnaire link for an employer or a funder (shown once)."""
        from core.followup.opinions import BY_LINK

        gestes = opener.gestes()
        if questionnaire not in BY_LINK:
            typer.echo("error: questionnaire: entreprise or financeur", err=True)
            raise typer.Exit(1)
        _, code = refused(
            lambda: gestes.store.opinions.create_link(
                school, questionnaire, who, days, dt.date.today(), None
            )
        )
        typer.echo(f"{gestes.settings.address()}/avis/{code}")


def add_register_commands(app: typer.Typer, opener: Opener) -> None:
    @app.command("complaints")
    def complaints_command(
        school: Annotated[int, typer.Argument(help="School id.")],
        add: Annotated[str | None, typer.Option(help="Record a complaint: what it says.")] = None,
        source: Annotated[
            str, typer.Option(help="stagiaire, entreprise, financeur, prescripteur, autre.")
        ] = "autre",
        on: Annotated[str | None, typer.Option(help="Received on (YYYY-MM-DD); today.")] = None,
    ) -> None:
        """A school's complaints register: each complaint, its state and its steps' dates
        (a complaint recorded first with --add)."""
        gestes = opener.gestes()
        if add:
            day = dt.date.fromisoformat(on) if on else dt.date.today()
            new = refused(lambda: gestes.store.complaints.add(school, day, source, add, None))
            typer.echo(f"Complaint {new} recorded.")
        for found in gestes.store.complaints.of([school]):
            steps = [
                f"{label} {day}"
                for label, day in (
                    ("acknowledged", found.acknowledged_on),
                    ("answered", found.answered_on),
                )
                if day
            ]
            typer.echo(
                f"{found.id}\t{found.received_on}\t{found.source}\t{found.state}\t"
                f"{', '.join(steps) or '-'}\t{found.summary}"
            )  # fmt: skip

    @app.command("entry-profile")
    def entry_profile_command(cohort: Annotated[int, typer.Argument(help="Cohort id.")]) -> None:
        """A cohort's entry profile as funders count it (« Non renseigné »: not known)."""
        from core.followup.entry import entry_profile

        gestes = opener.gestes()
        found = gestes.store.lookup.cohort(cohort)
        if found is None:
            typer.echo(f"error: no cohort {cohort}", err=True)
            raise typer.Exit(1)
        profile = entry_profile(gestes.store.lookup.cohort_trainees(cohort), found.starts_on)
        typer.echo(f"{profile.trainees} trainee(s)")
        for dimension, value, count in profile.rows():
            typer.echo(f"{dimension}\t{value}\t{count}")
