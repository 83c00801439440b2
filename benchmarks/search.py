"""Search at national scale: 10,000 reviews generated from the bundled corpus, on SQLite.

    .venv/bin/python benchmarks/search.py [--reviews 10000] [--rounds 3] [--seed 7]

Ingests the bundled corpus into a temporary store, then generates reviews by recombining the
corpus's passages: each generated review takes most of one corpus review's passages (in a new
order) and two from another, with varied committee, type, year, publication, codes and
children (codes and ages from the corpus labels). Documents and pages are written directly;
the index is then built by the real code (`CaseLearn.reindex`: segmentation, wordllama
embeddings, FTS5). Prints the passage count, index build time and size, and p50/p95 latency of
lexical, semantic and hybrid search (and hybrid with facet counts), beside a plain LIKE scan
in the same run, for the 40 labelled queries plus 20 one- and two-word queries. Goal: hybrid
p95 under 50 ms. With hnswlib installed (not a dependency) it also measures an approximate
vector index against the brute-force matrix product.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from caselearn.config import Settings  # noqa: E402
from caselearn.services import CaseLearn  # noqa: E402
from caselearn.services.search import _load_folder  # noqa: E402
from caselearn.store.models import (  # noqa: E402
    Child,
    CodeAssignment,
    Committee,
    Document,
    Page,
    Passage,
    Review,
)

SHORT_QUERIES = [
    "neglect", "insulin", "father", "chronology", "supervision", "exploitation", "SUDI",
    "disguised compliance", "domestic abuse", "pre-birth", "self-harm", "escalation",
    "learning disability", "missed appointments", "care leaver", "housing", "CAMHS",
    "fabricated illness", "cannabis", "window",
]  # fmt: skip
TYPES = ["icr", "scr", "cspr", "learning_review", "rapid_review", "practice_review", "briefing"]


def percentile(values: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(values), p))


def corpus_store(home: Path) -> tuple[CaseLearn, dict[str, int]]:
    service = CaseLearn.open(Settings(home=home, code_on_ingest=False))
    review_of = _load_folder(service, ROOT / "corpus" / "documents")
    return service, review_of


def generate(service: CaseLearn, review_of: dict[str, int], count: int, seed: int) -> int:
    """Write ``count`` generated reviews (one document each) into ``service``'s database."""
    rng = random.Random(seed)
    labels = {
        d["file"]: d for d in json.loads((ROOT / "corpus" / "labels.json").read_text())["documents"]
    }
    with service.db.session() as session:
        rows = session.execute(
            select(Passage.review_id, Passage.text).order_by(Passage.review_id, Passage.position)
        ).all()
    passages: dict[int, list[str]] = {}
    for review_id, passage in rows:
        passages.setdefault(review_id, []).append(passage)
    codes_of: dict[int, set[str]] = {}
    ages_of: dict[int, list[str]] = {}
    for name, review_id in review_of.items():
        label = labels.get(name, {})
        codes_of.setdefault(review_id, set()).update(label.get("codes", []))
        ages_of.setdefault(review_id, []).extend(
            c.get("age_band", "") for c in label.get("children", [])
        )
    sources = sorted(passages)
    engine = service.db.engine
    committees = [f"Benchmark Committee {n:02d}" for n in range(40)]
    with engine.begin() as connection:
        connection.execute(insert(Committee), [{"name": name} for name in committees])
        committee_ids = [
            row[0]
            for row in connection.execute(
                select(Committee.id).where(Committee.name.like("Benchmark%"))
            )
        ]
        first_review = (connection.execute(text("SELECT max(id) FROM reviews")).scalar() or 0) + 1
        first_document = (
            connection.execute(text("SELECT max(id) FROM documents")).scalar() or 0
        ) + 1
        reviews, documents, pages, assignments, children = [], [], [], [], []
        for n in range(count):
            review_id, document_id = first_review + n, first_document + n
            source, other = rng.sample(sources, 2)
            own = passages[source]
            chosen = rng.sample(own, max(1, int(len(own) * rng.uniform(0.6, 1.0))))
            chosen += rng.sample(passages[other], min(2, len(passages[other])))
            page_texts = ["\n\n".join(chosen[i : i + 4]) for i in range(0, len(chosen), 4)]
            reviews.append(
                {
                    "id": review_id,
                    "committee_id": rng.choice(committee_ids),
                    "title": f"Generated review {n + 1}",
                    "review_type": rng.choice(TYPES),
                    "stage": "completed",
                    "published": rng.random() < 0.6,
                    "year": rng.randint(2012, 2025),
                    "guessed_fields": [],
                    "fact_evidence": {},
                    "coding_status": "coded",
                }
            )
            documents.append(
                {
                    "id": document_id,
                    "review_id": review_id,
                    "sha256": f"{review_id:064x}",
                    "filename": f"generated-{n + 1}.txt",
                    "media_type": "text/plain",
                    "format": "txt",
                    "kind": "report",
                    "size_bytes": sum(len(p) for p in page_texts),
                    "page_count": len(page_texts),
                    "char_count": sum(len(p) for p in page_texts),
                    "extractor_version": "bench",
                    "warnings": [],
                }
            )
            offset = 0
            for number, page_text in enumerate(page_texts, start=1):
                pages.append(
                    {
                        "document_id": document_id,
                        "number": number,
                        "offset": offset,
                        "text": page_text,
                        "source": "text",
                    }
                )
                offset += len(page_text) + 1
            for code in sorted(codes_of.get(source, set())):
                if code.split(".")[0] in ("theme", "family", "child", "harm"):
                    assignments.append(
                        {
                            "review_id": review_id,
                            "code": code,
                            "coder": "",
                            "status": rng.choice(["suggested", "accepted"]),
                            "origin": "engine",
                            "updated_by": "bench",
                        }
                    )
            for position, band in enumerate(ages_of.get(source, [])):
                children.append(
                    {"review_id": review_id, "position": position, "age_band": band, "label": ""}
                )
        for table, values in (
            (Review, reviews),
            (Document, documents),
            (Page, pages),
            (CodeAssignment, assignments),
            (Child, children),
        ):
            for start in range(0, len(values), 5000):
                connection.execute(insert(table), values[start : start + 5000])
    return len(pages)


