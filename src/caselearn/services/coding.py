"""Coding operations: run the engine on stored reviews or on a file, and let people accept,
reject, change and add codes and correct facts. A re-run never overwrites a person's decision."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from caselearn.codebook import Codebook, CodebookError, code_from_dict, core_codebook
from caselearn.coding.engine import CodingEngine, DocumentCoding, LinearModel
from caselearn.coding.facts import ChildFacts, ReviewFacts, code_with_facts
from caselearn.ingest import extract
from caselearn.schemas import (
    ChildPublic,
    ChildUpdate,
    CodeAdd,
    CodeAssignmentPublic,
    CodeChange,
    CodeDecision,
    EvidencePublic,
    FactPublic,
    ReviewCodingPublic,
)
from caselearn.store import queries as q
from caselearn.store.blobs import sha256_of
from caselearn.store.models import (
    Child,
    CodeAssignment,
    CodingRun,
    CustomCode,
    Document,
    EvidencePassage,
    Review,
)

_ENGINES: dict[tuple[str, str], CodingEngine] = {}
_CODEBOOKS: dict[str, tuple[tuple[Any, ...], Codebook]] = {}


@lru_cache(maxsize=8)
def _read_model(path: Path, name: str, _mtime_ns: int) -> tuple[LinearModel, str]:
    data = path.read_bytes()
    return LinearModel.from_dict(json.loads(data)), f"{name}:{sha256_of(data)[:10]}"


DEFAULT_MODEL = Path(__file__).resolve().parents[1] / "coding" / "default_model.json"
REVIEW_FACTS = ("proceeded", "decision_rationale")


class CodingMixin:
    """Mixed into CaseLearn; uses its db, settings and error types."""

    _model_version: str = "rule"

    # --- codebook and engine -----------------------------------------------------------------

    def codebook(self) -> Codebook:
        """The core codebook with every committee's custom codes. Custom codes are only ever
        added, so their count and newest id tell whether the process's copy is current: one
        small query instead of reading and validating every custom code on every page."""
        with self.db.engine.connect() as connection:  # type: ignore[attr-defined]
            stamp = tuple(connection.execute(select(func.count(), func.max(CustomCode.id))).one())
        key = self.db.url  # type: ignore[attr-defined]
        cached = _CODEBOOKS.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        with self.db.session() as session:  # type: ignore[attr-defined]
            custom = [
                code_from_dict({**row.definition, "id": row.code}, source="custom code")
                for row in session.scalars(select(CustomCode).order_by(CustomCode.id))
            ]
        codebook = core_codebook().with_codes(custom)
        _CODEBOOKS[key] = (stamp, codebook)
        return codebook

    def model_path(self) -> Path:
        return self.settings.home / "models" / "coder.json"  # type: ignore[attr-defined]

    def load_model(self) -> tuple[LinearModel | None, str]:
        """The trained model under home, else the shipped one; read again only when the file
        changes (every ingest asks)."""
        for path, name in ((self.model_path(), "trained"), (DEFAULT_MODEL, "default")):
            if path.exists():
                return _read_model(path, name, path.stat().st_mtime_ns)
        return None, "rule"

    def engine(self) -> CodingEngine:
        codebook = self.codebook()
        model, model_version = self.load_model()
        key = (codebook.version, model_version)
        self._model_version = model_version
        if key not in _ENGINES:
            # Building the phrase index and embedding the codes takes a moment: share engines
            # between service instances using the same codebook and model.
            _ENGINES.clear()
            _ENGINES[key] = CodingEngine(codebook, model)
        return _ENGINES[key]

    def add_custom_codes(
        self, codes: list[dict[str, Any]], *, committee: str | None, actor: str = "system"
    ) -> list[str]:
        """Add a committee's own codes (validated like the core codebook)."""
        parsed = [
            code_from_dict({**c, "committee": committee}, source="custom code") for c in codes
        ]
        self.codebook().with_codes(parsed)  # raises on clashes with existing identifiers
        with self.db.session() as session:  # type: ignore[attr-defined]
            owner = q.committee_named(session, committee) if committee else None
            for code in parsed:
                session.add(
                    CustomCode(
                        code=code.id,
                        committee_id=owner.id if owner else None,
                        definition=code.to_dict(),
                        created_by=actor,
                    )
                )
                q.record_history(
                    session,
                    actor=actor,
                    entity="codebook",
                    entity_id=0,
                    action="add_code",
                    after=code.to_dict(),
                )
        return [code.id for code in parsed]

    # --- coding without storing --------------------------------------------------------------

    def code_pages(
        self, pages: list[tuple[int, str]], title: str = "", review_type: str | None = None
    ) -> tuple[DocumentCoding, ReviewFacts]:
        return code_with_facts(self.engine(), pages, title, review_type)

    def code_file(self, path: Path) -> dict[str, Any]:
        """Code a file without storing it: the stable `caselearn code PATH --json` shape."""
        from caselearn.ingest.metadata import guess_metadata

        data = path.read_bytes()
        document = extract(path.name, data, self.limits)  # type: ignore[attr-defined]
        guess = guess_metadata(
            document.text, document.title_hint, path.name, document.running_lines
        )
        pages = [(p.number, p.text) for p in document.pages]
        coding, facts = self.code_pages(pages, guess.title, guess.review_type)
        return {
            "codebook_version": coding.codebook_version,
            "document": {
                "path": str(path),
                "sha256": sha256_of(data),
                "pages": len(document.pages),
                "characters": document.char_count,
            },
            "review": {
                "type": facts.review_type.value or guess.review_type,
                "committee": guess.committee,
                "title": guess.title,
                "proceeded": facts.proceeded.value,
                "decision_rationale": facts.decision_rationale.value,
            },
            "status": coding.status,
            "message": coding.message,
            "codes": [
                {
                    "code": r.code,
                    "confidence": r.confidence,
                    "evidence": [e.to_dict() for e in r.evidence],
                }
                for r in coding.present
            ],
            "children": [
                {
                    k: v
                    for k, v in child.values().items()
                    if k in ("age_band", "gender", "living", "fatal", "harm")
                }
                for child in facts.children
            ],
            "recommendations": _recommendations_json(pages, self.codebook()),
        }

    # --- coding stored reviews ---------------------------------------------------------------

    def code_review(self, review_id: int, *, actor: str = "system") -> ReviewCodingPublic:
        with self.db.session() as session:  # type: ignore[attr-defined]
            review = self._review(session, review_id)  # type: ignore[attr-defined]
            documents = list(
                session.scalars(
                    select(Document)
                    .where(Document.review_id == review_id)
                    .options(selectinload(Document.pages))
                    .order_by(Document.id)
                )
            )
            texts = {d.id: [(p.number, p.text) for p in d.pages] for d in documents}
            title, review_type = review.title, review.review_type
        engine = self.engine()
        main = _main_document(documents)
        per_document, facts = {}, None
        for doc_id, pages in texts.items():
            if main is not None and doc_id == main.id:
                per_document[doc_id], facts = code_with_facts(engine, pages, title, review_type)
            else:
                per_document[doc_id] = engine.code_pages(pages)
        with self.db.session() as session:  # type: ignore[attr-defined]
            review = self._review(session, review_id)  # type: ignore[attr-defined]
            self._store_coding(
                session, review, per_document, facts, actor, engine, main.id if main else None
            )
            if main is not None:
                self.store_recommendations(session, review, main.id, texts[main.id])  # type: ignore[attr-defined]
        return self.review_coding(review_id)

    def _store_coding(
        self,
        session: Session,
        review: Review,
        per_document: dict[int, DocumentCoding],
        facts: ReviewFacts | None,
        actor: str,
        engine: CodingEngine,
        main_document_id: int | None,
    ) -> None:
        codable = {d: c for d, c in per_document.items() if c.status == "coded"}
        status = "coded" if codable else "could_not_code"
        messages = sorted({c.message for c in per_document.values() if c.message})
        run = CodingRun(
            review_id=review.id,
            actor=actor,
            codebook_version=engine.codebook.version,
            engine_version=next(iter(per_document.values())).engine_version
            if per_document
            else "none",
            model_version=getattr(self, "_model_version", "rule"),
            status=status,
            message="; ".join(messages) or ("no documents" if not per_document else None),
        )
        session.add(run)
        session.flush()
        merged = _merge(codable)
        existing = {
            a.code: a
            for a in session.scalars(
                select(CodeAssignment)
                .where(CodeAssignment.review_id == review.id, CodeAssignment.coder == "")
                .options(selectinload(CodeAssignment.evidence))
            )
        }
        for code, (confidence, evidence) in merged.items():
            assignment = existing.pop(code, None)
            if assignment is None:
                assignment = CodeAssignment(
                    review_id=review.id,
                    code=code,
                    coder="",
                    status="suggested",
                    origin="engine",
                    updated_by=actor,
                )
                session.add(assignment)
            assignment.confidence = confidence
            assignment.run_id = run.id
            if assignment.status == "suggested" and assignment.origin == "engine":
                assignment.evidence = [
                    EvidencePassage(
                        document_id=doc_id,
                        page=e.page,
                        start=e.start,
                        end=e.end,
                        text=e.text,
                        origin="engine",
                    )
                    for doc_id, e in evidence
                ]
        for code, assignment in existing.items():
            # Withdraw only the engine's own undecided suggestions; people's decisions stay.
            if assignment.status == "suggested" and assignment.origin == "engine":
                q.record_history(
                    session,
                    review_id=review.id,
                    actor=actor,
                    entity="code",
                    entity_id=assignment.id,
                    action="withdraw",
                    before={"code": code, "review_id": review.id},
                )
                session.delete(assignment)
        if facts is not None and main_document_id is not None and status == "coded":
            # The facts were read from the main document; their evidence points into it.
            self._store_facts(session, review, facts, main_document_id)
        self._codes_changed(session)  # type: ignore[attr-defined]
        review.coding_status = status
        review.coded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        run.present_count = len(merged)
        q.record_history(
            session,
            actor=actor,
            entity="review",
            entity_id=review.id,
            action="code",
            after={"run": run.id, "status": status, "codes": sorted(merged)},
        )

    def _store_facts(
        self, session: Session, review: Review, facts: ReviewFacts, document_id: int
    ) -> None:
        guessed = set(review.guessed_fields or [])
        evidence = dict(review.fact_evidence or {})
        for name in REVIEW_FACTS:
            fact = getattr(facts, name)
            person_set = getattr(review, name) is not None and name not in guessed
            if person_set or fact.value is None:
                continue
            setattr(review, name, fact.value)
            guessed.add(name)
            evidence[name] = [{"document_id": document_id, **e.to_dict()} for e in fact.evidence]
        review.guessed_fields = sorted(guessed)
        review.fact_evidence = evidence
        rows = list(
            session.scalars(
                select(Child).where(Child.review_id == review.id).order_by(Child.position, Child.id)
            )
        )
        by_label = {row.label: row for row in rows}
        kept = set()
        for position, child in enumerate(facts.children):
            row = by_label.get(child.label)
            if row is None:
                row = Child(
                    review_id=review.id,
                    label=child.label,
                    position=position,
                    person_fields=[],
                    origin="engine",
                )
                session.add(row)
            _apply_child_facts(row, child, document_id)
            kept.add(row.label)
        for row in rows:
            if row.label not in kept and not row.person_fields and row.origin == "engine":
                session.delete(row)

    # --- reading and correcting --------------------------------------------------------------

    def review_coding(self, review_id: int) -> ReviewCodingPublic:
        codebook = self.codebook()
        with self.db.session() as session:  # type: ignore[attr-defined]
            review = self._review(session, review_id, bare=True)  # type: ignore[attr-defined]
            assignments = session.scalars(
                select(CodeAssignment)
                .where(CodeAssignment.review_id == review_id, CodeAssignment.coder == "")
                .options(selectinload(CodeAssignment.evidence))
            )
            codes = sorted(
                (_assignment_public(a, codebook) for a in assignments),
                key=lambda a: (_category_order(a.category), -(a.confidence or 0), a.code),
            )
            children = [
                _child_public(c)
                for c in session.scalars(
                    select(Child)
                    .where(Child.review_id == review_id)
                    .order_by(Child.position, Child.id)
                )
            ]
            run = session.scalar(
                select(CodingRun)
                .where(CodingRun.review_id == review_id)
                .order_by(CodingRun.id.desc())
                .limit(1)
            )
            guessed = set(review.guessed_fields or [])
            facts = {
                name: FactPublic(
                    value=getattr(review, name if name != "review_type" else "review_type"),
                    evidence=(review.fact_evidence or {}).get(name, []),
                    set_by_person=name not in guessed and getattr(review, name) is not None,
                )
                for name in ("review_type", *REVIEW_FACTS)
            }
            return ReviewCodingPublic(
                review_id=review_id,
                status=review.coding_status,
                codebook_version=run.codebook_version if run else None,
                coded_at=review.coded_at,
                codes=codes,
                children=children,
                facts=facts,
            )

    def decide_code(
        self, review_id: int, code: str, decision: CodeDecision, *, actor: str = "system"
    ) -> CodeAssignmentPublic:
        codebook = self.codebook()
        with self.db.session() as session:  # type: ignore[attr-defined]
            self._review(session, review_id)  # type: ignore[attr-defined]
            assignment = self._assignment(session, review_id, code)
            before = {"status": assignment.status, "note": assignment.note}
            assignment.status = decision.status
            assignment.note = decision.note
            assignment.updated_by = actor
            self._codes_changed(session)  # type: ignore[attr-defined]
            q.record_history(
                session,
                review_id=review_id,
                actor=actor,
                entity="code",
                entity_id=assignment.id,
                action=decision.status,
                before={"code": code, **before},
                after={"code": code, "status": decision.status, "note": decision.note},
            )
            session.flush()
            return _assignment_public(assignment, codebook)

    def add_code(
        self, review_id: int, data: CodeAdd, *, actor: str = "system"
    ) -> CodeAssignmentPublic:
        """A person applies a code to a passage they selected (or adds a passage to a code)."""
        codebook = self.codebook()
        if data.code not in codebook:
            raise self._invalid(f"unknown code {data.code!r}")
        with self.db.session() as session:  # type: ignore[attr-defined]
            self._review(session, review_id)  # type: ignore[attr-defined]
            start, end = self._locate(session, review_id, data)
            text = self._passage(session, review_id, data.document_id, data.page, start, end)
            assignment, before = self._accepted_by_person(session, review_id, data.code, actor)
            self._codes_changed(session)  # type: ignore[attr-defined]
            assignment.note = data.note or assignment.note
            assignment.updated_by = actor
            assignment.evidence.append(
                EvidencePassage(
                    document_id=data.document_id,
                    page=data.page,
                    start=start,
                    end=end,
                    text=text,
                    origin="person",
                )
            )
            session.flush()
            q.record_history(
                session,
                review_id=review_id,
                actor=actor,
                entity="code",
                entity_id=assignment.id,
                action="add",
                before=before,
                after={
                    "code": data.code,
                    "status": "accepted",
                    "passage": {
                        "document_id": data.document_id,
                        "page": data.page,
                        "start": start,
                        "end": end,
                    },
                },
            )
            return _assignment_public(assignment, codebook)

    def change_code(
        self, review_id: int, code: str, change: CodeChange, *, actor: str = "system"
    ) -> CodeAssignmentPublic:
        """Correct a code: the old one is rejected, the new one accepted with the same passages."""
        codebook = self.codebook()
        if change.new_code not in codebook:
            raise self._invalid(f"unknown code {change.new_code!r}")
        with self.db.session() as session:  # type: ignore[attr-defined]
            old = self._assignment(session, review_id, code)
            new, _before = self._accepted_by_person(session, review_id, change.new_code, actor)
            new.note = change.note
            for passage in old.evidence:
                new.evidence.append(
                    EvidencePassage(
                        document_id=passage.document_id,
                        page=passage.page,
                        start=passage.start,
                        end=passage.end,
                        text=passage.text,
                        origin="person",
                    )
                )
            old.status, old.updated_by = "rejected", actor
            self._codes_changed(session)  # type: ignore[attr-defined]
            old.note = change.note or f"changed to {change.new_code}"
            session.flush()
            q.record_history(
                session,
                review_id=review_id,
                actor=actor,
                entity="code",
                entity_id=old.id,
                action="change",
                before={"code": code},
                after={"code": change.new_code},
            )
            return _assignment_public(new, codebook)

    def update_child(
        self, review_id: int, child_id: int | None, change: ChildUpdate, *, actor: str = "system"
    ) -> ChildPublic:
        """Correct (or, with child_id None, add) a child; corrected fields are never re-guessed."""
        fields = change.model_dump(exclude_unset=True)
        if "harm" in fields and fields["harm"] and fields["harm"] not in self.codebook():
            raise self._invalid(f"unknown harm code {fields['harm']!r}")
        with self.db.session() as session:  # type: ignore[attr-defined]
            self._review(session, review_id)  # type: ignore[attr-defined]
            if child_id is None:
                count = len(
                    list(session.scalars(select(Child.id).where(Child.review_id == review_id)))
                )
                child = Child(
                    review_id=review_id,
                    position=count,
                    origin="person",
                    person_fields=[],
                    label=fields.get("label") or f"Child {count + 1}",
                )
                session.add(child)
                before = None
            else:
                child = session.get(Child, child_id)
                if child is None or child.review_id != review_id:
                    raise self._not_found(f"child {child_id} of review {review_id} does not exist")
                before = {name: getattr(child, name) for name in fields}
            for name, value in fields.items():
                setattr(child, name, "" if value is None and name != "age_years" else value)
            if (
                "age_years" in fields
                and fields["age_years"] is not None
                and "age_band" not in fields
            ):
                from caselearn.coding.facts import age_band

                child.age_band = age_band(fields["age_years"])
            child.person_fields = sorted(set(child.person_fields or []) | set(fields))
            session.flush()
            q.record_history(
                session,
                review_id=review_id,
                actor=actor,
                entity="child",
                entity_id=child.id,
                action="add" if before is None else "update",
                before=before,
                after={**fields, "review_id": review_id},
            )
            return _child_public(child)

    def set_independent_coding(
        self, review_id: int, coder: str, codes: list[str], *, actor: str | None = None
    ) -> list[str]:
        """Record one person's independent coding of a review (for agreement statistics)."""
        if not coder.strip():
            raise self._invalid("an independent coder needs a name")
        codebook = self.codebook()
        unknown = [c for c in codes if c not in codebook]
        if unknown:
            raise self._invalid(f"unknown codes: {', '.join(unknown)}")
        with self.db.session() as session:  # type: ignore[attr-defined]
            self._review(session, review_id)  # type: ignore[attr-defined]
            for row in session.scalars(
                select(CodeAssignment).where(
                    CodeAssignment.review_id == review_id, CodeAssignment.coder == coder
                )
            ):
                session.delete(row)
            session.flush()
            for code in sorted(set(codes)):
                session.add(
                    CodeAssignment(
                        review_id=review_id,
                        code=code,
                        coder=coder,
                        status="accepted",
                        origin="person",
                        updated_by=actor or coder,
                    )
                )
            q.record_history(
                session,
                actor=actor or coder,
                entity="review",
                entity_id=review_id,
                action="independent_coding",
                after={"coder": coder, "codes": sorted(set(codes))},
            )
        return sorted(set(codes))

    def independent_codings(
        self, review_ids: list[int] | None = None
    ) -> dict[str, dict[int, set[str]]]:
        """{coder: {review_id: codes}} for people's independent codings, plus the engine's
        suggestions as coder "engine" (what it proposed, whatever people decided after)."""
        result: dict[str, dict[int, set[str]]] = {}
        with self.db.session() as session:  # type: ignore[attr-defined]
            query = select(
                CodeAssignment.review_id,
                CodeAssignment.code,
                CodeAssignment.coder,
                CodeAssignment.origin,
            )
            if review_ids:
                query = query.where(CodeAssignment.review_id.in_(review_ids))
            for review_id, code, coder, origin in session.execute(query):
                if coder:
                    result.setdefault(coder, {}).setdefault(review_id, set()).add(code)
                elif origin == "engine":
                    result.setdefault("engine", {}).setdefault(review_id, set()).add(code)
        return result

    # --- helpers ------------------------------------------------------------------------------

    def _accepted_by_person(
        self, session: Session, review_id: int, code: str, actor: str
    ) -> tuple[CodeAssignment, dict[str, Any] | None]:
        """The working-set row for ``code``, accepted by ``actor`` (created if missing), and
        its status before."""
        assignment = session.scalar(
            select(CodeAssignment).where(
                CodeAssignment.review_id == review_id,
                CodeAssignment.code == code,
                CodeAssignment.coder == "",
            )
        )
        before = {"status": assignment.status} if assignment else None
        if assignment is None:
            assignment = CodeAssignment(
                review_id=review_id, code=code, coder="", origin="person", status="accepted"
            )
            session.add(assignment)
        assignment.status, assignment.updated_by = "accepted", actor
        return assignment, before

    def _assignment(self, session: Session, review_id: int, code: str) -> CodeAssignment:
        assignment = session.scalar(
            select(CodeAssignment)
            .where(
                CodeAssignment.review_id == review_id,
                CodeAssignment.code == code,
                CodeAssignment.coder == "",
            )
            .options(selectinload(CodeAssignment.evidence))
        )
        if assignment is None:
            raise self._not_found(f"review {review_id} has no code {code!r}")
        return assignment

    def _locate(self, session: Session, review_id: int, data: CodeAdd) -> tuple[int, int]:
        if data.start is not None and data.end is not None:
            return data.start, data.end
        quote = " ".join((data.quote or "").split())
        if not quote:
            raise self._invalid("give the passage's start and end, or quote it")
        document = session.get(Document, data.document_id)
        if document is None or document.review_id != review_id:
            raise self._not_found(
                f"document {data.document_id} of review {review_id} does not exist"
            )
        page = next((p for p in document.pages if p.number == data.page), None)
        if page is None:
            raise self._not_found(f"document {data.document_id} has no page {data.page}")
        # Whitespace in a pasted quote may differ from the page's line breaks.
        pattern = r"\s+".join(re.escape(word) for word in quote.split(" "))
        match = re.search(pattern, page.text, re.IGNORECASE)
        if match is None:
            raise self._invalid(f"the quoted passage was not found on page {data.page}")
        return match.start(), match.end()

    def _passage(
        self, session: Session, review_id: int, document_id: int, page: int, start: int, end: int
    ) -> str:
        document = session.get(Document, document_id)
        if document is None or document.review_id != review_id:
            raise self._not_found(f"document {document_id} of review {review_id} does not exist")
        page_row = next((p for p in document.pages if p.number == page), None)
        if page_row is None:
            raise self._not_found(f"document {document_id} has no page {page}")
        if not 0 <= start < end <= len(page_row.text):
            raise self._invalid(
                f"passage {start}-{end} is outside page {page} (0-{len(page_row.text)})"
            )
        return page_row.text[start:end]

    def _invalid(self, message: str) -> Exception:
        from caselearn.services import InvalidChange

        return InvalidChange(message)

    def _not_found(self, message: str) -> Exception:
        from caselearn.services import NotFound

        return NotFound(message)


