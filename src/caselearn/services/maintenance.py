"""Keeping the store whole: `verify` (every original against its digest and row, pages for every
document, no orphans), `backup` (database and files in one checksummed archive) and `restore`
(checked before anything is touched; portable between SQLite and PostgreSQL).

The backup is logical: each table's rows as JSON lines, in foreign-key order, with the Alembic
revision recorded. Tables are found by reflecting the live database, so tables added by later
migrations are backed up without changes here."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import Connection, MetaData, Table, func, select, text
from sqlalchemy import types as sqltypes
from sqlalchemy.exc import SQLAlchemyError

from caselearn import __version__
from caselearn.store.blobs import sha256_of
from caselearn.store.models import CodingRun, Document, Page, Review

FORMAT = "caselearn-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SKIPPED_TABLES = {"alembic_version"}
# The search index is derived from the pages: not backed up, rebuilt after a restore (its FTS5
# shadow tables cannot be written row by row, and a PostgreSQL generated column not at all).
DERIVED_TABLES = ("passages", "search_state")
# Never emptied, even by a forced restore (the database refuses it): the backup's entries are
# added to those already there.
APPEND_ONLY = ("audit_log",)


def _derived(name: str) -> bool:
    return name in DERIVED_TABLES or name.startswith("passages_fts")


CHUNK = 1 << 20
BATCH = 1000
_DIGEST = re.compile(r"[0-9a-f]{64}")
_TABLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_MODEL_FILE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}")


class MaintenanceError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class VerifyReport:
    """What `verify` found. ``problems`` make it fail; ``notes`` are for information."""

    reviews: int = 0
    documents: int = 0
    pages: int = 0
    originals_checked: int = 0
    original_bytes: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    needs_coding: list[int] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "reviews": self.reviews,
            "documents": self.documents,
            "pages": self.pages,
            "originals_checked": self.originals_checked,
            "original_bytes": self.original_bytes,
            "problems": self.problems,
            "notes": self.notes,
            "orphans": self.orphans,
            "needs_coding": self.needs_coding,
            "repaired": self.repaired,
        }


@dataclass
class RestoreLimits:
    """What a restore accepts, so a hostile or mistaken archive cannot fill the disk."""

    max_members: int = 1_000_000
    max_original_bytes: int = 100 * 1024 * 1024
    max_table_bytes: int = 16 * 1024**3
    max_model_bytes: int = 200 * 1024 * 1024
    max_manifest_bytes: int = 64 * 1024 * 1024
    max_total_bytes: int = 256 * 1024**3


@dataclass
class ArchiveSummary:
    path: str
    revision: str
    database: str
    tables: dict[str, int]
    originals: int
    models: int
    archive_bytes: int
    content_bytes: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class MaintenanceMixin:
    # --- verify ------------------------------------------------------------------------------

    def verify_store(self, *, repair: bool = False, grace_seconds: float = 600) -> VerifyReport:
        """Check every stored original against its name and row, pages for every document,
        coding finished, and no orphan files. With ``repair``: orphan originals and leftover
        temporary files older than ``grace_seconds`` are removed (younger ones may belong to
        an ingest still running) and reviews left uncoded are coded."""
        report = VerifyReport()
        settings = self.settings  # type: ignore[attr-defined]
        blobs = self.blobs  # type: ignore[attr-defined]
        with self.db.session() as session:  # type: ignore[attr-defined]
            report.reviews = session.scalar(select(func.count()).select_from(Review)) or 0
            documents = session.execute(
                select(
                    Document.id,
                    Document.review_id,
                    Document.sha256,
                    Document.size_bytes,
                    Document.page_count,
                    Document.filename,
                )
            ).all()
            report.documents = len(documents)
            pages: dict[int, list[tuple[int, int, int]]] = {}
            for document_id, number, offset, length in session.execute(
                select(Page.document_id, Page.number, Page.offset, func.length(Page.text)).order_by(
                    Page.document_id, Page.number
                )
            ):
                pages.setdefault(document_id, []).append((number, offset, length or 0))
                report.pages += 1
            for row in documents:
                _check_pages(row, pages.pop(row.id, []), report)
            for document_id in sorted(pages):
                report.problems.append(f"pages of document {document_id}, which does not exist")
            reviews = session.execute(
                select(Review.id, Review.origin, Review.guessed_fields, Review.coding_status)
            ).all()
            with_documents = {row.review_id for row in documents}
            for review in reviews:
                if (
                    review.id not in with_documents
                    and review.origin == "documents"
                    and review.guessed_fields
                ):
                    # Registered reviews have no guessed fields; one created by ingestion
                    # without its document would be half an ingest.
                    report.problems.append(
                        f"review {review.id} was created from a document but has none"
                    )
            runs = set(session.scalars(select(CodingRun.review_id).distinct()))
            for review in reviews:
                if review.coding_status in ("coded", "could_not_code") and review.id not in runs:
                    report.problems.append(
                        f"review {review.id} is marked {review.coding_status} but has no coding run"
                    )
            from caselearn.services import needs_coding

            stale = session.scalars(
                select(Review).where(Review.id.in_(with_documents)).order_by(Review.id)
            )
            report.needs_coding = [r.id for r in stale if needs_coding(r)]
            if session.bind.dialect.name == "sqlite":
                for problem in session.execute(text("PRAGMA foreign_key_check")).all():
                    report.problems.append(f"foreign key broken: {tuple(problem)}")
                check = session.execute(text("PRAGMA quick_check")).scalar()
                if check != "ok":
                    report.problems.append(f"SQLite quick_check: {check}")

        known = {row.sha256: row for row in documents}
        for digest, row in known.items():
            path = blobs.path(digest)
            if not path.is_file():
                report.problems.append(
                    f"document {row.id} ({row.filename}): original {digest[:12]}… is missing"
                )
                continue
            actual, size = _file_digest(path)
            report.originals_checked += 1
            report.original_bytes += size
            if actual != digest:
                report.problems.append(
                    f"document {row.id} ({row.filename}): original {digest[:12]}… is damaged "
                    f"(its content hashes to {actual[:12]}…)"
                )
            elif size != row.size_bytes:
                report.problems.append(
                    f"document {row.id} ({row.filename}): original is {size} bytes, "
                    f"the row says {row.size_bytes}"
                )
        now = time.time()
        for path in _blob_files(blobs.root):
            relative = path.relative_to(blobs.root).as_posix()
            name = path.name
            if name.startswith(".incoming-"):
                kind = "an unfinished write (temporary file)"
            elif _DIGEST.fullmatch(name) and path.parent.name == name[:2]:
                if name in known:
                    continue
                kind = "an original no document refers to"
            else:
                report.problems.append(f"unexpected file among the originals: {relative}")
                continue
            old = now - path.stat().st_mtime >= grace_seconds
            if repair and old:
                path.unlink(missing_ok=True)
                report.repaired.append(f"removed {relative} ({kind})")
            else:
                report.orphans.append(relative)
                report.notes.append(
                    f"{relative} is {kind}: harmless (a rerun of the ingest adopts it); "
                    "`caselearn verify --repair` removes it"
                )
        for leftover in sorted(settings.home.glob(".backup-*")) + sorted(
            settings.home.glob(".restore-*")
        ):
            # A backup or restore killed midway leaves its staging folder (table rows in clear).
            if not leftover.is_dir():
                continue
            if repair and now - leftover.stat().st_mtime >= grace_seconds:
                shutil.rmtree(leftover, ignore_errors=True)
                report.repaired.append(
                    f"removed {leftover.name} (an interrupted backup or restore)"
                )
            else:
                report.notes.append(
                    f"{leftover} was left by an interrupted backup or restore; "
                    "`caselearn verify --repair` removes it"
                )
        if report.needs_coding:
            if repair:
                for review_id in report.needs_coding:
                    self.code_review(review_id, actor="verify")  # type: ignore[attr-defined]
                    report.repaired.append(f"coded review {review_id}")
                report.needs_coding = []
            else:
                listed = ", ".join(str(i) for i in report.needs_coding[:20])
                message = (
                    f"{len(report.needs_coding)} review(s) with documents not coded since their "
                    f"last document arrived: {listed}"
                )
                if settings.code_on_ingest:
                    report.problems.append(
                        f"{message} (an interrupted ingest; rerun it, or "
                        "`caselearn verify --repair`)"
                    )
                else:
                    report.notes.append(f"{message} (coding on ingest is off)")
        return report

    # --- backup ------------------------------------------------------------------------------

    def backup(self, target: Path) -> ArchiveSummary:
        """Write the database (every table, as JSON lines) and every stored original and
        trained model into one .tar.gz with a manifest of SHA-256 checksums. The archive is
        written beside ``target`` and renamed into place, so a failed backup leaves no file
        that looks complete."""
        started = time.perf_counter()
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        members: dict[str, dict[str, Any]] = {}
        tables: list[dict[str, Any]] = []
        engine = self.db.engine  # type: ignore[attr-defined]
        handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        os.close(handle)
        home: Path = self.settings.home  # type: ignore[attr-defined]
        try:
            # Staged under home, not /tmp: the rows are as confidential as the database.
            with (
                tempfile.TemporaryDirectory(dir=home, prefix=".backup-") as staging,
                _snapshot(engine) as connection,
            ):
                revision = connection.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar()
                metadata = MetaData()
                metadata.reflect(bind=connection)
                digests: list[str] = []
                for table in _load_order(metadata):
                    path = Path(staging) / f"{table.name}.jsonl"
                    rows = _dump_table(connection, table, path)
                    tables.append(
                        {"name": table.name, "rows": rows, "columns": [c.name for c in table.c]}
                    )
                    if table.name == "documents":
                        digests = [
                            d
                            for (d,) in connection.execute(
                                select(table.c.sha256).order_by(table.c.id)
                            )
                        ]
                database = engine.dialect.name
                with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                    for entry in tables:
                        name = f"db/{entry['name']}.jsonl"
                        members[name] = _add_file(
                            archive, name, Path(staging) / f"{entry['name']}.jsonl"
                        )
                    damaged = []
                    for digest in digests:
                        blob = self.blobs.path(digest)  # type: ignore[attr-defined]
                        try:
                            data = blob.read_bytes()
                        except OSError as exc:
                            damaged.append(f"{digest[:12]}… ({exc.strerror or exc})")
                            continue
                        if sha256_of(data) != digest:
                            damaged.append(f"{digest[:12]}… (content does not match its digest)")
                            continue
                        members[f"originals/{digest[:2]}/{digest}"] = _add_bytes(
                            archive, f"originals/{digest[:2]}/{digest}", data
                        )
                    if damaged:
                        raise MaintenanceError(
                            "stored originals are missing or damaged, so the backup would "
                            f"be incomplete: {', '.join(damaged[:10])}; `caselearn verify` "
                            "names the documents they belong to"
                        )
                    models = self.settings.home / "models"  # type: ignore[attr-defined]
                    model_count = 0
                    if models.is_dir():
                        for path in sorted(models.iterdir()):
                            if path.is_file() and _MODEL_FILE.fullmatch(path.name):
                                name = f"models/{path.name}"
                                members[name] = _add_bytes(archive, name, path.read_bytes())
                                model_count += 1
                    manifest = {
                        "format": FORMAT,
                        "version": FORMAT_VERSION,
                        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                        "caselearn_version": __version__,
                        "alembic_revision": revision,
                        "database": database,
                        "tables": tables,
                        "members": members,
                    }
                    _add_bytes(
                        archive,
                        MANIFEST,
                        json.dumps(manifest, indent=1, sort_keys=True).encode(),
                    )
            with open(partial, "rb") as stream:
                os.fsync(stream.fileno())
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        return ArchiveSummary(
            path=str(target),
            revision=str(revision),
            database=database,
            tables={t["name"]: t["rows"] for t in tables},
            originals=len(digests),
            models=model_count,
            archive_bytes=target.stat().st_size,
            content_bytes=sum(m["size"] for m in members.values()),
            seconds=round(time.perf_counter() - started, 3),
        )

    # --- restore -----------------------------------------------------------------------------

    def check_backup(self, source: Path, limits: RestoreLimits | None = None) -> dict[str, Any]:
        """Read the whole archive and check it without writing anything: member types and
        names, sizes, every checksum against the manifest, every original against its name.
        Returns the manifest; raises MaintenanceError naming the first problem."""
        return _check_archive(Path(source), limits or RestoreLimits())

    def restore(
        self, source: Path, *, force: bool = False, limits: RestoreLimits | None = None
    ) -> ArchiveSummary:
        """Replace an empty store (or, with ``force``, any store) by a backup's contents.

        Nothing is touched until the whole archive has been checked. Originals are written
        first (content-addressed, so extra ones are harmless), then every table is loaded in
        one transaction; if that fails, the store is as it was."""
        from alembic.script import ScriptDirectory

        from caselearn.store.db import alembic_config

        started = time.perf_counter()
        source = Path(source)
        limits = limits or RestoreLimits()
        manifest = _check_archive(source, limits)
        revision = manifest["alembic_revision"]
        database = self.db  # type: ignore[attr-defined]
        scripts = ScriptDirectory.from_config(alembic_config(database.url))
        head = scripts.get_current_head()
        try:
            scripts.get_revision(revision)
        except Exception as exc:  # noqa: BLE001 - alembic raises several types for this
            raise MaintenanceError(
                f"{source}: the backup was made at schema revision {revision}, which this "
                f"version of caselearn ({__version__}) does not know; restore it with the "
                "version that made it (or a newer one)"
            ) from exc
        initialised = database.is_initialised()
        if initialised:
            database.upgrade()
            if revision != head:
                raise MaintenanceError(
                    f"{source}: the backup is at schema revision {revision} and this database at "
                    f"{head}; restore it into a new, empty database (another --home or "
                    "--database-url), which is brought up to date after loading"
                )
        if not force:
            if initialised:
                filled = _non_empty_tables(database.engine)
                if filled:
                    raise MaintenanceError(
                        f"the store is not empty (rows in {', '.join(filled[:5])}); "
                        "restore into a new --home or database, or pass --force to replace it"
                    )
            blob_root = self.blobs.root  # type: ignore[attr-defined]
            if any(True for _ in _blob_files(blob_root)):
                raise MaintenanceError(
                    f"{blob_root} already holds originals; restore into a new --home, "
                    "or pass --force to replace them"
                )
        if not initialised:
            from alembic import command

            config = alembic_config(database.url)
            with database.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)

        home: Path = self.settings.home  # type: ignore[attr-defined]
        home.mkdir(parents=True, exist_ok=True)
        created: list[str] = []
        with tempfile.TemporaryDirectory(dir=home, prefix=".restore-") as staging:
            try:
                _extract_verified(source, manifest, limits, Path(staging), self.blobs, created)  # type: ignore[attr-defined]
                try:
                    _load_tables(database.engine, manifest, Path(staging), force=force)
                except (SQLAlchemyError, ValueError, TypeError, KeyError) as exc:
                    raise MaintenanceError(
                        f"{source}: the backup's rows could not be loaded ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0][:300]}); nothing was restored"
                    ) from exc
            except BaseException:
                for digest in created:
                    self.blobs.remove(digest)  # type: ignore[attr-defined]
                raise
            models = home / "models"
            restored_models = sorted(Path(staging, "models").glob("*"))
            if force and models.is_dir():
                keep = {p.name for p in restored_models}
                for old in models.iterdir():
                    if old.is_file() and old.name not in keep:
                        old.unlink()
            if restored_models:
                models.mkdir(parents=True, exist_ok=True)
                for path in restored_models:
                    os.replace(path, models / path.name)
        if force:
            wanted = {f"{d[:2]}/{d}" for d in _manifest_digests(manifest)}
            for path in _blob_files(self.blobs.root):  # type: ignore[attr-defined]
                if path.relative_to(self.blobs.root).as_posix() not in wanted:  # type: ignore[attr-defined]
                    path.unlink(missing_ok=True)
        if not initialised or revision != head:
            database.upgrade()
        if hasattr(self, "reindex"):
            self.reindex()  # the search index is derived: rebuilt from the restored pages
        members = manifest["members"]
        self.audit(  # type: ignore[attr-defined]
            actor="system",
            action="restore",
            path=str(source)[-1000:],
            detail={"revision": revision, "force": force, "created_at": manifest.get("created_at")},
        )
        return ArchiveSummary(
            path=str(source),
            revision=revision,
            database=database.engine.dialect.name,
            tables={t["name"]: t["rows"] for t in manifest["tables"]},
            originals=sum(1 for name in members if name.startswith("originals/")),
            models=sum(1 for name in members if name.startswith("models/")),
            archive_bytes=source.stat().st_size,
            content_bytes=sum(m["size"] for m in members.values()),
            seconds=round(time.perf_counter() - started, 3),
        )


# --- verify helpers --------------------------------------------------------------------------


def _check_pages(document: Any, pages: list[tuple[int, int, int]], report: VerifyReport) -> None:
    label = f"document {document.id} ({document.filename})"
    if not pages:
        report.problems.append(f"{label} has no pages")
        return
    numbers = [number for number, _, _ in pages]
    if numbers != list(range(1, len(numbers) + 1)):
        report.problems.append(f"{label}: page numbers are not 1 to {len(numbers)}")
    if len(pages) != document.page_count:
        report.problems.append(
            f"{label} has {len(pages)} pages stored, the row says {document.page_count}"
        )
    expected = 0
    for number, offset, length in pages:
        if offset != expected:
            report.problems.append(f"{label}: page {number} starts at {offset}, not {expected}")
            return
        expected = offset + length + 1  # pages are joined by one form feed


def _file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _blob_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() or path.is_symlink():
            yield path


# --- backup helpers --------------------------------------------------------------------------


class _snapshot:
    """A read-only connection that sees one consistent state of every table."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def __enter__(self) -> Connection:
        if self.engine.dialect.name == "sqlite":
            # pysqlite starts no transaction for SELECTs; an explicit one pins the WAL snapshot.
            self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self.connection.exec_driver_sql("BEGIN")
        else:
            self.connection = self.engine.connect().execution_options(
                isolation_level="REPEATABLE READ"
            )
            self.connection.begin()
            if self.engine.dialect.name == "postgresql":
                self.connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        return self.connection

    def __exit__(self, *exc: object) -> None:
        try:
            if self.engine.dialect.name == "sqlite":
                self.connection.exec_driver_sql("ROLLBACK")
            else:
                self.connection.rollback()
        finally:
            self.connection.close()


