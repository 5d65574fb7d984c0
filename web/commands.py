"""The web package's contribution to the ``gestes`` command line: ``gestes serve``.

Registered like any plugin (entry point ``web`` in the ``gestes`` group), so the core's
command line never imports the web app; importing this module is cheap (``gestes --help``).
"""

from __future__ import annotations

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
    ) -> None:
        """Run the web app (uvicorn)."""
        import uvicorn

        from core.cli_store import seed_if_empty
        from web.app import create_app

        gestes = open_gestes(migrate=True)
        if demo:
            seed_if_empty(gestes)
        typer.echo(f"Gestes on http://{host}:{port}/ ({gestes.store.safe_url()})")
        uvicorn.run(create_app(gestes), host=host, port=port, log_level="warning")
