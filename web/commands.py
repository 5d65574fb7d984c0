"""The web package's contribution to the ``gestes`` command line: ``gestes serve``.

Registered like any plugin (entry point ``web`` in the ``gestes`` group), so the core's
command line never imports the web app; importing this module is cheap (``gestes --help``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from core.hookspecs import hookimpl

if TYPE_CHECKING:
    from core.context import Gestes


@hookimpl
def gestes_commands(cli: typer.Typer, open_gestes: Callable[..., Gestes]) -> None:
    @cli.command("serve")
    def serve_command(
        demo: Annotated[bool, typer.Option("--demo", help="Seed the demo store if empty.")] = False,
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port.")] = 8000,
        workers: Annotated[
            int, typer.Option(min=1, max=64, help="Processes (PostgreSQL only).")
        ] = 1,
        job_workers: Annotated[
            int,
            typer.Option(min=0, max=64, help="Job workers supervised too (GESTES_JOBS=queue)."),
        ] = 0,
    ) -> None:
        """Run the web app (uvicorn): one process, or several on PostgreSQL, with the job
        workers of the queue if asked (started again when they die)."""
        import uvicorn

        from core.cli.store import seed_if_empty
        from web.app import create_app

        gestes = open_gestes(migrate=True)
        _refuse_what_cannot_run(gestes, workers, job_workers)
        if demo:
            seed_if_empty(gestes)
        here = f"http://{host}:{port}"
        say_what_booklets_carry(gestes, here)
        if workers > 1 or job_workers:
            _serve_workers(gestes, host, port, workers, job_workers)
            return
        token = None
        if not gestes.store.lookup.has_admin():
            token = secrets.token_urlsafe(24)
            typer.echo(
                "No administrator yet. Create the first one, once, at:\n"
                f"  {here}/setup/{token}\n"
                "(or stop the server and run: gestes admin create EMAIL)"
            )
        proxies = gestes.settings.trusted_proxies
        uvicorn.run(
            create_app(gestes, setup_token=token),
            host=host,
            port=port,
            log_level="warning",
            proxy_headers=proxies is not None,  # X-Forwarded-* only from proxies named
            forwarded_allow_ips=proxies or "",
        )


def _refuse_what_cannot_run(gestes: Gestes, workers: int, job_workers: int) -> None:
    if workers > 1 and gestes.store.dialect != "postgresql":
        typer.echo(
            "error: several processes need PostgreSQL (GESTES_DATABASE_URL): SQLite takes "
            "one writer at a time and its processes cannot tell each other that a session "
            "ended. Run one process on SQLite.",
            err=True,
        )
        raise typer.Exit(2)
    if job_workers and gestes.settings.jobs != "queue":
        typer.echo(
            "error: job workers run the PostgreSQL queue: set GESTES_JOBS=queue (and "
            "GESTES_FILE_STORE=database) first; with GESTES_JOBS=here the app runs its "
            "jobs itself.",
            err=True,
        )
        raise typer.Exit(2)


def _serve_workers(gestes: Gestes, host: str, port: int, workers: int, job_workers: int) -> None:
    """Several processes, each opening its own context from the settings (the environment);
    sign-outs and deactivations reach them all at once (PostgreSQL LISTEN/NOTIFY)."""
    import uvicorn

    if not gestes.store.lookup.has_admin():
        # One token for every worker (they inherit this process's environment): whichever
        # answers the link shows the form, and the first administrator is still created only
        # once — checked inside the write, whatever worker takes it.
        token = secrets.token_urlsafe(24)
        from web.app import SETUP_TOKEN

        os.environ[SETUP_TOKEN] = token
        typer.echo(
            "No administrator yet. Create the first one, once, at:\n"
            f"  http://{host}:{port}/setup/{token}\n"
            "(or stop the server and run: gestes admin create EMAIL)"
        )
    proxies = gestes.settings.trusted_proxies
    gestes.close()
    from web.workers import can_share_port, supervise

    if can_share_port():  # each worker its own socket: the kernel spreads the connections
        supervise(host, port, workers, proxies, job_workers)
        return
    if job_workers:
        raise SystemExit("gestes serve: --job-workers needs SO_REUSEPORT (Linux, BSD).")
    uvicorn.run(
        "web:create_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=proxies is not None,
        forwarded_allow_ips=proxies or "",
    )


def say_what_booklets_carry(gestes: Gestes, here: str) -> None:
    """Where the app runs, the address booklets point at and who signs them; a warning when an
    employer could not reach that address or the signer is not the organisation."""
    from core.booklet.signing import signer_warning

    typer.echo(f"Gestes on {here}/ ({gestes.store.safe_url()})")
    public = gestes.settings.public_url
    links = public or f"{here} (the address each request comes to)"
    fix = "" if public else "; set GESTES_PUBLIC_URL to fix it"
    typer.echo(f"Booklets and sharing links point at {links}{fix}.")
    if is_loopback(public or here):
        typer.echo(
            "warning: that address is this machine's own (loopback): an employer who scans "
            "a booklet's code elsewhere reaches nothing. Set GESTES_PUBLIC_URL to the "
            "address employers can reach.",
            err=True,
        )
    if warning := signer_warning(gestes.settings):
        typer.echo(f"warning: {warning}", err=True)


def is_loopback(address: str) -> bool:
    """Whether links to ``address`` only work on this machine."""
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(address).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
