"""The bad-name batch: non-UTF-8, over-long and duplicate names, symlinks out, an unreadable folder, plus the good corpus."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from perfdraft.extraction.batch import MAX_NAME_BYTES

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "eval" / "fixtures" / "corpus").glob("*.txt"))
LONG = ("唐山市医疗保障局关于医疗保障基金监管专项治理工作" * 4)[:80]  # 240 bytes: with ".json" over NAME_MAX near
# root reads every folder; without these two capabilities it obeys the permission bits like anyone else
WITHOUT_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def put(folder: bytes | Path, name: bytes | str, source: Path) -> None:
    folder = os.fsencode(folder)
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(source, os.path.join(folder, os.fsencode(name)))


def bad_tree(base: Path) -> tuple[Path, dict[str, Path]]:
    """The input tree and, per interesting input, the corpus file it is a copy of."""
    src = base / "in"
    for f in CORPUS:
        put(src / "good", f.name, f)
    expect = {f"good/{f.name}": f for f in CORPUS}
    put(src / "zip", "绩效目标表.txt".encode("gbk"), CORPUS[0])  # a GBK name from a Windows zip
    put(src / "zip", "绩效目标表.txt", CORPUS[1])  # the same name in UTF-8: decoded names collide
    put(src / "zip", b"\xff\xfe\xfa-raw.txt", CORPUS[2])  # bytes that no encoding reads
    put(src / "long", LONG + "一.txt", CORPUS[3])
    put(src / "long", LONG + "二.txt", CORPUS[0])  # same first 80 characters: cut names would collide
    put(src / "a", "报告.txt", CORPUS[1])
    put(src / "b", "报告.txt", CORPUS[2])
    outside = base / "outside"
    put(outside, "secret.txt", CORPUS[0])
    os.symlink(outside / "secret.txt", src / "good" / "link-out.txt")
    os.symlink(outside, src / "linked-folder")
    expect.update({"zip/gbk": CORPUS[0], "zip/utf8": CORPUS[1], "zip/raw": CORPUS[2], "long/1": CORPUS[3],
                   "long/2": CORPUS[0], "a/报告.txt": CORPUS[1], "b/报告.txt": CORPUS[2]})
    return src, expect


def extract(src: Path, out: Path, *, obey_permissions: bool = False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "perfdraft.cli", "extract", str(src), "--out", str(out), "--jobs", "2", "-q"]
    if obey_permissions and os.geteuid() == 0:
        cmd = WITHOUT_DAC + cmd
    return subprocess.run(cmd, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True,
                          text=True, timeout=300)


def rows(doc: dict) -> list:
    return [(p["name"], [(i["level3"], i["value"]) for i in p["indicators"]]) for p in doc["projects"]]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, list]:
    """Each corpus file extracted alone under its own plain name."""
    out = tmp_path_factory.mktemp("ref")
    res = extract(CORPUS[0].parent, out)
    assert res.returncode == 0, res.stderr
    return {f.name: rows(json.loads((out / f"{f.stem}.json").read_text(encoding="utf-8"))) for f in CORPUS}


def test_bad_names_are_all_extracted_under_safe_unique_names(tmp_path: Path, reference):
    src, expect = bad_tree(tmp_path)
    out = tmp_path / "out"
    res = extract(src, out)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    outputs = sorted(p for p in out.glob("*.json"))
    assert len(outputs) == len(expect)  # every input has its own JSON, nothing overwrote anything
    for p in outputs:
        assert len(os.fsencode(p.name)) <= MAX_NAME_BYTES
        p.name.encode("utf-8")  # valid Unicode, no raw bytes
    manifest = [json.loads(x) for x in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    by_output = {Path(m["output"]).name: m for m in manifest}
    assert set(by_output) == {p.name for p in outputs}
    # each output holds exactly the tables of the corpus file its input is a copy of
    got = sorted(json.dumps(rows(json.loads(p.read_text(encoding="utf-8"))), ensure_ascii=False) for p in outputs)
    want = sorted(json.dumps(reference[f.name], ensure_ascii=False) for f in expect.values())
    assert got == want
    gbk = [p for p in outputs if p.name.startswith("绩效目标表")]
    assert len(gbk) == 2  # the GBK and UTF-8 spellings of one name: two outputs, told apart by a hash
    sources = {json.loads(p.read_text(encoding="utf-8"))["source"] for p in gbk}
    assert sources == {"绩效目标表.txt"}  # the GBK name read as the Chinese it is
    assert any(p.name.startswith("\\xff\\xfe\\xfa-raw") for p in outputs)
    assert len([p for p in outputs if p.name.startswith(LONG[:20])]) == 2
    assert "link-out.txt" in res.stdout and "symlink-outside" in res.stdout and "linked-folder" in res.stdout
    assert "secret" not in " ".join(p.name for p in outputs)  # nothing outside the tree was read

    again = extract(src, out)  # a re-run recognises every bad name as finished
    assert again.returncode == 0 and f"{len(expect)} unchanged (skipped)" in again.stdout, again.stdout


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="root reads every folder")
def test_an_unreadable_folder_is_reported_and_sets_the_exit_status(tmp_path: Path):
    for f in CORPUS[:2]:
        put(tmp_path / "in", f.name, f)
    put(tmp_path / "in" / "locked", "hidden.txt", CORPUS[2])
    os.chmod(tmp_path / "in" / "locked", 0)
    try:
        res = extract(tmp_path / "in", tmp_path / "out", obey_permissions=True)
    finally:
        os.chmod(tmp_path / "in" / "locked", 0o755)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "locked" in res.stdout and "unreadable-folder" in res.stdout
    assert "2 extracted" in res.stdout and "0 failed" in res.stdout
    logged = [json.loads(x) for x in (tmp_path / "out" / "failures.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(Path(r["file"]).name, r["kind"]) for r in logged] == [("locked", "unreadable-folder")]
