"""The one text normaliser: `compact` and `tidy` for reading documents, `norm_text` for comparing them.

`norm_text` is what eval, grounding and the drafter compare with (documented in every eval report).

Rules, applied in this order to every text field, header field, value and source text before comparison:

1. Unicode NFKC (full-width letters, digits and signs become ASCII: `％` -> `%`, `＞` -> `>`, `９０` -> `90`).
2. ASCII comparison pairs become the document sign: `>=` -> `≥`, `<=` -> `≤` (also `≧`/`≦`).
3. The word `百分比` becomes `%` (so `≥90 百分比`, `≥90%` and `≥90％` compare equal).
4. All whitespace is removed (CJK cells wrapped over several lines are joined without spaces).
5. `None` is the empty string (a missing description and an empty one compare equal).

Numbers (target num/num_max, budget_wan) are compared with a tolerance instead: equal when
|a - b| <= max(abs_tol, rel_tol * max(|a|, |b|)).
"""

from __future__ import annotations

import re
import unicodedata

from perfdraft.core.lazy_re import lazy

NORMALISATION_RULES: list[str] = [
    "Unicode NFKC (全角 → 半角: ％→%, ＞→>, ９０→90)",
    "`>=`→`≥`, `<=`→`≤` (also `≧`→`≥`, `≦`→`≤`)",
    "`百分比`→`%` (so `%`, `％`, `百分比` compare equal)",
    "all whitespace removed",
    "missing (null) text equals empty text",
]

ABS_TOL = 1e-6
REL_TOL = 1e-3

_WS = lazy(r"\s+")
_BOOKMARK = lazy(r"\[bookmark:[^\]]*\]")
_NL_JOIN = lazy(r"(?<![A-Za-z])\n|\n(?![A-Za-z])")
_NL = lazy(r"[ \t\u00a0]*\n[ \t\u00a0]*")


def compact(text: str | None) -> str:
    """Text without any whitespace (line-break artefacts inside short cells)."""
    # str.split() cuts at exactly the characters `\s` matches (str.isspace), at a third of re.sub's cost
    return "".join(text.split()) if text else ""


def _cjk(ch: str) -> bool:
    """CJK punctuation (and the ideographic space), ideographs or full-width forms: no space goes between two."""
    return "\u3400" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def _drop_ws_between_cjk(s: str) -> str:
    """What re.sub(r"(?<=[CJK])\\s+(?=[CJK])", "", s) gives, CJK being the three ranges of _cjk.

    Tested character by character rather than compiled: Python 3.11 compiles such a class one code point at a
    time (~18 M instructions at every start). As the pattern does, a run of whitespace after a CJK character is
    dropped up to the last place a CJK character follows, which inside a run is only an ideographic space.
    """
    out, last, n = [], 0, len(s)
    for m in _WS.finditer(s):
        i, j = m.span()
        while i < j:
            if i and _cjk(s[i - 1]):
                k = j
                while k > i and not (k < n and _cjk(s[k])):
                    k -= 1
                if k > i:
                    out.append(s[last:i])
                    last = i = k
                    continue
            i += 1
    out.append(s[last:])
    return "".join(out)


def tidy(s: str | None) -> str:
    """Collapse line-break artefacts: no whitespace between CJK characters, other spaces kept single."""
    if not s:
        return ""
    # str.split() cuts at exactly what \s matches: [s] back means no whitespace (a third of a regex search)
    if "[" not in s and s.split() == [s]:
        return s
    s = _BOOKMARK.sub("", s)
    s = _NL.sub("\n", s.strip())
    s = _NL_JOIN.sub("", s)  # a wrapped line goes on without a space unless two Latin words meet
    s = _drop_ws_between_cjk(s)
    return _WS.sub(" ", s).strip()


def norm_text(s: str | None) -> str:
    """Normalise a text for comparison (see the module docstring for the rules)."""
    if s is None:
        return ""
    s = unicodedata.normalize("NFKC", str(s))
    s = s.replace(">=", "≥").replace("<=", "≤").replace("≧", "≥").replace("≦", "≤")
    s = s.replace("百分比", "%")
    # NFKC again: removing a space can bring a base letter and a combining mark together (R + ̧ -> Ŗ).
    return unicodedata.normalize("NFKC", _WS.sub("", s))


def norm_unit(u: str | None) -> str:
    """A unit compared like text (％/百分比 → %)."""
    return norm_text(u)


def num_equal(a: float | None, b: float | None, *, abs_tol: float = ABS_TOL, rel_tol: float = REL_TOL) -> bool:
    """Numbers equal within tolerance; two missing numbers are equal, one missing is not."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(abs_tol, rel_tol * max(abs(a), abs(b)))


def norm_name(name: str | None) -> str:
    """A project name reduced to its kind, for grouping recurring projects (印刷费 of several units).

    Besides norm_text: bracketed parts (file numbers, 第二批), leading years (2024年) and a trailing
    专项资金/资金/经费 distinction are kept out so the same kind of expense groups together.
    """
    s = norm_text(name)
    s = re.sub(r"[（(【\[〔][^）)】\]〕]*[）)】\]〕]", "", s)
    s = re.sub(r"^(19|20)\d{2}年(度)?", "", s)
    return s
