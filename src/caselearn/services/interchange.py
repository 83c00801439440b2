"""Taking coded reviews to other tools and back: REFI-QDA (.qdc codebooks, .qdpx projects for
NVivo, ATLAS.ti, MAXQDA) and flat CSV/XLSX tables of every code with its evidence."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caselearn.interchange.refi import (
    QdaCode,
    QdaCoding,
    QdaDocument,
    QdaProject,
    codebook_to_qdc,
    project_to_qdpx,
    qdc_to_codes,
    qdpx_to_project,
)
from caselearn.redaction import RedactionResult, original_offset, redact_text, translate_offset
from caselearn.redaction import redact as redact_identifiers
from caselearn.store import queries as q
from caselearn.store.models import CodeAssignment, Document, EvidencePassage, Review

EXPORT_COLUMNS = (
    "review_id",
    "review_title",
    "committee",
    "review_type",
    "year",
    "code",
    "label",
    "category",
    "status",
    "origin",
    "coder",
    "confidence",
    "document_id",
    "filename",
    "page",
    "start",
    "end",
    "text",
)


class InterchangeMixin:
    """Mixed into CaseLearn beside the coding operations."""

    def export_codebook(self, fmt: str) -> bytes:
        if fmt == "qdc":
            return self.export_codebook_qdc()
        if fmt == "yaml":
            import yaml

            book = self.codebook()  # type: ignore[attr-defined]
            data = {
                "version": book.version,
                "name": book.name,
                "codes": [code.to_dict() for code in book.codes],
            }
            return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")
        raise ValueError(f"unknown codebook format {fmt!r}; use qdc or yaml")

    def export_codebook_qdc(self) -> bytes:
        book = self.codebook()  # type: ignore[attr-defined]
        codes = [QdaCode(c.id, c.label, c.definition, c.category) for c in book.codes]
        return codebook_to_qdc(codes, name=f"caselearn codebook {book.version}")

    def import_codebook_qdc(
        self, data: bytes, *, committee: str | None, actor: str = "system"
    ) -> list[str]:
        """Codes made in another tool that caselearn does not know become the committee's own."""
        book = self.codebook()  # type: ignore[attr-defined]
        new = [c for c in qdc_to_codes(data) if c.id not in book]
        if not new:
            return []
        return self.add_custom_codes(  # type: ignore[attr-defined]
            [{"id": c.id, "label": c.name, "definition": c.description or c.name} for c in new],
            committee=committee,
            actor=actor,
        )

    def code_rows(
        self, review_ids: list[int] | None = None, *, redact: bool = True
    ) -> list[dict[str, Any]]:
        """One row per code and passage (a code without passages gives one row), redacted
        unless ``redact=False`` and the disclosure rule allows it for every review in it."""
        book = self.codebook()  # type: ignore[attr-defined]
        rows = []
        with self.db.session() as session:  # type: ignore[attr-defined]
            query = (
                select(CodeAssignment, Review)
                .join(Review, Review.id == CodeAssignment.review_id)
                .options(selectinload(CodeAssignment.evidence), selectinload(Review.committee))
                .order_by(CodeAssignment.review_id, CodeAssignment.coder, CodeAssignment.code)
            )
            if review_ids:
                query = query.where(CodeAssignment.review_id.in_(review_ids))
            filenames = dict(session.execute(select(Document.id, Document.filename)).all())
            for assignment, review in session.execute(query):
                code = book.get(assignment.code) if assignment.code in book else None
                base = {
                    "review_id": review.id,
                    "review_title": review.title,
                    "committee": review.committee.name,
                    "review_type": review.review_type,
                    "year": review.year,
                    "code": assignment.code,
                    "label": code.label if code else assignment.code,
                    "category": code.category if code else assignment.code.split(".")[0],
                    "status": assignment.status,
                    "origin": assignment.origin,
                    "coder": assignment.coder or "working set",
                    "confidence": assignment.confidence,
                }
                passages = assignment.evidence or [None]
                for passage in passages:
                    rows.append({**base, **_passage_fields(passage, filenames)})
        if not redact:
            self.check_unredacted(row["review_id"] for row in rows)  # type: ignore[attr-defined]
            return rows
        for row in rows:
            for key in ("review_title", "text", "filename"):
                if row.get(key):
                    row[key] = redact_text(row[key])
        return rows

    def export_codes(
        self, fmt: str, review_ids: list[int] | None = None, *, redact: bool = True
    ) -> bytes:
        """Every code with its evidence, with names, addresses, dates of birth and identifiers
        replaced in every text that leaves the system; ``redact=False`` leaves them to those
        the disclosure rule allows (``AccessDenied`` for others)."""
        if fmt == "qdpx":
            return self.export_project_qdpx(review_ids, redact=redact)
        rows = self.code_rows(review_ids, redact=redact)
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
            writer.writeheader()
            writer.writerows({key: _cell(value) for key, value in row.items()} for row in rows)
            return buffer.getvalue().encode("utf-8-sig")
        if fmt == "xlsx":
            from openpyxl import Workbook

            workbook = Workbook()
            sheet = workbook.active
            sheet.title = "Codes"
            sheet.append(list(EXPORT_COLUMNS))
            for row in rows:
                sheet.append([_cell(row[column]) for column in EXPORT_COLUMNS])
            sheet.freeze_panes = "A2"
            output = io.BytesIO()
            workbook.save(output)
            return output.getvalue()
        raise ValueError(f"unknown export format {fmt!r}; use csv, xlsx or qdpx")

    def export_project_qdpx(
        self, review_ids: list[int] | None = None, *, redact: bool = True
    ) -> bytes:
        """Each stored document as a source; every code that is not rejected, with its
        passages, as codings (document-level offsets = page offset + passage offset). Redacted,
        codings moved to follow their text, unless ``redact=False`` and the rule allows it."""
        book = self.codebook()  # type: ignore[attr-defined]
        with self.db.session() as session:  # type: ignore[attr-defined]
            query = select(Document).options(
                selectinload(Document.pages), selectinload(Document.review)
            )
            if review_ids:
                query = query.where(Document.review_id.in_(review_ids))
            documents = list(session.scalars(query.order_by(Document.id)))
            if not redact:
                self.check_unredacted(d.review_id for d in documents)  # type: ignore[attr-defined]
            passages = session.execute(
                select(EvidencePassage, CodeAssignment)
                .join(CodeAssignment, CodeAssignment.id == EvidencePassage.assignment_id)
                .where(CodeAssignment.status != "rejected")
            ).all()
            by_document: dict[int, list[QdaCoding]] = {}
            offsets = {d.id: {p.number: p.offset for p in d.pages} for d in documents}
            for passage, assignment in passages:
                if (
                    passage.document_id not in offsets
                    or passage.page not in offsets[passage.document_id]
                ):
                    continue
                start = offsets[passage.document_id][passage.page] + passage.start
                coder = assignment.coder or (
                    "caselearn" if assignment.origin == "engine" else assignment.updated_by
                )
                by_document.setdefault(passage.document_id, []).append(
                    QdaCoding(assignment.code, start, start + (passage.end - passage.start), coder)
                )
            sources = [
                _source(
                    f"Review {d.review_id} - {d.filename}",
                    "\f".join(p.text for p in d.pages),
                    by_document.get(d.id, []),
                    redact,
                )
                for d in documents
            ]
        codes = [QdaCode(c.id, c.label, c.definition, c.category) for c in book.codes]
        coders = sorted({c.coder for doc in sources for c in doc.codings}) or ["caselearn"]
        return project_to_qdpx(QdaProject("caselearn export", codes, sources, coders))

    def import_project_qdpx(
        self, data: bytes, *, coder: str | None = None, actor: str = "system"
    ) -> dict[str, int]:
        """Bring codings made in another tool back. Each source is matched to the stored
        document with the same text, or whose redacted text it is (codings are then moved back
        onto the stored text; one ending inside a replacement covers the whole identifier).
        With ``coder`` the codings are that person's independent coding (for agreement);
        without, they join the working set as accepted codes."""
        project = qdpx_to_project(data)
        known = self.codebook()  # type: ignore[attr-defined]
        new_codes = [c for c in project.codes if c.id not in known]
        if new_codes:
            self.add_custom_codes(  # type: ignore[attr-defined]
                [
                    {"id": c.id, "label": c.name, "definition": c.description or c.name}
                    for c in new_codes
                ],
                committee=None,
                actor=actor,
            )
        counts = {"documents": 0, "codings": 0, "unmatched_documents": 0}
        with self.db.session() as session:  # type: ignore[attr-defined]
            stored = list(session.scalars(select(Document).options(selectinload(Document.pages))))
            by_text = {"\f".join(p.text for p in d.pages): d for d in stored}
            by_redacted: dict[str, tuple[Document, RedactionResult]] | None = None
            for source in project.documents:
                document = by_text.get(source.text)
                back: RedactionResult | None = None
                if document is None:
                    # Exports are redacted by default: a project coded elsewhere comes back
                    # with the redacted text, matched here and its offsets moved back.
                    if by_redacted is None:
                        by_redacted = {}
                        for text, candidate in by_text.items():
                            result = redact_identifiers(text)
                            by_redacted.setdefault(result.text, (candidate, result))
                    document, back = by_redacted.get(source.text, (None, None))
                if document is None:
                    counts["unmatched_documents"] += 1
                    continue
                counts["documents"] += 1
                for coding in source.codings:
                    if back is not None:
                        coding = QdaCoding(
                            coding.code_id,
                            original_offset(back, coding.start),
                            original_offset(back, coding.end),
                            coding.coder,
                        )
                    page = _page_at(document, coding.start)
                    start = coding.start - page.offset
                    end = min(coding.end - page.offset, len(page.text))
                    owner = coder or ""
                    assignment = session.scalar(
                        select(CodeAssignment).where(
                            CodeAssignment.review_id == document.review_id,
                            CodeAssignment.code == coding.code_id,
                            CodeAssignment.coder == owner,
                        )
                    )
                    if assignment is None:
                        assignment = CodeAssignment(
                            review_id=document.review_id,
                            code=coding.code_id,
                            coder=owner,
                            status="accepted",
                            origin="person",
                            updated_by=coding.coder or actor,
                        )
                        session.add(assignment)
                    elif not coder:
                        assignment.status = "accepted"
                    assignment.evidence.append(
                        EvidencePassage(
                            document_id=document.id,
                            page=page.number,
                            start=start,
                            end=end,
                            text=page.text[start:end],
                            origin="person",
                        )
                    )
                    counts["codings"] += 1
                if not coder:  # the working set changed: similar reviews and facets follow
                    self._codes_changed(session)  # type: ignore[attr-defined]
                q.record_history(
                    session,
                    actor=actor,
                    entity="document",
                    entity_id=document.id,
                    review_id=document.review_id,
                    action="import_qdpx",
                    after={"codings": len(source.codings), "coder": coder},
                )
        return counts


