"""Static sentence embeddings from wordllama, whose weights ship inside its wheel (no download)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np


@lru_cache(maxsize=1)
def _model():  # type: ignore[no-untyped-def]
    import wordllama
    from wordllama import WordLlama

    return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    if not texts:
        return np.zeros((0, 256), dtype=np.float32)
    # Static embeddings average token vectors: the first 400 characters carry a sentence's
    # meaning, and tokenising less keeps coding fast on long run-on passages.
    vectors = np.asarray(_model().embed([text[:400] for text in texts]), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)
