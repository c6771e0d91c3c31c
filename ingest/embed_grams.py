"""Character n-grams of a batch of texts as integer codes, counted per text with numpy instead of one Counter each.

A gram of up to three characters is one int64: each code point + 1 in its own 21 bits, so grams of different
lengths never share a code. Per text, the distinct grams come in the order `Counter(char_ngrams(text, ns))`
would first meet them (chunk by chunk; in a chunk all 1-grams, then 2-grams, ...), so sums over them add the
same floats in the same order as the per-text loop did.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

BITS = 21  # every code point + 1 (at most 0x110000) fits
MAX_N = 3  # three fields of 21 bits fill 63 of an int64's bits
_MASK = (1 << BITS) - 1


class BatchGrams(NamedTuple):
    """Per (text, distinct gram), in Counter order within each text: the text's index, the gram's code, its count."""

    text: np.ndarray
    code: np.ndarray
    count: np.ndarray


def gram_text(code: int) -> str:
    """The gram a code stands for."""
    chars = []
    while code:
        chars.append(chr((code & _MASK) - 1))
        code >>= BITS
    return "".join(reversed(chars))


def batch_grams(normed: list[str], ns: tuple[int, ...]) -> BatchGrams:
    """The distinct n-grams of each text (already through embed.normalize_text) with their counts; ns: distinct
    gram lengths of at most MAX_N."""
    # one space after each text: a chunk never runs from one text into the next (normalize_text leaves no other
    # whitespace, and str.split() and the pattern's \s agree on what whitespace is)
    cps = np.frombuffer("".join(s + " " for s in normed).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    cps = cps.astype(np.int64)
    total = len(cps)
    letter = cps != 32
    text_of = np.repeat(np.arange(len(normed), dtype=np.int64), [len(s) + 1 for s in normed])
    starts = letter & ~np.concatenate(([False], letter[:-1]))
    chunk = np.cumsum(starts) - 1  # chunk number of each letter position
    field = cps + 1
    texts_, codes, orders = [], [], []
    run = letter.copy()  # positions where a gram of length n lies inside one chunk
    code = np.zeros(total, dtype=np.int64)
    for n in range(1, max(ns, default=0) + 1):
        if n > 1:
            run[:total - n + 1] &= letter[n - 1:]
            run[total - n + 1:] = False
            code[:total - n + 1] = (code[:total - n + 1] << BITS) | field[n - 1:]
        else:
            code = field.copy()
        if n not in ns:
            continue
        at = np.flatnonzero(run)
        texts_.append(text_of[at])
        codes.append(code[at])
        # the order char_ngrams lists them in: by chunk, then by n's place in ns, then by position
        orders.append((chunk[at] * len(ns) + ns.index(n)) * total + at)
    if not codes or not sum(map(len, codes)):
        empty = np.zeros(0, dtype=np.int64)
        return BatchGrams(empty, empty, empty)
    t, c, o = np.concatenate(texts_), np.concatenate(codes), np.concatenate(orders)
    by = np.lexsort((o, c, t))  # occurrences of one gram in one text together, first occurrence first
    t, c, o = t[by], c[by], o[by]
    first = np.flatnonzero(np.concatenate(([True], (t[1:] != t[:-1]) | (c[1:] != c[:-1]))))
    counts = np.diff(np.append(first, len(t)))
    seen = np.argsort(o[first], kind="stable")  # distinct grams in the order they were first met
    return BatchGrams(t[first][seen], c[first][seen], counts[seen])
