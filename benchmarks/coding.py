"""Coding throughput beside raw text extraction of the same files, in the same run.

    .venv/bin/python benchmarks/coding.py [--pages 300] [--repeat 3]

Prints pages and characters per second and peak memory for coding (segmentation, phrase
matching, negation, embeddings, the model, child and review facts) of already extracted text,
and for raw pypdfium2 extraction of the same PDFs. Goal: coding at no less than 0.5 of raw
extraction speed.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.ingest import large_pdf, raw_pdf_pages, timed  # noqa: E402
from caselearn.codebook import core_codebook  # noqa: E402
from caselearn.coding.engine import CodingEngine, LinearModel  # noqa: E402
from caselearn.coding.facts import code_with_facts  # noqa: E402
from caselearn.ingest import extract  # noqa: E402
from caselearn.ingest.metadata import guess_metadata  # noqa: E402
from caselearn.services.coding import DEFAULT_MODEL  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="pages in the generated PDF")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    args = parser.parse_args()

    import json

    model = (
        LinearModel.from_dict(json.loads(DEFAULT_MODEL.read_text()))
        if DEFAULT_MODEL.exists()
        else None
    )
    started = time.perf_counter()
    engine = CodingEngine(core_codebook(), model)
    engine.code_pages([(1, "Warm-up text about information sharing between agencies. " * 5)])
    print(
        f"# caselearn coding benchmark (engine start-up {time.perf_counter() - started:.2f} s, "
        "loading lemmas, embeddings and the codebook once)"
    )
    corpus = sorted((ROOT / "corpus" / "documents").glob("*.pdf"))
    text_pdfs = [p for p in corpus if not extract(p.name, p.read_bytes()).ocr_page_count]
    inputs = [
        ("corpus text PDFs", text_pdfs),
        (f"generated {args.pages}-section PDF", [large_pdf(args.pages)]),
    ]
    print()
    print(
        f"{'input':<30}{'pages':>7}{'chars':>10}{'raw p/s':>10}{'code p/s':>10}{'code kchar/s':>14}"
        f"{'ratio':>7}{'peak MB':>9}"
    )
    for label, files in inputs:
        datas = [f.read_bytes() for f in files]
        raw_seconds, counts = timed(lambda ds=datas: [raw_pdf_pages(d) for d in ds], args.repeat)
        documents = [extract(f.name, d) for f, d in zip(files, datas, strict=True)]
        pages = [[(p.number, p.text) for p in doc.pages] for doc in documents]
        page_count = sum(len(p) for p in pages)
        characters = sum(doc.char_count for doc in documents)
        # As when a stored review is coded: its type is already known from ingestion.
        kinds = [guess_metadata(doc.text, doc.title_hint).review_type for doc in documents]
        code_seconds, _ = timed(
            lambda ps=pages, ks=kinds: [
                code_with_facts(engine, p, review_type=k) for p, k in zip(ps, ks, strict=True)
            ],
            args.repeat,
        )
        tracemalloc.start()
        for p in pages:
            code_with_facts(engine, p)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        raw_rate = sum(c[0] for c in counts) / raw_seconds
        code_rate = page_count / code_seconds
        print(
            f"{label:<30}{page_count:>7}{characters:>10}{raw_rate:>10.1f}{code_rate:>10.1f}"
            f"{characters / code_seconds / 1000:>14.1f}{code_rate / raw_rate:>7.2f}"
            f"{peak / 1e6:>9.1f}"
        )
    print()
    print("goal: coding/raw extraction ratio >= 0.50")


if __name__ == "__main__":
    main()
