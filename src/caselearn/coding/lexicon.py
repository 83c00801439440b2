"""Lemmatised phrase matching: "information was not shared" finds "share information"? No:
phrases match in order, but on lemmas, so "shared", "sharing" and "shares" all find "share"."""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

TOKEN = re.compile(r"[A-Za-z][A-Za-z'’]*|\d+")
# Gaps allowed between the words of a phrase ("did not always share" for "did not share").
MAX_GAP = 1


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """spaCy's English lookup lemmas, shipped in spacy-lookups-data (no download)."""
    path = resources.files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"
    with gzip.open(str(path), "rt", encoding="utf-8") as stream:
        return json.load(stream)


class Token(NamedTuple):
    lemma: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    table = lemma_table()
    result = []
    for match in TOKEN.finditer(text):
        word = match.group().lower().replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        word = word.strip("'")
        if not word:
            continue
        result.append(
            Token(table.get(word, word), match.start(), match.start() + len(match.group()))
        )
    return result


def phrase_lemmas(phrase: str) -> tuple[str, ...]:
    return tuple(token.lemma for token in tokens(phrase))


@dataclass(frozen=True)
class PhraseMatch:
    key: str  # the code identifier the phrase belongs to
    phrase: str
    start: int  # character offsets in the matched text
    end: int
    first_token: int
    last_token: int


class PhraseMatcher:
    """Finds many phrases (each tagged with a key) in token sequences."""

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], frozenset[str], str, str]]] = {}

    def add(self, key: str, phrase: str) -> None:
        lemmas = phrase_lemmas(phrase)
        if lemmas:
            entry = (lemmas, frozenset(lemmas), key, phrase)
            self._by_first.setdefault(lemmas[0], []).append(entry)

    def find(self, sentence_tokens: list[Token]) -> list[PhraseMatch]:
        found = []
        lemmas = [t.lemma for t in sentence_tokens]
        present = frozenset(lemmas)
        for index, lemma in enumerate(lemmas):
            for pattern, words, key, phrase in self._by_first.get(lemma, ()):
                # Most candidate phrases lack some word of the sentence: a set test skips them.
                if not words <= present:
                    continue
                last = _match_at(lemmas, index, pattern)
                if last is not None:
                    found.append(
                        PhraseMatch(
                            key,
                            phrase,
                            sentence_tokens[index].start,
                            sentence_tokens[last].end,
                            index,
                            last,
                        )
                    )
        return found


def _match_at(lemmas: list[str], index: int, pattern: tuple[str, ...]) -> int | None:
    position = index
    for part in pattern[1:]:
        for step in range(1, MAX_GAP + 2):
            candidate = position + step
            if candidate < len(lemmas) and lemmas[candidate] == part:
                position = candidate
                break
        else:
            return None
    return position
