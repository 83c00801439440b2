"""`caselearn backup` and `caselearn restore`: every table's rows and every original come back
identical (also across SQLite and PostgreSQL); a damaged, altered or hostile archive is refused
before anything is written."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from caselearn.cli import app
from caselearn.config import Settings
from caselearn.schemas import ReviewCreate
from caselearn.services import CaseLearn
from caselearn.services.maintenance import MaintenanceError, RestoreLimits
from tests import samples
from tests.conftest import POSTGRES_URL, drop_database
from tests.test_reports import GOOD as RECORDS

PLAN = (
    b"Rec No,Recommendation,Action,Owner,Due date,Status\n"
    b"1,Audit chronologies,Audit 20 case files,Head of service,31/03/2026,In progress\n"
)


def fill(service: CaseLearn) -> None:
    """A store with documents, codes, children, imported records, a plan and a model file."""
    service.ingest_bytes("briefing.docx", samples.docx_bytes(), committee="Riverside CPC")
    service.ingest_bytes("review.html", samples.HTML_PAGE, committee="Glenbrae CPC")
    result = service.ingest_bytes(
        "notes.txt", "Rapid review of Child Ł. FICTIONAL. Neglect was not recognised.".encode()
    )
    service.register_review(ReviewCreate(title="ICR: Child Q", committee="Riverside CPC"))
    assert service.import_records("records.csv", RECORDS).imported
    report = service.import_plan(result.review_id, "plan.csv", PLAN)
    assert report["actions_created"] == 1
    models = service.settings.home / "models"
    models.mkdir(parents=True, exist_ok=True)
    (models / "coder.json").write_text('{"weights": [0.5, -1.25]}', encoding="utf-8")


def rows(service: CaseLearn) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read the same way on either database. The search index is
    derived (rebuilt after a restore, with new row ids): compared by its passages' content."""
    from caselearn.services.maintenance import _derived

    metadata = MetaData()
    with service.db.engine.connect() as connection:
        metadata.reflect(bind=connection)
        return {
            table.name: sorted(
                (tuple(_plain(v) for v in row) for row in connection.execute(select(table))),
                key=repr,
            )
            for table in metadata.sorted_tables
            if not _derived(table.name)
        } | {
            "passages (content)": sorted(
                connection.execute(
                    select(
                        metadata.tables["passages"].c.document_id,
                        metadata.tables["passages"].c.page,
                        metadata.tables["passages"].c.start,
                        metadata.tables["passages"].c.text,
                    )
                ).all()
            )
        }


def _plain(value: Any) -> Any:
    # SQLite has no booleans: a restored PostgreSQL boolean reads back as 0/1 there.
    return int(value) if isinstance(value, bool) else value


