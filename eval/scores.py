"""Extraction scores: project/row P/R/F1, per-field and per-target-part accuracy, exact tables, error pairs."""

from __future__ import annotations

from pydantic import BaseModel, Field, computed_field

from perfdraft.eval.align import align_projects, align_rows, text_sim
from perfdraft.core.text import norm_text, norm_unit, num_equal
from perfdraft.core.models import Indicator, PerformanceDocument, Project, Target

ROW_FIELDS = ["level1", "level2", "level3", "description", "value", "period_value", "basis"]
HEADER_FIELDS = ["name", "code", "unit", "budget_wan", "purpose", "goals"]
TARGET_PARTS = ["kind", "op", "num", "unit"]


class PRF(BaseModel):
    """Counts and precision/recall/F1 of a matching."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @computed_field
    @property
    def precision(self) -> float | None:
        """None when nothing was predicted: undefined, not perfect."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @computed_field
    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @computed_field
    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return 0.0 if (p, r) != (None, None) else None  # one side empty, the other not: nothing right
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, o: "PRF") -> None:
        self.tp, self.fp, self.fn = self.tp + o.tp, self.fp + o.fp, self.fn + o.fn

    def figures(self) -> dict[str, float | None]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


class Ratio(BaseModel):
    """correct / total; None when there is nothing to score."""

    correct: int = 0
    total: int = 0

    @computed_field
    @property
    def value(self) -> float | None:
        return self.correct / self.total if self.total else None

    def add(self, o: "Ratio") -> None:
        self.correct, self.total = self.correct + o.correct, self.total + o.total

    def count(self, ok: bool) -> None:
        self.total += 1
        self.correct += bool(ok)


class ErrorPair(BaseModel):
    """One disagreement, gold vs predicted, with how far apart they are (0 = nothing alike)."""

    document: str
    project: str
    row: int | None = Field(None, description="0-based gold row; None for header fields and whole projects")
    field: str
    gold: str
    predicted: str
    similarity: float


class Scores(BaseModel):
    """All counts of one document or of a whole run (counts add up; figures are derived)."""

    projects: PRF = Field(default_factory=PRF)
    rows: PRF = Field(default_factory=PRF)
    fields: dict[str, Ratio] = Field(default_factory=lambda: {f: Ratio() for f in ROW_FIELDS + HEADER_FIELDS})
    target: dict[str, Ratio] = Field(default_factory=lambda: {f: Ratio() for f in TARGET_PARTS})
    exact_tables: Ratio = Field(default_factory=Ratio)
    grounding: Ratio = Field(default_factory=Ratio, description="predicted values found at their claimed source")
    ungrounded_no_source: int = Field(0, description="predicted values without any provenance")

    def add(self, o: "Scores") -> None:
        self.projects.add(o.projects)
        self.rows.add(o.rows)
        for k, v in o.fields.items():
            self.fields.setdefault(k, Ratio()).add(v)
        for k, v in o.target.items():
            self.target.setdefault(k, Ratio()).add(v)
        self.exact_tables.add(o.exact_tables)
        self.grounding.add(o.grounding)
        self.ungrounded_no_source += o.ungrounded_no_source

    def headline(self) -> dict[str, float | None]:
        """Flat metric name -> value; the figures compared against a baseline."""
        out: dict[str, float | None] = {}
        for k, v in self.projects.figures().items():
            out[f"project_{k}"] = v
        for k, v in self.rows.figures().items():
            out[f"row_{k}"] = v
        for k, r in self.fields.items():
            out[f"field_{k}"] = r.value
        for k, r in self.target.items():
            out[f"target_{k}"] = r.value
        out["exact_tables"] = self.exact_tables.value
        out["grounding"] = self.grounding.value
        out["row_fields_all"] = _pooled(self.fields[f] for f in ROW_FIELDS)
        out["header_fields_all"] = _pooled(self.fields[f] for f in HEADER_FIELDS)
        out["target_all"] = _pooled(self.target.values())
        return out


def _pooled(ratios) -> float | None:
    """Micro-average of several field ratios (every compared field value counts once)."""
    total = Ratio()
    for r in ratios:
        total.add(r)
    return total.value


def _field_text(obj, name: str) -> str:
    v = getattr(obj, name)
    if isinstance(v, list):
        return " | ".join(v)
    return "" if v is None else str(v)


def field_equal(name: str, g, p) -> bool:
    """Whether one field agrees after normalisation (numbers within tolerance)."""
    gv, pv = getattr(g, name), getattr(p, name)
    if name == "budget_wan":
        return num_equal(gv, pv)
    if name == "goals":
        return [norm_text(x) for x in gv if norm_text(x)] == [norm_text(x) for x in pv if norm_text(x)]
    return norm_text(gv) == norm_text(pv)


