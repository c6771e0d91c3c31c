"""Rule checks of a 绩效目标表 against the indicator framework (docs/indicator-framework.md)."""

from __future__ import annotations

import re

from perfdraft.core.vocabulary import ALLOWED, canon_level1, canon_level2, is_cost
from perfdraft.drafting.guards import is_corrupt_value, is_quantity, scale_differs
from perfdraft.core.models import Indicator, LintFinding, Project, Target
from perfdraft.core.values import parse_target

MONEY_UNITS = ("万元", "元", "亿元", "万", "千元")
# a row naming an amount of money (not a rate of it)
_MONEY_NAME = re.compile(r"(金额|经费|费用|成本|资金|支出|预算)$")
_RATE_NAME = re.compile(r"(率|比例|比|度|占|覆盖|情况)")
_INPUT_AS_OUTPUT = re.compile(r"(资金安排|安排资金|预算安排金额|资金投入|投入资金|投入金额|投入经费|经费投入)")
_INPUT_VALUE = re.compile(r"投入.{0,12}?\d+(\.\d+)?\s*万元")
# words of direction or degree (明显, 有所 …) say nothing measurable; only a grade (好/较好, 优良中差, X级) does
_VAGUE = re.compile(r"(提高|提升|加强|增强|改善|减轻|降低|完善|优化|加大|促进|缓解|成效|显著|明显|有所|大幅|进一步|逐步|稳步|不断|有效)")
_GRADE = re.compile(r"(^(优|良|中|差|高|较高|低|好|较好|一般)$|[优良中差]等|等级|[0-9一二三四五六七八九十]+(级|档|星))")
_VAGUE_ADVICE = "指标框架要求能量化的尽量量化，不能量化的采用分级分档的定性表述（如 好/较好/一般/差），确保可衡量"
_BASIS_CATEGORIES = {
    "计划标准": ("计划", "方案", "合同", "协议", "要求", "文件", "规定", "办法", "通知", "意见", "号", "台账", "预算安排"),
    "行业标准": ("行业", "国家", "省级", "标准", "规范"),
    "历史标准": ("历史", "往年", "上年", "以前年度", "经验", "年度数据", "底数据", "年数据", "同期"),
    "预算支出标准": ("预算支出标准", "支出标准", "预算资金", "预算"),
    "其他标准": ("其他", "调查", "走访", "问卷", "统计", "实际"),
}
_PERCENT_IN_TEXT = re.compile(r"\d+(\.\d+)?\s*(%|％)")


def _parse(value: str) -> Target | None:
    """Extraction's value parser on a hand-written value (None when it trips: use the row's own target)."""
    try:
        return parse_target(value)
    except Exception:  # a parser bug must not stop lint; the row's own target is used instead
        return None


def row_target(ind: Indicator) -> Target:
    """The row's typed target; parse the value when the row was given without one (hand-written JSON)."""
    t = ind.target
    if "target" not in ind.model_fields_set and ind.value.strip():
        parsed = _parse(ind.value)
        if parsed is not None:
            return parsed
    return t


def money_to_wan(num: float, unit: str | None) -> float | None:
    """An amount in 万元 for a plain money unit (万元, 元, 亿元), None for anything else."""
    if unit in ("万元", "万"):
        return num
    if unit == "元":
        return num / 10000
    if unit == "千元":
        return num / 10
    if unit == "亿元":
        return num * 10000
    return None


def _date_year(num: float | None) -> int | None:
    if num is None:
        return None
    n = int(num)
    return n // 10000 if n > 10000000 else (n if 1900 < n < 2200 else None)


def _f(rule: str, sev: str, msg: str, row: int | None = None, field: str | None = None) -> LintFinding:
    return LintFinding(rule=rule, severity=sev, message=msg, row=row, field=field)


