"""Lexical ranking for the store: BM25 over character bigrams, name containment, head nouns, and score fusion.

The index is columns that grow when projects are added and are masked when they are removed, so a write
never rebuilds it; every statistic (N, df, average length, idf) is computed from the live projects at query
time, so an index grown by writes ranks exactly like one built afresh from the same projects.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

import numpy as np

from perfdraft.ingest.embed import char_ngrams
from perfdraft.ingest.store_headnoun import core_name, head_noun

NGRAMS = (2,)  # adding unigrams measured no better on the gold leave-one-out and makes postings long
K1, B = 1.2, 0.75


class Entry(NamedTuple):
    """The compact fields a project is indexed from (what the keyword collection stores, never the JSON)."""

    id: str
    doc_id: str
    name: str
    text: str


def _top(ids: list[str], scores: np.ndarray, n: int, allowed: set[str] | None) -> list[tuple[str, float]]:
    """The n best positive scores as (id, score), best first; equal scores in id order, so the answer does
    not depend on the order projects were added in."""
    nz = np.flatnonzero(scores > 0)
    if allowed is not None:
        nz = np.asarray([i for i in nz if ids[i] in allowed], dtype=np.int64)
    if len(nz) > n:
        cut = np.partition(scores[nz], len(nz) - n)[len(nz) - n]
        nz = nz[scores[nz] >= cut]  # every project tied with the n-th stays in, then ties go by id
    best = sorted(((-float(scores[i]), ids[i]) for i in nz))[:n]
    return [(i, -s) for s, i in best]


class _Column:
    """A growable numpy column: appends are kept as chunks and joined when the column is read."""

    def __init__(self, dtype, width: int = 0, data: np.ndarray | None = None):
        shape = (0, width) if width else (0,)
        self._chunks = [data if data is not None else np.zeros(shape, dtype=dtype)]

    def append(self, values: np.ndarray) -> None:
        if len(values):
            self._chunks.append(values)

    @property
    def array(self) -> np.ndarray:
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0]

    def __len__(self) -> int:
        return sum(len(c) for c in self._chunks)


class LexicalIndex:
    """Project ids with their BM25 text postings, name grams and core names; add and remove, then search."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.docs: list[str] = []
        self.names: list[str] = []
        self.cores: list[str] = []
        self.grams: list[str] = []  # the vocabulary, in order of first use (id = position)
        self.vocab: dict[str, int] = {}
        self.dead: list[int] = []  # removed slots, in order of removal
        self.slot_ints = _Column(np.int32, 3)  # per slot: text postings, text length, name postings
        self.text_grams = _Column(np.int32)  # per text posting: gram id ...
        self.text_tf = _Column(np.int32)  # ... and its frequency in the text
        self.text_slots = _Column(np.int32)  # ... and its slot (derived, kept in memory only)
        self.name_grams = _Column(np.int32)  # per name posting: gram id
        self._slot: dict[str, int] = {}
        self._by_doc: dict[str, list[int]] = {}
        self._alive = np.zeros(0, dtype=bool)
        self._derived: dict[str, np.ndarray] | None = None
        self._inverse: tuple[int, np.ndarray, np.ndarray] | None = None  # see _text_hits
        self._searches = 0
        self.origin: tuple[str, dict[str, int]] | None = None  # the index files this one extends (store_lexfile)

    # ------------------------------------------------------------------------------------------ building

    @classmethod
    def from_columns(cls, grams: list[str], slots: list[list[str]], slot_ints: np.ndarray, text_grams: np.ndarray,
                     text_tf: np.ndarray, name_grams: np.ndarray, dead: np.ndarray) -> "LexicalIndex":
        """An index from its stored columns (store_lexfile.py); raises ValueError when they do not agree."""
        idx = cls()
        if len(slots) != len(slot_ints) or slot_ints.shape[1:] != (3,) or len(text_grams) != len(text_tf):
            raise ValueError("columns differ in length")
        if int(slot_ints[:, 0].sum()) != len(text_grams) or int(slot_ints[:, 2].sum()) != len(name_grams):
            raise ValueError("posting counts do not add up")
        if len(text_grams) and (text_grams.min() < 0 or text_grams.max() >= len(grams)):
            raise ValueError("text posting outside the vocabulary")
        if len(name_grams) and (name_grams.min() < 0 or name_grams.max() >= len(grams)):
            raise ValueError("name posting outside the vocabulary")
        if len(dead) and (dead.min() < 0 or dead.max() >= len(slots)):
            raise ValueError("removed slot out of range")
        idx.grams = grams
        idx.vocab = {g: i for i, g in enumerate(grams)}
        if len(idx.vocab) != len(grams):
            raise ValueError("vocabulary repeats a gram")
        idx.ids, idx.docs, idx.names, idx.cores = (list(col) for col in zip(*slots)) if slots else ([], [], [], [])
        idx.slot_ints = _Column(np.int32, 3, slot_ints)
        idx.text_grams = _Column(np.int32, data=text_grams)
        idx.text_tf = _Column(np.int32, data=text_tf)
        idx.text_slots = _Column(np.int32, data=np.repeat(np.arange(len(slots), dtype=np.int32), slot_ints[:, 0]))
        idx.name_grams = _Column(np.int32, data=name_grams)
        idx._alive = np.ones(len(slots), dtype=bool)
        idx._alive[dead] = False
        idx.dead = dead.tolist()
        for s in np.flatnonzero(idx._alive).tolist():
            idx._slot[idx.ids[s]] = s
            idx._by_doc.setdefault(idx.docs[s], []).append(s)
        return idx

    def add(self, entries: list[Entry]) -> None:
        """Index these projects (a project id already present is replaced)."""
        ints, tgrams, tfs, names = [], [], [], []
        for e in entries:
            if e.id in self._slot:
                self._kill([self._slot[e.id]])
            slot = len(self.ids)
            tf = Counter(char_ngrams(e.text, NGRAMS))
            grams = sorted(set(char_ngrams(e.name, (2,))) or set(char_ngrams(e.name, (1,))))
            tgrams.extend(self._gram(g) for g in tf)
            tfs.extend(tf.values())
            names.extend(self._gram(g) for g in grams)
            ints.append((len(tf), sum(tf.values()), len(grams)))
            self.ids.append(e.id)
            self.docs.append(e.doc_id)
            self.names.append(e.name)
            self.cores.append(core_name(e.name))
            self._slot[e.id] = slot
            self._by_doc.setdefault(e.doc_id, []).append(slot)
        if not entries:
            return
        self.slot_ints.append(np.asarray(ints, dtype=np.int32).reshape(-1, 3))
        self.text_grams.append(np.asarray(tgrams, dtype=np.int32))
        self.text_tf.append(np.asarray(tfs, dtype=np.int32))
        first = len(self.ids) - len(entries)
        self.text_slots.append(np.repeat(np.arange(first, len(self.ids), dtype=np.int32), [n for n, _, _ in ints]))
        self.name_grams.append(np.asarray(names, dtype=np.int32))
        self._alive = np.concatenate([self._alive, np.ones(len(entries), dtype=bool)])
        self._derived = None

    def remove_documents(self, doc_ids: list[str]) -> None:
        """Forget every project of these documents."""
        slots = [s for d in doc_ids for s in self._by_doc.pop(d, [])]
        self._kill(slots)

    def _kill(self, slots: list[int]) -> None:
        for s in slots:
            if self._alive[s]:
                self._alive[s] = False
                self.dead.append(s)
                self._slot.pop(self.ids[s], None)
                keep = [x for x in self._by_doc.get(self.docs[s], []) if x != s]
                if keep:
                    self._by_doc[self.docs[s]] = keep
                else:
                    self._by_doc.pop(self.docs[s], None)
        if slots:
            self._derived = None

    def _gram(self, g: str) -> int:
        i = self.vocab.get(g)
        if i is None:
            i = self.vocab[g] = len(self.grams)
            self.grams.append(g)
        return i

    def compacted(self) -> "LexicalIndex":
        """The same live projects without the removed ones' slots and postings."""
        ints, keep = self.slot_ints.array, self._alive
        slots = [[self.ids[s], self.docs[s], self.names[s], self.cores[s]] for s in np.flatnonzero(keep)]
        text = np.repeat(keep, ints[:, 0])
        return LexicalIndex.from_columns(self.grams, slots, ints[keep], self.text_grams.array[text],
                                         self.text_tf.array[text], self.name_grams.array[np.repeat(keep, ints[:, 2])],
                                         np.zeros(0, dtype=np.int64))

    # ------------------------------------------------------------------------------------------ reading

    @property
    def live(self) -> int:
        """Projects indexed (removed ones not counted)."""
        return len(self._slot)

    def _d(self) -> dict[str, np.ndarray]:
        """The name statistics and text lengths of the live projects, recomputed after a change."""
        if self._derived is None:
            ints = self.slot_ints.array
            n = len(ints)
            name_slot = np.repeat(np.arange(n, dtype=np.int32), ints[:, 2])
            ng = self.name_grams.array
            live_post = self._alive[name_slot]
            df = np.bincount(ng[live_post], minlength=len(self.grams)).astype(np.float64)
            idf = np.log1p(max(self.live, 1) / np.maximum(df, 1.0))
            total = np.bincount(name_slot, weights=idf[ng], minlength=n)
            total[total == 0] = 1.0
            lengths = ints[:, 1].astype(np.float64)
            self._derived = {
                "name_slot": name_slot, "name_idf": idf, "name_total": total, "lengths": lengths,
                "avg": np.asarray(lengths[self._alive].mean() if self.live else 1.0),
            }
        return self._derived

    def _query_mask(self, grams) -> np.ndarray | None:
        ids = [self.vocab[g] for g in grams if g in self.vocab]
        if not ids:
            return None
        mask = np.zeros(len(self.grams), dtype=bool)
        mask[ids] = True
        return mask

    def prepare(self) -> None:
        """After a write, in a process that searches: sort the postings now if the next search would (the writer
        pays for it, not the first search after the write)."""
        if self._searches and self._needs_inverse():
            self._build_inverse()

    def _needs_inverse(self) -> bool:
        inv, total = self._inverse, len(self.text_grams)
        return inv is None or total - inv[0] > total // 4

    def _build_inverse(self) -> None:
        grams = self.text_grams.array
        order = np.argsort(grams, kind="stable").astype(np.int32)
        self._inverse = (len(grams), order, np.searchsorted(grams[order], np.arange(len(self.grams) + 1)))

    def _text_hits(self, gram_ids: list[int], mask: np.ndarray) -> np.ndarray:
        """Positions of the text postings of these grams. A one-off search (a CLI process) scans the gram column;
        from the second search of an index on, postings are also kept sorted by gram, and only those added since
        (the tail) are scanned, until the tail is a quarter of all postings."""
        grams = self.text_grams.array
        self._searches += 1
        if self._searches >= 2 and self._needs_inverse():
            self._build_inverse()
        if self._inverse is None:
            return np.flatnonzero(mask[grams])
        covered, order, bounds = self._inverse
        parts = [order[bounds[g]:bounds[g + 1]] for g in gram_ids if g + 1 < len(bounds)]
        parts.append(covered + np.flatnonzero(mask[grams[covered:]]))
        return np.sort(np.concatenate(parts))  # in posting order: sums per project as a scan adds them

    def search_bm25(self, query: str, n: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Top n (id, BM25 score) of the project texts for the query."""
        qc = Counter(char_ngrams(query, NGRAMS))
        weight = {self.vocab[g]: c for g, c in qc.items() if g in self.vocab}
        if not weight or not self.live:
            return []
        mask = np.zeros(len(self.grams), dtype=bool)
        mask[list(weight)] = True
        d = self._d()
        hit = self._text_hits(list(weight), mask)
        slots = self.text_slots.array
        hit = hit[self._alive[slots[hit]]]
        gram, slot = self.text_grams.array[hit], slots[hit]
        tf = self.text_tf.array[hit].astype(np.float64)
        qw = np.zeros(len(self.grams))
        qw[list(weight)] = list(weight.values())
        df = np.bincount(gram, minlength=len(self.grams))[gram]
        idf = np.log1p((self.live - df + 0.5) / (df + 0.5))
        norm = K1 * (1 - B + B * d["lengths"][slot] / max(float(d["avg"]), 1e-9))
        scores = np.bincount(slot, weights=qw[gram] * idf * tf * (K1 + 1) / (tf + norm), minlength=len(self.ids))
        return _top(self.ids, scores, n, allowed)

    def search_names(self, query: str, n: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """How much of each stored project *name* the query contains (idf-weighted gram containment, 0..1).

        Queries are "name + purpose"; purposes are often boilerplate shared by unrelated tables
        (做好各项工作，保障单位业务开展), so whether a past project's whole name appears in the query is the
        strongest sign of the same kind of project.
        """
        mask = self._query_mask(set(char_ngrams(query, (1, 2))))
        if mask is None or not self.live:
            return []
        d, ng = self._d(), self.name_grams.array
        hit = np.flatnonzero(mask[ng])
        slot = d["name_slot"][hit]
        live = self._alive[slot]
        hit, slot = hit[live], slot[live]
        scores = np.bincount(slot, weights=d["name_idf"][ng[hit]] / d["name_total"][slot], minlength=len(self.ids))
        return _top(self.ids, scores, n, allowed)

    def search_heads(self, name: str | None, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """(id, 1.0) for every project whose core name contains the head noun of `name`, in id order (no cut:
        cutting ties arbitrarily would reward some same-kind projects and not others)."""
        head = head_noun(name)
        if not head:
            return []
        hits = (self.ids[s] for s in self._slot.values() if head in self.cores[s])
        return [(i, 1.0) for i in sorted(hits) if allowed is None or i in allowed]


def fuse_many(lists: list[tuple[float, bool, list[tuple[str, float]]]]) -> list[tuple[str, float]]:
    """Weighted sum of score lists (weight, max-normalise?, [(id, score)]); a missing score counts 0."""
    total_w = sum(w for w, _, _ in lists) or 1.0
    acc: dict[str, float] = {}
    for w, normalise, xs in lists:
        top = max((s for _, s in xs), default=0.0) if normalise else 1.0
        for i, s in xs:
            acc[i] = acc.get(i, 0.0) + w * (s / top if top > 0 else 0.0)
    return sorted(((i, s / total_w) for i, s in acc.items()), key=lambda x: -x[1])
