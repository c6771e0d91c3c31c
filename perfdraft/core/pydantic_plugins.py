"""Pydantic's plugin lookup, skipped when no installed distribution declares a pydantic plugin."""

from __future__ import annotations

import os
import sys
import types
from importlib.machinery import PathFinder

LOADER = "pydantic.plugin._loader"
OFF = ("__all__", "1", "true")  # PYDANTIC_DISABLE_PLUGINS values with which pydantic itself loads no plugin


def _declares_plugin(folder: str, name: str) -> bool:
    """Whether the metadata folder `name` in `folder` has a [pydantic] entry-point group (unreadable: assume so)."""
    try:
        with open(os.path.join(folder, name, "entry_points.txt"), encoding="utf-8") as f:
            return any(s.startswith("[") and s.endswith("]") and s[1:-1].strip() == "pydantic"
                       for s in map(str.strip, f))
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, UnicodeDecodeError):
        return True


def plugin_declared(paths: list[str]) -> bool:
    """Whether any distribution on `paths` may declare a pydantic plugin, looked for as importlib.metadata does
    (*.dist-info and *.egg-info folders, an egg's EGG-INFO); anything it cannot read counts as a yes."""
    if any(hasattr(f, "find_distributions") and f is not PathFinder for f in sys.meta_path):
        return True  # another finder can list distributions of its own
    for entry in paths:
        folder = entry or "."
        try:
            with os.scandir(folder) as it:
                names = [e.name for e in it]
        except (FileNotFoundError, NotADirectoryError):
            if os.path.isfile(folder):  # a zip on the path can hold distributions
                return True
            continue
        except OSError:
            return True
        for name in names:
            low = name.lower()
            meta = low.endswith((".dist-info", ".egg-info")) or (low == "egg-info" and folder.endswith(".egg"))
            if meta and _declares_plugin(folder, name):
                return True
    return False


def _no_plugins() -> tuple:
    """No plugin is installed (perfdraft.core.pydantic_plugins looked): what pydantic's lookup would return."""
    return ()


def skip_lookup_if_none() -> None:
    """When no plugin can be installed, give pydantic a loader that returns none before it imports its own.

    Pydantic imports importlib.metadata (email, zipfile, csv ...) and scans every installed distribution's entry
    points when the process builds its first model: about a tenth of a one-file `perfdraft extract`. With a plugin
    installed, or PYDANTIC_DISABLE_PLUGINS naming some, pydantic's own loader runs as always.
    """
    if LOADER in sys.modules:
        return
    if os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in OFF and plugin_declared(sys.path):
        return
    loader = types.ModuleType(LOADER, __doc__)
    loader.get_plugins = _no_plugins
    sys.modules[LOADER] = loader