def _recommendations_json(pages: list[tuple[int, str]], codebook: Codebook) -> list[dict[str, Any]]:
    from caselearn.recommendations import classify, extract_recommendations, smart_check, to_json

    return [
        to_json(
            found,
            classify(f"{found.lead_in} {found.text}".strip(), codebook),
            smart_check(found.text),
        )
        for found in extract_recommendations(pages)
        if found.kind == "recommendation"
    ]


def _main_document(documents: list[Document]) -> Document | None:
    reports = [d for d in documents if d.kind in ("report", "executive_summary", "briefing")]
    pool = reports or documents
    return max(pool, key=lambda d: d.char_count) if pool else None


def _merge(
    per_document: dict[int, DocumentCoding],
) -> dict[str, tuple[float, list[tuple[int, Any]]]]:
    merged: dict[str, tuple[float, list[tuple[int, Any]]]] = {}
    for document_id, coding in per_document.items():
        for result in coding.present:
            confidence, evidence = merged.get(result.code, (0.0, []))
            evidence = evidence + [(document_id, e) for e in result.evidence]
            merged[result.code] = (max(confidence, result.confidence), evidence[:3])
    return merged


def _apply_child_facts(row: Child, child: ChildFacts, document_id: int) -> None:
    locked = set(row.person_fields or [])
    evidence = dict(row.evidence or {})
    for name in ChildFacts.FIELDS:
        if name in locked:
            continue
        fact = getattr(child, name)
        value = fact.value
        setattr(row, name, value if name == "age_years" else (value or ""))
        evidence[name] = [{"document_id": document_id, **e.to_dict()} for e in fact.evidence]
    row.evidence = evidence


