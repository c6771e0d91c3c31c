"""Generators of real test documents (PDF, DOCX, XLSX and broken files) from the gold fixtures."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

from perfdraft.drafting.export import ExportOptions, export_docx, export_pdf, export_xlsx
from perfdraft.core.models import PerformanceDocument

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "fixtures" / "gold"


def gold_paths() -> list[Path]:
    return sorted(GOLD.glob("*.json"))


def load_gold(path_or_stem: str | Path) -> PerformanceDocument:
    """A gold fixture as a PerformanceDocument (by path or by stem such as 000_bcf204015f35a258)."""
    p = Path(path_or_stem)
    if not p.suffix:
        p = GOLD / f"{p}.json"
    return PerformanceDocument.model_validate(json.loads(p.read_text(encoding="utf-8")))


def render(gold: PerformanceDocument, out: Path, options: ExportOptions | None = None) -> Path:
    """Render a gold document as .pdf, .docx or .xlsx (chosen by out's suffix)."""
    fn = {".pdf": export_pdf, ".docx": export_docx, ".xlsx": export_xlsx}[out.suffix.lower()]
    return fn(gold, out, options)


def split_table_pdf(gold: PerformanceDocument, out: Path, after: int = 3, split_cell: bool = True) -> Path:
    """A PDF whose every table breaks across a page after `after` indicator rows (header repeated)."""
    return export_pdf(gold, out, ExportOptions(page_break_after=after, split_cell=split_cell))


# ------------------------------------------------------------------------------------------ bad inputs


def random_bytes_pdf(out: Path, size: int = 4096, seed: int = 7) -> Path:
    out.write_bytes(random.Random(seed).randbytes(size))
    return out


def truncated_pdf(src: Path, out: Path, fraction: float = 0.5) -> Path:
    data = src.read_bytes()
    out.write_bytes(data[: int(len(data) * fraction)])
    return out


def encrypted_pdf(src: Path, out: Path, password: str = "secret") -> Path:
    """The same PDF with AES-256 encryption and a user password (PyMuPDF's own encryption)."""
    import pymupdf

    doc = pymupdf.open(str(src))
    doc.save(str(out), encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=password, owner_pw=password + "-owner")
    doc.close()
    return out


def image_only_pdf(src: Path, out: Path, dpi: int = 50) -> Path:
    """A 'scanned' PDF: each page of src rasterised and placed as an image, no text layer."""
    import pymupdf

    doc = pymupdf.open(str(src))
    new = pymupdf.open()
    for page in doc:
        pix = page.get_pixmap(dpi=dpi)
        p = new.new_page(width=page.rect.width, height=page.rect.height)
        p.insert_image(p.rect, pixmap=pix)
    new.save(str(out))
    doc.close()
    new.close()
    return out


def malformed_docx(out: Path) -> Path:
    """A zip with the right member names but a word/document.xml that is not well-formed XML."""
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
        zf.writestr("word/document.xml", "<w:document><w:body><w:p>unterminated")
    return out


def zip_bomb_docx(src_docx: Path, out: Path, megabytes: int = 64) -> Path:
    """A real DOCX plus one member of zeros that inflates ~1000x (kept small on disk)."""
    with zipfile.ZipFile(src_docx) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        chunk = b"\0" * (1 << 20)
        with zout.open("word/media/padding.bin", "w", force_zip64=True) as fh:
            for _ in range(megabytes):
                fh.write(chunk)
    return out
