"""The web app: ``web.create_app(settings)``."""

from web.app import create_app

__all__ = ["create_app"]
