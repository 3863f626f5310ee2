"""One entry point: a metrics file -> a Diagnosis (what changed, why, what to try, what to read).

`diagnose()` chains the steps (load -> periods -> movements -> factors -> drill-down -> match)
and returns a dataclass whose `to_json()` is the Diagnosis contract of the design notes
(kpi, current, baseline, change, change_pct, significant, movements, factors, drilldown,
problems, hypotheses, documents), extended with periods, a metrics table, chart-ready tables,
notes and follow-up questions for metrics missing from the file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import pandas as pd

from kb.diagnosis import timeline as _timeline
from kb.diagnosis.decompose import Factor, decompose, value_of
from kb.diagnosis.dimensions import DimensionVocabulary, load_vocabulary
from kb.diagnosis.drilldown import Drilldown, drilldown
from kb.diagnosis.evidence import Context
from kb.diagnosis.load import DATE, DiagnosisInputError, FileLabels, Table, load_table
from kb.diagnosis.match import (
    MIN_SCORE,
    Evidence,
    Hypothesis,
    Match,
    evidence_from,
    hypotheses,
    linked_documents,
    needed_inputs,
    rank_problems,
)
from kb.diagnosis.mix import MixEffect, mix_effects
from kb.diagnosis.movements import Movement, compute_movements, grid_totals, period_sums
from kb.diagnosis.periods import Comparison, choose
from kb.diagnosis.questions import Interview, Question, normalise_answer
from kb.diagnosis.shape import Shape, shape_of
from kb.metrics import MetricTree
from kb.problems import Text

BY_DIMENSION_ROWS = 50  # per dimension in JSON, largest contributions first
# KPI picked when none is asked for: the first one the file can give.
AUTO_KPIS = ("GMV", "ROI", "订单数", "PV", "UV", "活跃用户数", "新客数", "注册数")


@dataclass
class Diagnosis:
    kpi: str
    table: Table
    comparison: Comparison
    movements: dict[str, Movement]
    factors: list[Factor]
    drill: Drilldown
    matches: list[Match]
    hypotheses: list[Hypothesis]
    documents: list[dict]
    questions: list[Question] = field(default_factory=list)
    notes: list = field(default_factory=list)  # str (from the loader) or Text (the engine's)
    table_metrics: MetricTree | None = None
    focus: str | None = None  # when the KPI held: the metric that moved the bad way most
    focus_drill: Drilldown | None = None
    vocab: DimensionVocabulary | None = None  # for dimension labels in reports
    shape: Shape | None = None
    timeline: _timeline.Timeline | None = None
    mix: list[MixEffect] = field(default_factory=list)
    similar: list[dict] = field(default_factory=list)
    evidence: Evidence | None = None  # the signature-level evidence the matching used

    @property
    def headline(self) -> Movement:
        return self.movements[self.kpi]

    def series(self) -> pd.DataFrame:
        """Chart-ready KPI per date with the period each date belongs to."""
        grid = grid_totals(self.table).fillna(0.0)
        m = self.table_metrics.metrics.get(self.kpi)
        if m is not None and m.is_ratio:
            den = grid[m.denominator].where(grid[m.denominator] != 0)
            values = grid[m.numerator] / den * m.scale
        else:
            values = grid[self.kpi]
        c, b = self.comparison.current, self.comparison.baseline
        idx = grid.index
        period = pd.Series("", index=idx)
        period[(idx >= b.start) & (idx <= b.end)] = "baseline"
        period[(idx >= c.start) & (idx <= c.end)] = "current"
        return pd.DataFrame(
            {"date": idx.strftime("%Y-%m-%d"), "value": values.values, "period": period.values}
        )

    def waterfall(self, lang: str = "zh") -> list[dict]:
        """Chart-ready rows: baseline, one step per factor, current (labels in ``lang``)."""
        mv = self.headline
        base, cur = ("baseline", "current") if lang == "en" else ("基线", "当前")
        rows = [
            {
                "step": "baseline",
                "label": f"{base} {self.comparison.baseline.label}",
                "value": mv.baseline,
            }
        ]
        for f in self.factors:
            m = self.table_metrics.metrics.get(f.metric) if self.table_metrics else None
            label = m.label(lang) if m else f.label
            rows.append({"step": f.metric, "label": label, "value": f.contribution})
        rows.append(
            {
                "step": "current",
                "label": f"{cur} {self.comparison.current.label}",
                "value": mv.current,
            }
        )
        return rows

    def to_json(self, lang: str = "zh") -> dict:
        mv = self.headline
        return {
            "kpi": self.kpi,
            "current": _r(mv.current),
            "baseline": _r(mv.baseline),
            "change": _r(mv.change),
            "change_pct": _r(mv.change_pct),
            "significant": mv.significant,
            "movements": {k: m.direction for k, m in self.movements.items()},
            "factors": [f.to_json() for f in self.factors],
            "drilldown": self.drill.to_json(),
            "problems": [m.to_json(lang) for m in self.matches],
            "hypotheses": [h.to_json(lang) for h in self.hypotheses],
            "documents": self.documents,
            # extensions
            "periods": self.comparison.to_json(),
            "metrics": [m.to_json() for m in self.movements.values()],
            "concentration": {
                "type": self.drill.concentration,
                "dimensions": self.drill.dimensions,
                "noise": _r(self.drill.noise),
                "explained": _r(self.drill.explained),
            },
            "by_dimension": {
                d: [r.to_json() for r in rows[:BY_DIMENSION_ROWS]]
                for d, rows in self.drill.by_dimension.items()
            },
            "series": [
                {**row, "value": _r(row["value"])}
                for row in self.series().to_dict(orient="records")
            ],
            "waterfall": [{**r, "value": _r(r["value"])} for r in self.waterfall(lang)],
            "focus": None
            if self.focus_drill is None
            else {
                "metric": self.focus,
                "concentration": self.focus_drill.concentration,
                "dimensions": self.focus_drill.dimensions,
                "drilldown": self.focus_drill.to_json(),
            },
            "questions": [q.to_json() for q in self.questions],
            "columns": self.table.columns,
            "notes": self.notes_in(lang),
            "definitions": {
                m.name: {
                    "numerator": m.numerator,
                    "denominator": m.denominator,
                    "fallback": m.uses_fallback,
                }
                for m in (self.table_metrics.metrics.get(k) for k in self.movements)
                if m is not None and m.is_ratio
            },
            "distinct": [
                k
                for k in self.table.measures
                if k in self.table_metrics.metrics and self.table_metrics[k].distinct
            ],
            "file_warnings": [w.to_json(lang) for w in self.table.warnings],
            "labels": {
                "dimensions": self.table.dim_labels,
                "values": self.table.value_labels,
            },
            # wave 2: the reasoning
            "shape": None if self.shape is None else self.shape.to_json(),
            "shape_text": None if self.shape is None else self.shape.sentence().get(lang),
            "events": [] if self.timeline is None else self.timeline.to_json(lang),
            "warnings": [w.get(lang) for w in self.warnings()],
            "suggested_baseline": None
            if self.timeline is None
            else self.timeline.suggested_baseline,
            "mix": [m.to_json(lang) for m in self.mix],
            "similar_cases": [c["id"] for c in self.similar],
            "similar": self.similar,
        }

    def notes_in(self, lang: str = "zh") -> list[str]:
        return [n.get(lang) if isinstance(n, Text) else str(n) for n in self.notes]

    def warnings(self) -> list:
        """Things to know before trusting the numbers: cells the loader accepted with doubts
        ("1.200", negative or infinite values), holidays, campaigns, no journal."""
        out = [w.text for w in self.table.warnings]
        out += list(self.timeline.warnings) if self.timeline else []
        return out


def _r(x, d=6):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), d)


def pick_kpi(metrics: MetricTree, table: Table, kpi: str | None) -> str:
    """The KPI asked for (resolved through aliases), or the first one the data can give."""
    have = set(table.measures)
    if kpi:
        name = metrics.resolve(kpi) or (kpi if kpi in have else None)
        if name is None:
            raise DiagnosisInputError(f"--kpi {kpi}: 不是已知指标 (unknown metric)")
        missing = [x for x in needed_inputs(metrics, name) if x not in have]
        if missing:
            m = metrics.metrics.get(name)
            alt = [x for x in (m.fallback or ()) if x not in have] if m is not None else []
            alt = [x for x in alt if x not in missing]
            also = f" (或 {', '.join(alt)})" if alt else ""
            raise DiagnosisInputError(
                f"{table.source}: 无法计算 {name}: 缺少列 {', '.join(missing)}{also} "
                f"(cannot compute {name}: missing input columns {', '.join(missing)}"
                + (f" or {', '.join(alt)})" if alt else ")")
            )
        return name
    for name in AUTO_KPIS:
        if all(x in have for x in needed_inputs(metrics, name)):
            return name
    return table.measures[0]


def diagnose(
    source,
    workspace,
    kpi: str | None = None,
    current=None,
    baseline="previous",
    targets: dict | None = None,
    answers: dict | None = None,
    lang: str = "zh",
    vocab: DimensionVocabulary | None = None,
    log_root=None,
) -> Diagnosis:
    """Diagnose a metrics file (path, bytes, file-like, DataFrame or loaded Table).

    ``log_root``: another content root whose action log (log/) explains this file (tests,
    benchmarks); by default the workspace's own log."""
    vocab = vocab or load_vocabulary(workspace.config.data_file("dimensions.yaml"))
    table = source if isinstance(source, Table) else load_table(source, workspace.metrics, vocab)
    # ratios as this file can compute them (客单价 ÷ 订单数 when it has no 买家数)
    metrics, fallbacks = workspace.metrics.bind(table.measures)
    kpi = pick_kpi(metrics, table, kpi)
    comparison = choose(table.dates, table.freq_days, current, baseline)
    targets = {metrics.resolve(k) or k: v for k, v in (targets or {}).items()}
    moves = compute_movements(table, metrics, comparison, targets, include=(kpi,))
    cur = period_sums(table, comparison.current)
    base = period_sums(table, comparison.baseline) * comparison.scale
    factors = decompose(metrics, kpi, cur, base, table.measures)
    drill = drilldown(table, metrics, comparison, kpi)
    focus = _focus_metric(moves, kpi, metrics)
    focus_drill = drilldown(table, metrics, comparison, focus) if focus else None
    use = drill if drill.concentration or focus_drill is None else focus_drill
    answers = {k: normalise_answer(v) for k, v in (answers or {}).items()}
    ev = evidence_from(moves, use, factors, answers, metrics)
    if ev.segment:
        inside = compute_movements(subset(table, ev.segment), metrics, comparison)
        ev.segment_moves = {k: m.direction for k, m in inside.items()}
    # the shape of the metric whose drill-down found the segment
    shaped = kpi if use is drill or not focus else focus
    shape = shape_of(table, metrics, comparison, shaped, ev.segment or None)
    day = shape.start if shape.start is not None else comparison.current.start
    log_ws = type(workspace).open(log_root) if log_root else workspace
    timeline = _timeline.build(log_ws, comparison, day, ev.segment, table.dates[0])
    mix = mix_effects(table, metrics, comparison, moves, [focus or kpi, *_RATIO_FACTORS], vocab)
    ctx = Context(
        table=table,
        metrics=metrics,
        comparison=comparison,
        vocab=vocab,
        moves=moves,
        segment=dict(ev.segment),
        shape=shape,
        events=timeline.events,
        period_events=timeline.period_events,
        change_day=timeline.day,
        mix=mix,
    )
    matches = rank_problems(workspace.taxonomy, ev, vocab, ctx)
    hyps = hypotheses(matches, ev, metrics, lang, ctx)
    try:
        docs = linked_documents(workspace.collection(), matches)
    except Exception:  # noqa: BLE001 - a broken document must not stop a diagnosis
        docs = []
    notes = list(table.notes) + definition_notes(workspace.metrics, fallbacks)
    notes += distinct_notes(metrics, table, comparison)
    if comparison.note:
        notes.append(comparison.note)
    if moves[kpi].significant is None:
        notes.append(Text("历史数据不足, 显著性未知", "not enough history: significance unknown"))
    follow_up = _follow_up(workspace, metrics, ev, matches, lang)
    if not math.isfinite(value_of(metrics, kpi, base)):
        notes.append(Text(f"基线期 {kpi} 无法计算", f"baseline {kpi} undefined"))
    return Diagnosis(
        kpi=kpi,
        table=table,
        comparison=comparison,
        movements=moves,
        factors=factors,
        drill=drill,
        matches=matches,
        hypotheses=hyps,
        documents=docs,
        questions=follow_up,
        notes=notes,
        table_metrics=metrics,
        focus=focus,
        focus_drill=focus_drill,
        vocab=FileLabels(vocab, table),
        shape=shape,
        timeline=timeline,
        mix=mix,
        similar=_similar(workspace, matches, ev, shape, vocab),
        evidence=ev,
    )


