"""The coding engine: pages in, codes with evidence and confidence out. No database here.

For each document-level code (theme, family, child, harm) the engine gathers evidence from
lemmatised indicative phrases, judges each mention asserted, negated or hypothetical, weighs it
by the section it sits in, adds how close the document's sentences come to the code's meaning
(static embeddings), and turns these features into a probability with a logistic model trained
on labelled and human-reviewed codes (see training.py). Without a trained model a transparent
rule scores the same features.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from caselearn.codebook import Code, Codebook
from caselearn.coding.lexicon import PhraseMatcher, tokens
from caselearn.coding.negation import assertion
from caselearn.coding.segment import Sentence, segment

ENGINE_VERSION = "1"
KEY_SECTIONS = {
    "findings",
    "learning",
    "recommendations",
    "analysis",
    "themes",
    "summary",
    "good_practice",
}
FEATURES = (
    "bias",
    "asserted",
    "distinct_phrases",
    "key_section",
    "max_weight",
    "heading",
    "negated",
    "density",
    "similarity",
    "similar_sentences",
    "is_theme",
    "is_family",
    "is_child",
    "is_harm",
    "multiword",
    "single_word_only",
    "asserted_x_family",
    "asserted_x_child",
    "asserted_x_harm",
    "key_fraction",
)
MAX_EVIDENCE = 3


@dataclass
class Evidence:
    page: int
    start: int
    end: int
    text: str
    score: float = 0.0
    section: str = ""

    def to_dict(self) -> dict:
        return {"page": self.page, "start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def of(cls, sentence: Sentence, score: float | None = None) -> Evidence:
        """A whole sentence as evidence, scored by its weight unless a score is given."""
        return cls(
            sentence.page,
            sentence.start,
            sentence.end,
            sentence.text,
            sentence.weight if score is None else score,
            sentence.section.kind,
        )


@dataclass
class CodeResult:
    code: str
    confidence: float
    present: bool
    evidence: list[Evidence] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    negated_evidence: list[Evidence] = field(default_factory=list)


@dataclass
class DocumentCoding:
    codebook_version: str
    engine_version: str
    results: list[CodeResult]
    sentences: int
    status: str = "coded"  # or "could_not_code"
    message: str | None = None
    # The segmented text, kept so that fact extraction does not segment it again.
    segmented: list[Sentence] = field(default_factory=list, repr=False)

    @property
    def present(self) -> list[CodeResult]:
        return sorted((r for r in self.results if r.present), key=lambda r: -r.confidence)


@dataclass
class LinearModel:
    """Logistic regression over FEATURES, stored as plain numbers (no pickles)."""

    weights: dict[str, float]
    threshold: float = 0.5
    trained_on: dict = field(default_factory=dict)

    def probability(self, features: dict[str, float]) -> float:
        z = sum(weight * features.get(name, 0.0) for name, weight in self.weights.items())
        return 1 / (1 + math.exp(-max(min(z, 30), -30)))

    def to_dict(self) -> dict:
        return {
            "features": list(FEATURES),
            "weights": self.weights,
            "threshold": self.threshold,
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_dict(cls, data: dict) -> LinearModel:
        return cls(
            dict(data["weights"]), float(data.get("threshold", 0.5)), data.get("trained_on", {})
        )


# Hand-set weights used when no model has been trained: an asserted mention in findings or
# learning is strong evidence, a negated-only mention counts against, similarity helps a little.
RULE_MODEL = LinearModel(
    weights={
        "bias": -2.2,
        "asserted": 1.6,
        "distinct_phrases": 0.6,
        "key_section": 0.8,
        "max_weight": 0.8,
        "heading": 0.8,
        "negated": -0.8,
        "density": 0.3,
        "similarity": 1.0,
        "similar_sentences": 0.2,
    },
    trained_on={"rule": "hand-set weights"},
)


class CodingEngine:
    def __init__(
        self, codebook: Codebook, model: LinearModel | None = None, use_embeddings: bool = True
    ) -> None:
        self.codebook = codebook
        self.model = model or RULE_MODEL
        self.codes = codebook.document_codes
        self.matcher = PhraseMatcher()
        for code in self.codes:
            for phrase in code.indicative:
                self.matcher.add(code.id, phrase)
            # A one-word label ("Recording") would match every "recorded"; only phrases count.
            if len(code.label.split()) > 1:
                self.matcher.add(code.id, code.label)
        self.use_embeddings = use_embeddings
        self._prototypes: np.ndarray | None = None

    def prototypes(self) -> np.ndarray:
        if self._prototypes is None:
            from caselearn.coding.embeddings import embed

            texts = [
                ". ".join([code.label, code.definition, *code.examples, *code.indicative[:12]])
                for code in self.codes
            ]
            self._prototypes = embed(texts)
        return self._prototypes

    def code_pages(self, pages: list[tuple[int, str]]) -> DocumentCoding:
        segmented = segment(pages)
        sentences = [s for s in segmented.sentences if s.text.strip()]
        words = sum(len(s.text.split()) for s in sentences)
        version = self.codebook.version
        if words < 15:
            return DocumentCoding(
                version,
                ENGINE_VERSION,
                [],
                len(sentences),
                "could_not_code",
                "the document has too little text to code (blank or failed OCR?)",
            )
        if not _looks_english(sentences):
            return DocumentCoding(
                version,
                ENGINE_VERSION,
                [],
                len(sentences),
                "could_not_code",
                "the text does not look like English; the codebook is English",
            )
        mentions = self._mentions(sentences)
        similarity = self._similarity(sentences)
        results = []
        for index, code in enumerate(self.codes):
            features, evidence, negated = self._features(
                code, mentions.get(code.id, []), sentences, similarity, index
            )
            probability = self.model.probability(features)
            present = probability >= self.model.threshold
            if present and not evidence:
                evidence = self._similar_evidence(sentences, similarity, index)
            results.append(
                CodeResult(code.id, round(probability, 4), present, evidence, features, negated)
            )
        return DocumentCoding(version, ENGINE_VERSION, results, len(sentences), segmented=sentences)

    # --- evidence gathering ---------------------------------------------------------------

    def _mentions(
        self, sentences: list[Sentence]
    ) -> dict[str, list[tuple[Sentence, str, str, int, int]]]:
        found: dict[str, list[tuple[Sentence, str, str, int, int]]] = {}
        practice = {code.id: code.is_practice_theme for code in self.codes}
        for sentence in sentences:
            if sentence.weight == 0:
                continue
            sentence_tokens = tokens(sentence.text)
            seen: set[tuple[str, int]] = set()
            for match in self.matcher.find(sentence_tokens):
                if (match.key, match.start) in seen:
                    continue
                seen.add((match.key, match.start))
                status = assertion(
                    sentence.text, match.start, match.end, practice_theme=practice[match.key]
                )
                found.setdefault(match.key, []).append(
                    (sentence, status, match.phrase, match.start, match.end)
                )
        return found

    def _similarity(self, sentences: list[Sentence]) -> np.ndarray:
        if not self.use_embeddings:
            return np.zeros((len(sentences), len(self.codes)), dtype=np.float32)
        from caselearn.coding.embeddings import embed

        vectors = embed([s.text for s in sentences])
        weights = np.array([min(s.weight, 1.0) for s in sentences], dtype=np.float32)[:, None]
        return (vectors @ self.prototypes().T) * weights

    def _features(self, code: Code, mentions, sentences, similarity, index):  # type: ignore[no-untyped-def]
        asserted = [m for m in mentions if m[1] == "asserted"]
        negated = [m for m in mentions if m[1] != "asserted"]
        weight_sum = sum(m[0].weight for m in asserted)
        key = sum(m[0].weight for m in asserted if m[0].section.kind in KEY_SECTIONS)
        column = similarity[:, index] if len(sentences) else np.zeros(1)
        top = float(np.max(column)) if column.size else 0.0
        features = {
            "bias": 1.0,
            "asserted": math.log1p(weight_sum),
            "distinct_phrases": math.log1p(len({m[2] for m in asserted})),
            "key_section": math.log1p(key),
            "max_weight": max((m[0].weight for m in asserted), default=0.0),
            "heading": 1.0 if any(m[0].is_heading for m in asserted) else 0.0,
            "negated": math.log1p(len(negated)) if not asserted else 0.0,
            "density": min(weight_sum / max(len(sentences), 1) * 100, 10.0) / 10,
            "similarity": top,
            "similar_sentences": math.log1p(int(np.sum(column > 0.45))) if column.size else 0.0,
            "is_theme": float(code.category == "theme"),
            "is_family": float(code.category == "family"),
            "is_child": float(code.category == "child"),
            "is_harm": float(code.category == "harm"),
            # Several words ("multi-agency chronology") say more than one ("chronology").
            "multiword": math.log1p(sum(m[0].weight for m in asserted if " " in m[2].strip())),
            "single_word_only": float(
                bool(asserted) and all(" " not in m[2].strip() for m in asserted)
            ),
        }
        # Categories differ in how much one mention says: a harm or a risk factor named once is
        # usually meant; a practice theme named once in passing usually is not.
        for category in ("family", "child", "harm"):
            features[f"asserted_x_{category}"] = features["asserted"] * features[f"is_{category}"]
        features["key_fraction"] = key / weight_sum if weight_sum else 0.0
        ranked = sorted(asserted, key=lambda m: (-m[0].weight, -len(m[2]), m[0].page, m[0].start))
        evidence, used = [], set()
        for sentence, _status, _phrase, _start, _end in ranked:
            if (sentence.page, sentence.start) in used:
                continue
            used.add((sentence.page, sentence.start))
            evidence.append(Evidence.of(sentence))
            if len(evidence) == MAX_EVIDENCE:
                break
        negated_evidence = [
            Evidence.of(s) for s, _status, _phrase, _a, _b in negated[:MAX_EVIDENCE]
        ]
        return features, evidence, negated_evidence

    def _similar_evidence(self, sentences, similarity, index) -> list[Evidence]:  # type: ignore[no-untyped-def]
        if not len(sentences):
            return []
        order = np.argsort(-similarity[:, index])[:MAX_EVIDENCE]
        return [
            Evidence.of(sentences[i], float(similarity[i, index]))
            for i in order
            if similarity[i, index] > 0.3
        ]


COMMON_ENGLISH = {
    "the",
    "and",
    "of",
    "to",
    "was",
    "were",
    "in",
    "that",
    "with",
    "for",
    "a",
    "is",
    "had",
    "by",
    "on",
    "not",
    "be",
    "this",
    "as",
    "child",
    "their",
}


def _looks_english(sentences: list[Sentence]) -> bool:
    words = [w.lower().strip(".,;:()") for s in sentences[:400] for w in s.text.split()]
    if not words:
        return False
    share = sum(1 for w in words if w in COMMON_ENGLISH) / len(words)
    return share > 0.05
