"""JSON API for the knowledge hub: the twin of /search and the similar-reviews page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from caselearn.search.query import InvalidSearch
from caselearn.search.results import SearchResults, SimilarReview
from caselearn.web.app import error_response
from caselearn.web.deps import Service

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/search", response_model=SearchResults)
def search(
    request: Request,
    service: Service,
    q: Annotated[str, Query(description='Words, a question or a "quoted phrase".')] = "",
    facet: Annotated[
        list[str] | None,
        Query(
            description="NAME:VALUE, repeatable: theme:male_carers, family:domestic_abuse, "
            "harm:neglect, age_band:<1, review_type:scr, committee:NAME, year:2022, "
            "published:yes; a code identifier (harm.neglect) also works."
        ),
    ] = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    per_page: Annotated[int | None, Query(ge=1, le=100)] = None,
    mode: Annotated[str, Query(pattern="^(hybrid|lexical|semantic)$")] = "hybrid",
    like: Annotated[int | None, Query(description="Passage id: more like this passage.")] = None,
):  # type: ignore[no-untyped-def]
    """Reviews best first with their best passages (highlighted), total, pages and facet
    counts. An empty q browses every review matching the facets."""
    try:
        return service.search(q, facet or [], page=page, per_page=per_page, mode=mode, like=like)
    except InvalidSearch as exc:
        return error_response(request, 422, "invalid_search", str(exc))


@router.get("/reviews/{review_id}/similar", response_model=list[SimilarReview])
def similar(
    service: Service, review_id: int, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> list[SimilarReview]:
    """Reviews most like this one, by shared codes and by text."""
    return service.similar_reviews(review_id, limit=limit)


@router.post("/search/reindex")
def reindex(service: Service) -> JSONResponse:
    """Rebuild the search index for every stored document."""
    return JSONResponse(service.reindex())
