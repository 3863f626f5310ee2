"""A diagnosis as people read it: a Markdown report and a case draft to save in cases/.

The report carries the numbers (metrics table, factor split, drill-down), the ranked problem
types, the hypotheses with the check that confirms each, and the linked documents. The case
draft is a kb.documents.Document (kind case) whose 现象 (数据) section is written from the
data; the other sections are prompts for the person who ran the diagnosis.
"""

from __future__ import annotations

import datetime as dt
import math

from kb.documents import Document
from kb.sanitize import markdown_cell

DIRECTION = {"up": "上升", "down": "下降", "flat": "持平"}
EVIDENCE = {
    "supported": "数据支持",
    "weakened": "数据不支持",
    "consistent": "与现象一致",
    "unknown": "待验证",
}


def fmt(value, unit: str = "") -> str:
    """A number for people: percents for % ratios, thousands separators for amounts."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if unit == "%":
        return f"{value * 100:.2f}%"
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def pct(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value:+.1f}%"


def share(value) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value * 100:.0f}%"


def file_labels(d, vocab=None):
    """The diagnosis's own vocabulary when it knows the file's spellings (渠道=手淘推荐)."""
    return d.vocab if hasattr(d.vocab, "value_label") else (vocab or d.vocab)


def segment_label(segment: dict, vocab=None) -> str:
    if not segment:
        return "全部"
    parts = []
    for dim, value in segment.items():
        name = vocab.label(dim) if vocab is not None else dim
        if hasattr(vocab, "value_label"):  # a diagnosis's vocabulary: the file's own spelling
            value = vocab.value_label(dim, value)
        parts.append(f"{markdown_cell(name)}={markdown_cell(value)}")  # values come from the file
    return " × ".join(parts)


def significance_text(mv) -> str:
    if mv.significant is None:
        return "未知 (历史不足)"
    return f"显著 (z={mv.z:+.1f})" if mv.significant else f"正常波动 (z={mv.z:+.1f})"


def summary(d, vocab=None) -> str:
    """Two or three sentences: what moved, what drove it, where, and what it likely is."""
    vocab = file_labels(d, vocab)
    mv = d.headline
    unit = mv.unit
    sentences = [
        f"{mv.label} {DIRECTION[mv.direction]}: {fmt(mv.baseline, unit)} → {fmt(mv.current, unit)} "
        f"({pct(mv.change_pct)}), {significance_text(mv)}。"
    ]
    if d.factors and mv.change and mv.direction != "flat":
        top = d.factors[0]
        sentences.append(f"主要因素: {top.label} {pct(top.change_pct)}, 贡献 {share(top.share)}。")
    causes = [r for r in d.drill.rows if r.root_cause]
    if d.drill.concentration == "spread" and not causes:
        sentences.append("各维度普遍变化, 不集中在某一个值。")
    elif causes:
        where = "、".join(segment_label(r.segment, vocab) for r in causes[:3])
        sentences.append(f"变化集中在 {where} (占变化 {share(causes[0].share)})。")
    if d.focus and d.focus in d.movements:
        fm = d.movements[d.focus]
        sentences.append(
            f"但 {fm.label} {DIRECTION[fm.direction]}: {fmt(fm.baseline, fm.unit)} → "
            f"{fmt(fm.current, fm.unit)} ({pct(fm.change_pct)})"
        )
        focus_causes = [r for r in d.focus_drill.rows if r.root_cause]
        if focus_causes:
            sentences.append(f", 集中在 {segment_label(focus_causes[0].segment, vocab)}")
        sentences.append("。")
    if d.matches:
        sentences.append(f"最可能的问题类型: {d.matches[0].problem.name.zh}。")
    return "".join(sentences)


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def markdown_report(d, vocab=None) -> str:
    vocab = file_labels(d, vocab)
    c = d.comparison
    lines = [
        f"# 诊断报告: {d.headline.label} ({d.kpi})",
        "",
        f"- 当前期: {c.current.label} ({c.current.days} 天); 基线: {c.baseline.label} "
        f"({ {'previous': '环比', 'yoy': '同比', 'range': '指定区间'}[c.mode] })",
        f"- 数据: {markdown_cell(d.table.source)}, {len(d.table.frame):,} 行, 维度: "
        f"{markdown_cell(', '.join(d.table.dimensions)) or '无'}",
        "",
        "## 结论",
        "",
        summary(d, vocab),
        "",
        "## 指标变化",
        "",
    ]
    rows = []
    targets = any(mv.target is not None for mv in d.movements.values())
    for mv in sorted(d.movements.values(), key=lambda m: (m.direction == "flat", m.metric)):
        row = [mv.label, fmt(mv.baseline, mv.unit), fmt(mv.current, mv.unit), pct(mv.change_pct),
               DIRECTION[mv.direction], significance_text(mv)]  # fmt: skip
        if targets:
            row += [fmt(mv.target, mv.unit), pct(mv.target_gap_pct)] if mv.target else ["", ""]
        rows.append(row)
    headers = ["指标", "基线", "当前", "变化", "方向", "显著性"]
    lines += _table(headers + (["目标", "差距"] if targets else []), rows)
    if d.factors:
        lines += ["", f"## 因素分解 (LMDI, 各因素贡献之和 = {d.kpi} 的变化)", ""]
        unit = d.headline.unit
        lines += _table(
            ["因素", "基线", "当前", "变化", "贡献", "占比"],
            [
                [f.label, fmt(f.baseline, _unit(d, f.metric)), fmt(f.current, _unit(d, f.metric)),
                 pct(f.change_pct), fmt(f.contribution, unit if unit != "%" else ""), share(f.share)]
                for f in d.factors
            ],
        )  # fmt: skip
    if d.drill.rows:
        lines += ["", "## 下钻 (哪些维度值解释了变化, 根因在前)", ""]
        ratio = d.drill.rows[0].mix is not None
        headers = ["维度值", "基线", "当前", "变化", "贡献", "占比", "根因"]
        if ratio:
            headers[4:4] = ["结构效应", "比率效应"]
        body = []
        for r in d.drill.rows:
            row = [segment_label(r.segment, vocab), fmt(r.baseline, d.headline.unit),
                   fmt(r.current, d.headline.unit), pct(r.change_pct),
                   fmt(r.contribution, ""), share(r.share), "是" if r.root_cause else ""]  # fmt: skip
            if ratio:
                row[4:4] = [fmt(r.mix, ""), fmt(r.rate, "")]
            body.append(row)
        lines += _table(headers, body)
    if d.focus_drill is not None and d.focus_drill.rows:
        fm = d.movements[d.focus]
        lines += ["", f"## 下钻: {fm.label} (KPI 持平, 但它在变坏)", ""]
        lines += _table(
            ["维度值", "基线", "当前", "变化", "占比", "根因"],
            [
                [segment_label(r.segment, vocab), fmt(r.baseline, fm.unit), fmt(r.current, fm.unit),
                 pct(r.change_pct), share(r.share), "是" if r.root_cause else ""]
                for r in d.focus_drill.rows
            ],
        )  # fmt: skip
    lines += ["", "## 可能的问题类型", ""]
    if d.matches:
        lines += _table(
            ["问题类型", "匹配度", "吻合的信号", "缺少的数据"],
            [
                [f"{m.problem.name.zh} (`{m.problem.id}`)", f"{m.score:.2f}",
                 ", ".join(m.agreed), ", ".join(m.unknown) or "—"]
                for m in d.matches[:6]
            ],
        )  # fmt: skip
    else:
        lines.append("没有明显的问题信号: 变化在正常波动范围内。")
    if d.hypotheses:
        lines += ["", "## 假设与验证 (最可能的在前)", ""]
        for i, h in enumerate(d.hypotheses[:8], 1):
            lines.append(
                f"{i}. **{h.text}** ({EVIDENCE.get(h.evidence, h.evidence)}; `{h.problem}`)"
            )
            lines.append(f"   - 检查: {h.check}")
            for a in h.actions[:2]:
                lines.append(f"   - 行动: {a}")
            if h.data_needed:
                lines.append(f"   - 需要的数据: {', '.join(h.data_needed)}")
    if d.documents:
        lines += ["", "## 相关文档", ""]
        kinds = {"playbook": "手册", "case": "案例", "article": "文章"}
        for doc in d.documents[:10]:
            lines.append(
                f"- [{kinds.get(doc['kind'], doc['kind'])}] {doc['title']} (`{doc['id']}`)"
            )
    if d.questions:
        lines += ["", "## 还想知道 (文件里没有的数据)", ""]
        lines += [f"- {q.text}" for q in d.questions]
    if d.notes:
        lines += ["", "## 说明", ""]
        lines += [f"- {markdown_cell(n)}" for n in d.notes_in("zh")]
    return "\n".join(lines) + "\n"


def _unit(d, metric: str) -> str:
    mv = d.movements.get(metric)
    return mv.unit if mv else ""


def case_draft(
    d, vocab=None, today: dt.date | None = None, problems: list[str] | None = None
) -> Document:
    """A draft case pre-filled from the diagnosis (``state: draft``: kept out of search, problem
    pages and related documents until someone edits and publishes it). ``problems``: only the
    problem types the user confirmed (none by default). Prompts are HTML comments: visible in the
    editor, invisible on the page."""
    today = today or dt.date.today()
    vocab = file_labels(d, vocab)
    top = d.matches[0].problem if d.matches else None
    mv = d.headline
    c = d.comparison
    causes = [r for r in d.drill.rows if r.root_cause]
    moved = [m.metric for m in d.movements.values() if m.direction != "flat" and m.kind != "custom"]
    metrics = list(dict.fromkeys([d.kpi, *[f.metric for f in d.factors[:2]], *moved]))[:8]
    tags = ["诊断"]
    if causes:
        tags += [str(v) for v in causes[0].segment.values()]
    title_problem = top.name.zh if top else f"{mv.label}{DIRECTION[mv.direction]}"
    phenomenon = [
        summary(d, vocab),
        "",
        f"- 对比: {c.current.label} vs {c.baseline.label}",
        *[
            f"- {m.label}: {fmt(m.baseline, m.unit)} → {fmt(m.current, m.unit)} "
            f"({pct(m.change_pct)}, {DIRECTION[m.direction]})"
            for m in d.movements.values()
            if m.direction != "flat" or m.metric == d.kpi
        ][:10],
    ]
    unit = mv.unit
    for r in causes[:3]:
        phenomenon.append(
            f"- 下钻: {segment_label(r.segment, vocab)} {fmt(r.baseline, unit)} → "
            f"{fmt(r.current, unit)} ({pct(r.change_pct)}), 占变化 {share(r.share)}"
        )
    checks = [f"- {h.text} — 检查: {h.check}" for h in d.hypotheses[:5]]
    body = "\n".join(
        [
            "## 背景",
            "",
            "<!-- 当时在做什么? 有什么活动、改版、投放变化? -->",
            "",
            "## 现象 (数据)",
            "",
            *phenomenon,
            "",
            "## 分析",
            "",
            "<!-- 逐条验证下面的假设, 写下看了什么数据、结论是什么 -->",
            "",
            *checks,
            "",
            "## 措施",
            "",
            "<!-- 做了什么? 谁负责? 什么时候? -->",
            "",
            "## 结果",
            "",
            "<!-- 措施之后指标怎么变了? -->",
            "",
            "## 复盘",
            "",
            "<!-- 下次怎么更早发现? 要沉淀到哪个手册? -->",
        ]
    )
    return Document(
        id=f"case-{c.current.end:%Y%m%d}-{top.id if top else 'diagnosis'}",
        kind="case",
        title=f"{title_problem}: {mv.label} {pct(mv.change_pct)} ({c.current.label})",
        body=body,
        problems=list(problems or []),
        metrics=metrics,
        tags=tags,
        created=today,
        summary=summary(d, vocab),
        meta={"illustrative": False, "period": f"{c.current.end:%Y-%m}", "state": "draft"},
    )


def checklist_markdown(answers: dict, hyps, metrics=None, lang: str = "zh") -> str:
    """The no-data diagnosis as a take-away: the answers given and the hypotheses to check."""
    zh = lang != "en"

    def label(key: str) -> str:
        if metrics is not None and key in metrics:
            return metrics[key].label(lang)
        return key

    lines = ["# 诊断清单 (无数据模式)" if zh else "# Diagnosis checklist (no data)", ""]
    lines += ["## 回答" if zh else "## Answers", ""]
    lines += [f"- {label(k)}: {v}" for k, v in answers.items()]
    lines += ["", "## 待验证的假设" if zh else "## Hypotheses to check", ""]
    check = "检查" if zh else "check"
    lines += [f"- [ ] {h.text} — {check}: {h.check}" for h in hyps]
    return "\n".join(lines) + "\n"
