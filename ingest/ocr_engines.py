"""OCR engines behind one interface (page image -> text boxes with confidence), chosen by name from a registry."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from perfdraft.core.errors import InputError


@dataclass
class OcrBox:
    """A recognised piece of text: pixel box on the page image and confidence in [0, 1]."""

    text: str
    box: tuple[float, float, float, float]
    confidence: float
    first: tuple[str, float] | None = None  # the first reading (text, confidence) when it was re-read


class OcrEngine(Protocol):
    name: str

    def read(self, gray: np.ndarray) -> list[OcrBox]:
        """Text boxes of a grayscale page image."""

    def read_line(self, gray: np.ndarray) -> tuple[str, float]:
        """Text and confidence of an image holding one line of text (no detection)."""


class OcrUnavailable(InputError):
    """The OCR engine is not installed on this machine."""

    kind = "ocr-unavailable"


class RapidOcr:
    """PP-OCRv4 Chinese detection + recognition on onnxruntime; the models ship inside the wheel."""

    name = "rapidocr"

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError:
            raise OcrUnavailable("OCR needs rapidocr-onnxruntime (run scripts/setup.sh)") from None
        self._ocr = RapidOCR()

    def read(self, gray: np.ndarray) -> list[OcrBox]:
        import cv2

        # no per-box angle classifier: a page is upright as a whole, and the classifier turned short values whose
        # half-turn also looks like text upside down (≥90% read as %06之, ≤50% as %0S≥)
        result, _ = self._ocr(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), use_cls=False)
        out = []
        for quad, text, score in result or []:
            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
            out.append(OcrBox(text=text, box=(min(xs), min(ys), max(xs), max(ys)), confidence=float(score)))
        return out

    def read_line(self, gray: np.ndarray) -> tuple[str, float]:
        import cv2

        result, _ = self._ocr(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), use_det=False, use_cls=False, use_rec=True)
        if not result:
            return "", 0.0
        text, score = result[0]
        return text, float(score)


class Tesseract:
    """Debian's tesseract-ocr with chi_sim, word boxes from its TSV output."""

    name = "tesseract"

    def __init__(self) -> None:
        if shutil.which("tesseract") is None:
            raise OcrUnavailable("OCR engine tesseract is not installed (apt-get install tesseract-ocr "
                                 "tesseract-ocr-chi-sim)")

    @staticmethod
    def _tsv(gray: np.ndarray, psm: str) -> str:
        import cv2

        with tempfile.TemporaryDirectory() as d:
            src = Path(d) / "page.png"
            cv2.imwrite(str(src), gray)
            return subprocess.run(["tesseract", str(src), "-", "-l", "chi_sim", "--psm", psm, "tsv"],
                                  capture_output=True, text=True, check=True, timeout=600).stdout

    def read_line(self, gray: np.ndarray) -> tuple[str, float]:
        boxes = self._boxes(self._tsv(gray, "7"))  # psm 7: one text line
        if not boxes:
            return "", 0.0
        return "".join(b.text for b in boxes), min(b.confidence for b in boxes)

    def read(self, gray: np.ndarray) -> list[OcrBox]:
        # psm 11: sparse text, no assumption of one text column (cells sit side by side)
        return self._boxes(self._tsv(gray, "11"))

    @staticmethod
    def _boxes(tsv: str) -> list[OcrBox]:
        out = []
        for row in tsv.splitlines()[1:]:
            f = row.split("\t")
            if len(f) < 12 or not f[11].strip() or float(f[10]) < 0:
                continue
            x, y, w, h = (int(v) for v in f[6:10])
            out.append(OcrBox(text=f[11].strip(), box=(x, y, x + w, y + h), confidence=float(f[10]) / 100))
        return out


ENGINES: dict[str, Callable[[], OcrEngine]] = {"rapidocr": RapidOcr, "tesseract": Tesseract}


@lru_cache(maxsize=None)
def get_engine(name: str = "rapidocr") -> OcrEngine:
    """One loaded engine per name for the process (loading the models takes about a second)."""
    if name not in ENGINES:
        raise OcrUnavailable(f"unknown OCR engine {name!r}; expected one of {', '.join(sorted(ENGINES))}")
    return ENGINES[name]()
