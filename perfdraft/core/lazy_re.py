"""Module-level regular expressions compiled at their first use, not when their module is imported."""

from __future__ import annotations

import re

# A compiled pattern's methods and attributes: after the first use they are the compiled pattern's own, found in
# the instance before __getattr__ is asked again.
_ATTRS = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer", "scanner",
          "flags", "groups", "groupindex")


class LazyPattern:
    """`re.compile(pattern, flags)` made at the first use of any of its methods or attributes.

    Python 3.11 compiles a class such as [\\u4e00-\\u9fff] one character at a time (~1-2 M instructions each), and
    a one-file `perfdraft extract` uses about half of the patterns its modules define: each run compiles only
    the ones its file needs. `pattern` is the source text, as on a compiled pattern.
    """

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags

    def __getattr__(self, name: str):
        if name.startswith("__"):  # copy, pickle and friends probing for hooks: not a use of the pattern
            raise AttributeError(name)
        compiled = re.compile(self.pattern, self._flags)
        for attr in _ATTRS:
            setattr(self, attr, getattr(compiled, attr))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r})"


def lazy(pattern: str | bytes, flags: int = 0) -> LazyPattern:
    """A pattern compiled at its first use; in every other way what `re.compile(pattern, flags)` returns."""
    return LazyPattern(pattern, flags)
