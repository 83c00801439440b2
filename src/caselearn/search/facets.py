"""Facet names, the ``facet`` syntax, and the shape of facet counts.

Syntax: ``NAME:VALUE``, e.g. ``theme:male_carers``, ``harm:neglect``, ``age_band:<1``,
``review_type:scr``, ``committee:Riverside Child Protection Committee``, ``year:2022``,
``published:yes``. A code identifier on its own (``family.domestic_abuse``) is the same as
``family:domestic_abuse``. Codes combine with AND (a review must have every chosen code); the
other facets combine with OR within a facet and AND across facets.

Counting is done by the store (one query per facet, each under a time limit); this module only
knows names, parsing and results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from caselearn.search.query import InvalidSearch

CODE_FACETS = {
    "theme": "Practice and system themes",
    "family": "Family factors",
    "child": "The child's circumstances",
    "harm": "Harm or cause of death",
}
FIELD_FACETS = {
    "age_band": "Age of the child",
    "review_type": "Review type",
    "committee": "Committee",
    "year": "Year",
    "published": "Published",
}
FACETS = {**CODE_FACETS, **FIELD_FACETS}
AGE_BANDS = ("<1", "1-2", "3-4", "5-10", "11-17", "18+")
MAX_FACETS = 20


@dataclass
class FacetSelection:
    """Chosen facet values: {facet name: [values]} in the order given."""

    values: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(self.values.values())

    def items(self) -> list[tuple[str, str]]:
        return [(name, value) for name, values in self.values.items() for value in values]

    def tokens(self) -> list[str]:
        """The selection written back in ``NAME:VALUE`` form (for links and JSON)."""
        return [f"{name}:{value}" for name, value in self.items()]

    def has(self, name: str, value: str) -> bool:
        return value in self.values.get(name, [])

    def toggled(self, name: str, value: str) -> list[str]:
        """The tokens with this value added, or removed if it was chosen."""
        if self.has(name, value):
            return [t for t in self.tokens() if t != f"{name}:{value}"]
        return [*self.tokens(), f"{name}:{value}"]

    @property
    def codes(self) -> list[str]:
        return [f"{name}.{value}" for name in CODE_FACETS for value in self.values.get(name, [])]


def parse_facet(token: str, known_codes: set[str] | None = None) -> tuple[str, str]:
    text = " ".join(token.split())
    if ":" in text:
        name, value = (part.strip() for part in text.split(":", 1))
    elif "." in text and text.split(".", 1)[0] in CODE_FACETS:
        name, value = text.split(".", 1)
    else:
        raise InvalidSearch(
            f"facet {token[:80]!r} is not NAME:VALUE (e.g. theme:male_carers, review_type:scr) "
            "or a code identifier (e.g. harm.neglect)"
        )
    name = name.lower()
    if name not in FACETS:
        raise InvalidSearch(f"unknown facet {name[:80]!r}; facets are {', '.join(FACETS)}")
    if not value:
        raise InvalidSearch(f"facet {name!r} needs a value, e.g. {name}:{_example(name)}")
    if name in CODE_FACETS and known_codes is not None and f"{name}.{value}" not in known_codes:
        raise InvalidSearch(f"unknown code {name}.{value[:80]}; see the codebook for {name} codes")
    if name == "age_band" and value not in AGE_BANDS:
        raise InvalidSearch(f"unknown age band {value[:20]!r}; bands are {', '.join(AGE_BANDS)}")
    if name == "year" and not (value.isdigit() and len(value) == 4):
        raise InvalidSearch(f"year {value[:20]!r} is not a four-digit year")
    if name == "published":
        value = value.lower()
        if value not in ("yes", "no"):
            raise InvalidSearch("published is yes or no")
    return name, value


def parse_facets(tokens: list[str] | None, known_codes: set[str] | None = None) -> FacetSelection:
    selection = FacetSelection()
    tokens = [t for t in (tokens or []) if t and t.strip()]
    if len(tokens) > MAX_FACETS:
        raise InvalidSearch(f"at most {MAX_FACETS} facet values at once")
    for token in tokens:
        name, value = parse_facet(token, known_codes)
        chosen = selection.values.setdefault(name, [])
        if value not in chosen:
            chosen.append(value)
    return selection


def _example(name: str) -> str:
    return {
        "theme": "male_carers",
        "family": "domestic_abuse",
        "child": "disability",
        "harm": "neglect",
        "age_band": "<1",
        "review_type": "scr",
        "committee": "Riverside Child Protection Committee",
        "year": "2022",
        "published": "yes",
    }[name]


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class FacetResult:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)
    timed_out: bool = False  # cut short by the time limit: counts are missing, not zero

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "timed_out": self.timed_out,
            "values": [
                {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                for v in self.values
            ],
        }