def index_bytes(service: CaseLearn) -> dict[str, int]:
    with service.db.engine.connect() as connection:
        rows = connection.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")).all()
    sizes = dict(rows)
    fts = sum(v for k, v in sizes.items() if k.startswith("passages_fts"))
    passages = sum(v for k, v in sizes.items() if k == "passages" or k.startswith("ix_passages"))
    passages += sum(v for k, v in sizes.items() if k.startswith("sqlite_autoindex_passages"))
    return {"fts": fts, "passages": passages, "database": sum(sizes.values())}


def like_scan(service: CaseLearn, query: str) -> list[int]:
    """The plain alternative: every passage scanned with LIKE for any of the query's words,
    reviews ranked by how many passages match."""
    from caselearn.search.query import parse_query

    parsed = parse_query(query)
    words = parsed.terms + [" ".join(p) for p in parsed.phrases]
    if not words:
        return []
    condition = " OR ".join(f"text LIKE :w{i}" for i in range(len(words)))
    sql = (
        f"SELECT review_id, COUNT(*) AS n FROM passages WHERE {condition} "
        "GROUP BY review_id ORDER BY n DESC LIMIT 10"
    )
    with service.db.engine.connect() as connection:
        rows = connection.execute(text(sql), {f"w{i}": f"%{w}%" for i, w in enumerate(words)}).all()
    return [r[0] for r in rows]


