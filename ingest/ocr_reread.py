"""Short value lines the recogniser doubted (≥0 read as 'Mo', ＞0 as 'Vo', ≥10 as 'M10') re-read from tight crops.

The PP-OCR recogniser misreads a sign followed by one or two digits when the glyphs fill a large, loosely cropped
box; the same ink cropped tightly and shrunk to a small text height reads right (on drawn sign+digit cells at 7-11
pt, 150 and 300 dpi: 106/120 read right from the page, 120/120 from tight crops 12 or 16 px high). A reading is
only replaced by one the engine gave for the same ink, and only when that reading has the shape of a value
(core.values) and the first one had not; the caller records every replacement as a warning.
"""

from __future__ import annotations

import re

import numpy as np

from perfdraft.core.values import looks_like_value

# ink heights (px) the tight crop is scaled to, and the white margin around it (a fraction of that height)
HEIGHTS = (12, 16)
MARGIN = 0.3
MAX_CHARS = 8  # a value cell written as sign + digits + unit; longer lines are sentences, not re-read
# a character a misread sign or digit turns into, or one a value is written with
_VALUE_CHAR = re.compile(r"[0-9０-９A-Za-zＡ-Ｚａ-ｚ%％‰≥≤<>＜＞=＝]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")
_DIGIT = re.compile(r"[0-9０-９]")


def doubtful_value(text: str, confidence: float, floor: float) -> bool:
    """No reading at all, or a short one of value characters (at most one CJK) that is no value, read below the
    floor or mixing Latin letters with digits (a sign read as a letter: 'M10' at 0.94)."""
    t = text.strip()
    if not t:
        return True
    if len(t) > MAX_CHARS or not _VALUE_CHAR.search(t) or len(_CJK.findall(t)) > 1 or looks_like_value(t):
        return False
    return confidence < floor or bool(_LATIN.search(t) and _DIGIT.search(t))


def _tight(gray: np.ndarray, box: tuple) -> np.ndarray | None:
    """The ink inside box (page pixels), cropped to its bounding box; None when the box holds no ink."""
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(gray.shape[1], int(box[2]) + 1), min(gray.shape[0], int(box[3]) + 1)
    region = gray[y0:y1, x0:x1]
    ys, xs = np.nonzero(region < 128)
    if ys.size == 0:
        return None
    return region[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def reread_value(gray: np.ndarray, box: tuple, engine) -> tuple[str, float] | None:
    """The value-shaped reading of the ink in box from tight crops, with its lowest confidence; None if none."""
    import cv2

    ink = _tight(gray, box)
    if ink is None:
        return None
    readings: dict[str, list[float]] = {}
    for height in HEIGHTS:
        scale = height / ink.shape[0]
        img = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
        pad = max(1, round(MARGIN * height))
        text, conf = engine.read_line(np.pad(img, pad, constant_values=255))
        text = text.strip()
        if looks_like_value(text):
            readings.setdefault(text, []).append(conf)
    if not readings:
        return None
    # the reading most crops agree on, then the surest
    text = max(readings, key=lambda t: (len(readings[t]), min(readings[t])))
    return text, min(readings[text])
