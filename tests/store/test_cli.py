"""`perfdraft ingest` and `perfdraft search` as a user runs them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from perfdraft.ingest.store import Store
from perfdraft.cli import main
from perfdraft.core.settings import Settings

from .conftest import GOLD, gold_docs

CORPUS = GOLD.parent / "corpus"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    for f in sorted(GOLD.glob("*.json"))[:3]:
        shutil.copy(f, d / f.name)
    shutil.copy(CORPUS / "003_c5a160bc6509b21b.txt", d / "sub" / "003_c5a160bc6509b21b.txt")
    (d / "sub" / "broken.pdf").write_bytes(b"\x00\x01 not a pdf")
    (d / "other.json").write_text('{"hello": 1}', encoding="utf-8")
    (d / "notes.pptx").write_text("ignored,in,folders", encoding="utf-8")
    return d


def _store(path: Path) -> Store:
    return Store(Settings(_env_file=None), path=path)


def test_ingest_folder_stores_good_files_and_reports_bad_ones(folder: Path, tmp_path: Path, capsys):
    store_dir = tmp_path / "store"
    rc = main(["ingest", str(folder), "--store", str(store_dir), "-q"])
    out, err = capsys.readouterr()
    assert rc == 1  # some files failed
    assert "broken.pdf" in err and "other.json" in err and "notes.pptx" not in err
    assert "Traceback" not in err
    assert "4 stored" in out and "2 failed" in out
    store = _store(store_dir)
    sources = {d.source for d in store.documents()}
    assert sources == {d.source for d in gold_docs()[:3]} | {"003_c5a160bc6509b21b.txt"}
    tangshan = next(d for d in store.documents() if d.source.startswith("003"))
    assert tangshan.projects > 10 and tangshan.backend == "rules"


def test_ingest_is_resumable_and_force_replaces(folder: Path, tmp_path: Path, capsys):
    store_dir = tmp_path / "store"
    good = [str(p) for p in sorted(folder.glob("0*.json"))]
    assert main(["ingest", *good, "--store", str(store_dir), "-q"]) == 0
    counts = _store(store_dir).count()
    capsys.readouterr()
    assert main(["ingest", *good, "--store", str(store_dir), "-q"]) == 0
    assert "0 stored" in capsys.readouterr().out and _store(store_dir).count() == counts
    assert main(["ingest", *good, "--store", str(store_dir), "-q", "--force"]) == 0
    assert "3 stored" in capsys.readouterr().out and _store(store_dir).count() == counts


def test_ingest_explicit_unsupported_file_and_missing_path_fail(tmp_path: Path, folder: Path, capsys):
    rc = main(["ingest", str(folder / "notes.pptx"), str(tmp_path / "nope.txt"), "--store", str(tmp_path / "s"), "-q"])
    err = capsys.readouterr().err
    assert rc == 1
    assert "notes.pptx" in err and "unsupported" in err and "nope.txt" in err


def test_search_prints_ranked_projects(tmp_path: Path, capsys):
    store_dir = tmp_path / "store"
    assert main(["ingest", str(GOLD), "--store", str(store_dir), "-q"]) == 0
    capsys.readouterr()
    assert main(["search", "综合业务会议费", "--k", "3", "--store", str(store_dir)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    for n, line in enumerate(lines, 1):
        assert line.strip().startswith(f"{n}.")
        assert "综合业务会议费" in line and "唐山市医疗保障局" in line and "2025" in line
        assert "003_c5a160bc6509b21b.txt" in line
    scores = [float(line.split()[1]) for line in lines]
    assert scores == sorted(scores, reverse=True)


def test_search_filters_and_rows(tmp_path: Path, capsys):
    store_dir = tmp_path / "store"
    main(["ingest", str(GOLD), "--store", str(store_dir), "-q"])
    capsys.readouterr()
    assert main(["search", "专项资金", "--year", "2021", "--store", str(store_dir)]) == 0
    out = capsys.readouterr().out
    assert out.strip() and all("2021" in ln for ln in out.strip().splitlines())
    assert main(["search", "满意度", "--rows", "--k", "2", "--store", str(store_dir)]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2


def test_search_on_empty_store_says_so(tmp_path: Path, capsys):
    assert main(["search", "印刷费", "--store", str(tmp_path / "empty")]) == 1
    assert "empty" in capsys.readouterr().out


def test_ingest_keeps_the_lexicon_beside_the_store(folder: Path, tmp_path: Path, capsys):
    from perfdraft.core import lexicon

    store_dir = tmp_path / "store"
    main(["ingest", str(folder), "--store", str(store_dir), "-q"])
    capsys.readouterr()
    lex = lexicon.load(store_dir / "lexicon.json")
    stored = [d for d in gold_docs()[:3]]
    assert set(lex.sources) == {lexicon.source_stem(d.source) for d in stored} | {"003_c5a160bc6509b21b"}
    names = {r.level3 for d in stored for p in d.projects for r in p.indicators if 2 <= len(r.level3) <= 60}
    assert names <= lex.entries("names")