def measure(label: str, function, queries: list[str], rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            function(query)
            times.append((time.perf_counter() - start) * 1000)
    print(
        f"{label:<22}{percentile(times, 50):>9.1f}{percentile(times, 95):>9.1f}"
        f"{max(times):>9.1f}{len(times):>9}"
    )
    return times


def compare_hnsw(service: CaseLearn) -> None:
    try:
        import hnswlib
    except ImportError:
        print("\n(hnswlib not installed: approximate vector index not measured)")
        return
    from caselearn.search.vectors import embed_texts

    with service.db.session() as session:
        index = service._vectors(session)
    matrix = index.matrix
    start = time.perf_counter()
    graph = hnswlib.Index(space="ip", dim=matrix.shape[1])
    graph.init_index(max_elements=len(matrix), ef_construction=100, M=16)
    graph.add_items(matrix, np.arange(len(matrix)))
    graph.set_ef(200)
    build = time.perf_counter() - start
    queries = embed_texts(SHORT_QUERIES + ["a baby, a father who is not engaging"])
    brute, approx, recall = [], [], []
    failures = 0
    for vector in queries:
        start = time.perf_counter()
        scores = matrix @ vector
        exact = np.argsort(-scores)[:100]
        brute.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        try:
            labels, _ = graph.knn_query(vector, k=100)
        except RuntimeError:
            # Identical vectors (repeated passages) can cut the graph: fewer than k found.
            failures += 1
            continue
        approx.append((time.perf_counter() - start) * 1000)
        # Generated reviews repeat corpus passages, so many vectors tie: count a result as
        # found when it scores at least the exact 100th, not by identity.
        recall.append(float(np.mean(scores[labels[0]] >= scores[exact[-1]] - 1e-6)))
    if not approx:
        print(
            f"\nVector index: hnswlib built in {build:.1f} s; found fewer than 100 for every query"
        )
        return
    print(
        f"\nVector index: hnswlib (M=16, ef=200) built in {build:.1f} s; {failures} of "
        f"{len(queries)} queries found fewer than 100; top-100 p50 "
        f"{percentile(approx, 50):.1f} ms, p95 {percentile(approx, 95):.1f} ms, recall@100 vs "
        f"exact {statistics.mean(recall):.3f}; brute force (numpy, exact, with full sort) p50 "
        f"{percentile(brute, 50):.1f} ms, p95 {percentile(brute, 95):.1f} ms"
    )


def latencies(service: CaseLearn, rounds: int) -> None:
    labelled = json.loads((ROOT / "tests" / "gold" / "search_queries.json").read_text())
    queries = [q["query"] for q in labelled["queries"]] + SHORT_QUERIES
    for query in queries[:5]:
        service.search(query, with_facets=False)
    print()
    print(f"## Latency over {len(queries)} queries x {rounds} rounds (ms)")
    print(f"{'':<22}{'p50':>9}{'p95':>9}{'max':>9}{'queries':>9}")
    for mode in ("lexical", "semantic", "hybrid"):
        measure(
            mode,
            lambda q, m=mode: service.search(q, mode=m, per_page=10, with_facets=False),
            queries,
            rounds,
        )
    measure("hybrid + facets", lambda q: service.search(q, per_page=10), queries, 1)
    measure(
        "hybrid + facet filter",
        lambda q: service.search(q, ["theme:information_sharing"], per_page=10, with_facets=False),
        queries,
        1,
    )
    measure("LIKE scan", lambda q: like_scan(service, q), queries, 1)
    compare_hnsw(service)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--home", type=Path, help="keep the generated store here; if it is built, only measure"
    )
    args = parser.parse_args()
    if args.home and (args.home / "caselearn.db").exists():
        service = CaseLearn.open(Settings(home=args.home, code_on_ingest=False))
        latencies(service, args.rounds)
        service.close()
        return
    home = args.home or Path(tempfile.mkdtemp(prefix="caselearn-search-bench-"))
    try:
        started = time.perf_counter()
        service, review_of = corpus_store(home)
        with service.db.session() as session:
            corpus_passages = session.scalar(text("SELECT count(*) FROM passages"))
        print(
            f"# caselearn search benchmark: {args.reviews:,} generated reviews from "
            f"{len(set(review_of.values()))} corpus reviews ({corpus_passages} passages), SQLite"
        )
        print(f"corpus ingested in {time.perf_counter() - started:.1f} s")
        start = time.perf_counter()
        pages = generate(service, review_of, args.reviews, args.seed)
        print(
            f"generated {args.reviews:,} reviews, {pages:,} pages in "
            f"{time.perf_counter() - start:.1f} s"
        )
        with service.db.engine.begin() as connection:
            connection.execute(text("DELETE FROM passages"))
        start = time.perf_counter()
        summary = service.reindex()
        build = time.perf_counter() - start
        with service.db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        sizes = index_bytes(service)
        with service.db.session() as session:
            load = time.perf_counter()
            vectors = service._vectors(session)
            load = time.perf_counter() - load
        print()
        print(
            f"passages indexed:      {summary['passages']:,} from "
            f"{summary['documents']:,} documents"
        )
        print(
            f"index build:           {build:.1f} s "
            "(segment, embed, store, FTS5; `caselearn reindex`)"
        )
        print(
            f"index size:            passages table {sizes['passages'] / 1e6:.1f} MB (text and "
            f"float16 vectors), FTS5 {sizes['fts'] / 1e6:.1f} MB; "
            f"database {sizes['database'] / 1e6:.1f} MB"
        )
        print(
            f"vector matrix:         {vectors.nbytes / 1e6:.1f} MB in memory (float32), "
            f"loaded in {load:.2f} s"
        )
        latencies(service, args.rounds)
        service.close()
        print(f"\ntotal run {time.perf_counter() - started:.0f} s")
    finally:
        if not args.home:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