def definition_notes(metrics: MetricTree, fallbacks) -> list[Text]:
    """Which definition a ratio used when the file lacked the back office's inputs."""

    def zh(name: str) -> str:
        return metrics[name].zh if name in metrics else name

    def en(name: str) -> str:
        return metrics[name].en if name in metrics else name

    out = []
    for m in fallbacks:
        first = metrics[m.name]
        lacking = first.numerator if first.numerator != m.numerator else first.denominator
        out.append(
            Text(
                f"{m.zh} 按 {zh(m.numerator)} ÷ {zh(m.denominator)} 计算: 文件没有 "
                f"{zh(lacking)}, 不是后台的买家口径",
                f"{m.en} computed as {en(m.numerator)} / {en(m.denominator)}: the file has no "
                f"{en(lacking)}, so this is not the back office's buyer-based figure",
            )
        )
    return out


def distinct_notes(metrics: MetricTree, table: Table, comparison) -> list[Text]:
    """Distinct counts summed over days (or segments) are person-days, not the back office's
    de-duplicated figure for the period; both periods are summed the same way."""
    summed = [m for m in table.measures if m in metrics.metrics and metrics[m].distinct]
    several_days = comparison.current.days > table.freq_days
    if not summed or not (several_days or table.dimensions):
        return []
    zh_names = "、".join(metrics[m].zh for m in summed)
    en_names = ", ".join(metrics[m].en for m in summed)
    every = ("每周", "weekly") if table.freq_days == 7 else ("每日", "daily")
    zh = (
        f"{zh_names} 是去重人数: 这里按{every[0]}行{'和维度' if table.dimensions else ''}相加, "
        f"得到的是{every[0]}人数之和 (人次), 不是后台按整个时期去重的数字; 两个时期用同样的方法"
        f"相加, 比较仍然一致"
    )
    en = (
        f"{en_names} count distinct people: summed over {every[1]} rows"
        f"{' and segments' if table.dimensions else ''}, they are a sum of {every[1]} people, "
        f"not the back office's de-duplicated figure for the period; both periods are summed "
        f"the same way, so the comparison holds"
    )
    if comparison.current.days != comparison.baseline.days:
        zh += "; 两个时期天数不同, 去重人数按天数折算只是近似"
        en += "; the periods differ in length: scaling a distinct count is approximate"
    return [Text(zh, en)]