def lint_project(project: Project, *, budget_wan: float | None = None, year: int | None = None,
                 last_year: Project | None = None) -> list[LintFinding]:
    """Check one table; budget defaults to the project's own 预算数, year is the budget year when known."""
    budget = budget_wan if budget_wan is not None else project.budget_wan
    out: list[LintFinding] = []
    seen_l1: set[str] = set()
    seen_l2: set[str] = set()
    names: dict[str, int] = {}
    targets = [row_target(ind) for ind in project.indicators]

    for i, (ind, t) in enumerate(zip(project.indicators, targets)):
        l1, l2 = canon_level1(ind.level1), canon_level2(ind.level2)
        seen_l1.add(l1)
        seen_l2.add(l2)
        name = re.sub(r"\s+", "", ind.level3)
        where = f"第{i + 1}行「{ind.level3}」"

        # L01/L02 categories
        if l1 not in ALLOWED:
            out.append(_f("L01-level1", "error", f"{where}：一级指标「{ind.level1}」不在产出、效益、满意度、成本之内", i, "level1"))
        elif l2 not in ALLOWED[l1]:
            out.append(_f("L02-level2", "error",
                          f"{where}：二级指标「{ind.level2}」不属于一级指标「{ind.level1}」", i, "level2"))

        # L12 duplicates
        if name:
            if name in names:
                out.append(_f("L12-duplicate", "error",
                              f"{where}：三级指标名称与第{names[name] + 1}行重复", i, "level3"))
            else:
                names[name] = i
        else:
            out.append(_f("L12-duplicate", "error", f"第{i + 1}行：三级指标名称为空", i, "level3"))

        value = ind.value.strip()
        if not value:
            out.append(_f("L05-quantitative", "error", f"{where}：指标值为空", i, "value"))
            continue
        if is_placeholder(value) or is_placeholder(ind.level3) or is_placeholder(ind.basis):
            out.append(_f("L17-placeholder", "error", f"{where}：指标值尚未填写（{value}），请按本项目实际填写", i, "value"))
            continue
        if is_corrupt_value(value):
            out.append(_f("L18-corrupt", "error", f"{where}：指标值「{value}」无法识别（疑为录入或抽取错误），请重新填写",
                          i, "value"))
            continue
        ref = _scale_reference(ind, t, budget, project.unit)
        if ref is not None:
            out.append(_f("L19-scale", "warning", f"{where}：数量指标{value}引自规模不同的项目（{ref}，本项目预算 "
                          f"{budget:g} 万元），请按本项目规模核实", i, "value"))

        quantitative = t.kind in ("number", "range")
        # L05 sign, number, unit
        if quantitative:
            missing = []
            if t.kind == "number" and t.op is None:
                missing.append("比较符号")
            if t.num is None:
                missing.append("数值")
            if not t.unit:
                missing.append("计量单位")
            if missing:
                out.append(_f("L05-quantitative", "error", f"{where}：定量指标缺少{'、'.join(missing)}（{value}）", i, "value"))
            if not (ind.description or "").strip() and not (ind.basis or "").strip():
                out.append(_f("L09-no-basis", "warning", f"{where}：定量指标没有指标描述或取值依据", i, "description"))
        elif t.kind == "text" and _PERCENT_IN_TEXT.search(value):
            out.append(_f("L05-quantitative", "error",
                          f"{where}：定性指标中含有数值（{value}），应拆分为定量指标", i, "value"))

        # L06 percentages and money
        if t.unit == "%":
            nums = [n for n in (t.num, t.num_max) if n is not None]
            if any(n < 0 or n > 100 for n in nums):
                out.append(_f("L06-percent", "error", f"{where}：百分比指标值超出0–100%（{value}）", i, "value"))
            if _MONEY_NAME.search(name) and not _RATE_NAME.search(name):
                out.append(_f("L06-money-percent", "error", f"{where}：金额类指标不应以%表示（{value}）", i, "value"))

        # L07 inputs presented as outputs
        if l1 == "产出" and (_INPUT_AS_OUTPUT.search(name) or _INPUT_VALUE.search(value)):
            out.append(_f("L07-input", "error", f"{where}：以资金投入代替产出（{value}），投入不是绩效目标", i, "level3"))
        elif l2 in ("数量", "质量") and quantitative and t.unit in ("万元", "元", "亿元", "千元"):
            out.append(_f("L07-input", "warning", f"{where}：{ind.level2}以金额（{t.unit}）计量，可能是投入而非产出", i, "value"))

        # L08 vague qualitative values
        if t.kind == "text" and _VAGUE.search(value) and not _GRADE.search(value):
            out.append(_f("L08-vague", "warning", f"{where}：定性指标值「{value}」表述含糊；{_VAGUE_ADVICE}", i, "value"))

        # L10 basis categories
        basis = (ind.basis or "").strip()
        if basis:
            cats = [c for c, keys in _BASIS_CATEGORIES.items() if any(k in basis for k in keys)]
            if not cats:
                out.append(_f("L10-basis", "warning",
                              f"{where}：指标值确定依据「{basis}」不属于计划、行业、历史、预算支出或其他标准", i, "basis"))
            elif "预算支出标准" in basis and not is_cost(ind.level1, ind.level2):
                out.append(_f("L10-basis", "warning", f"{where}：预算支出标准只适用于成本指标", i, "basis"))

        # L11 cost rows
        if is_cost(ind.level1, ind.level2) and t.kind == "number":
            if t.op not in ("≤", "="):
                out.append(_f("L11-cost-op", "error", f"{where}：成本指标应使用≤或=（现为{t.op}）", i, "value"))
            wan = money_to_wan(t.num, t.unit) if t.num is not None else None
            if wan is not None and budget is not None and wan > budget + 1e-9:
                what = "单位成本" if is_unit_cost_name(name) else "总成本"  # one unit alone cannot exceed it either
                out.append(_f("L11-cost-budget", "error",
                              f"{where}：{what}{wan:g}万元超过项目预算{budget:g}万元", i, "value"))
            per = _unit_cost(t)
            if per is not None and budget is not None:
                qty = _quantity_of(per[1], project.indicators, targets)
                if qty is not None and per[0] * qty > budget + 1e-9:
                    out.append(_f("L11-cost-budget", "error",
                                  f"{where}：单位成本×计划数量={per[0] * qty:g}万元超过项目预算{budget:g}万元", i, "value"))

        # L12-deadline 时效 dates inside the budget year
        if l2 == "时效" and t.kind == "date" and year is not None:
            y = _date_year(t.num)
            if y is not None and y != year:
                out.append(_f("L13-deadline", "error", f"{where}：完成时限{value}不在预算年度{year}年内", i, "value"))

        # L14 satisfaction
        if l1 == "满意度" or l2 == "服务对象满意度":
            if t.kind != "number" or t.unit != "%" or t.op != "≥" or (t.num is not None and t.num > 100):
                out.append(_f("L14-satisfaction", "error",
                              f"{where}：满意度指标应为「≥X%」且不超过100%（现为{value}）", i, "value"))

    # table-level: required and recommended categories
    if "产出" not in seen_l1:
        out.append(_f("L03-required", "error", "缺少产出指标"))
    if "效益" not in seen_l1:
        out.append(_f("L03-required", "error", "缺少效益（效果）指标"))
    for l2, label in (("数量", "数量指标"), ("质量", "质量指标"), ("时效", "时效指标")):
        if l2 not in seen_l2:
            out.append(_f("L04-missing", "warning", f"缺少{label}"))
    if "成本" not in seen_l2 and "成本" not in seen_l1 and not (seen_l2 & set(ALLOWED["成本"])):
        out.append(_f("L04-missing", "warning", "缺少成本指标"))
    if "满意度" not in seen_l1:
        out.append(_f("L04-missing", "warning", "缺少满意度指标"))
    if not any(g.strip() for g in project.goals):
        out.append(_f("L15-goals", "error", "绩效目标为空"))

    if last_year is not None:
        out.extend(_against_last_year(project, targets, last_year, budget))
    return sorted(out, key=lambda f: (f.row if f.row is not None else 10**6, f.severity != "error", f.rule))


