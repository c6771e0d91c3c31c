"""Safe handling of user uploads: type and size checks, sanitised names, files kept under the data directory."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from perfdraft.core.errors import InputError, TooLarge, UnsupportedFormat
from perfdraft.core.settings import Settings
from perfdraft.ingest.load import supported_suffixes

_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff（）()]+")


def sanitise_name(name: str, *, max_len: int = 100) -> str:
    """A plain file name: no directories, no leading dots, only word characters, CJK, '.', '-', brackets."""
    name = unicodedata.normalize("NFKC", name or "")
    name = re.split(r"[\\/]", name)[-1]  # drop any directory part, Windows or POSIX
    name = _UNSAFE.sub("_", name).strip("._ ")
    if not name:
        name = "upload"
    stem, dot, suffix = name.rpartition(".")
    if dot and len(name) > max_len:
        name = stem[: max_len - len(suffix) - 1] + "." + suffix
    return name[:max_len]


def upload_dir(settings: Settings, sub: str = "uploads") -> Path:
    """The directory uploads go to, inside the data directory."""
    d = (Path(settings.data_dir) / sub).resolve()
    d.mkdir(parents=True, exist_ok=True)
    return d


def upload_types() -> list[str]:
    """The upload widget's accepted types (suffixes without the dot), from the loader registry."""
    return [s.lstrip(".") for s in supported_suffixes()]


def upload_types_label() -> str:
    """The accepted types for people, e.g. 'TXT、MD、PDF、DOCX、XLSX'."""
    return "、".join(t.upper() for t in upload_types())


def check_upload(name: str, size: int, settings: Settings) -> str:
    """Return the sanitised name, or raise InputError (Chinese message) for a wrong type or size."""
    safe = sanitise_name(name)
    suffix = Path(safe).suffix.lower()
    if suffix not in supported_suffixes():
        raise UnsupportedFormat(f"不支持的文件类型 {suffix or '（无扩展名）'}，只接受 {upload_types_label()}", file=safe)
    if size == 0:
        raise InputError("文件为空", file=safe)
    limit = settings.max_upload_mb * 1024 * 1024
    if size > limit:
        raise TooLarge(f"文件大小 {size / 1024 / 1024:.1f} MB，超过上限 {settings.max_upload_mb} MB", file=safe)
    return safe


def save_upload(name: str, data: bytes, settings: Settings, sub: str = "uploads") -> Path:
    """Check and write an upload under <data_dir>/<sub>/ with a content-hash prefix; return its path."""
    safe = check_upload(name, len(data), settings)
    base = upload_dir(settings, sub)
    digest = hashlib.sha256(data).hexdigest()[:10]
    path = (base / f"{digest}_{safe}").resolve()
    if not path.is_relative_to(base):  # belt and braces: sanitise_name already forbids separators
        raise InputError("非法文件名", file=safe)
    path.write_bytes(data)
    return path
