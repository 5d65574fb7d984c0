"""Settings from ``GESTES_*`` environment variables (or a ``.env`` file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MEBIBYTE = 1024 * 1024
DEFAULT_ADDRESS = "http://127.0.0.1:8000"  # where `gestes serve` listens unless told


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GESTES_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    # Default: a SQLite file in the data directory. A national network sets a PostgreSQL URL:
    # postgresql+psycopg://user@host:5432/gestes
    database_url: str | None = None
    # Where evidence, cached booklets, exports and keys live: "local" (the data directory,
    # one machine) or "database" (the database itself: every machine of a network on one
    # PostgreSQL reaches them). See core.store.files.
    file_store: Literal["local", "database"] = "local"
    # Where long work (a cohort's booklets) runs: "here" (a thread of the process that was
    # asked) or "queue" (queued in PostgreSQL, run by `gestes worker` on any machine).
    jobs: Literal["here", "queue"] = "here"
    evidence_max_bytes: int = 10 * MEBIBYTE
    evidence_types: tuple[str, ...] = ("image/jpeg", "image/png", "image/webp", "application/pdf")
    # Where employers reach the verification page printed in booklets' QR codes and sharing
    # links. Unset: the address the app is served on (the request's), and for the command
    # line the address `gestes serve` uses by default.
    public_url: str | None = None
    # Proxies whose X-Forwarded-* headers are trusted (e.g. "127.0.0.1"); unset: none.
    trusted_proxies: str | None = None
    # Signs booklet verification links. Unset: a random key kept in the data directory.
    secret_key: str | None = None
    verification_days: int = 365
    # The training organisation, printed on every booklet and its verification page (what a
    # Qualiopi auditor and an employer look for): its name, its declaration of activity
    # number (NDA), SIRET and Qualiopi certificate.
    organisation_name: str | None = None
    # The booklets' signing key and certificate (PEM). Unset: made once in the data directory.
    signing_key_file: Path | None = None
    signing_cert_file: Path | None = None
    organisation_nda: str | None = None
    organisation_siret: str | None = None
    organisation_qualiopi: str | None = None
    organisation_contact: str | None = None  # who answers for it: a name, a phone, an e-mail

    # One line per request (route, status, time; no personal data): "-" to standard error,
    # a file name to append to it, "" for none.
    request_log: str = "-"
    share_days: int = 30  # links a coordinator sends to an employer to download a booklet
    # Attendance sheets and the certificates drawn from them are funding evidence: kept this
    # many years after the end of the year the cohort ended (3 by the certificat de
    # réalisation's own undertaking; 10 when the programme is co-funded by the EU, ESF+). An
    # erased trainee's sheets stay, pseudonymised, until then (docs/guides/attendance.md).
    attendance_retention_years: int = Field(default=3, ge=1, le=30)
    # Unjustified half-days absent from which the coordination is told, on its dashboard.
    absence_alert: int = Field(default=4, ge=1, le=100)

    @property
    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gestes.sqlite3').resolve()}"

    def address(self, served_at: str | None = None) -> str:
        """The public address links point at: the setting, else where the app is served."""
        return (self.public_url or served_at or DEFAULT_ADDRESS).rstrip("/")

    def signing_key(self) -> bytes:
        """The secret that signs verification links: set, or created once (mode 0600)."""
        if self.secret_key:
            return self.secret_key.encode()
        path = self.data_dir / "secret.key"
        if not path.exists():
            import os
            import secrets

            self.data_dir.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_hex(32))
        return path.read_text().strip().encode()
