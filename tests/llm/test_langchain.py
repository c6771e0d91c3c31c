"""perfdraft[langchain]: the loader and retriever against langchain-core's interfaces and standard tests."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys

import pytest
from langchain_core.document_loaders import BaseLoader
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import RetrieversIntegrationTests

from perfdraft.langchain import PerformanceStoreRetriever, PerformanceTableLoader
from tests.llm.oracle import GOLD

STEM = "001_6fdd445ec51644fc"


def _corpus():
    from tests.conftest import CORPUS
    return CORPUS


def test_loader_gives_one_document_per_table_and_per_row_with_provenance():
    loader = PerformanceTableLoader(_corpus() / f"{STEM}.txt")
    assert isinstance(loader, BaseLoader)
    docs = loader.load()
    gold = json.loads((GOLD / f"{STEM}.json").read_text(encoding="utf-8"))["projects"]
    tables = [d for d in docs if d.metadata["kind"] == "table"]
    rows = [d for d in docs if d.metadata["kind"] == "row"]
    assert [d.metadata["project"] for d in tables] == [g["name"] for g in gold]
    assert len(rows) == sum(len(g["indicators"]) for g in gold)
    first = rows[0]
    lines = open(_corpus() / f"{STEM}.txt", encoding="utf-8").read().splitlines()
    # the row's metadata names the line it was read from, and that line holds its value
    assert first.metadata["source"] == f"{STEM}.txt" and first.metadata["row"] == 0
    assert first.metadata["value"].replace(" ", "") in lines[first.metadata["line"] - 1].replace(" ", "")
    assert gold[0]["indicators"][0]["level3"] in first.page_content
    assert all(isinstance(v, (str, int, float, bool)) for d in docs for v in d.metadata.values())
    assert loader.failures == []


def test_loader_reads_gold_json_and_reports_bad_files_without_stopping(tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"not a docx")
    loader = PerformanceTableLoader([GOLD / f"{STEM}.json", bad])
    docs = list(loader.lazy_load())
    assert docs and all(d.metadata["source"] for d in docs)
    assert [f.file for f in loader.failures] == [str(bad)]


@pytest.fixture(scope="module")
def gold_store(tmp_path_factory):
    from perfdraft.core.settings import Settings
    from perfdraft.ingest.store import Store, load_performance_json

    root = tmp_path_factory.mktemp("lc-store")
    store = Store(Settings(_env_file=None, data_dir=root), path=root / "store")
    for f in sorted(GOLD.glob("*.json")):
        perf = load_performance_json(f)
        store.add_document(perf, source=perf.source or f.name)
    return store


def test_retriever_finds_the_table_by_name(gold_store):
    retriever = PerformanceStoreRetriever(store=gold_store, k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("印刷费")
    assert 1 <= len(docs) <= 3 and all(isinstance(d, LCDocument) for d in docs)
    assert docs[0].metadata["project"] == "印刷费" and docs[0].metadata["kind"] == "table" and docs[0].id
    rows = PerformanceStoreRetriever(store=gold_store, k=5, search="rows").invoke("群众满意度")
    assert len(rows) == 5 and all(d.metadata["kind"] == "row" and d.metadata["level3"] for d in rows)


class TestPerformanceStoreRetrieverStandard(RetrieversIntegrationTests):
    """langchain-tests' standard retriever suite, against a real Chroma store of the gold tables."""

    # its ainvoke test is a coroutine: run it under pytest-asyncio (which comes with langchain-tests)
    pytestmark = [pytest.mark.asyncio,
                  pytest.mark.filterwarnings("ignore:.*marked with '@pytest.mark.asyncio' but it is not an async")]

    @pytest.fixture(autouse=True)
    def _store(self, gold_store):
        self._gold_store = gold_store

    @property
    def retriever_constructor(self) -> type[PerformanceStoreRetriever]:
        return PerformanceStoreRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"store": self._gold_store}

    @property
    def retriever_query_example(self) -> str:
        return "医疗保险专项资金"


def test_core_install_does_not_pull_langchain():
    requires = importlib.metadata.requires("perfdraft") or []
    lang = [r for r in requires if r.lower().startswith("langchain")]
    assert lang and all("extra ==" in r for r in lang)  # only through perfdraft[langchain] (and the tests)
    code = ("import sys\n"
            "for m in ('langchain_core', 'langchain_openai', 'langchain'): sys.modules[m] = None\n"
            "import perfdraft.cli, perfdraft.extraction.api, perfdraft.extraction.llm, perfdraft.llm.client\n"
            "import perfdraft.drafting.drafter, perfdraft.drafting.llm_drafter, perfdraft.ingest.store\n"
            "import perfdraft.ui.service\n"
            "try:\n    import perfdraft.langchain\nexcept ImportError:\n    print('extra-needed')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "extra-needed"