def _load_order(metadata: MetaData) -> list[Table]:
    return [
        t for t in metadata.sorted_tables if t.name not in SKIPPED_TABLES and not _derived(t.name)
    ]


def _order_columns(table: Table) -> list[Any]:
    return list(table.primary_key.columns) or list(table.c)


def _dump_table(connection: Connection, table: Table, path: Path) -> int:
    rows = 0
    result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(
        select(table).order_by(*_order_columns(table))
    )
    with path.open("w", encoding="utf-8") as stream:
        for row in result.mappings():
            stream.write(
                json.dumps(
                    {key: _encode(value) for key, value in row.items()},
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
            )
            stream.write("\n")
            rows += 1
    return rows


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(value: Any, column_type: Any) -> Any:
    """Turn a JSON value back into what the target column takes, by the target's own type
    (so a SQLite backup loads into PostgreSQL and back)."""
    if value is None:
        return None
    if isinstance(column_type, sqltypes.JSON):
        return value
    if isinstance(column_type, sqltypes.DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column_type, sqltypes.Date):
        return dt.date.fromisoformat(value)
    if isinstance(column_type, sqltypes.Time):
        return dt.time.fromisoformat(value)
    if isinstance(column_type, sqltypes.LargeBinary):
        return base64.b64decode(value)
    if isinstance(column_type, sqltypes.Numeric) and not isinstance(column_type, sqltypes.Float):
        return decimal.Decimal(value)
    if isinstance(column_type, sqltypes.Boolean):
        return bool(value)
    return value


def _tar_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o444
    info.mtime = int(time.time())
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> dict[str, Any]:
    archive.addfile(_tar_info(name, len(data)), io.BytesIO(data))
    return {"sha256": sha256_of(data), "size": len(data)}


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    digest, size = _file_digest(path)
    with path.open("rb") as stream:
        archive.addfile(_tar_info(name, size), stream)
    return {"sha256": digest, "size": size}


# --- restore helpers -------------------------------------------------------------------------


def _member_kind(name: str) -> str:
    """Which part of a backup a member name is, or raise: only these names are accepted."""
    path = PurePosixPath(name)
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or any(part in ("", ".", "..") for part in name.split("/"))
    ):
        raise MaintenanceError(f"member {name!r} has an unsafe path")
    parts = path.parts
    if parts == (MANIFEST,):
        return "manifest"
    if (
        len(parts) == 2
        and parts[0] == "db"
        and path.suffix == ".jsonl"
        and _TABLE.fullmatch(path.stem)
    ):
        return "table"
    if (
        len(parts) == 3
        and parts[0] == "originals"
        and _DIGEST.fullmatch(parts[2])
        and parts[1] == parts[2][:2]
    ):
        return "original"
    if len(parts) == 2 and parts[0] == "models" and _MODEL_FILE.fullmatch(parts[1]):
        return "model"
    raise MaintenanceError(f"member {name!r} is not part of a caselearn backup")