def is_placeholder(text: str | None) -> bool:
    """An unfilled template value (【待填写：…】, drafting/templates.json)."""
    from perfdraft.drafting.templates import is_placeholder as marked
    return marked(text)


def _scale_reference(ind: Indicator, t: Target, budget: float | None, unit: str | None) -> str | None:
    """'参考项目预算 X 万元，<unit>' when this quantity row was copied from a project of a different scale."""
    if budget is None or not ind.sources or not is_quantity(ind, t):
        return None
    for c in ind.sources:
        if c.document != "last_year" and scale_differs(c.budget_wan, budget, c.department, unit):
            ref = f"参考项目预算 {c.budget_wan:g} 万元" if c.budget_wan else "参考项目预算未知"
            return ref + (f"，{c.department}" if c.department else "")
    return None


_UNIT_COST_NAME = re.compile(r"(单位|单价|单次|单场|单件|人均|户均|次均|平均|每|月均|年均|日均|标准)")


def is_unit_cost_name(level3: str) -> bool:
    """A 三级 name of a per-item cost (单位成本, 人均…), whose plain 元 value is not a total."""
    return bool(_UNIT_COST_NAME.search(level3))


def _unit_cost(t: Target) -> tuple[float, str] | None:
    """(万元 per item, item) for a unit cost like 300元/件; None for non-money or per-time units."""
    if t.num is None or not t.unit or "/" not in t.unit:
        return None
    money, _, per = t.unit.partition("/")
    wan = money_to_wan(t.num, money)
    per = per.strip().removeprefix("每")
    if wan is None or not per or per in ("月", "年", "天", "日", "小时", "次"):
        return None
    return wan, per