_RATIO_FACTORS = ("转化率", "客单价", "ROI", "退款率", "人均浏览量")


def _similar(workspace, matches, ev, shape, vocab) -> list[dict]:
    try:
        from kb.similar import signature_of, similar_cases

        sig = signature_of(ev, shape, vocab)
        leading = [m.problem.id for m in matches if m.verdict != "contradicted"][:3]
        return similar_cases(workspace.collection(), sig, leading, workspace.taxonomy)
    except Exception:  # noqa: BLE001 - similar cases are a hint; never stop a diagnosis
        return []


def subset(table: Table, segment: dict[str, str]) -> Table:
    """The rows of one segment (e.g. channel=抖音) as a table of their own."""
    mask = pd.Series(True, index=table.frame.index)
    for dim, value in segment.items():
        mask &= table.frame[dim] == value
    return replace(table, frame=table.frame[mask])


def _focus_metric(moves: dict[str, Movement], kpi: str, metrics: MetricTree) -> str | None:
    """When the KPI held, the metric that moved the bad way most clearly (e.g. 退款率 behind a
    flat GMV): its drill-down says where to look."""
    if moves[kpi].direction != "flat":
        return None
    bad = [m for m in moves.values() if m.bad and m.metric != kpi and m.metric in metrics]
    if not bad:
        return None
    bad.sort(key=lambda m: (m.kind != "ratio", -abs(m.z if m.z is not None else 0)))
    return bad[0].metric


