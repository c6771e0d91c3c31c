"""Every text the project has seen printed: the 11 corpus documents and each zoo text rendering, as strings."""

from __future__ import annotations

import re
from functools import lru_cache

from tests.conftest import CORPUS, GOLD


@lru_cache(maxsize=1)
def documents() -> tuple[str, ...]:
    """The corpus .txt files and every text-format zoo rendering of the gold documents, whole."""
    from perfdraft.eval.data import load_dir
    from perfdraft.eval.zoo.generate import build, cases, heading
    from perfdraft.eval.zoo.text import sheet_text
    from perfdraft.eval.zoo.variants import VARIANTS

    out = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    gold = load_dir(GOLD)
    for name, _ in cases(formats=["text"]):
        variant = VARIANTS[name]
        for g in gold.values():
            sheets, _ = build(g, variant)
            out.append("\n".join(heading(g) + [""] + [x for s in sheets for x in sheet_text(s, variant.style)]))
    return tuple(out)


@lru_cache(maxsize=1)
def pieces() -> tuple[str, ...]:
    """Each distinct line of those texts, and each cell of a line cut at tabs, pipes or runs of spaces."""
    seen: set[str] = set()
    for text in documents():
        for line in text.replace("\f", "\n").split("\n"):
            seen.add(line)
            seen.update(re.split(r"\t|\s*\|\s*| {2,}|\u3000{2,}", line))
    return tuple(sorted(seen))