def _limit_for(kind: str, limits: RestoreLimits) -> int:
    return {
        "manifest": limits.max_manifest_bytes,
        "table": limits.max_table_bytes,
        "original": limits.max_original_bytes,
        "model": limits.max_model_bytes,
    }[kind]


_READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error)


def _damaged(source: Path, exc: BaseException) -> MaintenanceError:
    return MaintenanceError(
        f"{source}: the archive is damaged or not a caselearn backup "
        f"({exc or type(exc).__name__}); nothing was restored"
    )


class _MemberReader:
    """A member's stream whose read errors (truncation, bad compressed data) say so plainly."""

    def __init__(self, source: Path, stream: IO[bytes]) -> None:
        self.source, self.stream = source, stream

    def read(self, size: int = -1) -> bytes:
        try:
            return self.stream.read(size)
        except _READ_ERRORS as exc:
            raise _damaged(self.source, exc) from exc


def _members(
    source: Path, limits: RestoreLimits
) -> Iterator[tuple[tarfile.TarInfo, str, IO[bytes]]]:
    """Each regular member with its kind and a stream, after the header checks; then the rest
    of the gzip stream is read, so a cut-off or corrupted end is noticed too."""
    if not source.is_file():
        raise MaintenanceError(f"{source}: no such file")
    seen: set[str] = set()
    total = 0
    try:
        with gzip.open(source, "rb") as compressed:
            # Stream mode: members are read in order, never by seeking back.
            with tarfile.open(fileobj=compressed, mode="r|") as archive:
                for info in archive:
                    if info.isdir():
                        continue
                    _check_member(info, seen, limits)
                    total += info.size
                    if total > limits.max_total_bytes:
                        raise MaintenanceError(
                            f"the members add up to more than {limits.max_total_bytes:,} bytes"
                        )
                    stream = archive.extractfile(info)
                    assert stream is not None
                    yield info, _member_kind(info.name), _MemberReader(source, stream)  # type: ignore[misc]
            while compressed.read(CHUNK):
                pass
    except MaintenanceError as exc:
        if str(exc).startswith(f"{source}: "):
            raise
        raise MaintenanceError(f"{source}: {exc}; nothing was restored") from None
    except _READ_ERRORS as exc:
        raise _damaged(source, exc) from exc


