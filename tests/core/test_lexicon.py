"""The lexicon learned from past tables: per-document entries, leave-one-out, lookups, its file."""

from perfdraft.core import lexicon as lx
from perfdraft.core.lexicon import Lexicon, source_stem
from perfdraft.core.models import Indicator, PerformanceDocument, Project
from perfdraft.core.settings import Settings


def _doc(source: str, rows: list[tuple[str, str, str | None]]) -> PerformanceDocument:
    inds = [Indicator(level1="产出指标", level2="数量指标", level3=n, value=v, basis=b) for n, v, b in rows]
    return PerformanceDocument(source=source, projects=[Project(name="项目", indicators=inds)])


A = _doc("corpus/a.txt", [("培训人次", "≥300人次", "年度计划"), ("社会影响", "明显提升", None)])
B = _doc("b.json", [("培训人次合格率", "100%", "考核办法")])


def test_names_text_values_and_bases_are_learned_numbers_are_not():
    lex = Lexicon.from_documents([A])
    assert lex.entries("names") == {"培训人次", "社会影响"}
    assert lex.entries("values") == {"明显提升"}  # ≥300人次 is read by its shape, never from the lexicon
    assert lex.entries("bases") == {"年度计划"}


def test_a_document_is_left_out_under_any_form_of_its_name():
    assert source_stem("corpus/a.txt") == source_stem("a") == source_stem("a__run-together.pdf") == "a"
    lex = Lexicon.from_documents([A, B], exclude=["/tmp/zoo/a__run-together.txt"])
    assert lex.sources == ["b"]
    assert Lexicon.from_documents([A, B]).without("a.txt").entries("names") == {"培训人次合格率"}


def test_longest_prefix_and_suffix():
    lex = Lexicon.from_documents([A, B])
    assert lex.longest_prefix("培训人次合格率达到要求", "names") == "培训人次合格率"
    assert lex.longest_prefix("培训人员", "names") == ""
    assert lex.longest_suffix("依据年度计划", "bases") == "年度计划"


def test_the_file_round_trips_and_a_damaged_file_reads_as_empty(tmp_path):
    path = tmp_path / "store" / "lexicon.json"
    settings = Settings(data_dir=tmp_path, store=tmp_path / "store")
    lx.remember(settings, A, "a.txt", path)
    lx.remember(settings, B, "b.txt", path)
    lx.remember(settings, _doc("a.txt", [("新名称", "否", None)]), "a.txt", path)  # re-ingest replaces
    got = lx.load(path)
    assert got.sources == ["a", "b"] and "新名称" in got.entries("names") and "培训人次" not in got.entries("names")
    path.write_text("{not json", encoding="utf-8")
    assert len(lx.load(path)) == 0


def test_the_setting_turns_it_off(tmp_path):
    on = Settings(data_dir=tmp_path, store=tmp_path / "s")
    lx.remember(on, A, "a.txt")
    assert lx.for_extraction(on, "other.txt").sources == ["a"]
    assert lx.for_extraction(on, "a.txt").sources == []  # never the document's own entries
    assert lx.for_extraction(on.model_copy(update={"store_lexicon": False}), "x.txt") is None
