"""Plain-English measures: word counts, reading time, Flesch reading ease and Flesch-Kincaid grade.

Implemented here (about fifty lines) rather than taken from a library: the formulas are public
and short; syllables are counted by vowel groups with English corrections, checked against the
hyphenation dictionary WeasyPrint already installs (pyphen); nothing needs downloading.
Scores are estimates, good for comparing passages and for telling a lead officer that a
draft reads at "plain English" (reading ease 60 or above) or harder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

WORDS_PER_MINUTE = 200  # silent reading of plain prose by adults
ALOUD_WORDS_PER_MINUTE = 150  # read aloud to a team, as briefings often are
PLAIN_ENGLISH_EASE = 60.0

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n+")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
# Endings whose vowel group the simple count gets wrong.
_SILENT_E = re.compile(r"[^aeiouy]e$")
_LE_ENDING = re.compile(r"[^aeiouy]le$")
_ED_SILENT = re.compile(r"[^dt]ed$")
_SOUNDED_ES = re.compile(r"(s|x|z|ch|sh|c|g)es$")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def word_count(text: str) -> int:
    return len(words(text))


def syllables(word: str) -> int:
    """Syllables in one English word (heuristic: vowel groups, silent endings, hiatus)."""
    w = word.lower().strip("'’-")
    if not w:
        return 0
    if w.isdigit():
        return max(1, len(w))  # numbers are read as words; a rough but monotone estimate
    if "-" in w:
        return sum(syllables(part) for part in w.split("-") if part)
    if len(w) <= 3:
        return 1
    count = len(_VOWEL_GROUP.findall(w))
    silent_e = bool(_SILENT_E.search(w)) and not _LE_ENDING.search(w)
    silent_ed = bool(_ED_SILENT.search(w)) and len(w) > 4
    silent_es = w.endswith("es") and not _SOUNDED_ES.search(w) and len(w) > 4
    if silent_e or silent_ed or silent_es:
        count -= 1
    # Vowel groups undercount words like "cre-ate" and "cu-ri-os-i-ty"; the hyphenation
    # dictionary WeasyPrint already brings (pyphen) sees those breaks, so take the larger.
    return max(1, count, _hyphenation_syllables(w))


@lru_cache(maxsize=1)
def _dictionary():  # type: ignore[no-untyped-def]
    try:
        import pyphen

        return pyphen.Pyphen(lang="en_GB")
    except Exception:  # noqa: BLE001 - the heuristic alone still works
        return None


@lru_cache(maxsize=20_000)
def _hyphenation_syllables(word: str) -> int:
    dictionary = _dictionary()
    return len(dictionary.positions(word)) + 1 if dictionary else 0


def sentence_count(text: str) -> int:
    pieces = [p for p in _SENTENCE_END.split(text) if words(p)]
    return max(1, len(pieces))


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    syllables: int
    reading_ease: float  # Flesch: 0 (very hard) to 100 (very easy); 60+ is plain English
    grade: float  # Flesch-Kincaid grade level (US school grade)

    @property
    def minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE

    @property
    def minutes_aloud(self) -> float:
        return self.words / ALOUD_WORDS_PER_MINUTE

    @property
    def band(self) -> str:
        ease = self.reading_ease
        if ease >= 70:
            return "easy"
        if ease >= PLAIN_ENGLISH_EASE:
            return "plain English"
        if ease >= 50:
            return "fairly difficult"
        if ease >= 30:
            return "difficult"
        return "very difficult"

    def to_dict(self) -> dict:
        return {
            "words": self.words,
            "sentences": self.sentences,
            "syllables": self.syllables,
            "reading_ease": self.reading_ease,
            "grade": self.grade,
            "band": self.band,
            "minutes": round(self.minutes, 1),
            "minutes_aloud": round(self.minutes_aloud, 1),
        }


def readability(text: str) -> Readability:
    tokens = words(text)
    if not tokens:
        return Readability(0, 0, 0, 0.0, 0.0)
    sentences = sentence_count(text)
    total_syllables = sum(syllables(t) for t in tokens)
    per_sentence = len(tokens) / sentences
    per_word = total_syllables / len(tokens)
    ease = 206.835 - 1.015 * per_sentence - 84.6 * per_word
    grade = 0.39 * per_sentence + 11.8 * per_word - 15.59
    return Readability(
        len(tokens), sentences, total_syllables, round(ease, 1), round(max(grade, 0.0), 1)
    )
