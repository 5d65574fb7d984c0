"""What every command group of ``gestes`` shares: the opener that loads the plugins and opens
the application context once per run, command groups, refusals said and a plain table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    import pluggy

    from core.catalog.catalog import Catalog
    from core.context import Definitions, Gestes

CATALOG_EXIT = 1


class Opener:
    """Loads the plugins and the catalog, and opens the application context, when a command
    needs them (once: one plugin manager for the whole run), or prints what is wrong and
    exits. ``gestes --help`` reads no plugin YAML.

    ``plugins``: the command line's manager, whose plugins are already registered (else one
    is made when a command first needs it)."""

    def __init__(self, plugins: pluggy.PluginManager | None = None) -> None:
        self._plugins = plugins
        self._definitions: Definitions | None = None

    def catalog(self) -> Catalog:
        return self.definitions().catalog

    def definitions(self) -> Definitions:
        """The catalog, or every problem printed to stderr and exit 1."""
        from core.catalog.loading import CatalogError
        from core.context import load_definitions
        from core.plugins import PluginLoadError

        if self._definitions is not None:
            return self._definitions
        try:
            self._definitions = load_definitions(self._plugins)
            return self._definitions
        except PluginLoadError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(CATALOG_EXIT) from None
        except CatalogError as error:
            for problem in error.problems:
                typer.echo(f"error: {problem}", err=True)
            for warning in error.warnings:
                typer.echo(f"warning: {warning}", err=True)
            typer.echo(f"{len(error.problems)} error(s): the catalog was not loaded.", err=True)
            raise typer.Exit(CATALOG_EXIT) from None

    def gestes(self, migrate: bool = False) -> Gestes:
        """The application context on the configured store (``migrate``: upgrade it first)."""
        from core.context import open_gestes
        from core.domain import RecordError

        definitions = self.definitions()
        try:
            return open_gestes(definitions=definitions, migrate=migrate)
        except RecordError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None


def group(app: typer.Typer, name: str, help_text: str) -> typer.Typer:
    group = typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(group, name=name)
    return group


def refused(action: Callable[[], Any]) -> Any:
    """Run ``action``; a refusal of the store (RecordError) or an unknown id is printed and
    the command exits 1."""
    from core.domain import RecordError

    try:
        return action()
    except (RecordError, KeyError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


def account_id(gestes: Gestes, email: str) -> int:
    """The id of the account with ``email`` (who a command acts as), or exit 1 saying so."""
    wanted = email.strip().lower()
    found = next((a.id for a in gestes.store.accounts.all() if a.email == wanted), None)
    if found is None:
        typer.echo(f"error: no account with the e-mail {email}.", err=True)
        raise typer.Exit(1)
    return found


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    return "\n".join(lines)
