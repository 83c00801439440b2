"""The five real documents in ../shared/seeds (never copied into this repository): each ingests,
with page count, title and review type guessed as the gold labels say. Skipped when absent."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import SEEDS

GOLD = json.loads((Path(__file__).parent / "gold" / "seeds_labels.json").read_text())["documents"]
pytestmark = [
    pytest.mark.seeds,
    pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not present"),
]
STOP = {"a", "an", "the", "of", "on", "from", "and", "for", "in", "to"}


def words(title: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", title.lower()) if w not in STOP}


@pytest.mark.parametrize("gold", GOLD, ids=[g["file"][:3] for g in GOLD])
def test_seed_ingests_with_title_type_committee_and_pages(service, gold):
    result = service.ingest_path(SEEDS / gold["file"])
    assert result.status == "ingested", result.error
    review = service.get_review(result.review_id)
    # Plain-text conversions carry no page breaks: one page each.
    assert review.page_count == 1
    assert review.type == gold["review_type"]
    overlap = words(review.title) & words(gold["title_guess"])
    assert len(overlap) >= 0.6 * len(words(review.title)), (review.title, gold["title_guess"])
    if gold["committee"]:
        assert review.committee == gold["committee"]
    if gold["year"]:
        assert review.year == gold["year"]


def test_all_seeds_in_one_batch_then_again_as_duplicates(service):
    first = service.ingest_paths([SEEDS])
    ingested = [r for r in first if r.status == "ingested"]
    assert len(ingested) >= 5
    again = service.ingest_paths([SEEDS])
    assert all(r.status == "duplicate" for r in again)
