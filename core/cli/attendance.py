"""``gestes attendance …``: a cohort's half-days and sheets from the command line, through the
same store functions as the pages and the JSON API. Signing happens on the floor's tablet;
here: planning, reading, the hours, and a coordinator's correction with its reason."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer

from core.cli.common import Opener, account_id, group, refused, table
from core.french import clock, hours_minutes

Out = Annotated[Path, typer.Option("--out", help="Where to write the signed PDF.")]


def add_attendance_commands(app: typer.Typer, opener: Opener) -> None:
    attendance = group(app, "attendance", "Half-days, attendance sheets and hours done.")
    _planning_commands(attendance, opener)
    _reading_commands(attendance, opener)
    _correcting_commands(attendance, opener)
    _document_commands(app, attendance, opener)
    _keeping_commands(attendance, opener)


def _planning_commands(attendance: typer.Typer, opener: Opener) -> None:
    @attendance.command("plan")
    def plan(cohort: Annotated[int, typer.Argument(help="Cohort id.")]) -> None:
        """Plan the cohort's half-days from its dates and curriculum (those there are kept)."""
        added = refused(lambda: opener.gestes().store.attendance.plan(cohort))
        typer.echo(f"{added} half-day(s) planned.")

    @attendance.command("sessions")
    def sessions(
        cohort: Annotated[int, typer.Argument(help="Cohort id.")],
        month: Annotated[str | None, typer.Option(help="AAAA-MM: one month only.")] = None,
    ) -> None:
        """List a cohort's half-days."""
        chosen = (int(month[:4]), int(month[5:7])) if month else None
        rows = [
            (
                str(s.id),
                f"{s.day:%Y-%m-%d}",
                s.half,
                clock(s.starts) + "–" + clock(s.ends),
                s.module,
                "cancelled" if s.cancelled else "",
            )
            for s in opener.gestes().store.attendance.sessions(cohort, chosen)
        ]
        typer.echo(table(("id", "day", "half", "times", "module", ""), rows) if rows else "None.")


def _reading_commands(attendance: typer.Typer, opener: Opener) -> None:
    @attendance.command("sheet")
    def sheet(session: Annotated[int, typer.Argument(help="Half-day id.")]) -> None:
        """A sheet as stored: each trainee's mark and minutes, its chain checked, its flags."""
        found = opener.gestes().store.attendance.sheet(session)
        if found is None:
            typer.echo(f"error: no half-day {session}.", err=True)
            raise typer.Exit(1)
        rows = [
            (
                line.name,
                line.mark.status,
                clock(line.mark.arrived) if line.mark.arrived is not None else "",
                clock(line.mark.left) if line.mark.left is not None else "",
                str(line.minutes),
                line.mark.justified or "",
            )
            for line in found.lines
        ]
        typer.echo(table(("trainee", "status", "arrived", "left", "minutes", "justified"), rows))
        typer.echo(f"countersigned: {found.countersigned_at or 'no'}")
        broken = f"chain: BROKEN at entry {found.broken_at}"
        typer.echo("chain: intact" if found.intact else broken)
        for flag in found.flags:
            typer.echo(f"flag: {flag.words}")

    @attendance.command("hours")
    def hours(cohort: Annotated[int, typer.Argument(help="Cohort id.")]) -> None:
        """Every trainee's hours attended and held so far, from the sheets."""
        store = opener.gestes().store.attendance
        names = store.roster(cohort)
        done = store.hours(cohort)
        rows = [
            (
                name,
                hours_minutes(done[t].total_done),
                hours_minutes(done[t].total_held),
                str(done[t].unjustified),
                str(done[t].justified),
                str(done[t].late),
            )
            for t, name in names.items()
            if t in done
        ]
        header = ("trainee", "attended", "held", "unjustified", "justified", "late/left")
        typer.echo(table(header, rows) if rows else "None.")


def _document_commands(app: typer.Typer, attendance: typer.Typer, opener: Opener) -> None:
    @attendance.command("month")
    def month(
        cohort: Annotated[int, typer.Argument(help="Cohort id.")],
        which: Annotated[str, typer.Argument(help="AAAA-MM.")],
        out: Out,
    ) -> None:
        """A month of the cohort's attendance sheets, as a signed PDF."""
        from core.attendance.documents import month_pdf

        if len(which) != 7 or not which[:4].isdigit() or not which[5:].isdigit():
            typer.echo("error: the month is written AAAA-MM, e.g. 2026-03.", err=True)
            raise typer.Exit(2)
        pdf = refused(lambda: month_pdf(opener.gestes(), cohort, int(which[:4]), int(which[5:])))
        out.write_bytes(pdf)
        typer.echo(f"Written {out} ({len(pdf) // 1024} KB, signed).")

    @app.command("certificate")
    def certificate(
        trainee: Annotated[int, typer.Argument(help="Trainee id.")],
        out: Out,
        kind: Annotated[
            str, typer.Option(help="realisation (certificat de réalisation) or fin (attestation).")
        ] = "realisation",
    ) -> None:
        """A trainee's certificat de réalisation or attestation de fin de formation, signed."""
        import datetime as dt

        from core.attendance.documents import attestation_pdf, certificate_pdf
        from core.french import SCHOOL_TIME

        if kind not in ("realisation", "fin"):
            typer.echo("error: --kind is realisation or fin.", err=True)
            raise typer.Exit(2)
        printer = certificate_pdf if kind == "realisation" else attestation_pdf
        today = dt.datetime.now(SCHOOL_TIME).date()
        pdf = refused(lambda: printer(opener.gestes(), trainee, today))
        out.write_bytes(pdf)
        typer.echo(f"Written {out} ({len(pdf) // 1024} KB, signed).")


def _keeping_commands(attendance: typer.Typer, opener: Opener) -> None:
    @attendance.command("purge")
    def purge() -> None:
        """Delete the sheets of cohorts whose keeping time is over (whole sheets)."""
        import datetime as dt

        gestes = opener.gestes()
        years = gestes.settings.attendance_retention_years
        gone = gestes.store.attendance.purge(dt.date.today(), years)
        typer.echo(f"{gone} half-day(s) deleted (kept {years} years after the cohort's end).")


def _correcting_commands(attendance: typer.Typer, opener: Opener) -> None:
    @attendance.command("correct")
    def correct(
        session: Annotated[int, typer.Argument(help="Half-day id.")],
        trainee: Annotated[int, typer.Argument(help="Trainee id.")],
        reason: Annotated[str, typer.Option(help="Why the sheet is corrected (kept).")],
        by: Annotated[str, typer.Option("--by", help="E-mail of the coordinator correcting.")],
        present: Annotated[bool, typer.Option("--present/--absent")] = True,
    ) -> None:
        """Correct a trainee's attendance on a half-day (another day than today, a paper
        sheet copied in), with its reason: appended to the sheet, never overwriting it."""
        from core.attendance.hours import Kind
        from core.store import NewEntry

        gestes = opener.gestes()
        author = account_id(gestes, by)
        key = f"att:cli-{secrets.token_hex(8)}"
        new = NewEntry(key, Kind.CORRECTED, author, trainee, present=present, reason=reason)
        refused(lambda: gestes.store.attendance.record(session, new))
        verdict = "present" if present else "absent"
        typer.echo(f"Half-day {session}: trainee {trainee} marked {verdict}.")
