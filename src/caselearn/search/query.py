"""Turn what a person typed into safe lexical queries.

Nothing a person types reaches FTS5 or PostgreSQL as syntax: words are extracted with a
Unicode word pattern and each is quoted (FTS5) or passed as a plain lexeme (PostgreSQL), so
quotes, brackets, ``*``, ``:``, ``NEAR``, ``AND``/``OR``/``NOT`` and SQL metacharacters are just
text. Double-quoted phrases stay phrases. Words are OR-ed: ranking rewards passages matching
more of them, and a long natural-language question still finds something.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_CHARS = 1000
MAX_TERMS = 32
WORD = re.compile(r"\w+", re.UNICODE)
PHRASE = re.compile(r'"([^"]*)"')

# Words that carry no meaning for finding learning; the databases' own stop lists differ, so
# one list here keeps SQLite and PostgreSQL matching the same words.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into
    is it its itself just me more most my myself no nor not of off on once only or other our
    ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves""".split()
)


class InvalidSearch(ValueError):
    """A search that cannot be run as asked (an unknown facet, a bad value)."""


@dataclass
class ParsedQuery:
    text: str  # the (possibly shortened) query, as used for embedding
    terms: list[str] = field(default_factory=list)  # single words, lower case, no stopwords
    phrases: list[list[str]] = field(default_factory=list)  # quoted phrases, as word lists
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases

    @property
    def highlight_words(self) -> list[str]:
        words = list(self.terms)
        for phrase in self.phrases:
            words += [w for w in phrase if w not in STOPWORDS]
        return list(dict.fromkeys(words))

    def with_terms(self, terms: list[str]) -> ParsedQuery:
        return ParsedQuery(self.text, list(terms), self.phrases, self.truncated)

    def fts5(self) -> str:
        """An FTS5 MATCH expression: every word and phrase quoted, OR-ed."""
        parts = [f'"{term}"' for term in self.terms]
        parts += ['"' + " ".join(phrase) + '"' for phrase in self.phrases]
        return " OR ".join(parts)

    def tsquery(self) -> str:
        """A to_tsquery expression: lexemes OR-ed, phrases joined with <->. Words are \\w+
        only, so they carry no tsquery syntax; each is still quoted as a lexeme."""
        parts = [f"'{term}'" for term in self.terms]
        parts += ["(" + " <-> ".join(f"'{w}'" for w in phrase) + ")" for phrase in self.phrases]
        return " | ".join(parts)


def words(text: str) -> list[str]:
    # "_" is a word character in regular expressions but separates words in prose.
    return [w.lower() for w in WORD.findall(text.replace("_", " "))]


def parse_query(raw: str | None, *, max_chars: int = MAX_CHARS, max_terms: int = MAX_TERMS):
    """Parse a query. Longer queries are cut at a word boundary within ``max_chars`` and to
    ``max_terms`` words and phrases; ``truncated`` says so."""
    text = " ".join((raw or "").replace("\x00", " ").split())
    truncated = False
    if len(text) > max_chars:
        cut = text[:max_chars]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
        truncated = True
    phrases: list[list[str]] = []
    for match in PHRASE.finditer(text):
        phrase = words(match.group(1))
        if len(phrase) > 1:
            phrases.append(phrase)
        elif phrase:
            phrases.append(phrase)  # a quoted single word is kept even if it is a stopword
    rest = PHRASE.sub(" ", text)
    terms = [w for w in words(rest) if w not in STOPWORDS and len(w) > 1 or w.isdigit()]
    terms = list(dict.fromkeys(terms))
    single = [p[0] for p in phrases if len(p) == 1]
    terms = list(dict.fromkeys(terms + single))
    phrases = [p for p in phrases if len(p) > 1]
    if len(terms) + len(phrases) > max_terms:
        truncated = True
        phrases = phrases[:max_terms]
        terms = terms[: max(0, max_terms - len(phrases))]
    return ParsedQuery(text=text, terms=terms, phrases=phrases, truncated=truncated)


def porter(word: str) -> str:
    """The stem SQLite's porter tokenizer stores for ``word``."""
    return _porter().stemWord(word)


def _porter():  # type: ignore[no-untyped-def]
    global _STEMMER
    if _STEMMER is None:
        import snowballstemmer

        _STEMMER = snowballstemmer.stemmer("porter")
    return _STEMMER


_STEMMER = None


def common_terms(
    terms: list[str], frequencies: dict[str, int], passages: int, share: float
) -> list[str]:
    """Terms found in more than ``share`` of passages, to leave out of the lexical query while a
    rarer term remains (Lucene's common-terms idea): they add little to bm25 and make an OR
    query read most of the index ("child" is in most passages of case reviews)."""
    if passages <= 0:
        return []
    common = [t for t in terms if frequencies.get(t, 0) > share * passages]
    if len(common) == len(terms):
        common = sorted(common, key=lambda t: frequencies.get(t, 0))[2:]
    return common
