"""Ingest throughput beside raw pypdfium2 text extraction of the same files, in the same run.

    .venv/bin/python benchmarks/ingest.py [--pages 300] [--repeat 3]

Prints pages per second and peak memory for (a) the bundled corpus by format, (b) a large
generated text PDF; the baseline is pypdfium2's own text extraction of the same PDFs. The goal
for text PDFs: full ingestion (extract, normalise, guess metadata, store originals and pages in
SQLite) at no less than 0.5 of raw extraction speed.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from caselearn.config import Settings  # noqa: E402
from caselearn.ingest import extract  # noqa: E402
from caselearn.services import CaseLearn  # noqa: E402

CACHE = ROOT / ".cache" / "bench"


def raw_pdf_pages(data: bytes) -> tuple[int, int]:
    pdf = pdfium.PdfDocument(data)
    characters = 0
    for index in range(len(pdf)):
        page = pdf[index]
        textpage = page.get_textpage()
        characters += len(textpage.get_text_bounded())
        textpage.close()
        page.close()
    count = len(pdf)
    pdf.close()
    return count, characters


def large_pdf(pages: int) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"generated-{pages}.pdf"
    if path.exists():
        return path
    from weasyprint import HTML

    paragraph = (
        "FICTIONAL BENCHMARK TEXT. The health visitor recorded that the mother had missed three "
        "appointments, and the information was not shared with the school nurse. Professionals "
        "did not challenge the reassurance offered by the father, and the chronology was "
        "incomplete. The core group met twice before the child protection plan was reviewed. "
    )
    body = "".join(
        f"<section style='page-break-after: always'><h2>Section {n}</h2>"
        + f"<p>{paragraph * 6}</p>" * 3
        + "</section>"
        for n in range(pages)
    )
    html = (
        "<html lang='en'><head><style>@page { size: A4; margin: 2cm; @top-center { content: "
        "'Northmoor SCP - OFFICIAL'; } @bottom-center { content: 'Page ' counter(page) "
        "' of ' counter(pages); } } body { font: 10pt DejaVu Sans; }</style></head><body>"
        f"{body}</body></html>"
    )
    HTML(string=html).write_pdf(path)
    return path


def timed(function, repeat: int):  # type: ignore[no-untyped-def]
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def ingest_all(files: list[Path]) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix="caselearn-bench-"))
    try:
        # Coding is measured on its own by benchmarks/coding.py.
        service = CaseLearn.open(Settings(home=home, code_on_ingest=False))
        start = time.perf_counter()
        results = service.ingest_paths(files)
        elapsed = time.perf_counter() - start
        service.close()
        pages = sum(r.pages or 0 for r in results if r.status == "ingested")
        return {"seconds": elapsed, "pages": pages}
    finally:
        shutil.rmtree(home, ignore_errors=True)


def peak_memory(function) -> float:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="pages in the generated PDF")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    args = parser.parse_args()

    corpus = sorted((ROOT / "corpus" / "documents").glob("*"))
    print(
        f"# caselearn ingest benchmark ({len(corpus)} corpus files, "
        f"generated PDF of {args.pages} pages)"
    )
    print()
    print("## Bundled corpus, extraction by format (best of runs)")
    print(f"{'format':<12}{'files':>6}{'pages':>7}{'OCR pages':>10}{'seconds':>9}{'pages/s':>9}")
    by_format: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    text_pdfs: list[Path] = []
    for path in corpus:
        data = path.read_bytes()
        seconds, document = timed(lambda d=data, p=path: extract(p.name, d), 1)
        kind = document.format + ("-scanned" if document.ocr_page_count else "")
        by_format[kind].append((len(document.pages), document.ocr_page_count, seconds))
        if document.format == "pdf" and not document.ocr_page_count:
            text_pdfs.append(path)
    for kind, rows in sorted(by_format.items()):
        pages = sum(r[0] for r in rows)
        ocr = sum(r[1] for r in rows)
        seconds = sum(r[2] for r in rows)
        print(f"{kind:<12}{len(rows):>6}{pages:>7}{ocr:>10}{seconds:>9.2f}{pages / seconds:>9.1f}")

    print()
    print("## Text PDFs: full ingestion into SQLite vs raw pypdfium2 extraction (best of runs)")
    big = large_pdf(args.pages)
    print(
        f"{'input':<22}{'pages':>7}{'raw p/s':>10}{'extract p/s':>13}{'ingest p/s':>12}"
        f"{'ratio':>7}{'peak MB':>9}"
    )
    for label, files in [("corpus text PDFs", text_pdfs), (f"generated {args.pages}p", [big])]:
        datas = [f.read_bytes() for f in files]
        raw_seconds, counts = timed(lambda ds=datas: [raw_pdf_pages(d) for d in ds], args.repeat)
        pages = sum(c[0] for c in counts)
        extract_seconds, _ = timed(
            lambda ds=datas, fs=files: [extract(f.name, d) for f, d in zip(fs, ds, strict=True)],
            args.repeat,
        )
        ingest_seconds = min(ingest_all(files)["seconds"] for _ in range(args.repeat))
        peak = peak_memory(lambda fs=files: ingest_all(fs))
        raw_rate, ingest_rate = pages / raw_seconds, pages / ingest_seconds
        print(
            f"{label:<22}{pages:>7}{raw_rate:>10.1f}{pages / extract_seconds:>13.1f}"
            f"{ingest_rate:>12.1f}{ingest_rate / raw_rate:>7.2f}{peak:>9.1f}"
        )
    print()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MB (includes the benchmark's own copies of the files)")
    print("goal: ingest/raw ratio >= 0.50 for text PDFs")


if __name__ == "__main__":
    main()