def originals(service: CaseLearn) -> dict[str, bytes]:
    root = service.blobs.root
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@contextmanager
def other_database(tmp_path: Path, kind: str) -> Iterator[str]:
    """A new empty database of the kind asked for (PostgreSQL only when a server is given)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / f'other-{uuid.uuid4().hex[:6]}.db'}"
        return
    assert POSTGRES_URL
    name = f"caselearn_restore_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(admin, name)
        admin.dispose()


@contextmanager
def fresh(tmp_path: Path, url: str) -> Iterator[CaseLearn]:
    """A service over a new home, not yet migrated (as `caselearn restore` opens it)."""
    home = tmp_path / f"home-{uuid.uuid4().hex[:6]}"
    instance = CaseLearn.open(Settings(home=home, database_url=url), migrate=False)
    try:
        yield instance
    finally:
        instance.close()


def restored(service: CaseLearn) -> tuple[dict[str, list[tuple[Any, ...]]], int]:
    """Every row but the restores' own audit entries (a restore adds one to the append-only
    log), and how many restores the log records."""
    data = rows(service)
    data["audit_log"] = [row for row in data["audit_log"] if row[4] != "restore"]
    return data, len(rows(service)["audit_log"]) - len(data["audit_log"])


def test_backup_then_restore_gives_identical_rows_and_originals(service, tmp_path, database_url):
    fill(service)
    archive = tmp_path / "backup.tar.gz"
    summary = service.backup(archive)
    assert summary.originals == 3 and summary.models == 1
    assert summary.tables["reviews"] == len(rows(service)["reviews"]) > 3
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with other_database(tmp_path, kind) as url, fresh(tmp_path, url) as target:
        target.restore(archive)
        assert restored(target) == (rows(service), 1)
        assert originals(target) == originals(service)
        model = target.settings.home / "models" / "coder.json"
        assert model.read_text(encoding="utf-8") == '{"weights": [0.5, -1.25]}'
        assert target.verify_store().ok
        # Ids keep counting after the restored ones (PostgreSQL sequences are reset).
        added = target.register_review(ReviewCreate(title="After restore", committee="X"))
        assert added.id > max(r[0] for r in rows(service)["reviews"])


@pytest.mark.skipif(not POSTGRES_URL, reason="needs CASELEARN_TEST_DATABASE_URL (PostgreSQL)")
def test_sqlite_backup_restores_into_postgresql_and_back(tmp_path):
    source = CaseLearn.open(
        Settings(home=tmp_path / "src", database_url=f"sqlite:///{tmp_path / 'src.db'}")
    )
    try:
        fill(source)
        first = tmp_path / "from-sqlite.tar.gz"
        source.backup(first)
        with other_database(tmp_path, "postgresql") as url, fresh(tmp_path, url) as postgres:
            postgres.restore(first)
            assert postgres.db.engine.dialect.name == "postgresql"
            assert restored(postgres) == (rows(source), 1)
            second = tmp_path / "from-postgresql.tar.gz"
            postgres.backup(second)
        with fresh(tmp_path, f"sqlite:///{tmp_path / 'back.db'}") as back:
            back.restore(second)
            assert restored(back) == (rows(source), 2)  # the log came back with the first
            assert originals(back) == originals(source)
    finally:
        source.close()


def test_restore_refuses_a_store_with_data_unless_forced(service, tmp_path):
    fill(service)
    archive = tmp_path / "b.tar.gz"
    service.backup(archive)
    expected_rows, expected_originals = rows(service), originals(service)
    service.ingest_bytes("later.txt", b"Learning review of Child V, added after the backup.")
    with pytest.raises(MaintenanceError, match="not empty.*--force"):
        service.restore(archive)
    assert len(rows(service)["documents"]) == 4
    service.audit(actor="someone", action="view", path="/reviews/1")  # after the backup
    service.restore(archive, force=True)
    after, restores = restored(service)
    # Everything is as it was, except the append-only log: it keeps what happened since.
    assert restores == 1 and [r[2] for r in after.pop("audit_log")] == ["someone"]
    assert after == {k: v for k, v in expected_rows.items() if k != "audit_log"}
    assert originals(service) == expected_originals  # the later original is gone too
    assert service.verify_store().ok


def test_forced_restore_of_another_stores_backup_keeps_both_logs(service, tmp_path):
    """Two stores number their audit entries from 1: restoring one's backup over the other
    keeps every entry of both, the colliding ones under new ids."""

    def entries(store: CaseLearn) -> list[tuple[str, str, str]]:
        return sorted(
            (e.actor, e.action, e.path) for e in store.audit_entries(per_page=1000).entries
        )

    service.audit(actor="here-1", action="view", path="/reviews/1")
    service.audit(actor="here-2", action="export", path="/api/plans/export.csv")
    own = entries(service)
    with other_database(tmp_path, "sqlite") as url:
        other = CaseLearn.open(Settings(home=tmp_path / "other", database_url=url))
        try:
            other.audit(actor="there-1", action="download", path="/documents/1/original")
            other.audit(actor="there-2", action="view", path="/reviews/2")
            archive = tmp_path / "other.tar.gz"
            other.backup(archive)
            theirs = entries(other)
        finally:
            other.close()
    service.restore(archive, force=True)
    after = [e for e in entries(service) if e[1] != "restore"]
    assert after == sorted(own + theirs)
    ids = [row[0] for row in rows(service)["audit_log"]]
    assert len(ids) == len(set(ids)) == len(after) + 1


def _unpack(archive: Path | bytes) -> list[tuple[tarfile.TarInfo, bytes]]:
    source = io.BytesIO(archive) if isinstance(archive, bytes) else archive.open("rb")
    with source, tarfile.open(fileobj=source, mode="r:gz") as tar:
        return [(info, tar.extractfile(info).read()) for info in tar.getmembers()]  # type: ignore[union-attr]


def _pack(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    output = io.BytesIO()
    with tarfile.open(fileobj=output, mode="w:gz") as target:
        for info, data in members:
            if info.isreg():
                info.size = len(data)
            target.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return output.getvalue()


def _rewrite(archive: Path, change) -> bytes:  # type: ignore[no-untyped-def]
    """The archive's members passed through ``change(name, data) -> data``, re-packed."""
    return _pack([(info, change(info.name, data)) for info, data in _unpack(archive)])


