"""Do the themes a drafted briefing puts first match the key themes the source names itself?

For each labelled source (``tests/gold/briefing_key_themes.json``) the file is read and coded
exactly as an ingested review would be, a one-review briefing is drafted, and its ranked
practice themes are compared with the source's own key themes:

- overlap@k: share of the source's key themes (at most k) among the briefing's first k;
- precision@k: share of the briefing's first k themes that the source names;
- top-1: whether the briefing's first theme is one the source names;
- found: share of the source's key themes the briefing mentions at all (limited by coding).

The same figures for themes ordered by the engine's confidence alone are the baseline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from caselearn.coding.engine import CodingEngine

from .compose import compose
from .model import (
    BriefingError,
    SourceChild,
    SourceCode,
    SourceDocument,
    SourcePassage,
    SourceReview,
)


def scores(ranked: list[str], gold: list[str], k: int) -> dict[str, float]:
    top = ranked[:k]
    hits = len(set(top) & set(gold))
    return {
        "overlap": round(hits / min(k, len(gold)), 3) if gold else 0.0,
        "precision": round(hits / len(top), 3) if top else 0.0,
        "top1": 1.0 if top and top[0] in gold else 0.0,
        "found": round(len(set(ranked) & set(gold)) / len(gold), 3) if gold else 0.0,
    }


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {}
    return {key: round(sum(r[key] for r in rows) / len(rows), 3) for key in rows[0]}


def default_folders(documents: Path | None) -> dict[str, list[Path]]:
    from caselearn.demo import bundled_corpus

    here = Path(__file__).resolve()
    seeds = [p / "shared" / "seeds" for p in here.parents] + [Path.cwd().parent / "shared/seeds"]
    corpus = bundled_corpus()
    return {
        "seeds": ([documents] if documents else []) + [p for p in seeds if p.is_dir()][:1],
        "corpus": ([documents] if documents else []) + ([corpus] if corpus else []),
    }


def evaluate_key_themes(
    gold: Path,
    documents: Path | None,
    *,
    engine: CodingEngine,
    limits: Any,
    k: int = 5,
) -> dict[str, Any]:
    from caselearn.coding.facts import code_with_facts
    from caselearn.ingest import extract
    from caselearn.ingest.metadata import guess_metadata

    data = json.loads(Path(gold).read_text(encoding="utf-8"))
    folders = default_folders(documents)
    results, skipped = [], []
    for number, entry in enumerate(data.get("sources", []), start=1):
        collection = entry.get("collection", "corpus")
        path = next(
            (
                f / entry["file"]
                for f in folders.get(collection, [])
                if (f / entry["file"]).exists()
            ),
            None,
        )
        if path is None:
            skipped.append({"file": entry["file"], "reason": "not found"})
            continue
        document = extract(path.name, path.read_bytes(), limits)
        pages = [(p.number, p.text) for p in document.pages]
        guess = guess_metadata(
            document.text, document.title_hint, path.name, document.running_lines
        )
        coding, facts = code_with_facts(engine, pages, guess.title, None)
        source = SourceReview(
            id=number,
            title=guess.title,
            committee=guess.committee or "committee",
            review_type=guess.review_type,
            year=guess.year,
            documents=[SourceDocument(number, path.name, guess.kind, pages)],
            codes=[
                SourceCode(
                    r.code,
                    "suggested",
                    r.confidence,
                    [SourcePassage(number, e.page, e.start, e.end, e.text) for e in r.evidence],
                )
                for r in coding.present
            ],
            children=[
                SourceChild(c.label, c.age_years.value, c.age_band.value or "", c.fatal.value or "")
                for c in facts.children
            ],
        )
        try:
            briefing = compose("review", [source], engine.codebook)
            ranked = briefing.themes
        except BriefingError as exc:
            skipped.append({"file": entry["file"], "reason": str(exc)})
            continue
        baseline = [
            r.code for r in coding.present if engine.codebook.get(r.code).category == "theme"
        ]
        key = list(entry["key_themes"])
        results.append(
            {
                "file": entry["file"],
                "collection": collection,
                "key_themes": key,
                "briefing_themes": ranked[:k],
                "briefing": scores(ranked, key, k),
                "baseline": scores(baseline, key, k),
            }
        )
    summary = {}
    for name in ("seeds", "corpus"):
        rows = [r for r in results if r["collection"] == name]
        if rows:
            summary[name] = {
                "sources": len(rows),
                "briefing": _mean([r["briefing"] for r in rows]),
                "baseline": _mean([r["baseline"] for r in rows]),
            }
    summary["all"] = {
        "sources": len(results),
        "briefing": _mean([r["briefing"] for r in results]),
        "baseline": _mean([r["baseline"] for r in results]),
    }
    return {"k": k, "sources": results, "summary": summary, "skipped": skipped}


def format_report(result: dict[str, Any]) -> str:
    k = result["k"]
    lines = [f"Key-theme overlap (briefing's first {k} themes against the source's own)"]
    for row in result["sources"]:
        b, base = row["briefing"], row["baseline"]
        lines.append(
            f"  {row['file'][:44]:44} overlap@{k} {b['overlap']:.2f} precision@{k} "
            f"{b['precision']:.2f} top-1 {b['top1']:.0f} found {b['found']:.2f} "
            f"(confidence order: overlap {base['overlap']:.2f})"
        )
    for name, figures in result["summary"].items():
        if not figures.get("briefing"):
            continue
        b, base = figures["briefing"], figures["baseline"]
        lines.append(
            f"{name} ({figures['sources']} sources): overlap@{k} {b['overlap']:.3f}, "
            f"precision@{k} {b['precision']:.3f}, top-1 {b['top1']:.3f}, found {b['found']:.3f}; "
            f"confidence order overlap@{k} {base['overlap']:.3f}, top-1 {base['top1']:.3f}"
        )
    for skip in result["skipped"]:
        lines.append(f"  skipped {skip['file']}: {skip['reason']}")
    return "\n".join(lines)
