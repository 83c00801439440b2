"""Search: passages, query parsing, facets, fusion, similarity. No database, no web.

The service (``caselearn.services.search``) stores passages and asks the store's lexical index
and this room's vector index; everything here works on plain values."""

from caselearn.search.facets import FACETS, FacetSelection, parse_facets
from caselearn.search.query import InvalidSearch, ParsedQuery, parse_query

__all__ = [
    "FACETS",
    "FacetSelection",
    "InvalidSearch",
    "ParsedQuery",
    "parse_facets",
    "parse_query",
]
