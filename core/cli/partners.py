"""``gestes partners`` and ``gestes employer-search``: a school's partner companies and who
fits one now; ``gestes candidates`` and ``gestes candidate-admit``: its candidates — on the
same store and derivations as the pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from core.cli.common import Opener, refused


def add_partner_commands(app: typer.Typer, opener: Opener) -> None:
    @app.command("partners")
    def partners_command(school: Annotated[int, typer.Argument(help="School id.")]) -> None:
        """A school's own company profiles: id, name, requirements."""
        gestes = opener.gestes()
        for partner in gestes.store.partners.of_school(school):
            based = f" (over {partner.based_on})" if partner.based_on else ""
            typer.echo(f"{partner.employer_id}\t{partner.name}{based}")
            for r in partner.requirements:
                typer.echo(f"\t{r.competency} >= {r.min_level} ({r.priority.value})")

    @app.command("employer-search")
    def employer_search_command(
        school: Annotated[int, typer.Argument(help="School id.")],
        employer: Annotated[str, typer.Argument(help="The company's id (own or shared).")],
    ) -> None:
        """The trainees of the school's running and recent cohorts who fit a company now."""
        from core.partners import search

        gestes = opener.gestes()
        found = refused(lambda: search(gestes, [school], employer, dt.date.today()))
        for match in found:
            watch = ", ".join(r.requirement.competency for r in match.vigilance) or "-"
            typer.echo(
                f"{match.trainee_id}\t{match.name}\t{match.cohort}\t"
                f"{match.fit.met}/{match.fit.total}\twatch: {watch}"
            )


def add_candidate_commands(app: typer.Typer, opener: Opener) -> None:
    @app.command("candidates")
    def candidates_command(
        school: Annotated[int, typer.Argument(help="School id.")],
        purge: Annotated[
            bool, typer.Option(help="Erase the candidates whose RGPD delay is over.")
        ] = False,
    ) -> None:
        """A school's candidates: where each is, and when a non-admitted one is erased."""
        gestes = opener.gestes()
        if purge:
            erased = gestes.store.candidates.erase_due(dt.date.today())
            typer.echo(f"{erased} candidate(s) erased.")
        for found in gestes.store.candidates.of_school(school):
            erase = f"\terased on {found.erase_on()}" if found.erase_on() else ""
            typer.echo(
                f"{found.id}\t{found.first_name} {found.last_name}\t{found.prescriber or '-'}\t"
                f"{found.step}{erase}"
            )

    @app.command("candidate-admit")
    def candidate_admit_command(
        candidate: Annotated[int, typer.Argument(help="Candidate id (decision: admis).")],
        cohort: Annotated[int, typer.Argument(help="The cohort they enter.")],
    ) -> None:
        """An admitted candidate enters a cohort, their entry data carried over."""
        gestes = opener.gestes()
        found = gestes.store.candidates.get(candidate)
        if found is None:
            typer.echo(f"error: no candidate {candidate}", err=True)
            raise typer.Exit(1)
        trainee = refused(
            lambda: gestes.store.candidates.admit(candidate, found.school_id, cohort, None)
        )
        typer.echo(f"Candidate {candidate} is trainee {trainee}.")
