"""The web app: ``create_app(gestes)`` (``web.app``). Imported lazily, so that the command
line, which loads ``web.commands`` for ``gestes serve``, starts without the web stack."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from web.app import create_app

        return create_app
    raise AttributeError(name)
