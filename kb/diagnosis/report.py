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

# Every word of the report in both languages: the report follows the language asked for.
WORDS = {
    "zh": {
        "up": "上升", "down": "下降", "flat": "持平", "all": "全部",
        "sig_unknown": "未知 (历史不足)", "sig_yes": "显著", "sig_no": "正常波动",
        "main_factor": "主要因素: {label} {pct}, 贡献 {share}。",
        "spread": "各维度普遍变化, 不集中在某一个值。",
        "where": "变化集中在 {where} (占变化 {share})。",
        "but": "但 {label} {dir}: {b} → {c} ({pct})", "in": ", 集中在 {seg}",
        "likely": "最可能的问题类型: {name}。", "stop": "。",
        "title": "# 诊断报告: {label} ({kpi})",
        "periods": "- 当前期: {cur} ({days} 天); 基线: {base} ({mode})",
        "previous": "环比", "yoy": "同比", "range": "指定区间",
        "data": "- 数据: {src}, {rows} 行, 维度: {dims}", "none": "无",
        "conclusion": "## 结论", "moves": "## 指标变化",
        "h_moves": ["指标", "基线", "当前", "变化", "方向", "显著性"], "h_target": ["目标", "差距"],
        "factors": "## 因素分解 (LMDI, 各因素贡献之和 = {kpi} 的变化)",
        "h_factors": ["因素", "基线", "当前", "变化", "贡献", "占比"],
        "drill": "## 下钻 (哪些维度值解释了变化, 根因在前)",
        "h_drill": ["维度值", "基线", "当前", "变化", "贡献", "占比", "根因"],
        "h_mixrate": ["结构效应", "比率效应"], "yes": "是",
        "focus": "## 下钻: {label} (KPI 持平, 但它在变坏)",
        "h_focus": ["维度值", "基线", "当前", "变化", "占比", "根因"],
        "shape": "## 变化形态", "warnings": "## 比较前请注意", "mix": "## 结构变化",
        "types": "## 可能的问题类型",
        "h_types": ["问题类型", "匹配度", "吻合的信号", "缺少的数据", "检验"],
        "no_types": "没有明显的问题信号: 变化在正常波动范围内。",
        "hyps": "## 假设与验证 (最可能的在前, 已排除的在后)",
        "check": "检查", "action": "行动", "needed": "需要的数据", "why": "依据",
        "events": "## 变化前后的运营日志和日历", "similar": "## 相似的历史案例",
        "docs": "## 相关文档", "kinds": {"playbook": "手册", "case": "案例", "article": "文章"},
        "questions": "## 还想知道 (文件里没有的数据)", "notes": "## 说明",
        "supported": "数据支持", "contradicted": "已排除", "untested": "无法检验",
    },
    "en": {
        "up": "up", "down": "down", "flat": "flat", "all": "all",
        "sig_unknown": "unknown (not enough history)", "sig_yes": "significant",
        "sig_no": "normal variation",
        "main_factor": "Main factor: {label} {pct}, {share} of the change. ",
        "spread": "The change is spread across values, not in one. ",
        "where": "The change sits in {where} ({share} of it). ",
        "but": "But {label} went {dir}: {b} → {c} ({pct})", "in": ", in {seg}",
        "likely": "Most likely problem type: {name}.", "stop": ". ",
        "title": "# Diagnosis: {label} ({kpi})",
        "periods": "- Current: {cur} ({days} days); baseline: {base} ({mode})",
        "previous": "previous period", "yoy": "year on year", "range": "chosen range",
        "data": "- Data: {src}, {rows} rows, dimensions: {dims}", "none": "none",
        "conclusion": "## Summary", "moves": "## Metrics",
        "h_moves": ["Metric", "Baseline", "Current", "Change", "Direction", "Significance"],
        "h_target": ["Target", "Gap"],
        "factors": "## Factor split (LMDI; the contributions add up to the change in {kpi})",
        "h_factors": ["Factor", "Baseline", "Current", "Change", "Contribution", "Share"],
        "drill": "## Drill-down (which values explain the change, root causes first)",
        "h_drill": ["Segment", "Baseline", "Current", "Change", "Contribution", "Share", "Root cause"],
        "h_mixrate": ["Mix effect", "Rate effect"], "yes": "yes",
        "focus": "## Drill-down: {label} (the KPI held, but this got worse)",
        "h_focus": ["Segment", "Baseline", "Current", "Change", "Share", "Root cause"],
        "shape": "## Shape of the change", "warnings": "## Before you trust the comparison",
        "mix": "## Mix effect", "types": "## Likely problem types",
        "h_types": ["Problem type", "Match", "Agreeing signals", "Missing data", "Tests"],
        "no_types": "No clear problem signal: the change is within normal variation.",
        "hyps": "## Hypotheses (most likely first, ruled-out ones last)",
        "check": "Check", "action": "Action", "needed": "Data needed", "why": "Why",
        "events": "## Action log and calendar around the change",
        "similar": "## Similar past cases",
        "docs": "## Related documents",
        "kinds": {"playbook": "playbook", "case": "case", "article": "article"},
        "questions": "## Also worth knowing (data not in the file)", "notes": "## Notes",
        "supported": "supported", "contradicted": "ruled out", "untested": "not testable",
    },
}  # fmt: skip
# kept for callers that read the codes' Chinese labels
EVIDENCE = {
    "supported": "数据支持",
    "weakened": "数据不支持",
    "consistent": "与现象一致",
    "unknown": "待验证",
}


