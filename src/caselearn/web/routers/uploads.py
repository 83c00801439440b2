"""Reading uploaded files within the size limit, shared by the form and the API."""

from __future__ import annotations

from fastapi import UploadFile

from caselearn.schemas import IngestResult
from caselearn.security.policy import current_principal
from caselearn.services import CaseLearn

CHUNK = 1024 * 1024


async def ingest_uploads(
    service: CaseLearn,
    files: list[UploadFile],
    *,
    committee: str | None,
    review_type: str | None,
    review_id: int | None,
    actor: str = "web",
) -> list[IngestResult]:
    principal = current_principal()
    if principal is not None and principal.committee:
        # A committee's people add reviews to their own committee only.
        committee = principal.committee
    results = []
    limit = service.settings.max_upload_bytes
    for upload in files:
        name = upload.filename or "upload"
        chunks, size = [], 0
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                break
            chunks.append(chunk)
        if size > limit:
            results.append(
                IngestResult(
                    path=name,
                    status="error",
                    error_code="too_large",
                    error=f"{name}: the file is larger than the limit of {limit:,} bytes",
                )
            )
            continue
        results.append(
            service.ingest_bytes(
                name,
                b"".join(chunks),
                committee=committee or None,
                review_type=review_type or None,
                review_id=review_id,
                actor=actor,
            )
        )
    return results
