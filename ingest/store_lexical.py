"""Lexical ranking for the store: BM25 over character bigrams, name containment, and score fusion."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

from perfdraft.ingest.embed import char_ngrams

NGRAMS = (2,)  # adding unigrams measured no better on the gold leave-one-out and makes postings long


def _top(ids: list[str], scores: np.ndarray, n: int, allowed: set[str] | None) -> list[tuple[str, float]]:
    """The n best positive scores as (id, score), best first."""
    nz = np.flatnonzero(scores > 0)
    if allowed is not None:
        nz = np.asarray([i for i in nz if ids[i] in allowed], dtype=np.int64)
    if len(nz) > n:
        nz = nz[np.argpartition(-scores[nz], n - 1)[:n]]
    nz = nz[np.argsort(-scores[nz], kind="stable")]
    return [(ids[i], float(scores[i])) for i in nz]


class BM25Index:
    """An in-memory BM25 index with per-posting scores precomputed, so a query is a few numpy adds."""

    def __init__(self, ids: list[str], texts: list[str], k1: float = 1.2, b: float = 0.75):
        self.ids = ids
        raw: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        lengths = np.zeros(len(texts), dtype=np.float32)
        for n, text in enumerate(texts):
            tf = Counter(char_ngrams(text, NGRAMS))
            lengths[n] = sum(tf.values())
            for g, c in tf.items():
                docs, counts = raw[g]
                docs.append(n)
                counts.append(c)
        avg = float(lengths.mean()) if len(texts) else 1.0
        norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        N = len(texts)
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for g, (docs, counts) in raw.items():
            d = np.asarray(docs, dtype=np.int64)
            c = np.asarray(counts, dtype=np.float32)
            idf = math.log(1 + (N - len(docs) + 0.5) / (len(docs) + 0.5))
            self.postings[g] = (d, idf * c * (k1 + 1) / (c + norm[d]))

    def search(self, query: str, n: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Top n (id, score) for the query, optionally restricted to `allowed` ids."""
        scores = np.zeros(len(self.ids), dtype=np.float32)
        for g, qc in Counter(char_ngrams(query, NGRAMS)).items():
            hit = self.postings.get(g)
            if hit is not None:
                scores[hit[0]] += qc * hit[1]
        return _top(self.ids, scores, n, allowed)


class NameIndex:
    """How much of each stored project *name* a query contains (idf-weighted bigram containment, 0..1).

    Queries are "name + purpose"; purposes are often boilerplate shared by unrelated tables
    (做好各项工作，保障单位业务开展), so whether a past project's whole name appears in the query is the
    strongest sign of the same kind of project.
    """

    def __init__(self, ids: list[str], names: list[str]):
        self.ids = ids
        grams = [set(char_ngrams(n, (2,))) or set(char_ngrams(n, (1,))) for n in names]
        df: Counter[str] = Counter(g for gs in grams for g in gs)
        N = max(len(names), 1)
        idf = {g: math.log(1 + N / c) for g, c in df.items()}
        total = np.asarray([sum(idf[g] for g in gs) or 1.0 for gs in grams], dtype=np.float32)
        raw: dict[str, list[int]] = defaultdict(list)
        for n, gs in enumerate(grams):
            for g in gs:
                raw[g].append(n)
        # each posting carries the share of its name's weight that the gram stands for
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for g, docs in raw.items():
            d = np.asarray(docs, dtype=np.int64)
            self.postings[g] = (d, (idf[g] / total[d]).astype(np.float32))

    def search(self, query: str, n: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        scores = np.zeros(len(self.ids), dtype=np.float32)
        for g in set(char_ngrams(query, (1, 2))):
            hit = self.postings.get(g)
            if hit is not None:
                scores[hit[0]] += hit[1]
        return _top(self.ids, scores, n, allowed)


def fuse_many(lists: list[tuple[float, bool, list[tuple[str, float]]]]) -> list[tuple[str, float]]:
    """Weighted sum of score lists (weight, max-normalise?, [(id, score)]); a missing score counts 0."""
    total_w = sum(w for w, _, _ in lists) or 1.0
    acc: dict[str, float] = {}
    for w, normalise, xs in lists:
        top = max((s for _, s in xs), default=0.0) if normalise else 1.0
        for i, s in xs:
            acc[i] = acc.get(i, 0.0) + w * (s / top if top > 0 else 0.0)
    return sorted(((i, s / total_w) for i, s in acc.items()), key=lambda x: -x[1])
