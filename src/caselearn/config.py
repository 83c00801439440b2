"""One typed settings object, read from CASELEARN_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything caselearn can be configured with.

    Each field is read from the environment as ``CASELEARN_<FIELD>`` (for example
    ``CASELEARN_HOME`` or ``CASELEARN_DATABASE_URL``).
    """

    model_config = SettingsConfigDict(env_prefix="CASELEARN_", extra="ignore")

    home: Path = Field(
        default=Path("./caselearn-data"),
        description="Folder holding the embedded database and the stored originals.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default is a SQLite file caselearn.db under home. "
        "Use postgresql+psycopg://user:pass@host/db for a multi-user deployment.",
    )
    database_pool_size: int = Field(
        default=20,
        ge=1,
        le=200,
        description="Connections each process keeps open to PostgreSQL (SQLite ignores it): "
        "about the number of requests one server process serves at once.",
    )
    max_upload_bytes: int = Field(
        default=100 * 1024 * 1024, description="Largest file accepted for ingestion, in bytes."
    )
    max_pages: int = Field(default=5000, description="Largest page count accepted in one document.")
    max_archive_bytes: int = Field(
        default=512 * 1024 * 1024,
        description="Largest total uncompressed size of an Office (ZIP) file's members.",
    )
    max_archive_ratio: int = Field(
        default=200, description="Largest compression ratio of an Office file before it is a bomb."
    )
    ocr_language: str = Field(default="eng", description="Tesseract language for scanned pages.")
    ocr_dpi: int = Field(default=200, description="Resolution scanned pages are rendered at.")
    ocr_min_chars: int = Field(
        default=25,
        description="A PDF page with fewer extractable characters than this is OCRed.",
    )
    page_size: int = Field(default=25, description="Rows per page in lists (web and API).")
    report_year_start_month: int = Field(
        default=4,
        ge=1,
        le=12,
        description="Month reporting years start in: 4 for financial years from 1 April "
        "(Scotland, England), 1 for calendar years.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs form (CSRF) tokens; default: a random key kept in "
        "secret.key under home.",
    )
    session_hours: int = Field(default=12, ge=1, description="Hours a sign-in lasts.")
    login_attempts: int = Field(
        default=5, ge=1, description="Failed sign-ins in a row before an account is locked."
    )
    lockout_minutes: int = Field(
        default=15, ge=1, description="Minutes an account stays locked after too many failures."
    )
    cookie_secure: bool = Field(
        default=False,
        description="Send the session cookie over HTTPS only (set true behind TLS).",
    )
    search_facet_time_limit_ms: int = Field(
        default=500,
        description="Time allowed for all facet counts of one search; facets not counted in "
        "time are reported as cut short.",
    )
    code_on_ingest: bool = Field(
        default=True, description="Code each review against the codebook as soon as it is ingested."
    )

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept (mode 0600) under home."""
        if self.secret_key:
            return self.secret_key
        path = self.home / "secret.key"
        if not path.exists():
            import os
            import secrets

            self.home.mkdir(parents=True, exist_ok=True)
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                return path.read_text().strip()
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    @property
    def blob_dir(self) -> Path:
        return self.home / "originals"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'caselearn.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