def _check_member(info: tarfile.TarInfo, seen: set[str], limits: RestoreLimits) -> None:
    if not info.isreg():
        what = (
            "a symbolic link"
            if info.issym()
            else "a hard link"
            if info.islnk()
            else "a device or special file"
        )
        raise MaintenanceError(f"member {info.name!r} is {what}; refused")
    kind = _member_kind(info.name)
    if info.name in seen:
        raise MaintenanceError(f"member {info.name!r} appears twice")
    seen.add(info.name)
    if len(seen) > limits.max_members:
        raise MaintenanceError(f"more than {limits.max_members:,} members")
    limit = _limit_for(kind, limits)
    if info.size > limit:
        raise MaintenanceError(
            f"member {info.name!r} is {info.size:,} bytes, above the limit of "
            f"{limit:,} for {kind} members"
        )


def _stream_digest(stream: IO[bytes], sink: IO[bytes] | None = None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return digest.hexdigest(), size


def _check_archive(source: Path, limits: RestoreLimits) -> dict[str, Any]:
    found: dict[str, tuple[str, int]] = {}
    manifest_bytes: bytes | None = None
    for info, kind, stream in _members(source, limits):
        if kind == "manifest":
            manifest_bytes = stream.read(limits.max_manifest_bytes + 1)
            continue
        digest, size = _stream_digest(stream)
        if size != info.size:
            raise MaintenanceError(
                f"{source}: member {info.name!r} is truncated; nothing was restored"
            )
        found[info.name] = (digest, size)
    problem = _manifest_problem(manifest_bytes, found)
    if problem:
        raise MaintenanceError(f"{source}: {problem}; nothing was restored")
    assert manifest_bytes is not None
    return json.loads(manifest_bytes)


def _manifest_problem(raw: bytes | None, found: dict[str, tuple[str, int]]) -> str | None:
    if raw is None:
        return f"no {MANIFEST}: not a caselearn backup"
    try:
        manifest = json.loads(raw)
    except ValueError as exc:
        return f"{MANIFEST} is not valid JSON ({exc})"
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return f"{MANIFEST} does not describe a caselearn backup"
    if manifest.get("version") != FORMAT_VERSION:
        return f"backup format version {manifest.get('version')!r} is not {FORMAT_VERSION}"
    members = manifest.get("members")
    tables = manifest.get("tables")
    if not isinstance(members, dict) or not isinstance(tables, list):
        return f"{MANIFEST} lists no members or tables"
    if not isinstance(manifest.get("alembic_revision"), str):
        return f"{MANIFEST} records no schema revision"
    for name, (digest, size) in sorted(found.items()):
        entry = members.get(name)
        if not isinstance(entry, dict):
            return f"member {name!r} is not listed in the manifest"
        if entry.get("sha256") != digest or entry.get("size") != size:
            return f"member {name!r} does not match its checksum (damaged or altered)"
        if name.startswith("originals/") and PurePosixPath(name).name != digest:
            return f"original {name!r} does not hash to its name (damaged or altered)"
    missing = sorted(set(members) - set(found))
    if missing:
        return f"{len(missing)} member(s) listed in the manifest are missing, e.g. {missing[0]!r}"
    table_names = []
    for entry in tables:
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("name"), str)
            or not _TABLE.fullmatch(entry["name"])
            or not isinstance(entry.get("rows"), int)
        ):
            return f"{MANIFEST} has a malformed table entry"
        table_names.append(entry["name"])
        if f"db/{entry['name']}.jsonl" not in found:
            return f"table {entry['name']} has no data member"
    extra = {n for n in found if n.startswith("db/")} - {f"db/{t}.jsonl" for t in table_names}
    if extra:
        return f"data member {sorted(extra)[0]!r} is not a table of the manifest"
    return None