def target_part_equal(part: str, g: Target, p: Target) -> bool:
    """One target part: kind, op, num (num and num_max within tolerance), unit (％/百分比 = %)."""
    if part == "num":
        return num_equal(g.num, p.num) and num_equal(g.num_max, p.num_max)
    if part == "unit":
        return norm_unit(g.unit) == norm_unit(p.unit)
    return getattr(g, part) == getattr(p, part)


def _target_text(t: Target, part: str) -> str:
    if part == "num":
        return f"{t.num}" + (f"-{t.num_max}" if t.num_max is not None else "")
    v = getattr(t, part)
    return "" if v is None else str(v)


def _score_rows(doc: str, gp: Project, pp: Project, s: Scores, errors: list[ErrorPair]) -> bool:
    """Score the rows of one aligned project pair; True when every row and field agrees."""
    pairs = align_rows(gp.indicators, pp.indicators)
    exact = len(pairs) == len(gp.indicators) == len(pp.indicators)
    s.rows.tp += len(pairs)
    s.rows.fn += len(gp.indicators) - len(pairs)
    s.rows.fp += len(pp.indicators) - len(pairs)
    matched_g = {i for i, _, _ in pairs}
    for i, g in enumerate(gp.indicators):
        if i not in matched_g:
            errors.append(ErrorPair(document=doc, project=gp.name, row=i, field="row (missing)",
                                    gold=f"{g.level2}/{g.level3}: {g.value}", predicted="—", similarity=0.0))
    matched_p = {j for _, j, _ in pairs}
    for j, p in enumerate(pp.indicators):
        if j not in matched_p:
            errors.append(ErrorPair(document=doc, project=gp.name, row=None, field="row (spurious)",
                                    gold="—", predicted=f"{p.level2}/{p.level3}: {p.value}", similarity=0.0))
    for i, j, _ in pairs:
        g: Indicator = gp.indicators[i]
        p: Indicator = pp.indicators[j]
        for f in ROW_FIELDS:
            ok = field_equal(f, g, p)
            s.fields[f].count(ok)
            if not ok:
                exact = False
                errors.append(ErrorPair(document=doc, project=gp.name, row=i, field=f, gold=_field_text(g, f),
                                        predicted=_field_text(p, f),
                                        similarity=text_sim(_field_text(g, f), _field_text(p, f))))
        for part in TARGET_PARTS:
            ok = target_part_equal(part, g.target, p.target)
            s.target[part].count(ok)
            if not ok:
                exact = False
                gt, pt = _target_text(g.target, part), _target_text(p.target, part)
                errors.append(ErrorPair(document=doc, project=gp.name, row=i, field=f"target.{part}",
                                        gold=f"{gt}  ({g.value})", predicted=f"{pt}  ({p.value})",
                                        similarity=text_sim(gt, pt)))
    return exact


def score_document(doc: str, gold: PerformanceDocument, pred: PerformanceDocument | None,
                   errors: list[ErrorPair] | None = None) -> Scores:
    """Score one predicted document against its gold; disagreements are appended to `errors`."""
    errors = [] if errors is None else errors
    s = Scores()
    preds = pred.projects if pred is not None else []
    pairs = align_projects(gold.projects, preds)
    s.projects = PRF(tp=len(pairs), fp=len(preds) - len(pairs), fn=len(gold.projects) - len(pairs))
    matched = {i: j for i, j, _ in pairs}
    for i, gp in enumerate(gold.projects):
        if i not in matched:
            s.rows.fn += len(gp.indicators)
            s.exact_tables.count(False)
            errors.append(ErrorPair(document=doc, project=gp.name, field="project (missing)", gold=gp.name,
                                    predicted="—", similarity=0.0))
            continue
        pp = preds[matched[i]]
        exact = True
        for f in HEADER_FIELDS:
            ok = field_equal(f, gp, pp)
            s.fields[f].count(ok)
            if not ok:
                exact = False
                errors.append(ErrorPair(document=doc, project=gp.name, field=f, gold=_field_text(gp, f),
                                        predicted=_field_text(pp, f),
                                        similarity=text_sim(_field_text(gp, f), _field_text(pp, f))))
        rows_exact = _score_rows(doc, gp, pp, s, errors)
        s.exact_tables.count(exact and rows_exact)
    matched_p = set(matched.values())
    for j, pp in enumerate(preds):
        if j not in matched_p:
            s.rows.fp += len(pp.indicators)
            errors.append(ErrorPair(document=doc, project=pp.name, field="project (spurious)", gold="—",
                                    predicted=pp.name, similarity=0.0))
    return s
