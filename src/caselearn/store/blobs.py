"""Originals, stored content-addressed by SHA-256 and never modified."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store the bytes; return their digest and whether they were new. Writes go to a
        temporary file first and are renamed into place, so a crash never leaves half a file
        under a digest's name."""
        digest = sha256_of(data)
        target = self.path(digest)
        if target.exists() and self.verify(digest):
            # A fresh time: `verify --repair` leaves young files alone, and an ingest may be
            # about to adopt this one (left by an earlier run that was killed).
            with contextlib.suppress(OSError):
                os.utime(target)
            return digest, False
        # Missing, or a damaged file under the digest's name: (re)write it from these bytes.
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o444)
            os.replace(temporary, target)
            _sync_directory(target.parent)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest, True

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def remove(self, sha256: str) -> None:
        """Only for undoing a put whose database transaction failed."""
        self.path(sha256).unlink(missing_ok=True)

    def verify(self, sha256: str) -> bool:
        path = self.path(sha256)
        return path.exists() and sha256_of(path.read_bytes()) == sha256


def _sync_directory(path: Path) -> None:
    """Make the rename itself durable: without this a power cut can lose the file's name even
    though the database row that refers to it was committed."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
