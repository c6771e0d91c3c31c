"""HTML loader on hand-written pages: spans, <br>, nested tables, encodings, broken and hostile markup."""

from __future__ import annotations

import codecs

import pytest

from perfdraft.core.errors import InputError
from perfdraft.ingest.html import MarkupTooComplex, load_html
from perfdraft.ingest.load import load_document

PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset={cs}">
<title>页面标题</title><style>td {{ color: red }}</style><script>document.write("<table><tr><td>假</td></tr>")</script>
</head><body>
<p>项目名称：医保专项业务费</p><!-- 这里是注释 -->
<table border=1>
<tr><th rowspan="3">产出指标</th><th colspan=2>数量指标<br>（个）</th><td>值</td></tr>
<tr><td>参保人数</td><td rowspan=2>≥90%</td><td>依据<br/>县级预算</td></tr>
<tr><td>覆盖率</td><td>历史<b>数据</b></td></tr>
</table>
<div>绩效目标：<span>1.保障</span>基金安全。</div>
</body></html>"""


def _cells(t):
    return sorted((c.row, c.col, c.rowspan, c.colspan, c.text) for c in t.cells)


@pytest.mark.parametrize("charset", ["gb2312", "gbk", "utf-8"])
def test_spans_breaks_and_text_outside_tables(tmp_path, charset):
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.format(cs=charset).encode("gb18030" if charset.startswith("gb") else "utf-8"))
    doc = load_html(path)
    assert doc.format == "html" and doc.status == "ok"
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert (t.n_rows, t.n_cols) == (3, 4)
    assert _cells(t) == [
        (0, 0, 3, 1, "产出指标"), (0, 1, 1, 2, "数量指标\n（个）"), (0, 3, 1, 1, "值"),
        (1, 1, 1, 1, "参保人数"), (1, 2, 2, 1, "≥90%"), (1, 3, 1, 1, "依据\n县级预算"),
        (2, 1, 1, 1, "覆盖率"), (2, 3, 1, 1, "历史数据")]
    body = [ln.text for ln in doc.lines if ln.table is None]
    assert body == ["项目名称：医保专项业务费", "绩效目标：1.保障基金安全。"]  # no title, script, style, comment
    grid_lines = [ln for ln in doc.lines if ln.table == 0]
    assert grid_lines[0].text == "产出指标" and t.line_start == grid_lines[0].lineno
    assert [ln.lineno for ln in doc.lines] == list(range(1, len(doc.lines) + 1))  # reading order numbering
    assert doc.lines[0].text == "项目名称：医保专项业务费" and doc.lines[-1].text.startswith("绩效目标")


def test_meta_charset_gb2312_holding_gbk_only_characters(tmp_path):
    # 镕 is outside GB2312; pages declared gb2312 contain such characters all the time
    path = tmp_path / "gbk.htm"
    path.write_bytes('<meta charset="gb2312"><p>朱镕基同志</p>'.encode("gbk"))
    doc = load_document(path)
    assert [ln.text for ln in doc.lines] == ["朱镕基同志"]


@pytest.mark.parametrize(("bom", "enc"), [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")])
def test_byte_order_mark_beats_a_wrong_meta(tmp_path, bom, enc):
    path = tmp_path / "bom.html"
    path.write_bytes(bom + '<html><meta charset="gbk"><body><p>满意度≥90%</p></body></html>'.encode(enc))
    assert [ln.text for ln in load_document(path).lines] == ["满意度≥90%"]


def test_nested_table_is_its_own_grid(tmp_path):
    path = tmp_path / "nested.html"
    path.write_text("<table><tr><td>一级指标</td><td>说明<table><tr><td>内1</td><td>内2</td></tr>"
                    "<tr><td>内3</td><td>内4</td></tr></table>尾</td></tr>"
                    "<tr><td>产出</td><td>数量</td></tr></table>", encoding="utf-8")
    doc = load_html(path)
    outer, inner = doc.tables
    assert _cells(outer) == [(0, 0, 1, 1, "一级指标"), (0, 1, 1, 1, "说明\n尾"), (1, 0, 1, 1, "产出"),
                             (1, 1, 1, 1, "数量")]
    assert _cells(inner) == [(0, 0, 1, 1, "内1"), (0, 1, 1, 1, "内2"), (1, 0, 1, 1, "内3"), (1, 1, 1, 1, "内4")]
    assert [ln.text for ln in doc.lines if ln.table == 1] == ["内1", "内2", "内3", "内4"]


def test_single_column_layout_table_flows_as_text(tmp_path):
    path = tmp_path / "layout.html"
    path.write_text("<table width=900><tr><td><p>标题</p><table><tr><td>a</td><td>b</td></tr></table>"
                    "<p>脚注</p></td></tr></table>", encoding="utf-8")
    doc = load_html(path)
    assert len(doc.tables) == 1 and _cells(doc.tables[0]) == [(0, 0, 1, 1, "a"), (0, 1, 1, 1, "b")]
    assert [(ln.text, ln.table) for ln in doc.lines] == [("标题", None), ("a", 0), ("b", 0), ("脚注", None)]


def test_broken_markup_is_recovered(tmp_path):
    # unclosed <td>/<tr>, a stray </table> and no </body></html>, as old CMS pages are written
    path = tmp_path / "broken.html"
    path.write_text("<body><p>前言<table><tr><td rowspan=2>产出<td>数量<tr><td>质量</table></table><p>后记",
                    encoding="utf-8")
    doc = load_html(path)
    assert _cells(doc.tables[0]) == [(0, 0, 2, 1, "产出"), (0, 1, 1, 1, "数量"), (1, 1, 1, 1, "质量")]
    assert [ln.text for ln in doc.lines if ln.table is None] == ["前言", "后记"]


def test_rowspan_past_the_table_end_is_clipped_and_zero_means_to_the_end(tmp_path):
    path = tmp_path / "spans.html"
    path.write_text("<table><tr><td rowspan=9>甲</td><td rowspan=0>乙</td><td>1</td></tr><tr><td>2</td></tr>"
                    "</table>", encoding="utf-8")
    t = load_html(path).tables[0]
    assert _cells(t) == [(0, 0, 2, 1, "甲"), (0, 1, 2, 1, "乙"), (0, 2, 1, 1, "1"), (1, 2, 1, 1, "2")]


def test_deep_nesting_is_refused_with_a_clear_error(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text("<div>" * 5000 + "x" + "</div>" * 5000, encoding="utf-8")
    with pytest.raises(MarkupTooComplex) as exc:
        load_document(path)
    assert exc.value.kind == "markup-too-complex" and exc.value.file == str(path) and "deep" in exc.value.message


@pytest.mark.parametrize("attrs", ['colspan="100000"', 'rowspan="9999999"'])
def test_huge_span_is_refused_with_a_clear_error(tmp_path, attrs):
    path = tmp_path / "span.html"
    path.write_text(f"<table><tr><td {attrs}>x</td><td>y</td></tr></table>", encoding="utf-8")
    with pytest.raises(MarkupTooComplex) as exc:
        load_document(path)
    assert isinstance(exc.value, InputError) and "limit" in exc.value.message


def test_many_wide_rows_hit_the_grid_limit(tmp_path):
    path = tmp_path / "area.html"
    row = '<tr><td colspan="1000">x</td><td>y</td></tr>'
    path.write_text("<table>" + row * 300 + "</table>", encoding="utf-8")
    with pytest.raises(MarkupTooComplex, match="cells"):
        load_document(path)


def test_page_without_text_is_empty(tmp_path):
    path = tmp_path / "blank.html"
    path.write_text("<html><head><script>var a = 1;</script></head><body>  </body></html>", encoding="utf-8")
    doc = load_document(path)
    assert doc.status == "empty" and doc.warnings


def test_caption_is_a_line_above_its_grid(tmp_path):
    path = tmp_path / "caption.html"
    path.write_text("<table><caption>印刷费绩效目标表</caption><tr><td>一级指标</td><td>二级指标</td></tr></table>",
                    encoding="utf-8")
    doc = load_html(path)
    assert [(ln.text, ln.table) for ln in doc.lines] == [("印刷费绩效目标表", None), ("一级指标", 0), ("二级指标", 0)]


def test_oversized_page_is_refused_before_parsing(tmp_path, monkeypatch):
    from perfdraft.ingest import html as html_loader

    monkeypatch.setattr(html_loader, "MAX_HTML_BYTES", 1000)
    path = tmp_path / "big.html"
    path.write_text("<p>" + "很长" * 1000 + "</p>", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_html(path)
    assert exc.value.kind == "too-large" and "MB" in exc.value.message
