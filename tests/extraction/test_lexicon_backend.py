"""The rules backend consults the store's lexicon for run-together cells, and the setting turns it off."""

from perfdraft.core import lexicon as lx
from perfdraft.core.models import Indicator, PerformanceDocument, Project
from perfdraft.core.settings import Settings
from perfdraft.extraction.api import extract_file

TEXT = """某县教育局
2026年度项目支出绩效目标表
项目名称学生资助经费
预算数(万元)20.00
一级指标二级指标三级指标绩效指标描述指标值
产出指标数量指标受助人数家庭困难学生获得资助的规模120人
产出指标质量指标资助发放准确率资助发放准确率100%
满意度指标服务对象满意度指标学生满意度学生满意度≥90%
"""


def _past(source: str) -> PerformanceDocument:
    row = Indicator(level1="产出指标", level2="数量指标", level3="受助人数", value="≥100人")
    return PerformanceDocument(source=source, projects=[Project(name="往年资助", indicators=[row])])


def _first_row(path, settings) -> Indicator:
    res = extract_file(path, settings=settings)
    assert res.status == "success", res.errors
    return res.document.projects[0].indicators[0]


def test_a_name_from_the_store_cuts_the_cell_and_no_store_means_no_cut(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    settings = Settings(data_dir=tmp_path, store=tmp_path / "store")
    assert _first_row(src, settings).level3 != "受助人数"  # empty store: layout alone cannot tell
    lx.remember(settings, _past("past.txt"), "past.txt")
    row = _first_row(src, settings)
    assert (row.level3, row.description, row.value) == ("受助人数", "家庭困难学生获得资助的规模", "120人")
    off = settings.model_copy(update={"store_lexicon": False})
    assert _first_row(src, off).level3 != "受助人数"


def test_the_document_itself_is_left_out_of_its_lexicon(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    settings = Settings(data_dir=tmp_path, store=tmp_path / "store")
    lx.remember(settings, _past("in.txt"), "in.txt")  # its own earlier reading: not used to read it again
    assert _first_row(src, settings).level3 != "受助人数"


def test_cli_no_store_turns_the_lexicon_off(tmp_path, monkeypatch):
    import json

    from perfdraft.cli import main
    from perfdraft.core.settings import get_settings

    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    monkeypatch.setenv("PERFDRAFT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PERFDRAFT_STORE", str(tmp_path / "store"))
    for var in ("PERFDRAFT_STORE_LEXICON", "PERFDRAFT_LLM_EXAMPLES"):  # --no-store sets both: undone after the test
        monkeypatch.setenv(var, "1")
    get_settings.cache_clear()
    lx.remember(Settings(data_dir=tmp_path, store=tmp_path / "store"), _past("past.txt"), "past.txt")

    def first_name(*flags: str) -> str:
        out = tmp_path / ("out" + "".join(flags))
        assert main(["extract", str(src), "--out", str(out), "--force", "-q", *flags]) == 0
        doc = json.loads(next(out.glob("in*.json")).read_text(encoding="utf-8"))
        return doc["document"]["projects"][0]["indicators"][0]["level3"] if "document" in doc else \
            doc["projects"][0]["indicators"][0]["level3"]

    try:
        assert first_name() == "受助人数"
        assert first_name("--no-store") != "受助人数"
    finally:
        get_settings.cache_clear()
