"""The lexicon learned from past tables: per-document entries, leave-one-out, lookups, its file."""

import json
import os

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


def _dump(lex: Lexicon) -> str:
    """The file's definition: the whole lexicon through json.dumps, sorted, indent 1."""
    body = {src: {k: sorted(v[k]) for k in lx.KINDS} for src, v in sorted(lex.by_source.items())}
    return json.dumps({"schema": lx.SCHEMA, "sources": body}, ensure_ascii=False, indent=1)


def test_the_file_is_the_json_of_the_lexicon_after_every_batch(tmp_path):
    path = tmp_path / "store" / "lexicon.json"
    settings = Settings(data_dir=tmp_path, store=tmp_path / "store")
    odd = _doc('c"\\\u2028.txt', [('引号"和\\斜杠', "明显\n提升", "计划")])  # what JSON must escape, in a source too
    for batch in ([(A, "a.txt")], [(B, "b.txt"), (odd, odd.source)], [(_doc("a.txt", [("新名称", "否", None)]), "a.txt")]):
        lx.remember_all(settings, batch, path)
        text = path.read_text(encoding="utf-8")
        assert text == _dump(Lexicon.from_json(text))
    assert Lexicon.from_json(text).sources == sorted(["a", "b", source_stem(odd.source)])
    assert Lexicon().to_json() == _dump(Lexicon())


def test_a_file_another_process_replaced_is_read_again_even_with_the_same_time_and_size(tmp_path):
    path = tmp_path / "store" / "lexicon.json"
    settings = Settings(data_dir=tmp_path, store=tmp_path / "store")
    lx.remember(settings, A, "a.txt", path)
    assert lx.load(path).sources == ["a"]
    st = path.stat()
    other = Lexicon.from_documents([_doc("z.txt", [("培训人次", "≥300人次", "年度计划"), ("社会影响", "明显提升", None)])]).to_json()
    assert len(other.encode("utf-8")) == st.st_size  # the same size: only the new file tells them apart
    tmp = path.with_name("other.tmp")
    tmp.write_text(other, encoding="utf-8")
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, path)
    assert lx.load(path).sources == ["z"]
