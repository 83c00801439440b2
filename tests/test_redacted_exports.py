"""What leaves the system can be redacted: document text, code exports (with REFI-QDA codings
moved to follow their text) and action plans."""

from __future__ import annotations

import csv
import io
import re

from caselearn.interchange.refi import qdpx_to_project
from caselearn.redaction import redact_text
from tests.conftest import CORPUS

PLANTED = ("Callum Fenwick", "07700 900382", "GB7 2ZZ", "0311144729", "glenbrae.cpc@example.org")


def _ingest_planted(service) -> int:
    path = CORPUS / "documents" / "14_glenbrae_icr_child_c.docx"
    return service.ingest_path(path).document_id


def test_document_text_redacted(service, client):
    document_id = _ingest_planted(service)
    plain = service.document_text(document_id)
    assert any(identifier in plain for identifier in PLANTED)
    redacted = client.get(f"/api/documents/{document_id}/text?redact=true").text
    for identifier in PLANTED:
        assert identifier not in redacted
    assert "[Name 1]" in redacted and "Child C" in redacted


def test_code_exports_redacted_and_codings_follow_their_text(service):
    _ingest_planted(service)
    rows = list(
        csv.DictReader(io.StringIO(service.export_codes("csv", redact=True).decode("utf-8-sig")))
    )
    joined = " ".join(f"{r['review_title']} {r['text']}" for r in rows)
    assert rows and not any(identifier in joined for identifier in PLANTED)
    plain = qdpx_to_project(service.export_codes("qdpx")).documents[0]
    redacted = qdpx_to_project(service.export_codes("qdpx", redact=True)).documents[0]
    assert not any(identifier in redacted.text for identifier in PLANTED)
    assert len(redacted.codings) == len(plain.codings)
    changed = 0
    for before, after in zip(plain.codings, redacted.codings, strict=True):
        original = plain.text[before.start : before.end]
        moved = redacted.text[after.start : after.end]
        # A passage keeps its words; only the identifiers inside it are replaced (people are
        # numbered across the whole document, so the numbers may differ from the passage's own).
        assert re.sub(r"\[Name \d+\]", "[Name]", moved) == re.sub(
            r"\[Name \d+\]", "[Name]", redact_text(original)
        )
        changed += moved != original
    assert changed >= 1


def test_plan_export_redacted(service):
    from caselearn.schemas import ActionCreate, RecommendationCreate

    review_id = service.ingest_bytes(
        "r.txt", b"Learning review of Child Q. Findings follow."
    ).review_id
    recommendation = service.add_recommendation(
        review_id,
        RecommendationCreate(
            text="Ask Mrs Lorna Fenwick (07700 900382) to join the parents' group by May 2026."
        ),
    )
    service.add_action(
        recommendation.id, ActionCreate(description="Call Lorna Fenwick", owner="Dr Anna Patel")
    )
    exported = service.export_plan("csv", review_id, redact=True).decode("utf-8-sig")
    assert (
        "Fenwick" not in exported
        and "07700 900382" not in exported
        and "Anna Patel" not in exported
    )
