"""Table grids from a raster page: ruling lines found with OpenCV, cells and merged cells as spans."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_TABLE_PX = 40  # a ruled region smaller than this (either side) is a box or a stamp, not a table


@dataclass
class GridCell:
    """A cell in pixel coordinates: grid position, spans and its box on the page image."""

    row: int
    col: int
    rowspan: int
    colspan: int
    box: tuple[int, int, int, int]


@dataclass
class RasterTable:
    """A ruled table found on a page image."""

    n_rows: int
    n_cols: int
    cells: list[GridCell]
    box: tuple[int, int, int, int]
    col_x: list[int]


def ruling_masks(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling-line masks of a grayscale page (255 where a line is)."""
    import cv2

    ink = cv2.adaptiveThreshold(255 - gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -2)
    # a ruling is far longer than any stroke of a character: 0.5 inch horizontally; vertically it must stay
    # shorter than a one-line row (about 0.25 inch) yet longer than a character (at most ~0.17 inch at 12 pt)
    h_len, v_len = max(20, int(dpi * 0.5)), max(12, int(dpi * 0.2))
    hor = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (h_len, 1)))
    ver = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, v_len)))
    # close small gaps (scanner dropouts) along each line
    hor = cv2.dilate(hor, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 3)))
    ver = cv2.dilate(ver, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 5)))
    return hor, ver


def erase_rulings(gray: np.ndarray, hor: np.ndarray, ver: np.ndarray) -> np.ndarray:
    """The page with ruling lines painted white, so text detection does not read them as strokes."""
    out = gray.copy()
    out[(hor | ver) > 0] = 255
    return out


def _positions(profile: np.ndarray, min_count: int) -> list[int]:
    """Centres of runs of profile >= min_count (one per ruling line)."""
    hits = np.flatnonzero(profile >= min_count)
    if hits.size == 0:
        return []
    runs = np.split(hits, np.flatnonzero(np.diff(hits) > 1) + 1)
    return [int(r.mean()) for r in runs]


def _has_line(mask: np.ndarray, horizontal: bool, at: int, a: int, b: int, band: int) -> bool:
    """Whether a ruling covers most of the segment [a, b) at position at (within band pixels)."""
    if b <= a:
        return False
    if horizontal:
        seg = mask[max(0, at - band):at + band + 1, a:b].max(axis=0)
    else:
        seg = mask[a:b, max(0, at - band):at + band + 1].max(axis=1)
    return float((seg > 0).mean()) >= 0.6


def _grid(hor: np.ndarray, ver: np.ndarray, box: tuple[int, int, int, int]) -> RasterTable | None:
    x0, y0, x1, y1 = box
    h, v = hor[y0:y1 + 1, x0:x1 + 1], ver[y0:y1 + 1, x0:x1 + 1]
    # a boundary is any ruling at least as long as the smallest plausible cell (here 1/12 of the table)
    ys = _positions((h > 0).sum(axis=1), max(10, (x1 - x0) // 12))
    xs = _positions((v > 0).sum(axis=0), max(8, min(y1 - y0, 200) // 8))
    if len(ys) < 2 or len(xs) < 2:
        return None
    band = 3
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    parent = list(range(n_rows * n_cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(n_rows):
        for c in range(n_cols):
            # no ruling between two neighbouring elementary cells: they are one merged cell
            if c + 1 < n_cols and not _has_line(v, False, xs[c + 1], ys[r] + band, ys[r + 1] - band, band):
                parent[find(r * n_cols + c + 1)] = find(r * n_cols + c)
            if r + 1 < n_rows and not _has_line(h, True, ys[r + 1], xs[c] + band, xs[c + 1] - band, band):
                parent[find((r + 1) * n_cols + c)] = find(r * n_cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            groups.setdefault(find(r * n_cols + c), []).append((r, c))
    cells = []
    for members in groups.values():
        r0, c0 = min(m[0] for m in members), min(m[1] for m in members)
        r1, c1 = max(m[0] for m in members), max(m[1] for m in members)
        cells.append(GridCell(row=r0, col=c0, rowspan=r1 - r0 + 1, colspan=c1 - c0 + 1,
                              box=(x0 + xs[c0], y0 + ys[r0], x0 + xs[c1 + 1], y0 + ys[r1 + 1])))
    cells.sort(key=lambda c: (c.row, c.col))
    return RasterTable(n_rows=n_rows, n_cols=n_cols, cells=cells, box=box, col_x=[x0 + x for x in xs])


def find_tables(hor: np.ndarray, ver: np.ndarray) -> list[RasterTable]:
    """Ruled tables of a page: connected ruling networks, each rebuilt as a spanned grid, top to bottom."""
    import cv2

    n, _, stats, _ = cv2.connectedComponentsWithStats(hor | ver, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if w < MIN_TABLE_PX or h < MIN_TABLE_PX:
            continue
        t = _grid(hor, ver, (x, y, x + w - 1, y + h - 1))
        if t is not None and (t.n_rows > 1 or t.n_cols > 1):
            out.append(t)
    return sorted(out, key=lambda t: t.box[1])
