"""Search operations: keep the passage index, search by words and meaning with facets, find
similar reviews and passages, and measure relevance. Mixed into CaseLearn.

Every query is restricted by a ``SearchScope`` through ``search_index.visible_reviews``: the one
place where committee-scoped access will apply.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from caselearn.search import facets as facet_names
from caselearn.search.facets import (
    CODE_FACETS,
    FACETS,
    FIELD_FACETS,
    FacetResult,
    FacetSelection,
    FacetValue,
    parse_facets,
)
from caselearn.search.fusion import group_by_review, rrf
from caselearn.search.highlight import highlight
from caselearn.search.passages import split_passages
from caselearn.search.query import (
    InvalidSearch,
    ParsedQuery,
    common_terms,
    parse_query,
    porter,
)
from caselearn.search.results import (
    PassageHit,
    ReviewHit,
    SearchResults,
    SharedCode,
    SimilarReview,
)
from caselearn.search.scope import EVERYTHING, SearchScope
from caselearn.search.similarity import code_similarity, code_weights, combine
from caselearn.search.vectors import VectorIndex, embed_texts, to_bytes
from caselearn.security.policy import acting_as, current_principal
from caselearn.store import search_index as ix
from caselearn.store.models import Document, Page, Passage, Review

log = logging.getLogger(__name__)

MODES = ("hybrid", "lexical", "semantic")
# Passages each ranking contributes to fusion; their reviews are the result set.
LEXICAL_DEPTH = 1000
SEMANTIC_DEPTH = 100
# A word in more than this share of passages is left out of the lexical query while a rarer
# word remains (SQLite; see query.common_terms).
COMMON_SHARE = 0.10
PASSAGES_SHOWN = 3
# Below this cosine a passage is not offered as a semantic match: unrelated text ("the weather
# in Spain", "xyzzy") scores up to ~0.22 against the corpus, passages on a query's topic ~0.3+.
SEMANTIC_FLOOR = 0.25
# Reviews offered as similar, from each of the code and text rankings, before fusion.
SIMILAR_POOL = 50

T = TypeVar("T")
_CACHE_LOCK = threading.Lock()


def _shared(method: Callable[..., T]) -> Callable[..., T]:
    """The caches below serve everyone a process serves, so they are built in the system's
    name and hold every review's passages and codes; each reader's visibility is applied when
    they are read (``_person_restricted``), never baked into what is cached."""

    @functools.wraps(method)
    def build_for_everyone(*args: Any, **kwargs: Any) -> T:
        with acting_as(None):
            return method(*args, **kwargs)

    return build_for_everyone


def _person_restricted() -> bool:
    principal = current_principal()
    return principal is not None and not principal.sees_everything


_VECTORS: dict[str, VectorIndex] = {}
_CENTROIDS: dict[str, tuple[int, np.ndarray, np.ndarray]] = {}
_CODE_SETS: dict[str, tuple[int, dict[int, set[str]]]] = {}


class SearchMixin:
    """Mixed into CaseLearn; uses its db, settings, codebook and error types."""

    # --- the index -------------------------------------------------------------------------

    def index_document(self, document_id: int) -> int:
        """Split a stored document into passages, embed them and store them (replacing any
        passages it had). Returns the number of passages."""
        with self.db.session() as session:  # type: ignore[attr-defined]
            document = session.get(Document, document_id)
            if document is None:
                raise self._not_found(f"document {document_id} does not exist")  # type: ignore[attr-defined]
            review_id = document.review_id
            pages = [
                (p.number, p.text)
                for p in session.scalars(
                    select(Page).where(Page.document_id == document_id).order_by(Page.number)
                )
            ]
        rows = passage_rows(pages)
        with self.db.session() as session:  # type: ignore[attr-defined]
            ix.replace_passages(session, document_id, review_id, rows)
        return len(rows)

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """Rebuild every document's passages, embeddings and lexical index entries."""
        started = time.perf_counter()
        with self.db.session() as session:  # type: ignore[attr-defined]
            documents = ix.documents_to_index(session)
        passages = 0
        for done, (document_id, _review_id) in enumerate(documents, start=1):
            passages += self.index_document(document_id)
            if progress:
                progress(done, len(documents))
        return {
            "documents": len(documents),
            "passages": passages,
            "seconds": round(time.perf_counter() - started, 2),
        }

    def _index_after_ingest(self, document_id: int) -> None:
        """Indexing is a step after storing: if it fails the document stays stored and
        `caselearn reindex` indexes it."""
        try:
            self.index_document(document_id)
        except Exception:  # noqa: BLE001 - logged; the stored document must not be lost
            log.exception("indexing document %s for search failed", document_id)

    def _codes_changed(self, session: Session) -> None:
        """Called in the transaction of any change to a review's codes."""
        ix.bump(session, codes=True)

    @_shared
    def _vectors(self, session: Session) -> VectorIndex:
        key = self.db.url  # type: ignore[attr-defined]
        version, _ = ix.versions(session)
        cached = _VECTORS.get(key)
        if cached is not None and cached.version == version:
            return cached
        with _CACHE_LOCK:
            cached = _VECTORS.get(key)
            if cached is None:
                cached = VectorIndex.build(ix.vector_rows(session), version)
            elif cached.version != version:
                ids, reviews = ix.passage_reviews(session)
                cached = cached.updated(
                    np.asarray(ids, dtype=np.int64),
                    np.asarray(reviews, dtype=np.int64),
                    lambda missing: ix.vectors_of(session, missing),
                    version,
                )
            _VECTORS[key] = cached
        return cached

    # --- search -----------------------------------------------------------------------------

    def search(
        self,
        query: str | None = None,
        facets: list[str] | None = None,
        *,
        page: int = 1,
        per_page: int | None = None,
        mode: str = "hybrid",
        like: int | None = None,
        scope: SearchScope = EVERYTHING,
        with_facets: bool = True,
    ) -> SearchResults:
        """Reviews best first, each with its best passages (highlighted), and facet counts.

        An empty query browses: every review matching the facets, newest first. ``like`` is a
        passage id: reviews with passages most like it ("more like this passage")."""
        started = time.perf_counter()
        if mode not in MODES:
            raise InvalidSearch(f"unknown mode {mode!r}; modes are {', '.join(MODES)}")
        parsed = parse_query(query)
        codebook = self.codebook()  # type: ignore[attr-defined]
        known = {c.id for c in codebook.codes}
        selection = parse_facets(facets, known_codes=known)
        per_page = max(1, min(per_page or self.settings.page_size, 100))  # type: ignore[attr-defined]
        page = max(1, min(page, 1000))
        messages = []
        if parsed.truncated:
            messages.append(
                f"The query was shortened to its first {len(parsed.terms) + len(parsed.phrases)} "
                f"words ({len(parsed.text)} characters)."
            )
        with self.db.session() as session:  # type: ignore[attr-defined]
            visible = ix.visible_reviews(scope, selection)
            restricted = not scope.unrestricted or bool(selection) or _person_restricted()
            if like is not None:
                hits, lookup, result_set = self._like(session, like, visible, restricted)
                mode = "semantic"
            elif parsed.empty:
                hits, lookup, result_set = [], {}, visible
            else:
                hits, lookup, result_set = self._ranked(session, parsed, mode, visible, restricted)
            browsing = like is None and parsed.empty
            if browsing:
                total = ix.count_reviews(session, visible)
                ids = self._browse_page(session, visible, page, per_page)
                shown = [(review_id, 0.0, []) for review_id in ids]
            else:
                total = len(hits)
                window = hits[(page - 1) * per_page : page * per_page]
                shown = [(h.review_id, h.score, h.passages) for h in window]
            results = self._review_hits(session, shown, lookup, parsed)
            facet_results = (
                self._facets(session, result_set, selection, codebook) if with_facets else {}
            )
        if not parsed.empty and not hits and like is None:
            messages.append("No passage matches the query" + (" and facets." if selection else "."))
        timed_out = any(f.timed_out for f in facet_results.values())
        if timed_out:
            messages.append("Some facet counts took too long and were left out.")
        return SearchResults(
            query=parsed.text,
            mode=mode,
            facet=selection.tokens(),
            like=like,
            results=results,
            total=total,
            page=page,
            per_page=per_page,
            pages=max(1, math.ceil(total / per_page)),
            facets={name: result.to_dict() for name, result in facet_results.items()},
            facets_timed_out=timed_out,
            truncated=parsed.truncated,
            messages=messages,
            milliseconds=round((time.perf_counter() - started) * 1000, 1),
        )

    def _ranked(
        self,
        session: Session,
        parsed: ParsedQuery,
        mode: str,
        visible,  # type: ignore[no-untyped-def]
        restricted: bool,
    ):  # type: ignore[no-untyped-def]
        index = self._vectors(session)
        allowed = ix.review_ids(session, visible) if restricted else None
        lexical: list[tuple[int, int, float]] = []
        semantic: list[tuple[int, int, float]] = []
        if mode in ("hybrid", "lexical"):
            lexical = self._lexical(session, parsed, index, visible, allowed)
        if mode in ("hybrid", "semantic"):
            mask = index.mask_for(allowed) if allowed is not None else None
            semantic = index.top(embed_texts([parsed.text])[0], SEMANTIC_DEPTH, mask)
            semantic = [hit for hit in semantic if hit[2] >= SEMANTIC_FLOOR]
        rankings = [[p for p, _, _ in ranking] for ranking in (lexical, semantic) if ranking]
        review_of = {p: r for p, r, _ in lexical + semantic}
        hits = group_by_review(rrf(rankings), review_of, PASSAGES_SHOWN)
        lookup = {
            "lexical": {p: rank for rank, (p, _, _) in enumerate(lexical, start=1)},
            "semantic": {p: rank for rank, (p, _, _) in enumerate(semantic, start=1)},
            "similarity": {p: s for p, _, s in semantic},
        }
        # The result set (counted, paged and faceted) is the reviews of the best lexical and
        # semantic passages: with words OR-ed, "any passage with any word" would be nearly
        # every review, and meaning has no natural cut-off.
        return hits, lookup, select(Review.id).where(Review.id.in_([h.review_id for h in hits]))

    def _lexical(
        self, session: Session, parsed: ParsedQuery, index: VectorIndex, visible, allowed
    ) -> list[tuple[int, int, float]]:  # type: ignore[no-untyped-def]
        """(passage, review, score) for the best LEXICAL_DEPTH matching passages of visible
        reviews. Unrestricted, the lexical index alone answers and the in-memory index maps
        passages to reviews; restricted, its best passages are filtered, and only when that
        leaves too few does the database join passages to the visible reviews."""
        parsed = self._without_common_terms(session, parsed, len(index))
        found = ix.lexical(session, parsed, LEXICAL_DEPTH)
        reviews = index.reviews_of([p for p, _ in found])
        rows = [(p, r, s) for (p, s), r in zip(found, reviews, strict=True) if r is not None]
        if allowed is None:
            return rows
        kept = [row for row in rows if row[1] in allowed]
        if len(found) < LEXICAL_DEPTH or len(kept) >= LEXICAL_DEPTH // 2:
            return kept
        found = ix.lexical(session, parsed, LEXICAL_DEPTH, visible)
        reviews = index.reviews_of([p for p, _ in found])
        return [(p, r, s) for (p, s), r in zip(found, reviews, strict=True) if r is not None]

    def _without_common_terms(
        self, session: Session, parsed: ParsedQuery, passages: int
    ) -> ParsedQuery:
        stems = {term: porter(term) for term in parsed.terms}
        frequencies = ix.document_frequencies(session, sorted(set(stems.values())))
        if not frequencies:
            return parsed
        by_term = {term: frequencies.get(stem, 0) for term, stem in stems.items()}
        common = set(common_terms(parsed.terms, by_term, passages, COMMON_SHARE))
        return parsed.with_terms([t for t in parsed.terms if t not in common])

    def _like(self, session: Session, passage_id: int, visible, restricted: bool):  # type: ignore[no-untyped-def]
        passage = session.get(Passage, passage_id)
        if passage is None:
            raise self._not_found(f"passage {passage_id} does not exist")  # type: ignore[attr-defined]
        index = self._vectors(session)
        vector = index.vector_of(passage_id)
        if vector is None:
            return [], {}, visible.where(Review.id.in_([]))
        allowed = ix.review_ids(session, visible) if restricted else None
        mask = index.review_ids != passage.review_id
        if allowed is not None:
            mask &= index.mask_for(allowed)  # type: ignore[operator]
        semantic = [
            hit for hit in index.top(vector, SEMANTIC_DEPTH, mask) if hit[2] >= SEMANTIC_FLOOR
        ]
        review_of = {p: r for p, r, _ in semantic}
        hits = group_by_review(rrf([[p for p, _, _ in semantic]]), review_of, PASSAGES_SHOWN)
        lookup = {
            "lexical": {},
            "semantic": {p: rank for rank, (p, _, _) in enumerate(semantic, start=1)},
            "similarity": {p: s for p, _, s in semantic},
        }
        return hits, lookup, visible.where(Review.id.in_(sorted(set(review_of.values()))))

    def _browse_page(self, session: Session, visible, page: int, per_page: int) -> list[int]:  # type: ignore[no-untyped-def]
        statement = (
            select(Review.id)
            .where(Review.id.in_(visible))
            .order_by(Review.year.desc().nulls_last(), Review.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        return [int(r) for r in session.scalars(statement)]

    def _review_hits(
        self,
        session: Session,
        shown: list[tuple[int, float, list[int]]],
        lookup: dict[str, dict[int, Any]],
        parsed: ParsedQuery,
    ) -> list[ReviewHit]:
        reviews = ix.review_rows(session, [r for r, _, _ in shown])
        passages = ix.passages_by_id(session, [p for _, _, ids in shown for p in ids])
        words = parsed.highlight_words
        results = []
        for review_id, score, passage_ids in shown:
            if review_id not in reviews:
                continue
            review, committee = reviews[review_id]
            results.append(
                ReviewHit(
                    review_id=review_id,
                    title=review.title,
                    score=score,
                    review_type=review.review_type,
                    committee=committee,
                    year=review.year,
                    published=review.published,
                    stage=review.stage,
                    passages=[
                        PassageHit(
                            id=p.id,
                            document_id=p.document_id,
                            page=p.page,
                            start=p.start,
                            end=p.end,
                            section=p.section,
                            text=p.text,
                            highlighted=str(highlight(p.text, words)),
                            lexical_rank=lookup.get("lexical", {}).get(p.id),
                            semantic_rank=lookup.get("semantic", {}).get(p.id),
                            similarity=(
                                round(lookup["similarity"][p.id], 4)
                                if p.id in lookup.get("similarity", {})
                                else None
                            ),
                        )
                        for p in (passages[i] for i in passage_ids if i in passages)
                    ],
                )
            )
        return results

    def _facets(
        self, session: Session, reviews, selection: FacetSelection, codebook
    ) -> dict[str, FacetResult]:  # type: ignore[no-untyped-def]
        """Counts per facet value among ``reviews``; each facet under what is left of the
        time budget; a facet the budget does not reach is reported as cut short."""
        budget = self.settings.search_facet_time_limit_ms / 1000  # type: ignore[attr-defined]
        deadline = time.monotonic() + budget
        # Two statements count all facets (codes; fields and ages); each runs under what is
        # left of the one budget, inside one savepoint.
        groups = (
            (list(CODE_FACETS), ix.code_facet_counts),
            (list(FIELD_FACETS), ix.field_facet_counts),
        )
        counted: dict[str, list[tuple[str, int]]] = {}
        if budget > 0:
            try:
                with ix.time_limit(session, int(budget * 1000) + 1) as rearm:
                    for names, count in groups:
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            break
                        rearm(int(remaining * 1000) + 1)
                        counted.update(count(session, names, reviews))
            except ix.TimedOut:
                pass  # the facets counted so far stand; the rest say they were cut short
        results = {}
        for name, label in FACETS.items():
            result = FacetResult(name, label, timed_out=name not in counted)
            for value, count in counted.get(name, []):
                result.values.append(
                    FacetValue(
                        value,
                        _facet_label(name, value, codebook),
                        count,
                        selection.has(name, value),
                    )
                )
            results[name] = result
        return results

    # --- similar reviews ----------------------------------------------------------------------

    def similar_reviews(
        self, review_id: int, *, limit: int = 10, scope: SearchScope = EVERYTHING
    ) -> list[SimilarReview]:
        """Reviews most like this one, by shared codes and by text, best first."""
        codebook = self.codebook()  # type: ignore[attr-defined]
        with self.db.session() as session:  # type: ignore[attr-defined]
            self._review(session, review_id, bare=True)  # type: ignore[attr-defined]
            allowed = (
                None
                if scope.unrestricted and not _person_restricted()
                else ix.review_ids(session, ix.visible_reviews(scope))
            )
            sets = self._code_sets(session)
            reviews, centroids = self._centroids(session)

            def ok(other: int) -> bool:
                return other != review_id and (allowed is None or other in allowed)

            target = sets.get(review_id, set())
            weights = code_weights(sets)
            by_codes = {
                other: code_similarity(target, codes, weights)
                for other, codes in sets.items()
                if ok(other)
            }
            by_codes = dict(sorted(by_codes.items(), key=lambda e: (-e[1], e[0]))[:SIMILAR_POOL])
            by_text: dict[int, float] = {}
            position = np.searchsorted(reviews, review_id)
            if position < len(reviews) and reviews[position] == review_id:
                scores = centroids @ centroids[position]
                for index in np.argsort(-scores):
                    other = int(reviews[index])
                    if ok(other):
                        by_text[other] = float(scores[index])
                    if len(by_text) >= SIMILAR_POOL:
                        break
            ranked = combine(by_codes, by_text)[:limit]
            rows = ix.review_rows(session, [r for r, _ in ranked])
            result = []
            for other, score in ranked:
                if other not in rows:
                    continue
                review, committee = rows[other]
                shared = sorted(target & sets.get(other, set()), key=lambda c: -weights.get(c, 0))
                result.append(
                    SimilarReview(
                        review_id=other,
                        title=review.title,
                        review_type=review.review_type,
                        committee=committee,
                        year=review.year,
                        published=review.published,
                        score=score,
                        code_similarity=round(by_codes.get(other, 0.0), 4),
                        text_similarity=(round(by_text[other], 4) if other in by_text else None),
                        shared_codes=[
                            SharedCode(code=c, label=_code_label(c, codebook)) for c in shared
                        ],
                    )
                )
        return result

    @_shared
    def _code_sets(self, session: Session) -> dict[int, set[str]]:
        key = self.db.url  # type: ignore[attr-defined]
        _, version = ix.versions(session)
        cached = _CODE_SETS.get(key)
        if cached is None or cached[0] != version:
            cached = (version, ix.code_sets(session, ix.visible_reviews(EVERYTHING)))
            _CODE_SETS[key] = cached
        return cached[1]

    @_shared
    def _centroids(self, session: Session) -> tuple[np.ndarray, np.ndarray]:
        key = self.db.url  # type: ignore[attr-defined]
        index = self._vectors(session)
        cached = _CENTROIDS.get(key)
        if cached is None or cached[0] != index.version:
            cached = (index.version, *index.review_centroids())
            _CENTROIDS[key] = cached
        return cached[1], cached[2]

    # --- relevance -----------------------------------------------------------------------------

    def evaluate_search(
        self, queries: Path, documents: Path | None = None, *, k: int = 10
    ) -> dict[str, Any]:
        """Recall and nDCG at k of lexical, semantic and hybrid search for labelled queries,
        on a fresh temporary store holding the documents' folder (the bundled corpus unless
        ``documents`` is given), so figures do not depend on what this store holds."""
        from caselearn.config import Settings
        from caselearn.search.metrics import ndcg_at, recall_at

        data = json.loads(queries.read_text(encoding="utf-8"))
        entries = data.get("queries", [])
        if not entries:
            raise ValueError(f"{queries}: no queries")
        folder = documents or _bundled_documents()
        if folder is None or not folder.is_dir():
            raise ValueError("no documents folder: give --documents DIR")
        with tempfile.TemporaryDirectory() as home:
            settings = Settings(
                home=Path(home),
                database_url=None,
                code_on_ingest=False,
                ocr_language=self.settings.ocr_language,  # type: ignore[attr-defined]
            )
            store = type(self).open(settings)
            try:
                review_of_file = _load_folder(store, folder)
                missing = sorted(
                    name
                    for entry in entries
                    for name in entry.get("relevant", {})
                    if name not in review_of_file
                )
                if missing:
                    raise ValueError(f"{queries}: files not in {folder}: {', '.join(missing)}")
                per_query = []
                for entry in entries:
                    relevant: dict[int, int] = {}
                    for name, grade in entry["relevant"].items():
                        review = review_of_file[name]
                        relevant[review] = max(relevant.get(review, 0), int(grade))
                    row: dict[str, Any] = {"id": entry.get("id"), "query": entry["query"]}
                    for mode in MODES:
                        found = store.search(
                            entry["query"], mode=mode, per_page=k, with_facets=False
                        )
                        ranked = [hit.review_id for hit in found.results]
                        row[mode] = {
                            "recall": round(recall_at(ranked, relevant, k), 4),
                            "ndcg": round(ndcg_at(ranked, relevant, k), 4),
                        }
                    per_query.append(row)
                with store.db.session() as session:
                    passages = len(store._vectors(session))
            finally:
                store.close()
        summary = {
            mode: {
                f"recall_at_{k}": round(
                    sum(q[mode]["recall"] for q in per_query) / len(per_query), 4
                ),
                f"ndcg_at_{k}": round(sum(q[mode]["ndcg"] for q in per_query) / len(per_query), 4),
            }
            for mode in MODES
        }
        return {
            "queries": len(per_query),
            "documents": len(review_of_file),
            "reviews": len(set(review_of_file.values())),
            "passages": passages,
            "k": k,
            "modes": summary,
            "per_query": per_query,
        }


def passage_rows(pages: list[tuple[int, str]]) -> list[dict[str, Any]]:
    spans = split_passages(pages)
    vectors = embed_texts([span.text for span in spans])
    return [
        {
            "position": position,
            "page": span.page,
            "start": span.start,
            "end": span.end,
            "section": span.section,
            "text": span.text,
            "embedding": to_bytes(vector),
        }
        for position, (span, vector) in enumerate(zip(spans, vectors, strict=True))
    ]


def _facet_label(name: str, value: str, codebook) -> str:  # type: ignore[no-untyped-def]
    if name in facet_names.CODE_FACETS:
        return _code_label(f"{name}.{value}", codebook)
    if name == "published":
        return "published" if value == "yes" else "not published"
    return value


def _code_label(code: str, codebook) -> str:  # type: ignore[no-untyped-def]
    try:
        return codebook.get(code).label
    except Exception:  # noqa: BLE001 - a code no longer in the codebook shows its identifier
        return code


def _bundled_documents() -> Path | None:
    from caselearn.demo import bundled_corpus

    return bundled_corpus()


def _load_folder(store, folder: Path) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Ingest every file; a file the folder's labels.json says is part of another document
    (an action plan) joins that document's review, as `caselearn demo` does."""
    from caselearn.services import expand_paths

    part_of: dict[str, str] = {}
    labels = folder.parent / "labels.json"
    if labels.exists():
        entries = json.loads(labels.read_text(encoding="utf-8")).get("documents", [])
        by_id = {e.get("id"): e.get("file") for e in entries}
        part_of = {e["file"]: by_id[e["part_of"]] for e in entries if e.get("part_of") in by_id}
    files = sorted(expand_paths([folder]), key=lambda p: (p.name in part_of, p.name))
    review_of: dict[str, int] = {}
    for path in files:
        parent = part_of.get(path.name)
        result = store.ingest_path(path, review_id=review_of.get(parent) if parent else None)
        if result.review_id:
            review_of[path.name] = result.review_id
    return review_of
