"""The built wheel, installed into a fresh venv outside the checkout, runs extract, llm extract, ingest and draft."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.architecture.staging import ROOT, package_sources
from tests.llm.fake_server import FakeLLM
from tests.llm.oracle import Oracle, gold_projects

STEM = "000_bcf204015f35a258"
DOC = ROOT / "eval" / "fixtures" / "corpus" / f"{STEM}.txt"


def _copy_sources(dest: Path) -> Path:
    """The files a build reads (pyproject, README, every mapped package folder), so the checkout stays clean."""
    dest.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    tops = {src.relative_to(ROOT).parts[0] for src in package_sources().values()}
    for top in tops:
        shutil.copytree(ROOT / top, dest / top, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """Build the wheel with uv (setuptools from the package cache) and install it alone into a fresh venv."""
    base = tmp_path_factory.mktemp("wheel")
    assert not base.is_relative_to(ROOT)
    src = _copy_sources(base / "src")
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "uv", "build", "--wheel", "--out-dir", str(dist), str(src)],
                   check=True, capture_output=True, text=True, timeout=600)
    wheel = next(dist.glob("perfdraft-*.whl"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "uv", "pip", "install", "--python", str(py), "--no-deps", "--offline",
                    str(wheel)], check=True, capture_output=True, text=True, timeout=300)
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # Third-party deps come from the project's venv (no network in CI). A plain path line adds that folder
    # after the fresh venv's own site-packages and runs none of its .pth files, so the checkout's editable
    # finder is never installed: `perfdraft` can only come from the wheel.
    (site / "_project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return {"wheel": wheel, "venv": venv, "site": site, "work": base}


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PERFDRAFT_", "OPENAI_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PERFDRAFT_DATA_DIR=str(tmp / "data"), PERFDRAFT_EMBEDDINGS="hash", **extra)
    return env


def _perfdraft(installed, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    exe = installed["venv"] / "bin" / "perfdraft"
    return subprocess.run([str(exe), *args], cwd=installed["work"], env=env, capture_output=True, text=True,
                          timeout=600)


def test_only_perfdraft_is_installed_at_top_level(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert {n.split("/")[0] for n in names} == {"perfdraft", "perfdraft-0.1.0.dist-info"}
    for data in ("perfdraft/prompts/extract_table.v1.md", "perfdraft/core/vocabulary.json",
                 "perfdraft/eval/fixtures/gold/000_bcf204015f35a258.json"):
        assert data in names
    top = (installed["site"] / "perfdraft-0.1.0.dist-info" / "top_level.txt")
    if top.is_file():
        assert top.read_text().split() == ["perfdraft"]
    added = {p.name for p in installed["site"].iterdir()} - {"_project_deps.pth", "_virtualenv.py",
                                                             "_virtualenv.pth"}
    assert {n for n in added if not n.endswith(".dist-info")} == {"perfdraft"}
    where = subprocess.run([str(installed["venv"] / "bin" / "python"), "-c",
                            "import perfdraft.ingest, perfdraft.prompts; print(perfdraft.ingest.__file__)"],
                           cwd=installed["work"], env=_env(installed["work"]), capture_output=True, text=True,
                           check=True).stdout.strip()
    assert Path(where).is_relative_to(installed["site"]) and not Path(where).is_relative_to(ROOT)


def test_extract_ingest_and_draft_from_the_wheel(installed, tmp_path):
    env = _env(tmp_path)
    out = tmp_path / "out"
    done = _perfdraft(installed, "extract", str(DOC), "--out", str(out), "--quiet", env=env)
    assert done.returncode == 0, done.stderr
    doc = json.loads((out / f"{STEM}.json").read_text(encoding="utf-8"))
    assert len(doc["projects"]) == len(gold_projects(STEM))

    store = tmp_path / "store"
    done = _perfdraft(installed, "ingest", str(DOC), "--store", str(store), env=env)
    assert done.returncode == 0, done.stderr
    draft = tmp_path / "d.json"
    done = _perfdraft(installed, "draft", "--name", "医保专项业务费", "--budget", "28", "--year", "2026",
                      "--store", str(store), "--out", str(draft), env=env)
    assert done.returncode in (0, 1), done.stderr  # 1: lint errors in the draft, still written
    result = json.loads(draft.read_text(encoding="utf-8"))
    cited = [r for r in result["project"]["indicators"] if r["sources"]]
    assert cited and result["examples"]
    assert all(c["document"] == DOC.name for r in cited for c in r["sources"])


def test_llm_backend_from_the_wheel_against_the_fake_server(installed, tmp_path):
    out = tmp_path / "out"
    with FakeLLM(responder=Oracle(STEM)) as fake:
        env = _env(tmp_path, PERFDRAFT_LLM_BASE_URL=fake.url, PERFDRAFT_LLM_MODEL="fake-model",
                   PERFDRAFT_LLM_API_KEY="sk-test", PERFDRAFT_LLM_TRANSPORT_RETRIES="0")
        done = _perfdraft(installed, "extract", str(DOC), "--out", str(out), "--backend", "llm", "--quiet", env=env)
    assert done.returncode == 0, done.stderr
    assert fake.requests  # the prompts shipped as package data reached the endpoint
    doc = json.loads((out / f"{STEM}.json").read_text(encoding="utf-8"))
    gold = gold_projects(STEM)
    assert [p["name"] for p in doc["projects"]] == [p["name"] for p in gold]
    assert {p.get("backend") for p in doc["projects"]} == {"llm"}