def _source(name: str, text: str, codings: list[QdaCoding], redact: bool) -> QdaDocument:
    if not redact:
        return QdaDocument(name, text, codings)
    result = redact_identifiers(text)
    moved = []
    for coding in codings:
        start = translate_offset(result, coding.start)
        end = translate_offset(result, coding.end)
        if end > start:
            moved.append(QdaCoding(coding.code_id, start, end, coding.coder))
    return QdaDocument(redact_text(name), result.text, moved)


def _page_at(document: Document, offset: int):  # type: ignore[no-untyped-def]
    pages = sorted(document.pages, key=lambda p: p.offset)
    chosen = pages[0]
    for page in pages:
        if page.offset <= offset:
            chosen = page
    return chosen


def _passage_fields(passage: EvidencePassage | None, filenames: dict[int, str]) -> dict[str, Any]:
    if passage is None:
        return {
            "document_id": None,
            "filename": None,
            "page": None,
            "start": None,
            "end": None,
            "text": None,
        }
    return {
        "document_id": passage.document_id,
        "filename": filenames.get(passage.document_id),
        "page": passage.page,
        "start": passage.start,
        "end": passage.end,
        "text": passage.text,
    }


def _cell(value: Any) -> Any:
    # Spreadsheet programs run text that starts with = + - @ as a formula: neutralise it.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