def _follow_up(workspace, metrics, ev, matches, lang) -> list[Question]:
    """Questions about signature keys the file cannot answer, best separating first."""
    answers = dict(ev.moves)
    if ev.concentration:
        answers["concentration"] = ev.concentration
    if ev.dimensions:
        answers["dimension"] = list(ev.dimensions)
    # only questions that tell apart the types the data already points at
    only = frozenset(m.problem.id for m in matches if m.score >= MIN_SCORE)
    interview = Interview(workspace.taxonomy, metrics, answers, only=only)
    out = []
    asked: list[str] = []
    for _ in range(3):
        q = interview.next_question(lang, skip=asked)
        if q is None:
            break
        out.append(q)
        asked.append(q.key)
    return out


def load(
    source, workspace, vocab: DimensionVocabulary | None = None, dims=(), measures=()
) -> Table:
    """Load and validate a metrics file once (the UI keeps the Table between reruns);
    ``dims`` / ``measures``: headers the user says are dimensions / measures."""
    vocab = vocab or load_vocabulary(workspace.config.data_file("dimensions.yaml"))
    return load_table(source, workspace.metrics, vocab, dims=dims, measures=measures)


__all__ = [
    "DATE",
    "Diagnosis",
    "DiagnosisInputError",
    "diagnose",
    "load",
]