CATEGORY_ORDER = ("theme", "family", "child", "harm", "rec_target", "rec_type", "rec_pattern")


def _category_order(category: str) -> int:
    return CATEGORY_ORDER.index(category) if category in CATEGORY_ORDER else len(CATEGORY_ORDER)


def _assignment_public(assignment: CodeAssignment, codebook: Codebook) -> CodeAssignmentPublic:
    try:
        code = codebook.get(assignment.code)
        label, category = code.label, code.category
    except CodebookError:
        label, category = assignment.code, assignment.code.split(".", 1)[0]
    return CodeAssignmentPublic(
        id=assignment.id,
        code=assignment.code,
        label=label,
        category=category,
        status=assignment.status,
        origin=assignment.origin,
        coder=assignment.coder,
        confidence=assignment.confidence,
        note=assignment.note,
        evidence=[
            EvidencePublic(
                id=e.id,
                document_id=e.document_id,
                page=e.page,
                start=e.start,
                end=e.end,
                text=e.text,
                origin=e.origin,
            )
            for e in assignment.evidence
        ],
        updated_by=assignment.updated_by,
        updated_at=assignment.updated_at or dt.datetime.now(),
    )


def _child_public(child: Child) -> ChildPublic:
    return ChildPublic(
        id=child.id,
        label=child.label,
        age_years=child.age_years,
        age_band=child.age_band or "",
        gender=child.gender or "",
        living=child.living or "",
        fatal=child.fatal or "",
        harm=child.harm or "",
        evidence=child.evidence or {},
        person_fields=list(child.person_fields or []),
    )