def _assert_refused(tmp_path: Path, archive: Path, message: str, **limits: int) -> None:
    home = tmp_path / "refused-home"
    target = CaseLearn.open(
        Settings(home=home, database_url=f"sqlite:///{tmp_path / 'refused.db'}"), migrate=False
    )
    try:
        with pytest.raises(MaintenanceError, match=message) as caught:
            target.restore(archive, limits=RestoreLimits(**limits) if limits else None)
        assert str(archive) in str(caught.value) and "nothing was restored" in str(caught.value)
        assert not target.db.is_initialised()
        assert not target.blobs.root.exists() or not any(target.blobs.root.rglob("*"))
    finally:
        target.close()


@pytest.fixture
def archive(service, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    service.ingest_bytes("a.txt", b"Initial case review of Child A. FICTIONAL.")
    service.ingest_bytes("b.html", samples.HTML_PAGE)
    path = tmp_path / "good.tar.gz"
    service.backup(path)
    return path


def test_damaged_archive_is_refused(archive, tmp_path):
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(bytes(data))
    _assert_refused(tmp_path, damaged, "damaged|does not match")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
    _assert_refused(tmp_path, truncated, "damaged")
    not_gzip = tmp_path / "text.tar.gz"
    not_gzip.write_bytes(b"these are not the bytes of a backup")
    _assert_refused(tmp_path, not_gzip, "damaged or not a caselearn backup")


def test_altered_member_is_refused_by_its_checksum(archive, tmp_path):
    def alter(name: str, data: bytes) -> bytes:
        return data.replace(b"Child A", b"Child Z") if name == "db/pages.jsonl" else data

    altered = tmp_path / "altered.tar.gz"
    altered.write_bytes(_rewrite(archive, alter))
    _assert_refused(tmp_path, altered, r"db/pages.jsonl.*does not match its checksum")


def test_missing_member_and_missing_manifest_are_refused(archive, tmp_path):
    for dropped, message in [("db/reviews.jsonl", "missing"), ("manifest.json", "no manifest")]:
        kept = [(info, data) for info, data in _unpack(archive) if info.name != dropped]
        path = tmp_path / f"without-{dropped.replace('/', '-')}.tar.gz"
        path.write_bytes(_pack(kept))
        _assert_refused(tmp_path, path, message)


def _hostile(tmp_path: Path, archive: Path, member: tarfile.TarInfo, data: bytes = b"") -> Path:
    """The good archive with one extra member appended."""
    path = tmp_path / f"hostile-{uuid.uuid4().hex[:6]}.tar.gz"
    path.write_bytes(_pack([*_unpack(archive), (member, data)]))
    return path


@pytest.mark.parametrize(
    "name,kind,message",
    [
        ("../escape.txt", tarfile.REGTYPE, "unsafe path"),
        ("originals/../../escape.txt", tarfile.REGTYPE, "unsafe path"),
        ("/tmp/absolute.txt", tarfile.REGTYPE, "unsafe path"),
        ("models/link", tarfile.SYMTYPE, "symbolic link"),
        ("models/hard", tarfile.LNKTYPE, "hard link"),
        ("models/fifo", tarfile.FIFOTYPE, "special file"),
        ("scripts/run.sh", tarfile.REGTYPE, "not part of a caselearn backup"),
        ("db/reviews.jsonl", tarfile.REGTYPE, "appears twice"),
    ],
)
def test_hostile_members_are_refused(archive, tmp_path, name, kind, message):
    member = tarfile.TarInfo(name)
    member.type = kind
    if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE):
        member.linkname = "/etc/passwd"
    path = _hostile(tmp_path, archive, member, b"#!/bin/sh\necho owned\n")
    _assert_refused(tmp_path, path, message)
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path.parent / "escape.txt").exists()