def _manifest_digests(manifest: dict[str, Any]) -> list[str]:
    return [PurePosixPath(n).name for n in manifest["members"] if n.startswith("originals/")]


def _extract_verified(
    source: Path,
    manifest: dict[str, Any],
    limits: RestoreLimits,
    staging: Path,
    blobs: Any,
    created: list[str],
) -> None:
    """Second pass: write originals into the blob store and tables and models into staging,
    checking each member's checksum again as it is written (the file may have changed since
    the first pass)."""
    (staging / "db").mkdir()
    (staging / "models").mkdir()
    members = manifest["members"]
    for info, kind, stream in _members(source, limits):
        if kind == "manifest":
            continue
        expected = members[info.name]["sha256"]
        if kind == "original":
            data = stream.read()
            if sha256_of(data) != expected:
                raise MaintenanceError(f"{source}: member {info.name!r} changed while restoring")
            existed = blobs.path(expected).is_file()
            _, new = blobs.put(data)
            if new and not existed:
                created.append(expected)
            continue
        target = staging / ("db" if kind == "table" else "models") / PurePosixPath(info.name).name
        with target.open("wb") as sink:
            digest, _ = _stream_digest(stream, sink)
        if digest != expected:
            raise MaintenanceError(f"{source}: member {info.name!r} changed while restoring")


