"""Indicator categories of the framework: canonical 一级/二级 names and the allowed pairs."""

from __future__ import annotations

import re

# canonical 一级 (without the 指标 suffix) -> allowed canonical 二级 under it
ALLOWED: dict[str, tuple[str, ...]] = {
    "产出": ("数量", "质量", "时效", "成本"),
    "效益": ("经济效益", "社会效益", "生态效益", "可持续影响"),
    "满意度": ("服务对象满意度",),
    "成本": ("经济成本", "社会成本", "生态环境成本"),
}

# spelling variants seen in published tables -> canonical name
_L1_ALIASES = {"效果": "效益"}
_L2_ALIASES = {"可持续性影响": "可持续影响", "满意度": "服务对象满意度", "生态成本": "生态环境成本",
               "环境成本": "生态环境成本", "生态环境效益": "生态效益"}


def _strip(name: str | None) -> str:
    return re.sub(r"\s+", "", name or "").removesuffix("指标")


def canon_level1(name: str | None) -> str:
    """产出指标 -> 产出; 效果指标 -> 效益 (the older name); unknown names come back stripped."""
    s = _strip(name)
    return _L1_ALIASES.get(s, s)


def canon_level2(name: str | None) -> str:
    """社会效益指标 -> 社会效益; 可持续性影响 -> 可持续影响."""
    s = _strip(name)
    return _L2_ALIASES.get(s, s)


def level1_for_level2(level2: str) -> str | None:
    """The proper 一级 of a canonical 二级 (成本 sits under 产出 in the older scheme)."""
    for l1, l2s in ALLOWED.items():
        if level2 in l2s:
            return l1
    return None


def is_cost(level1: str | None, level2: str | None) -> bool:
    """A cost row: 二级 成本 under 产出, or any row of the 成本 一级."""
    return canon_level2(level2) == "成本" or canon_level1(level1) == "成本"


def display_level1(canon: str) -> str:
    return f"{canon}指标"


def display_level2(canon: str) -> str:
    return f"{canon}指标"
