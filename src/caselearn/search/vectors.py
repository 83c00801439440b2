"""Passage embeddings and brute-force cosine search over an in-memory matrix.

At 10,000 reviews (~200,000 passages) a float32 matrix-vector product is ~15 ms on one core
and exact; see ARCHITECTURE.md for the measurement against an approximate index.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

DIMENSIONS = 256
STORED_DTYPE = np.dtype("<f2")


def embed_texts(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors for whole passages (wordllama averages token vectors; the
    coding engine's helper cuts at 400 characters, passages need all their words)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    from caselearn.coding.embeddings import _model

    vectors = np.asarray(_model().embed([t[:4000] for t in texts]), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=STORED_DTYPE).tobytes()


def from_bytes(blobs: list[bytes]) -> np.ndarray:
    if not blobs:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    matrix = np.frombuffer(b"".join(blobs), dtype=STORED_DTYPE).reshape(len(blobs), -1)
    return matrix.astype(np.float32)


@dataclass
class VectorIndex:
    """Every passage's vector, its id and its review, in id order."""

    ids: np.ndarray  # int64
    review_ids: np.ndarray  # int64
    matrix: np.ndarray  # float32, n x DIMENSIONS
    version: int = 0

    @classmethod
    def build(cls, rows: list[tuple[int, int, bytes]], version: int = 0) -> VectorIndex:
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        reviews = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        return cls(ids, reviews, from_bytes([r[2] for r in rows]), version)

    def updated(
        self,
        ids: np.ndarray,
        review_ids: np.ndarray,
        fetch: Callable[[list[int]], list[tuple[int, bytes]]],
        version: int,
    ) -> VectorIndex:
        """This index brought up to date with the passages now stored (``ids`` in order, with
        their reviews): vectors of passages it holds are kept, only new passages' vectors are
        fetched. A passage's vector never changes (re-indexing makes new passages), so after an
        upload a search reads one document's vectors, not every passage's again."""
        ids = np.asarray(ids, dtype=np.int64)
        review_ids = np.asarray(review_ids, dtype=np.int64)
        known = np.zeros(len(ids), dtype=bool)
        positions = np.zeros(len(ids), dtype=np.int64)
        if len(self.ids) and len(ids):
            positions = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
            known = self.ids[positions] == ids
        matrix = np.empty((len(ids), self.matrix.shape[1] or DIMENSIONS), dtype=np.float32)
        matrix[known] = self.matrix[positions[known]]
        missing = [int(i) for i in ids[~known]]
        fetched = dict(fetch(missing)) if missing else {}
        # A passage deleted between the two reads has no vector to fetch: leave it out.
        present = known | np.isin(ids, np.fromiter(fetched, dtype=np.int64, count=len(fetched)))
        if fetched:
            new_rows = np.flatnonzero(~known & present)
            matrix[new_rows] = from_bytes([fetched[int(ids[i])] for i in new_rows])
        return VectorIndex(ids[present], review_ids[present], matrix[present], version)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        return self.matrix.nbytes + self.ids.nbytes + self.review_ids.nbytes

    def mask_for(self, review_ids: set[int] | None) -> np.ndarray | None:
        if review_ids is None:
            return None
        return np.isin(self.review_ids, np.fromiter(review_ids, dtype=np.int64))

    def top(
        self, query: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> list[tuple[int, int, float]]:
        """The k passages most similar to ``query``: (passage id, review id, cosine)."""
        if not len(self) or k <= 0:
            return []
        scores = self.matrix @ np.asarray(query, dtype=np.float32).reshape(-1)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [
            (int(self.ids[i]), int(self.review_ids[i]), float(scores[i]))
            for i in best
            if np.isfinite(scores[i])
        ]

    def reviews_of(self, passage_ids: list[int]) -> list[int | None]:
        """The review of each passage (None for a passage not in the index)."""
        if not passage_ids:
            return []
        wanted = np.asarray(passage_ids, dtype=np.int64)
        positions = np.minimum(np.searchsorted(self.ids, wanted), max(0, len(self.ids) - 1))
        found = (self.ids[positions] == wanted) if len(self.ids) else np.zeros(len(wanted), bool)
        return [
            int(self.review_ids[p]) if ok else None for p, ok in zip(positions, found, strict=True)
        ]

    def vector_of(self, passage_id: int) -> np.ndarray | None:
        position = np.searchsorted(self.ids, passage_id)
        if position < len(self.ids) and self.ids[position] == passage_id:
            return self.matrix[position]
        return None

    def review_centroids(self) -> tuple[np.ndarray, np.ndarray]:
        """(review ids, unit-length mean vector of each review's passages)."""
        if not len(self):
            return np.zeros(0, dtype=np.int64), np.zeros((0, DIMENSIONS), dtype=np.float32)
        order = np.argsort(self.review_ids, kind="stable")
        reviews, starts = np.unique(self.review_ids[order], return_index=True)
        sums = np.add.reduceat(self.matrix[order], starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return reviews, sums / np.maximum(norms, 1e-9)