def _non_empty_tables(engine: Any) -> list[str]:
    metadata = MetaData()
    with engine.connect() as connection:
        metadata.reflect(bind=connection)
        return [
            table.name
            for table in _load_order(metadata)
            if connection.execute(select(func.count()).select_from(table)).scalar()
        ]


def _load_tables(engine: Any, manifest: dict[str, Any], staging: Path, *, force: bool) -> None:
    with engine.begin() as connection:
        metadata = MetaData()
        metadata.reflect(bind=connection)
        order = _load_order(metadata)
        by_name = {table.name: table for table in order}
        wanted = [entry["name"] for entry in manifest["tables"]]
        unknown = [name for name in wanted if name not in by_name]
        if unknown:
            raise MaintenanceError(
                f"the backup has tables this database does not: {', '.join(unknown)}"
            )
        if force:
            for name in DERIVED_TABLES:  # rows pointing at documents go first (triggers empty FTS)
                if name in metadata.tables:
                    connection.execute(metadata.tables[name].delete())
            for table in reversed(order):
                if table.name not in APPEND_ONLY:
                    connection.execute(table.delete())
        appenders: list[_Appender] = []
        for table in order:
            path = staging / "db" / f"{table.name}.jsonl"
            if not path.exists():
                continue
            columns = {column.name: column.type for column in table.c}
            batch: list[dict[str, Any]] = []
            load = connection.execute
            if table.name in APPEND_ONLY:
                appender = _Appender(connection, table)
                appenders.append(appender)
                load = appender.load
            with path.open(encoding="utf-8") as stream:
                for number, line in enumerate(stream, start=1):
                    row = json.loads(line)
                    extra = set(row) - set(columns)
                    if extra:
                        raise MaintenanceError(
                            f"table {table.name} row {number} has columns this database does "
                            f"not: {', '.join(sorted(extra))}"
                        )
                    batch.append({k: _decode(v, columns[k]) for k, v in row.items()})
                    if len(batch) >= BATCH:
                        load(table.insert(), batch)
                        batch = []
            if batch:
                load(table.insert(), batch)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, order)
        for appender in appenders:
            appender.finish()