def _quantity_of(item: str, indicators: list[Indicator], targets: list[Target]) -> float | None:
    """The planned quantity of `item` from a 数量 row with that unit."""
    for ind, t in zip(indicators, targets):
        if canon_level2(ind.level2) == "数量" and t.kind == "number" and t.num is not None and t.unit:
            unit = t.unit.removeprefix("万")
            if unit == item:
                return t.num * (10000 if t.unit.startswith("万") and t.unit != item else 1)
    return None


_NEGATIVE = re.compile(r"(成本|费用|支出|投诉|差错|率低于|发生率|不良|结余率|时间|时限|天数|小时)")


def _against_last_year(project: Project, targets: list[Target], last: Project,
                       budget: float | None) -> list[LintFinding]:
    """W: positive indicators below last year's value, or values far (>2x) from last year with a flat budget."""
    out: list[LintFinding] = []
    prev = {re.sub(r"\s+", "", ind.level3): row_target(ind) for ind in last.indicators}
    flat = (budget is not None and last.budget_wan and 0.8 <= budget / last.budget_wan <= 1.25)
    for i, (ind, t) in enumerate(zip(project.indicators, targets)):
        p = prev.get(re.sub(r"\s+", "", ind.level3))
        if p is None or t.kind != "number" or p.kind != "number" or t.unit != p.unit or not t.num or not p.num:
            continue
        where = f"第{i + 1}行「{ind.level3}」"
        negative = bool(_NEGATIVE.search(ind.level3)) or is_cost(ind.level1, ind.level2)
        if (not negative and t.num < p.num) or (negative and t.num > p.num):
            out.append(_f("L16-last-year", "warning",
                          f"{where}：指标值{ind.value}较上年{p.num:g}{p.unit or ''}退步，需说明理由", i, "value"))
        ratio = t.num / p.num
        if flat and (ratio > 2 or ratio < 0.5):
            out.append(_f("L16-last-year", "warning",
                          f"{where}：预算基本持平，指标值与上年相差超过2倍（上年{p.num:g}{p.unit or ''}）", i, "value"))
    return out


def has_errors(findings: list[LintFinding]) -> bool:
    return any(f.severity == "error" for f in findings)
