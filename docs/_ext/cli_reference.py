"""Writes ``reference/cli-commands.md`` before each build: every ``gestes`` command with its
``--help`` text, walked from the command line itself, so the reference cannot drift from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

TARGET = Path(__file__).parent.parent / "reference" / "cli-commands.md"


def commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's path, groups before their commands, in the order ``--help`` lists."""
    found = [path]
    for name, command in getattr(group, "commands", {}).items():
        if not getattr(command, "hidden", False):
            found += commands(command, (*path, name))
    return found


def reference() -> str:
    import typer
    from typer.testing import CliRunner

    from core.cli.main import build_cli

    app = build_cli()
    root = typer.main.get_command(app)
    runner = CliRunner()
    parts = ["<!-- Written by docs/_ext/cli_reference.py at each build: do not edit. -->\n"]
    for path in commands(root):
        result = runner.invoke(app, [*path, "--help"], prog_name="gestes")
        if result.exit_code != 0:
            raise RuntimeError(f"gestes {' '.join(path)} --help failed: {result.output}")
        title = " ".join(("gestes", *path))
        level = "#" * min(len(path) + 2, 4)
        parts.append(f"{level} `{title}`\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(parts)


def write(_app: Sphinx) -> None:
    text = reference()
    if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
        TARGET.write_text(text, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", write)
    return {"parallel_read_safe": True}
