"""The budget year read from a table caption: the first caption in the text, whichever form it takes."""

from perfdraft.extraction.rules import _year
from perfdraft.ingest.text import load_text_light


def _doc(tmp_path, text):
    p = tmp_path / "doc.txt"
    p.write_text(text, encoding="utf-8")
    return load_text_light(p)


def test_a_label_caption_before_a_bracketed_one_wins(tmp_path):
    filler = "正文\n" * 70  # past the heading lines, which are read first
    assert _year(_doc(tmp_path, filler + "起始年度：2024\n项目支出绩效目标表（2025年度）\n")) == 2024


def test_a_bracketed_caption_before_a_label_one_wins(tmp_path):
    filler = "正文\n" * 70
    assert _year(_doc(tmp_path, filler + "项目支出绩效目标表（2025年度）\n预算年度 2024\n")) == 2025


def test_a_caption_broken_over_lines_is_read_line_by_line(tmp_path):
    filler = "正文\n" * 70
    assert _year(_doc(tmp_path, filler + "绩效目标表（\n2023年度）\n预算年度：2026\n")) == 2026
