"""The hashing embedder's batch path: every text gets the vector the per-text definition gives it, bit for bit."""

from __future__ import annotations

import hashlib
import math
from collections import Counter

import numpy as np
import pytest

from perfdraft.ingest.embed import HashEmbedder, char_ngrams, normalize_text
from perfdraft.ingest.embed_grams import batch_grams, gram_text
from perfdraft.ingest.store import project_text, row_text

from .conftest import gold_docs

# whitespace of every kind, punctuation only, astral and combining characters, repeats, the empty text
EDGES = ["", " ", "（）、", "a", "ab ab ab", "印刷费\n印刷费\t印刷费", "a\xa0b\u2028c\x1cd\u3000e", "😀印刷😀", "𠀀𠀁𠀂𠀃",
         "e\u0301x", "x" * 3000]


def _texts() -> list[str]:
    out = []
    for doc in gold_docs():
        for p in doc.projects:
            out.append(project_text(p))
            out.extend(row_text(p, ind) for ind in p.indicators)
    return out + EDGES


def _reference(text: str, dim: int = 1024) -> np.ndarray:
    """The embedder's definition, one text at a time: signed hashed 1-3 grams weighted by length and 1 + log tf."""
    counts = Counter(char_ngrams(text, (1, 2, 3)))
    v = np.zeros(dim, dtype=np.float64)
    for gram, tf in counts.items():
        h = int.from_bytes(hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest(), "little")
        v[h % dim] += (1.0 if (h >> 63) & 1 else -1.0) * len(gram) * (1.0 + math.log(tf))
    v = v.astype(np.float32)
    norm = float(np.linalg.norm(v)) if counts else 0.0
    if norm == 0.0:
        v[0] = 1.0
        return v
    return v / norm


def test_batch_grams_are_each_texts_counted_grams_in_order():
    texts = _texts()
    for ns in [(1, 2, 3), (2,), (3, 1)]:
        got = batch_grams([normalize_text(t) for t in texts], ns)
        per_text: list[list[tuple[str, int]]] = [[] for _ in texts]
        for t, code, n in zip(got.text.tolist(), got.code.tolist(), got.count.tolist()):
            per_text[t].append((gram_text(code), n))
        assert per_text == [list(Counter(char_ngrams(t, ns)).items()) for t in texts], ns


def test_a_batch_gives_every_text_the_bits_of_the_definition():
    texts = _texts()
    e = HashEmbedder()
    batch = e.passages(texts)
    assert batch.dtype == np.float32 and batch.shape == (len(texts), 1024)
    for text, row in zip(texts, batch):
        want = _reference(text)
        assert row.tobytes() == want.tobytes(), text[:40]
        assert e.query(text).tobytes() == want.tobytes()


def test_gram_lengths_the_codes_cannot_hold_are_refused():
    with pytest.raises(ValueError):
        HashEmbedder(ns=(1, 4))
    with pytest.raises(ValueError):
        HashEmbedder(ns=(2, 2))
