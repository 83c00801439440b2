"""The shapes search answers in: the same for the Python API, the JSON API and the CLI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class PassageHit(BaseModel):
    id: int
    document_id: int
    page: int
    start: int = Field(description="Offset into the stored page text (Python str index).")
    end: int = Field(description="End offset (exclusive) into the stored page text.")
    section: str
    text: str
    highlighted: str = Field(description="The text as safe HTML with the query's words marked.")
    lexical_rank: int | None = None
    semantic_rank: int | None = None
    similarity: float | None = None


class ReviewHit(BaseModel):
    review_id: int
    title: str
    score: float
    review_type: str
    committee: str
    year: int | None
    published: bool
    stage: str
    passages: list[PassageHit] = []


class SearchResults(BaseModel):
    query: str
    mode: str
    facet: list[str] = Field(description="The chosen facet values, NAME:VALUE.")
    like: int | None = Field(None, description="Passage id for 'more like this passage'.")
    results: list[ReviewHit]
    total: int
    page: int
    per_page: int
    pages: int
    facets: dict[str, Any]
    facets_timed_out: bool = False
    truncated: bool = False
    messages: list[str] = []
    milliseconds: float = 0.0

    def cli_json(self) -> dict[str, Any]:
        """The stable `caselearn search --json` shape."""
        return {
            "results": [
                {
                    "review_id": hit.review_id,
                    "title": hit.title,
                    "score": round(hit.score, 6),
                    "passages": [
                        {"text": p.text, "page": p.page, "start": p.start, "end": p.end}
                        for p in hit.passages
                    ],
                }
                for hit in self.results
            ],
            "facets": self.facets,
        }


class SharedCode(BaseModel):
    code: str
    label: str


class SimilarReview(BaseModel):
    review_id: int
    title: str
    review_type: str
    committee: str
    year: int | None
    published: bool
    score: float
    code_similarity: float
    text_similarity: float | None
    shared_codes: list[SharedCode]
