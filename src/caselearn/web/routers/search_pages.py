"""The knowledge hub's pages: /search (query, facets, paging, highlights; no JavaScript
needed) and /reviews/{id}/similar."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from caselearn.search.facets import FacetSelection, parse_facets
from caselearn.search.query import InvalidSearch
from caselearn.web.app import templates
from caselearn.web.deps import Service

router = APIRouter(include_in_schema=False)


def _url(path: str, **params) -> str:  # type: ignore[no-untyped-def]
    pairs = []
    for name, value in params.items():
        if value is None or value == "" or value == [] or (name == "page" and value == 1):
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, item))
    return path + ("?" + urlencode(pairs) if pairs else "")


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    service: Service,
    q: Annotated[str, Query()] = "",
    facet: Annotated[list[str] | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    mode: Annotated[str, Query(pattern="^(hybrid|lexical|semantic)$")] = "hybrid",
    like: Annotated[int | None, Query()] = None,
) -> HTMLResponse:
    facets = [f for f in (facet or []) if f.strip()]
    error = None
    try:
        result = service.search(q, facets, page=page, mode=mode, like=like)
        selection = parse_facets(result.facet)
    except InvalidSearch as exc:
        error, result, selection = str(exc), None, FacetSelection()
    base = {"q": result.query if result else q[:1000], "mode": mode if mode != "hybrid" else None}
    if like is not None:
        base["like"] = like

    def facet_url(name: str, value: str) -> str:
        return _url("/search", **base, facet=selection.toggled(name, value))

    def page_url(number: int) -> str:
        return _url("/search", **base, facet=selection.tokens(), page=number)

    json_url = _url("/api/search", **base, facet=selection.tokens() or facets, page=page)
    return templates.TemplateResponse(
        request,
        "search.html",
        {
            "result": result,
            "error": error,
            "q": base["q"],
            "mode": mode,
            "selection": selection,
            "facet_url": facet_url,
            "page_url": page_url,
            "clear_url": _url("/search", **base),
            "json_url": json_url,
            "like": like,
        },
        status_code=422 if error else 200,
    )


@router.get("/reviews/{review_id}/similar", response_class=HTMLResponse)
def similar_page(request: Request, service: Service, review_id: int) -> HTMLResponse:
    review = service.get_review(review_id)
    return templates.TemplateResponse(
        request,
        "search_similar.html",
        {
            "review": review,
            "similar": service.similar_reviews(review_id, limit=20),
            "json_url": f"/api/reviews/{review_id}/similar?limit=20",
        },
    )
