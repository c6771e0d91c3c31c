"""Stage the installed layout (pyproject's package-dir mapping) as plain folders, so grimp can walk perfdraft.*."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def package_sources(root: Path = ROOT) -> dict[str, Path]:
    """Each installed package name -> the folder its modules come from, per [tool.setuptools] in pyproject.toml."""
    cfg = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapping: dict[str, str] = cfg.get("package-dir", {})
    out: dict[str, Path] = {}
    for pkg in cfg["packages"]:
        base = max((k for k in mapping if pkg == k or pkg.startswith(k + ".")), key=len, default=None)
        if base is None:
            out[pkg] = root.joinpath(*pkg.split("."))
        else:
            out[pkg] = root / mapping[base] / Path(*pkg[len(base):].lstrip(".").split(".")) if pkg != base \
                else root / mapping[base]
    return out


def stage(dest: Path, root: Path = ROOT) -> Path:
    """Copy every package's .py files to dest/<package path>/; returns dest (put it first on PYTHONPATH)."""
    for pkg, src in package_sources(root).items():
        target = dest.joinpath(*pkg.split("."))
        target.mkdir(parents=True, exist_ok=True)
        for f in src.glob("*.py"):
            shutil.copy2(f, target / f.name)
    return dest