class EvaluationMixin:
    """Training, evaluation and agreement; mixed into CaseLearn beside CodingMixin."""

    def evaluate(
        self, gold: Path, documents: Path | None = None, *, cross_validate: bool = False
    ) -> dict[str, Any]:
        from caselearn.services.evaluation import document_pages, evaluate, load_gold

        gold_documents = load_gold(gold, documents)
        pages = document_pages(gold_documents, self.limits)  # type: ignore[attr-defined]
        result = evaluate(
            self.engine(),
            gold_documents,
            pages,  # type: ignore[attr-defined]
            cross_validate=cross_validate,
        )
        entries = json.loads(gold.read_text(encoding="utf-8")).get("documents", [])
        if any(entry.get("recommendations") for entry in entries):
            from caselearn.recommendations.evaluate import evaluate_recommendations

            folder = gold_documents[0].path.parent
            figures = evaluate_recommendations(
                str(gold), str(folder), learned=False, codebook=self.codebook()
            )  # type: ignore[attr-defined]
            result["recommendations"] = {
                key: figures[key] for key in ("extraction", "classification", "baseline", "goals")
            }
        return result

    def evaluate_redaction(self, labelled: Path) -> dict[str, Any]:
        """Recall and precision of the redaction engine on passages with planted identifiers."""
        from caselearn.redaction import evaluate_redaction

        return evaluate_redaction(labelled)

    def train(
        self,
        gold: Path | None = None,
        documents: Path | None = None,
        *,
        use_decisions: bool = True,
        output: Path | None = None,
    ) -> dict[str, Any]:
        """Fit the model on labelled documents plus people's decisions; save it under home."""
        from caselearn.coding.training import examples_for_document
        from caselearn.demo import bundled_corpus
        from caselearn.services.evaluation import document_pages, load_gold, training_examples

        engine = self.engine()  # type: ignore[attr-defined]
        examples = []
        if gold is None:
            corpus = bundled_corpus()
            gold = corpus.parent / "labels.json" if corpus else None
        if gold is not None and gold.exists():
            gold_documents = load_gold(gold, documents)
            examples += training_examples(
                engine, gold_documents, document_pages(gold_documents, self.limits)
            )  # type: ignore[attr-defined]
        decisions = 0
        if use_decisions:
            for review_id, pages, accepted, rejected in self._decided_reviews():
                decisions += len(accepted) + len(rejected)
                examples += examples_for_document(
                    engine,
                    f"review:{review_id}",
                    pages,
                    accepted,
                    source="decision",
                    only=accepted | rejected,
                )
        if not examples:
            raise ValueError("nothing to train on: no labelled documents and no decisions")
        from caselearn.coding.training import fit

        model = fit(examples)
        path = output or self.model_path()  # type: ignore[attr-defined]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(model.to_dict(), indent=2), encoding="utf-8")
        return {
            **model.trained_on,
            "threshold": model.threshold,
            "decisions": decisions,
            "path": str(path),
            "weights": model.weights,
        }

    def _decided_reviews(self):  # type: ignore[no-untyped-def]
        with self.db.session() as session:  # type: ignore[attr-defined]
            rows = session.execute(
                select(CodeAssignment.review_id, CodeAssignment.code, CodeAssignment.status).where(
                    CodeAssignment.coder == "", CodeAssignment.status.in_(("accepted", "rejected"))
                )
            ).all()
        by_review: dict[int, tuple[set[str], set[str]]] = {}
        for review_id, code, status in rows:
            accepted, rejected = by_review.setdefault(review_id, (set(), set()))
            (accepted if status == "accepted" else rejected).add(code)
        for review_id, (accepted, rejected) in sorted(by_review.items()):
            with self.db.session() as session:  # type: ignore[attr-defined]
                documents = session.scalars(
                    select(Document)
                    .where(Document.review_id == review_id)
                    .options(selectinload(Document.pages))
                )
                pages = [(p.number, p.text) for d in documents for p in d.pages]
            yield review_id, pages, accepted, rejected

    def agreement(self, review_ids: list[int] | None = None) -> dict[str, Any]:
        from itertools import combinations

        from caselearn.coding.agreement import compare

        codings = self.independent_codings(review_ids)  # type: ignore[attr-defined]
        codes = [c.id for c in self.codebook().document_codes]  # type: ignore[attr-defined]
        people = sorted(c for c in codings if c != "engine")
        pairs = []
        candidates = list(combinations(people, 2)) + [("engine", p) for p in people]
        for a, b in candidates:
            if a not in codings:
                continue
            per_code, overall = compare(codings[a], codings[b], codes)
            reviews = len(set(codings[a]) & set(codings[b]))
            if not reviews:
                continue
            pairs.append(
                {
                    "a": a,
                    "b": b,
                    "reviews": reviews,
                    "overall": overall.to_dict(),
                    "codes": [p.to_dict() for p in per_code if p.both + p.only_a + p.only_b],
                }
            )
        return {"coders": people, "pairs": pairs}
