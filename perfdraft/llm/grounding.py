"""Grounding: an extracted value must occur in its source chunk after normalisation."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")
# LaTeX-ish spellings found in converted documents, and ASCII operators, mapped to one form.
_SPELLINGS = [("\\geqslant", "≥"), ("\\leqslant", "≤"), ("\\geq", "≥"), ("\\leq", "≤"), ("\\ge", "≥"),
              ("\\le", "≤"), ("\\%", "%"), (">=", "≥"), ("<=", "≤"), ("百分比", "%"), ("$", "")]
_NUM = re.compile(r"\d+(?:\.\d+)?")


def normalise(text: str) -> str:
    """NFKC, unified operators and percent signs, all whitespace removed (wrapped cells join without spaces)."""
    s = unicodedata.normalize("NFKC", text)
    for a, b in _SPELLINGS:
        s = s.replace(a, b)
    return _WS.sub("", s)


class Grounder:
    """Checks values against one chunk of source text (normalised once)."""

    def __init__(self, chunk: str):
        self.chunk = normalise(chunk)
        self._numbers = {float(n) for n in _NUM.findall(self.chunk)}

    def has(self, value: str | None) -> bool:
        """True for empty values and for values found in the chunk."""
        if value is None:
            return True
        v = normalise(value)
        return not v or v in self.chunk

    def has_number(self, x: float | None, *, scales: tuple[float, ...] = (1.0, 10000.0)) -> bool:
        """A number occurs in the chunk as written or scaled (元 -> 万元 divides by 10000)."""
        if x is None:
            return True
        return any(abs(n - x * s) < 1e-6 * max(1.0, abs(x * s)) for n in self._numbers for s in scales)
