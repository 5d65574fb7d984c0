"""Settings from ``GESTES_*`` environment variables (or a ``.env`` file)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

MEBIBYTE = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GESTES_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    # Default: a SQLite file in the data directory. A national network sets a PostgreSQL URL:
    # postgresql+psycopg://user@host:5432/gestes
    database_url: str | None = None
    evidence_max_bytes: int = 10 * MEBIBYTE
    evidence_types: tuple[str, ...] = ("image/jpeg", "image/png", "image/webp", "application/pdf")

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gestes.sqlite3').resolve()}"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"
