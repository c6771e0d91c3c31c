"""load_text: encodings, pages, and table grids made explicit by the text layout."""

from perfdraft.ingest.text import load_text


def test_gbk_file_is_detected_without_being_told(tmp_path):
    p = tmp_path / "doc.txt"
    p.write_bytes("承德市医疗保障局\n一级指标\t二级指标\t三级指标\n".encode("gbk"))
    doc = load_text(p)
    assert doc.lines[0].text == "承德市医疗保障局"
    assert doc.encoding == "gb18030"


def test_utf8_bom_is_stripped_and_form_feed_splits_pages(tmp_path):
    p = tmp_path / "doc.txt"
    p.write_bytes("\ufeff第一页\n正文\f第二页\n".encode("utf-8"))
    doc = load_text(p)
    assert doc.lines[0].text == "第一页"
    assert [pg.number for pg in doc.pages] == [1, 2]
    assert doc.pages[1].lines[0].text == "第二页"
    assert [ln.lineno for ln in doc.lines] == list(range(1, len(doc.lines) + 1))


def test_tab_rows_become_a_grid(tmp_path):
    p = tmp_path / "doc.txt"
    p.write_text("标题\n一级指标\t二级指标\t三级指标\n产出指标\t数量指标\t参保人数\n\n尾注\n", encoding="utf-8")
    doc = load_text(p)
    assert len(doc.tables) == 1
    g = doc.tables[0]
    assert (g.n_rows, g.n_cols, g.origin) == (2, 3, "text-tabs")
    assert g.matrix()[1] == ["产出指标", "数量指标", "参保人数"]
    assert [ln.table for ln in doc.lines[:4]] == [None, 0, 0, None]


def test_one_cell_per_line_dump_becomes_a_grid(tmp_path):
    p = tmp_path / "doc.txt"
    p.write_text("\t一级指标\n\t二级指标\n\n\t产出指标\n\t数量指标\n\n\n正文\n", encoding="utf-8")
    doc = load_text(p)
    assert len(doc.tables) == 1
    assert doc.tables[0].matrix() == [["一级指标", "二级指标"], ["产出指标", "数量指标"]]
    assert doc.tables[0].origin == "text-cells"


def test_markdown_pipe_table_becomes_a_grid(tmp_path):
    p = tmp_path / "doc.md"
    p.write_text("# 标题\n\n| 一级指标 | 二级指标 | 三级指标 |\n|---|---|---|\n| 产出指标 | 数量指标 | 参保人数 |\n\n正文\n",
                 encoding="utf-8")
    doc = load_text(p, kind="markdown")
    assert doc.format == "markdown"
    [g] = doc.tables
    assert g.origin == "text-pipes"
    assert g.matrix() == [["一级指标", "二级指标", "三级指标"], ["产出指标", "数量指标", "参保人数"]]


def test_light_document_lines_follow_its_pages_and_copies(tmp_path):
    from perfdraft.ingest.light import LightLine, LightPage
    from perfdraft.ingest.text import load_text_light

    p = tmp_path / "doc.txt"
    p.write_text("第一页\n正文\f第二页\n", encoding="utf-8")
    doc = load_text_light(p)
    first = doc.lines
    first.append(LightLine("调用方自己的行"))  # a caller's list is its own
    assert [ln.text for ln in doc.lines] == ["第一页", "正文", "第二页", ""]
    doc.pages = [LightPage(1, [LightLine("新页", 1, 1)])]
    assert [ln.text for ln in doc.lines] == ["新页"]
    copy = doc.model_copy(update={"pages": [LightPage(1, [LightLine("副本", 1, 1)])]})
    assert [ln.text for ln in copy.lines] == ["副本"] and [ln.text for ln in doc.lines] == ["新页"]
