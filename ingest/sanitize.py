"""Control characters (NUL, ESC, BEL, ANSI sequences...) removed from loaded text, in this one place."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from perfdraft.core.lazy_re import lazy
from perfdraft.core.models import Document

# A whole terminal escape sequence goes, not just its ESC: "\x1b[31m" must not leave "[31m" in a project name.
_ANSI = lazy(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# C0 controls except tab and newline, DEL, C1 controls, lone surrogates, and the two non-characters XML refuses.
_CONTROL = lazy(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = lazy(r"[\ud800-\udfff]")


def _label(ch: str) -> str:
    return {"\x00": "NUL", "\x07": "BEL", "\x08": "BS", "\x1b": "ESC", "\x7f": "DEL", "\r": "CR",
            "\x0c": "FF", "\x0b": "VT"}.get(ch, f"U+{ord(ch):04X}")


def clean_text(text: str, removed: Counter | None = None) -> str:
    """`text` without escape sequences and control characters; what was removed is counted into `removed`."""
    if not _CONTROL.search(text):
        return text
    if removed is not None and (sequences := len(_ANSI.findall(text))):
        removed["ANSI escape"] += sequences
    text = _ANSI.sub("", text)
    if removed is not None:
        removed.update(_label(ch) for ch in _CONTROL.findall(text))
    return _CONTROL.sub("", text)


def describe(removed: Counter) -> str:
    """One warning line: 'removed 5 control characters (NUL ×3, ESC ×2)'."""
    total = sum(removed.values())
    parts = ", ".join(f"{k} ×{n}" for k, n in removed.most_common())
    return f"removed {total} control character{'s' if total != 1 else ''} from the text ({parts})"


def readable_name(name: str) -> str:
    """A file name or path as valid Unicode: parts that are not UTF-8 (a GBK name from a Windows zip) decoded
    as GB18030 when they are valid GB18030, else their raw bytes written as \\xNN; always encodable as UTF-8."""
    if not _SURROGATE.search(name):
        return name
    parts = []
    for part in name.split(os.sep):
        raw = os.fsencode(part)
        try:
            part.encode("utf-8")
            parts.append(part)
            continue
        except UnicodeEncodeError:
            pass
        try:
            decoded = raw.decode("gb18030")
            parts.append(decoded if not _CONTROL.search(decoded) else raw.decode("utf-8", "backslashreplace"))
        except UnicodeDecodeError:
            parts.append(raw.decode("utf-8", "backslashreplace"))
    return os.sep.join(parts)


def sanitize_document(doc: Document) -> Document:
    """The loaded Document with control characters stripped from every line and cell, and a warning if any."""
    if _SURROGATE.search(doc.source):
        doc.source, doc.name = readable_name(doc.source), readable_name(doc.name)
        doc.warnings.append(f"the file name is not valid UTF-8; recorded as {doc.name}")
    removed: Counter = Counter()
    items = [ln for page in doc.pages for ln in page.lines] + [c for t in doc.tables for c in t.cells]
    # one search over all the text first: most files have no control character, and a search per item costs more
    if not _CONTROL.search("\n".join(item.text for item in items)):
        return doc
    # assigned only when something was removed: a pydantic field assignment costs more than the check
    for item in items:
        text = clean_text(item.text, removed)
        if text is not item.text:
            item.text = text
    if removed:
        doc.warnings.append(describe(removed))
    return doc


def sanitize_data(data: Any, removed: Counter) -> Any:
    """Parsed JSON (dicts, lists, strings) with control characters stripped from every string."""
    if isinstance(data, str):
        return clean_text(data, removed)
    if isinstance(data, list):
        return [sanitize_data(x, removed) for x in data]
    if isinstance(data, dict):
        return {k: sanitize_data(v, removed) for k, v in data.items()}
    return data


def terminal_safe(text: Any) -> str:
    """Text for a terminal: control characters (and undecodable file-name bytes) shown escaped, never executed."""
    s = str(text)
    if not _CONTROL.search(s):
        return s
    return _CONTROL.sub(lambda m: _escape(m.group()), s)


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: a raw byte of a non-UTF-8 file name
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

