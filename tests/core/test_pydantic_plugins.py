"""Pydantic's plugin lookup is skipped only when no distribution can declare a plugin."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from importlib.machinery import PathFinder

import pytest

from perfdraft.core.pydantic_plugins import plugin_declared

PROBE = textwrap.dedent("""
    import sys
    sys.path[:0] = sys.argv[1:]
    import perfdraft
    from pydantic import BaseModel

    class M(BaseModel):
        x: int = 1

    M(x=2)
    print(sorted(m for m in ("importlib.metadata", "email.message") if m in sys.modules))
""")


@pytest.fixture(autouse=True)
def only_the_path_finder(monkeypatch):
    """sys.meta_path without finders that list distributions of their own (importlib_metadata installs one)."""
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path
                                           if f is PathFinder or not hasattr(f, "find_distributions")])


def _dist(root, name: str, entry_points: str | None):
    meta = root / f"{name}-1.0.dist-info"
    meta.mkdir(parents=True)
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    if entry_points is not None:
        (meta / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    return meta


def _probe(*paths) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE, *map(str, paths)], capture_output=True, text=True,
                          check=True)


def test_a_pydantic_entry_point_group_is_a_declared_plugin(tmp_path):
    _dist(tmp_path, "other", "[console_scripts]\nother = other:main\n")
    _dist(tmp_path, "bare", None)
    assert not plugin_declared([str(tmp_path)])
    _dist(tmp_path, "probe_plugin", "[ pydantic ]\nprobe = probe_plugin:plugin\n")
    assert plugin_declared([str(tmp_path)])


def test_an_egg_and_an_egg_info_folder_are_looked_into(tmp_path):
    egg = tmp_path / "thing-1.0.egg"
    (egg / "EGG-INFO").mkdir(parents=True)
    (egg / "EGG-INFO" / "entry_points.txt").write_text("[pydantic]\nx = y:z\n", encoding="utf-8")
    assert plugin_declared([str(egg)])
    legacy = tmp_path / "site" / "old.egg-info"
    legacy.mkdir(parents=True)
    (legacy / "entry_points.txt").write_text("[pydantic]\nx = y:z\n", encoding="utf-8")
    assert plugin_declared([str(tmp_path / "site")])


def test_what_cannot_be_looked_into_counts_as_a_plugin(tmp_path):
    archive = tmp_path / "deps.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("x.py", "")
    assert plugin_declared([str(archive)])
    assert not plugin_declared([str(tmp_path / "missing")])


def test_a_finder_with_distributions_of_its_own_counts_as_a_plugin(tmp_path, monkeypatch):
    class Finder:
        def find_spec(self, *args):
            return None

        def find_distributions(self, *args):
            return iter(())

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder()])
    assert plugin_declared([str(tmp_path)])


def test_without_plugins_building_a_model_reads_no_distribution_metadata():
    if plugin_declared(sys.path):
        pytest.skip("this environment has a pydantic plugin: pydantic's own lookup runs, as it should")
    assert _probe().stdout.strip() == "[]"


def test_an_installed_plugin_is_still_loaded_and_called(tmp_path):
    _dist(tmp_path, "probe_plugin", "[pydantic]\nprobe = probe_plugin:plugin\n")
    (tmp_path / "probe_plugin.py").write_text(textwrap.dedent("""
        class Plugin:
            def new_schema_validator(self, schema, schema_type, schema_type_path, schema_kind, config,
                                     plugin_settings):
                print("plugin saw", schema_type.__name__)
                return None, None, None

        plugin = Plugin()
    """), encoding="utf-8")
    out = _probe(tmp_path).stdout
    assert "plugin saw M" in out
    assert "'importlib.metadata'" in out
