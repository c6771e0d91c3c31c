"""core.lazy_re: a pattern compiled at its first use answers as re.compile's would."""

from __future__ import annotations

import copy
import re

import pytest

from perfdraft.core import lazy_re
from perfdraft.core.lazy_re import lazy


@pytest.fixture
def compiles(monkeypatch):
    """The (pattern, flags) pairs lazy_re hands to re.compile."""
    seen = []
    real = re.compile

    def spy(pattern, flags=0):
        seen.append((pattern, flags))
        return real(pattern, flags)

    monkeypatch.setattr(lazy_re.re, "compile", spy)
    return seen


def test_nothing_is_compiled_until_first_use_and_then_once(compiles):
    p = lazy(r"(\d+)\s*年")
    assert compiles == [] and p.pattern == r"(\d+)\s*年"
    assert p.search("2025 年底").group(1) == "2025"
    assert p.match("x2025年") is None
    assert p.sub("Y", "2024年至2025年") == "Y至Y"
    assert compiles == [(r"(\d+)\s*年", 0)]


@pytest.mark.parametrize("method, args", [
    ("match", ("１２ab",)), ("fullmatch", ("12AB",)), ("search", ("x 12ab",)), ("findall", ("1a 22B 3",)),
    ("split", ("1a 22B 3",)), ("sub", ("#", "1a 22B 3")), ("subn", ("#", "1a 22B 3")),
])
def test_every_method_answers_as_the_compiled_pattern(method, args):
    source, flags = r"(?P<n>\d+)(?P<u>[a-z]+)", re.I
    got, want = getattr(lazy(source, flags), method)(*args), getattr(re.compile(source, flags), method)(*args)
    if hasattr(want, "group"):
        assert (got.span(), got.groupdict()) == (want.span(), want.groupdict())
    else:
        assert got == want


def test_attributes_of_the_compiled_pattern():
    p, q = lazy(r"(?P<a>x)(y)", re.S), re.compile(r"(?P<a>x)(y)", re.S)
    assert (p.groups, dict(p.groupindex), p.flags) == (q.groups, dict(q.groupindex), q.flags)
    assert [m.span() for m in p.finditer("xyxy")] == [(0, 2), (2, 4)]


def test_bytes_patterns():
    assert lazy(rb"<meta[^>]+charset=([\w-]+)", re.I).search(b'<META charset=GBK>').group(1) == b"GBK"


def test_copying_is_not_a_use(compiles):
    p = lazy(r"[\u4e00-\u9fff]+")
    q = copy.deepcopy(p)
    assert compiles == [] and q.pattern == p.pattern
    assert q.findall("ab中文cd") == ["中文"]
