"""Bad inputs end in a typed error naming the file, or a clear status, never an empty success."""

from __future__ import annotations

import pytest

from perfdraft.ingest.docx import SuspiciousArchive
from perfdraft.ingest.load import load_document
from perfdraft.core.errors import CorruptDocument, EmptyDocument, EncryptedDocument, InputError
from tests import docgen


def _raises(exc_type, path):
    with pytest.raises(exc_type) as info:
        load_document(path)
    assert info.value.file == str(path)
    assert info.value.message
    return info.value


def test_empty_file(tmp_path):
    p = tmp_path / "empty.pdf"
    p.write_bytes(b"")
    _raises(EmptyDocument, p)


def test_random_bytes_named_pdf(tmp_path):
    _raises(CorruptDocument, docgen.random_bytes_pdf(tmp_path / "noise.pdf"))


@pytest.mark.parametrize("fraction", [0.3, 0.95])
def test_truncated_pdf(rendered, tmp_path, fraction):
    err = _raises(CorruptDocument, docgen.truncated_pdf(rendered["small.pdf"], tmp_path / "cut.pdf", fraction))
    assert "truncated" in err.message or "PDF" in err.message


def test_encrypted_pdf(rendered, tmp_path):
    err = _raises(EncryptedDocument, docgen.encrypted_pdf(rendered["small.pdf"], tmp_path / "locked.pdf"))
    assert "password" in err.message


def test_image_only_pdf_is_reported_as_scanned(rendered, tmp_path):
    from perfdraft.ingest.pdf import load_pdf  # the text-layer loader alone; the OCR path is tests/ingest/test_ocr.py

    doc = load_pdf(docgen.image_only_pdf(rendered["small.pdf"], tmp_path / "scan.pdf"))
    assert doc.status == "scanned"
    assert "scanned: no text layer" in doc.warnings
    assert not doc.tables and not doc.lines


def test_malformed_docx(tmp_path):
    _raises(CorruptDocument, docgen.malformed_docx(tmp_path / "bad.docx"))


def test_random_bytes_named_docx_and_xlsx(tmp_path):
    for name in ("noise.docx", "noise.xlsx"):
        _raises(CorruptDocument, docgen.random_bytes_pdf(tmp_path / name))


def test_docx_zip_bomb_is_refused_before_parsing(rendered, tmp_path):
    err = _raises(SuspiciousArchive, docgen.zip_bomb_docx(rendered["small.docx"], tmp_path / "bomb.docx"))
    assert isinstance(err, InputError) and "zip bomb" in err.message


def test_zip_bomb_named_xlsx(rendered, tmp_path):
    _raises(SuspiciousArchive, docgen.zip_bomb_docx(rendered["small.docx"], tmp_path / "bomb.xlsx"))
