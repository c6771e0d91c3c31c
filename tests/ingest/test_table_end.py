"""ends_table: the word tests in front of TABLE_END never change what the pattern alone says."""

from pathlib import Path

import pytest

from perfdraft.ingest.layout import TABLE_END, ends_table

CORPUS = Path(__file__).resolve().parents[2] / "eval" / "fixtures" / "corpus"


@pytest.mark.parametrize("text", [
    "注：本表由项目单位填写", "  说明:金额单位为万元", "备注 ：无", "填报说明", "\u3000单位负责人：张三",
    "审核意见", "财务审核意见：同意", "填表人：李四", "联系电话：123", "（盖章）", "(盖章)", "扫一扫查看",
    "相关解读", "附件：", "附件", "附件一：绩效目标表", "备注列", "单位：万元", "说明书编制", "产出指标", "", "   ",
])
def test_agrees_with_the_pattern_on_its_words_and_lookalikes(text):
    assert ends_table(text) == bool(TABLE_END.search(text))


def test_agrees_with_the_pattern_on_every_corpus_line():
    lines = [ln for p in sorted(CORPUS.glob("*.txt")) for ln in p.read_text(encoding="utf-8").split("\n")]
    assert lines and [ln for ln in lines if ends_table(ln) != bool(TABLE_END.search(ln))] == []
    assert any(ends_table(ln) for ln in lines)  # the corpus does end tables this way
