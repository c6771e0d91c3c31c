"""The LLM path is asked about every table the content detector finds, titled or not."""

from __future__ import annotations

import json

from perfdraft.extraction.llm import extract_with_llm
from perfdraft.extraction.segment import find_sections
from perfdraft.ingest.load import load_document
from perfdraft.llm.client import LLMClient
from tests.llm.fake_server import FakeLLM, Reply

# two tables with no 绩效目标表 title at all, pipe rows of a web page
DOC = """某县交通运输局2026年项目支出绩效目标
项目名称 | 农村公路养护 ||
预算金额(万元) | 200 ||
一级指标 | 二级指标 | 三级指标 | 指标值 |
产出指标 | 数量指标 | 养护里程 | ≥120公里 |
满意度指标 | 服务对象满意度指标 | 群众满意度 | ≥90% |

以下为第二个项目。

项目名称 | 桥梁检测 ||
一级指标 | 二级指标 | 三级指标 | 指标值 |
产出指标 | 数量指标 | 检测桥梁 | 15座 |
"""

ANSWERS = {
    "养护里程": {"name": "农村公路养护", "budget": "200", "budget_unit": "万元", "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "level3": "养护里程", "value": "≥120公里"},
        {"level1": "满意度指标", "level2": "服务对象满意度指标", "level3": "群众满意度", "value": "≥90%"}]},
    "检测桥梁": {"name": "桥梁检测", "indicators": [
        {"level1": "产出指标", "level2": "数量指标", "level3": "检测桥梁", "value": "15座"}]},
}


def _answer(req: dict) -> Reply:
    text = FakeLLM.document(req)
    found = [v for k, v in ANSWERS.items() if k in text]
    return Reply(content=json.dumps(found[0] if len(found) == 1 else {"name": "", "indicators": []},
                                    ensure_ascii=False))


def test_every_detected_table_is_sent_to_the_model_untitled_ones_included(tmp_path, settings_for):
    path = tmp_path / "untitled.txt"
    path.write_text(DOC, encoding="utf-8")
    doc = load_document(path)
    sections = find_sections(doc)
    assert len(sections) == 2 and all(s.title == "" for s in sections)  # found by content, not by a title
    with FakeLLM(responder=_answer) as fake:
        s = settings_for(fake.url)
        result = extract_with_llm(doc, "llm", s, client=LLMClient(s, backoff_base=0.001, sleep=lambda _: None))
        sent = [FakeLLM.document(r) for r in fake.requests]
    for key in ANSWERS:  # each table reached the model in a request of its own
        assert sum(key in text for text in sent) == 1, key
    projects = result.document.projects
    assert [p.name for p in projects] == ["农村公路养护", "桥梁检测"]
    assert [i.level3 for i in projects[0].indicators] == ["养护里程", "群众满意度"]
    assert all(p.backend == "llm" for p in projects)
