"""Lexical ranking for the store: BM25 over character bigrams (and unigrams), plus score fusion with dense."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from ingest.embed import char_ngrams

NGRAMS = (1, 2)


class BM25Index:
    """An in-memory BM25 index; small enough to rebuild from the store when it changes."""

    def __init__(self, ids: list[str], texts: list[str], k1: float = 1.2, b: float = 0.75):
        self.ids = ids
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        for n, text in enumerate(texts):
            tf = Counter(char_ngrams(text, NGRAMS))
            self.lengths.append(sum(tf.values()))
            for g, c in tf.items():
                self.postings[g].append((n, c))
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        N = len(texts)
        self.idf = {g: math.log(1 + (N - len(p) + 0.5) / (len(p) + 0.5)) for g, p in self.postings.items()}

    def search(self, query: str, n: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Top n (id, score) for the query, optionally restricted to `allowed` ids."""
        scores: dict[int, float] = defaultdict(float)
        for g, qc in Counter(char_ngrams(query, NGRAMS)).items():
            idf = self.idf.get(g)
            if idf is None:
                continue
            for doc, c in self.postings[g]:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[doc] / self.avg)
                scores[doc] += idf * c * (self.k1 + 1) / (c + norm)
        ranked = sorted(scores.items(), key=lambda x: -x[1])
        out = []
        for doc, s in ranked:
            if allowed is not None and self.ids[doc] not in allowed:
                continue
            out.append((self.ids[doc], s))
            if len(out) >= n:
                break
        return out


def fuse(dense: list[tuple[str, float]], lexical: list[tuple[str, float]], w_dense: float = 0.5
         ) -> list[tuple[str, float]]:
    """Weighted sum of max-normalised scores (missing = 0); keeps a 0..1 score users can read."""
    def norm(xs: list[tuple[str, float]]) -> dict[str, float]:
        top = max((s for _, s in xs), default=0.0)
        return {i: (s / top if top > 0 else 0.0) for i, s in xs}
    d, lx = norm(dense), norm(lexical)
    ids = dict.fromkeys([i for i, _ in dense] + [i for i, _ in lexical])
    fused = [(i, w_dense * d.get(i, 0.0) + (1 - w_dense) * lx.get(i, 0.0)) for i in ids]
    return sorted(fused, key=lambda x: -x[1])


class NameIndex:
    """How much of each stored project *name* a query contains (idf-weighted bigram containment, 0..1).

    Queries are "name + purpose"; purposes are often boilerplate shared by unrelated tables
    (做好各项工作，保障单位业务开展), so whether a past project's whole name appears in the query is the
    strongest sign of the same kind of project.
    """

    def __init__(self, ids: list[str], names: list[str]):
        self.ids = ids
        self.grams = [set(char_ngrams(n, (2,))) or set(char_ngrams(n, (1,))) for n in names]
        df: Counter[str] = Counter(g for gs in self.grams for g in gs)
        N = max(len(names), 1)
        self.idf = {g: math.log(1 + N / c) for g, c in df.items()}
        self.postings: dict[str, list[int]] = defaultdict(list)
        for n, gs in enumerate(self.grams):
            for g in gs:
                self.postings[g].append(n)
        self.total = [sum(self.idf[g] for g in gs) or 1.0 for gs in self.grams]

    def search(self, query: str, n: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        q = set(char_ngrams(query, (1, 2)))
        got: dict[int, float] = defaultdict(float)
        for g in q:
            for doc in self.postings.get(g, ()):
                got[doc] += self.idf[g]
        ranked = sorted(((d, s / self.total[d]) for d, s in got.items()), key=lambda x: -x[1])
        out = []
        for doc, s in ranked:
            if allowed is not None and self.ids[doc] not in allowed:
                continue
            out.append((self.ids[doc], s))
            if len(out) >= n:
                break
        return out


def fuse_many(lists: list[tuple[float, bool, list[tuple[str, float]]]]) -> list[tuple[str, float]]:
    """Weighted sum of score lists (weight, max-normalise?, [(id, score)]); a missing score counts 0."""
    total_w = sum(w for w, _, _ in lists) or 1.0
    acc: dict[str, float] = {}
    for w, normalise, xs in lists:
        top = max((s for _, s in xs), default=0.0) if normalise else 1.0
        for i, s in xs:
            acc[i] = acc.get(i, 0.0) + w * (s / top if top > 0 else 0.0)
    return sorted(((i, s / total_w) for i, s in acc.items()), key=lambda x: -x[1])
