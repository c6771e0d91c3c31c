"""Content sniffing on hand-made bytes: the kind comes from what a file holds, not from its name."""

from __future__ import annotations

import codecs
import zipfile

import pytest

from perfdraft.ingest.sniff import sniff

xlwt = pytest.importorskip("xlwt")


def _zip(path, member):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr(member, "<x/>")
    return path


@pytest.mark.parametrize(("data", "kind"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf"),
    (b"<!DOCTYPE html><html><body>x</body></html>", "html"),
    (b"  \r\n<HTML xmlns:o='urn:schemas-microsoft-com:office:office'><head>", "html"),  # Excel's "save as web page"
    (b"<!-- saved from url=(0042)http://example.invalid/ -->\n<html>", "html"),
    (b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">', "html"),
    (codecs.BOM_UTF8 + "<meta charset=utf-8><table><tr><td>一级指标".encode(), "html"),
    (codecs.BOM_UTF16_LE + "<html><body>绩效".encode("utf-16-le"), "html"),
    (b"{\\rtf1\\ansi\\deff0 text}", "rtf"),
    ("一、总体绩效目标\n全面贯彻".encode("gb18030"), None),
    (b"level1,level2\n", None),
])
def test_magic_bytes(tmp_path, data, kind):
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert sniff(path) == kind


def test_office_zips_by_their_main_part(tmp_path):
    assert sniff(_zip(tmp_path / "a.pdf", "word/document.xml")) == "docx"
    assert sniff(_zip(tmp_path / "b.doc", "xl/workbook.xml")) == "xlsx"
    assert sniff(_zip(tmp_path / "c.docx", "content.xml")) is None  # an ODF or other zip: the name decides


def test_ole2_workbook_and_broken_ole2(tmp_path):
    wb = xlwt.Workbook()
    wb.add_sheet("s").write(0, 0, "x")
    wb.save(str(tmp_path / "t.docx"))
    assert sniff(tmp_path / "t.docx") == "xls"
    (tmp_path / "cut.doc").write_bytes((tmp_path / "t.docx").read_bytes()[:600])
    assert sniff(tmp_path / "cut.doc") is None  # the loader named by the suffix then reports the damage
