"""Storage: SQLAlchemy tables, Alembic migrations, and the engine with its SQLite settings.

Observations are append-only: a correction is a new row that supersedes an old one. The
records service (``core.records``) is the only writer; the web app and the CLI go through it.
"""