def test_huge_members_are_refused_before_they_are_read(archive, tmp_path):
    _assert_refused(
        tmp_path, archive, r"above the limit of 100 for original", max_original_bytes=100
    )
    _assert_refused(tmp_path, archive, r"above the limit of 10 for table", max_table_bytes=10)
    _assert_refused(tmp_path, archive, "more than 2 members", max_members=2)
    # A gzip bomb: a member whose header claims far more than the limit.
    member = tarfile.TarInfo("models/bomb.bin")
    path = _hostile(tmp_path, archive, member, b"\0" * 5_000_000)
    assert path.stat().st_size < 100_000
    _assert_refused(tmp_path, path, "above the limit", max_model_bytes=1_000_000)


def test_rows_that_cannot_load_leave_the_store_untouched(archive, tmp_path):
    def duplicate_ids(name: str, data: bytes) -> bytes:
        return data + data if name == "db/pages.jsonl" else data

    # Rebuild the manifest so the checksums match: the archive is well-formed, its rows are not.
    members = {info.name: data for info, data in _unpack(_rewrite(archive, duplicate_ids))}
    manifest = json.loads(members["manifest.json"])
    pages = members["db/pages.jsonl"]
    manifest["members"]["db/pages.jsonl"] = {
        "sha256": hashlib.sha256(pages).hexdigest(),
        "size": len(pages),
    }
    members["manifest.json"] = json.dumps(manifest).encode()
    path = tmp_path / "bad-rows.tar.gz"
    path.write_bytes(_pack([(tarfile.TarInfo(name), data) for name, data in members.items()]))
    home = tmp_path / "bad-rows-home"
    target_service = CaseLearn.open(
        Settings(home=home, database_url=f"sqlite:///{tmp_path / 'bad-rows.db'}"), migrate=False
    )
    try:
        with pytest.raises(MaintenanceError, match="could not be loaded.*nothing was restored"):
            target_service.restore(path)
        assert not any(rows(target_service).get("documents", []))
        assert not any(p.is_file() for p in target_service.blobs.root.rglob("*"))
    finally:
        target_service.close()


def test_manifest_lists_every_member_with_its_checksum(archive):
    members = {info.name: data for info, data in _unpack(archive)}
    manifest = json.loads(members.pop("manifest.json"))
    assert manifest["alembic_revision"] and manifest["format"] == "caselearn-backup"
    assert {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in members.items()
    } == manifest["members"]
    assert [t["name"] for t in manifest["tables"]].index("reviews") < [
        t["name"] for t in manifest["tables"]
    ].index("documents")


def test_cli_backup_restore_and_refusal(service, tmp_path, cli_env):
    service.ingest_bytes("a.txt", b"Initial case review of Child A. FICTIONAL.")
    path = tmp_path / "cli.tar.gz"
    runner = CliRunner()
    result = runner.invoke(app, ["backup", str(path), "--json"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["originals"] == 1
    target_home = tmp_path / "cli-target"
    env = {"CASELEARN_HOME": str(target_home), "CASELEARN_DATABASE_URL": ""}
    result = runner.invoke(app, ["restore", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "Restored" in result.stdout and "1 originals" in result.stdout
    result = runner.invoke(app, ["restore", str(path)], env=env)
    assert result.exit_code == 1 and "--force" in result.stderr
    assert runner.invoke(app, ["restore", str(path), "--force"], env=env).exit_code == 0
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(path.read_bytes()[:-40])
    result = runner.invoke(app, ["restore", str(damaged), "--force"], env=env)
    assert result.exit_code == 1 and "damaged" in result.stderr
    assert runner.invoke(app, ["verify"], env=env).exit_code == 0
