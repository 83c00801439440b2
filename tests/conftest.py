"""Fixtures: a real database per test (SQLite by default, PostgreSQL when
CASELEARN_TEST_DATABASE_URL names a server), the service, the CLI runner and the web client."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from caselearn.config import Settings
from caselearn.services import CaseLearn

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SEEDS = ROOT.parent / "shared" / "seeds"
POSTGRES_URL = os.environ.get("CASELEARN_TEST_DATABASE_URL")


def pytest_report_header(config: pytest.Config) -> str:
    return f"caselearn database under test: {'PostgreSQL' if POSTGRES_URL else 'SQLite'}"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'caselearn.db'}"
        return
    name = f"caselearn_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(admin, name)
        admin.dispose()


def drop_database(admin, name: str) -> None:  # type: ignore[no-untyped-def]
    """Drop a test database. An autovacuum worker busy in it has no role, so a non-superuser
    may not terminate it (unless granted pg_signal_backend, as scripts/test.sh does); it
    finishes within moments, so try again rather than fail the test's teardown."""
    from sqlalchemy.exc import ProgrammingError

    for attempt in range(20):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except ProgrammingError as exc:
            if "pg_signal_backend" not in str(exc) or attempt == 19:
                raise
            time.sleep(0.5)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=database_url)


@pytest.fixture
def service(settings: Settings) -> Iterator[CaseLearn]:
    instance = CaseLearn.open(settings)
    yield instance
    instance.close()


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """Environment that points the CLI at the test database."""
    return {
        "CASELEARN_HOME": str(settings.home),
        "CASELEARN_DATABASE_URL": settings.database_url or "",
    }


ADMIN = ("test-admin", "test-admin-password")


def admin_token(service: CaseLearn) -> str:
    """An API token of the test's administrator (created on first use)."""
    if not any(u.name == ADMIN[0] for u in service.list_users()):
        service.add_user(ADMIN[0], "admin", password=ADMIN[1])
    return service.new_api_token(ADMIN[0], "tests")


@pytest.fixture
def client(service: CaseLearn):  # type: ignore[no-untyped-def]
    """The web app as the test's administrator, signed in with an API token."""
    from fastapi.testclient import TestClient

    from caselearn.web.app import create_app

    with TestClient(
        create_app(service), headers={"Authorization": f"Bearer {admin_token(service)}"}
    ) as test_client:
        yield test_client


@pytest.fixture
def anonymous(service: CaseLearn):  # type: ignore[no-untyped-def]
    """The web app with nobody signed in."""
    from fastapi.testclient import TestClient

    from caselearn.web.app import create_app

    with TestClient(create_app(service)) as test_client:
        yield test_client


def store_snapshot(service: CaseLearn) -> dict[str, object]:
    """Everything a failed ingestion must leave untouched: rows and stored originals."""
    from sqlalchemy import func, select

    from caselearn.store.models import Committee, Document, Page, Review

    with service.db.session() as session:
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Committee, Review, Document, Page)
        }
    blobs = (
        sorted(
            str(p.relative_to(service.blobs.root))
            for p in service.blobs.root.rglob("*")
            if p.is_file()
        )
        if service.blobs.root.exists()
        else []
    )
    return {"counts": counts, "blobs": blobs}


@pytest.fixture
def live(service: CaseLearn):  # type: ignore[no-untyped-def]
    """The web app served on loopback for a real browser (skipped without Chromium locally)."""
    from caselearn.web.app import create_app
    from tests import browser
    from tests.browser import LiveServer, require_browser

    require_browser()
    admin_token(service)
    with LiveServer(create_app(service), credentials=ADMIN) as server:
        browser.ACTIVE_SERVER = server
        try:
            yield server
        finally:
            browser.ACTIVE_SERVER = None


@pytest.fixture
def driver(request):  # type: ignore[no-untyped-def]
    from tests.browser import chrome

    if "live" in request.fixturenames:
        request.getfixturevalue("live")  # started first, so the browser signs in to it
    yield from chrome(1280, 1000)