def _w(lang: str) -> dict:
    return WORDS["en" if lang == "en" else "zh"]


def _label(d, metric: str, fallback: str, lang: str) -> str:
    tree = getattr(d, "table_metrics", None)
    m = tree.metrics.get(metric) if tree is not None else None
    return m.label(lang) if m else fallback


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


def segment_label(segment: dict, vocab=None, lang: str = "zh") -> str:
    if not segment:
        return _w(lang)["all"]
    parts = []
    for dim, value in segment.items():
        name = vocab.label(dim, lang) if vocab is not None else dim
        if hasattr(vocab, "value_label"):  # a diagnosis's vocabulary: the file's own spelling
            value = vocab.value_label(dim, value)
        parts.append(f"{markdown_cell(name)}={markdown_cell(value)}")  # values come from the file
    return " × ".join(parts)


def significance_text(mv, lang: str = "zh") -> str:
    w = _w(lang)
    if mv.significant is None:
        return w["sig_unknown"]
    return f"{w['sig_yes'] if mv.significant else w['sig_no']} (z={mv.z:+.1f})"


def summary(d, vocab=None, lang: str = "zh") -> str:
    """Two or three sentences: what moved, what drove it, where, and what it likely is."""
    vocab = file_labels(d, vocab)
    w = _w(lang)
    mv = d.headline
    unit = mv.unit
    label = _label(d, mv.metric, mv.label, lang)
    sentences = [
        f"{label} {w[mv.direction]}: {fmt(mv.baseline, unit)} → {fmt(mv.current, unit)} "
        f"({pct(mv.change_pct)}), {significance_text(mv, lang)}{w['stop']}"
    ]
    if d.factors and mv.change and mv.direction != "flat":
        top = d.factors[0]
        sentences.append(
            w["main_factor"].format(
                label=_label(d, top.metric, top.label, lang),
                pct=pct(top.change_pct),
                share=share(top.share),
            )
        )
    causes = [r for r in d.drill.rows if r.root_cause]
    if d.drill.concentration == "spread" and not causes:
        sentences.append(w["spread"])
    elif causes:
        where = "、".join(segment_label(r.segment, vocab, lang) for r in causes[:3])
        sentences.append(w["where"].format(where=where, share=share(causes[0].share)))
    if d.focus and d.focus in d.movements:
        fm = d.movements[d.focus]
        sentences.append(
            w["but"].format(
                label=_label(d, fm.metric, fm.label, lang),
                dir=w[fm.direction],
                b=fmt(fm.baseline, fm.unit),
                c=fmt(fm.current, fm.unit),
                pct=pct(fm.change_pct),
            )
        )
        focus_causes = [r for r in d.focus_drill.rows if r.root_cause]
        if focus_causes:
            sentences.append(
                w["in"].format(seg=segment_label(focus_causes[0].segment, vocab, lang))
            )
        sentences.append(w["stop"])
    leading = [m for m in d.matches if getattr(m, "verdict", "") != "contradicted"]
    if leading:
        sentences.append(w["likely"].format(name=leading[0].problem.name.get(lang)))
    return "".join(sentences).strip()


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def markdown_report(d, vocab=None, lang: str = "zh") -> str:
    """The whole diagnosis as Markdown, in one language (zh or en)."""
    vocab = file_labels(d, vocab)
    w = _w(lang)
    c = d.comparison
    kpi_label = _label(d, d.kpi, d.headline.label, lang)
    lines = [
        w["title"].format(label=kpi_label, kpi=d.kpi),
        "",
        w["periods"].format(
            cur=c.current.label, days=c.current.days, base=c.baseline.label, mode=w[c.mode]
        ),
        w["data"].format(
            src=markdown_cell(d.table.source),
            rows=f"{len(d.table.frame):,}",
            dims=markdown_cell(
                ", ".join(vocab.label(x, lang) if vocab else x for x in d.table.dimensions)
            )
            or w["none"],
        ),
        "",
        w["conclusion"],
        "",
        summary(d, vocab, lang),
    ]
    if getattr(d, "shape", None) is not None:
        lines += ["", w["shape"], "", d.shape.sentence().get(lang)]
    warnings = d.warnings() if hasattr(d, "warnings") else []
    if warnings:
        lines += ["", w["warnings"], ""] + [f"- {markdown_cell(x.get(lang))}" for x in warnings]
    for m in getattr(d, "mix", []) or []:
        lines += ["", w["mix"], "", markdown_cell(m.sentence().get(lang))]
    lines += ["", w["moves"], ""]
    rows = []
    targets = any(mv.target is not None for mv in d.movements.values())
    for mv in sorted(d.movements.values(), key=lambda m: (m.direction == "flat", m.metric)):
        row = [_label(d, mv.metric, mv.label, lang), fmt(mv.baseline, mv.unit),
               fmt(mv.current, mv.unit), pct(mv.change_pct), w[mv.direction],
               significance_text(mv, lang)]  # fmt: skip
        if targets:
            row += [fmt(mv.target, mv.unit), pct(mv.target_gap_pct)] if mv.target else ["", ""]
        rows.append(row)
    lines += _table(w["h_moves"] + (w["h_target"] if targets else []), rows)
    if d.factors:
        lines += ["", w["factors"].format(kpi=d.kpi), ""]
        unit = d.headline.unit
        lines += _table(
            w["h_factors"],
            [
                [_label(d, f.metric, f.label, lang), fmt(f.baseline, _unit(d, f.metric)),
                 fmt(f.current, _unit(d, f.metric)), pct(f.change_pct),
                 fmt(f.contribution, unit if unit != "%" else ""), share(f.share)]
                for f in d.factors
            ],
        )  # fmt: skip
    if d.drill.rows:
        lines += ["", w["drill"], ""]
        ratio = d.drill.rows[0].mix is not None
        headers = list(w["h_drill"])
        if ratio:
            headers[4:4] = w["h_mixrate"]
        body = []
        for r in d.drill.rows:
            row = [segment_label(r.segment, vocab, lang), fmt(r.baseline, d.headline.unit),
                   fmt(r.current, d.headline.unit), pct(r.change_pct),
                   fmt(r.contribution, ""), share(r.share), w["yes"] if r.root_cause else ""]  # fmt: skip
            if ratio:
                row[4:4] = [fmt(r.mix, ""), fmt(r.rate, "")]
            body.append(row)
        lines += _table(headers, body)
    if d.focus_drill is not None and d.focus_drill.rows:
        fm = d.movements[d.focus]
        lines += ["", w["focus"].format(label=_label(d, fm.metric, fm.label, lang)), ""]
        lines += _table(
            w["h_focus"],
            [
                [segment_label(r.segment, vocab, lang), fmt(r.baseline, fm.unit),
                 fmt(r.current, fm.unit), pct(r.change_pct), share(r.share),
                 w["yes"] if r.root_cause else ""]
                for r in d.focus_drill.rows
            ],
        )  # fmt: skip
    lines += ["", w["types"], ""]
    if d.matches:
        lines += _table(
            w["h_types"],
            [
                [f"{m.problem.name.get(lang)} (`{m.problem.id}`)", f"{m.score:.2f}",
                 ", ".join(m.agreed), ", ".join(m.unknown) or "—",
                 f"{w[m.verdict]}: {markdown_cell(m.reason.get(lang))}" if m.reason.zh else "—"]
                for m in d.matches[:6]
            ],
        )  # fmt: skip
    else:
        lines.append(w["no_types"])
    if d.hypotheses:
        lines += ["", w["hyps"], ""]
        shown = [h for h in d.hypotheses if h.verdict != "contradicted"][:8]
        shown += [h for h in d.hypotheses if h.verdict == "contradicted"]
        for i, h in enumerate(shown, 1):
            text = markdown_cell(h.text.get(lang))  # names segments and log entries
            text = f"~~{text}~~" if h.verdict == "contradicted" else f"**{text}**"
            lines.append(f"{i}. {text} ({w[h.verdict]}; `{h.problem}`)")
            if h.reason.get(lang):
                lines.append(f"   - {w['why']}: {markdown_cell(h.reason.get(lang))}")
            lines.append(f"   - {w['check']}: {h.check.get(lang)}")
            for a in h.actions[:2]:
                lines.append(f"   - {w['action']}: {a.get(lang)}")
            if h.data_needed:
                lines.append(f"   - {w['needed']}: {', '.join(h.data_needed)}")
    events = (d.timeline.events or []) if getattr(d, "timeline", None) else []
    if events:
        lines += ["", w["events"], ""]
        for e in events[:10]:
            seg = " / ".join(e.segment.values()) or w["all"]
            title = markdown_cell(e.title.get(lang))
            lines.append(f"- {e.day:%Y-%m-%d} · {markdown_cell(seg)} · {title} ({e.kind})")
    if getattr(d, "similar", None):
        lines += ["", w["similar"], ""]
        lines += [f"- {c['title']} (`{c['id']}`)" for c in d.similar]
    if d.documents:
        lines += ["", w["docs"], ""]
        for doc in d.documents[:10]:
            lines.append(
                f"- [{w['kinds'].get(doc['kind'], doc['kind'])}] {doc['title']} (`{doc['id']}`)"
            )
    if d.questions:
        lines += ["", w["questions"], ""]
        lines += [f"- {q.text}" for q in d.questions]
    if d.notes:
        lines += ["", w["notes"], ""]
        lines += [f"- {markdown_cell(n)}" for n in d.notes_in(lang)]
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
    title_problem = top.name.zh if top else f"{mv.label}{WORDS['zh'][mv.direction]}"
    phenomenon = [
        summary(d, vocab),
        "",
        f"- 对比: {c.current.label} vs {c.baseline.label}",
        *[
            f"- {m.label}: {fmt(m.baseline, m.unit)} → {fmt(m.current, m.unit)} "
            f"({pct(m.change_pct)}, {WORDS['zh'][m.direction]})"
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
    checks = [
        f"- {markdown_cell(h.text.zh)} — 检查: {h.check.zh}"
        + (f" ({markdown_cell(h.reason.zh)})" if h.reason.zh else "")
        for h in d.hypotheses
        if h.verdict != "contradicted"
    ][:5]
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
        meta={
            "illustrative": False,
            "period": f"{c.current.end:%Y-%m}",
            "state": "draft",
            "signature": _signature(d),
        },
    )


def _signature(d) -> dict:
    """What the numbers did, for finding this case again (kb.similar)."""
    sig: dict = {"moves": {k: m.direction for k, m in d.movements.items() if m.kind != "custom"}}
    if d.drill.dimensions:
        sig["dimension"] = d.drill.dimensions[0]
    if getattr(d, "shape", None) is not None and d.shape.kind in ("step", "slide", "spike", "jump"):
        sig["shape"] = d.shape.kind
    return sig


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
    check = WORDS["zh" if zh else "en"]["check"]
    lines += [f"- [ ] {_get(h.text, lang)} — {check}: {_get(h.check, lang)}" for h in hyps]
    return "\n".join(lines) + "\n"


def _get(text, lang: str) -> str:
    return text.get(lang) if hasattr(text, "get") else str(text)
