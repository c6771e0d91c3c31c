"""core.text: the CJK-spacing step of tidy is the regular expression it stands for, on every printed text."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfdraft.core.text import _drop_ws_between_cjk
from tests.printed_texts import documents, pieces

_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_REFERENCE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


def test_same_as_the_pattern_on_every_printed_document_line_and_cell():
    texts = documents() + pieces()
    assert not [t for t in texts if _drop_ws_between_cjk(t) != _REFERENCE.sub("", t)][:5]
    assert sum(1 for t in pieces() if _REFERENCE.search(t)) > 100  # spaces between CJK are there to drop


@pytest.mark.parametrize("text", ["中 文", "中\u3000 文", "中 \u3000x", "a\u3000 中", "\u3000 \u3000", " 中 ", "中\n\t 文 a 文",
                                  "\u2fff 中", "中 \u3040", "\u303f \u3400", "\u9fff \ua000", "\uff00 \uffef", "\uffef \ufff0",
                                  "中  \u3000\u3000  x", "", "   "])
def test_same_as_the_pattern_at_range_ends_and_ideographic_spaces(text):
    assert _drop_ws_between_cjk(text) == _REFERENCE.sub("", text)


@given(st.text(alphabet=st.sampled_from(list(" \t\n\u3000\u00a0a1中、\u2fff\u303f\u3040\u3400\u9fff\ua000\uff01\uffef\ufff0")),
               max_size=20))
@settings(max_examples=500, deadline=None)
def test_same_as_the_pattern_on_random_text(text):
    assert _drop_ws_between_cjk(text) == _REFERENCE.sub("", text)