class _Appender:
    """Loads an append-only table's rows without replacing what it holds. A row the table
    already holds, same id and same content (a store restored from its own backup), is left as
    it is. A row whose id the table uses for another entry (another store's backup) is kept
    too, under a new id once every other row is in, so that no entry of either log is lost."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self.connection, self.table = connection, table
        self.renumbered: list[dict[str, Any]] = []

    def load(self, statement: Any, rows: list[dict[str, Any]]) -> None:
        ids = [row["id"] for row in rows]
        held = {
            entry.id: entry._mapping
            for entry in self.connection.execute(select(self.table).where(self.table.c.id.in_(ids)))
        }
        fresh = []
        for row in rows:
            entry = held.get(row["id"])
            if entry is None:
                fresh.append(row)
            elif any(entry[key] != value for key, value in row.items()):
                self.renumbered.append({k: v for k, v in row.items() if k != "id"})
        if fresh:
            self.connection.execute(statement, fresh)

    def finish(self) -> None:
        """Add the renumbered rows (after PostgreSQL's sequences were moved past the ids)."""
        if self.renumbered:
            self.connection.execute(self.table.insert(), self.renumbered)


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Rows were loaded with their ids, so each id sequence must move past the largest."""
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, sqltypes.Integer):
                continue
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": table.name, "column": column.name},
            ).scalar()
            if sequence:
                connection.execute(
                    text(
                        f'SELECT setval(:sequence, COALESCE((SELECT MAX("{column.name}") '
                        f'FROM "{table.name}"), 0) + 1, false)'
                    ),
                    {"sequence": sequence},
                )
