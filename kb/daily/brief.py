"""The morning brief (晨会简报) as Markdown, in one language, from a Review.

The wording lives in data/brief.yaml (one template per language) so the team can change it
without touching code; this module only fills it in and formats the numbers.
"""

from __future__ import annotations

import math

from kb.daily.review import Review
from kb.diagnosis.dimensions import load_vocabulary
from kb.yamlfile import DataError, load_yaml


def templates(ws, lang: str) -> dict[str, str]:
    data = load_yaml(ws.config.data_file("brief.yaml")) or {}
    if not isinstance(data, dict) or not isinstance(data.get(lang), dict):
        raise DataError(f"brief.yaml: no '{lang}:' templates")
    out = {}
    for key, value in data[lang].items():
        if isinstance(value, dict):  # a table of labels, e.g. kinds.budget
            out.update({f"{key}.{k}": str(v) for k, v in value.items()})
        else:
            out[str(key)] = str(value)
    return out


def number(value, unit: str = "") -> str:
    """12,345 / 3.21% / 165.73 — as an operator writes them."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if unit == "%":
        return f"{value * 100:.2f}%"
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def pct(value, signed: bool = True) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value:+.1f}%" if signed else f"{value:.1f}%"


def role_label(ws, role: str, lang: str) -> str:
    area = ws.taxonomy.areas.get(role)
    return area.name.get(lang) if area else role


def segment_label(ws, segment: dict, lang: str) -> str:
    vocab = load_vocabulary(ws.config.data_file("dimensions.yaml"))
    return ", ".join(f"{vocab.label(k, lang)}={v}" for k, v in segment.items())


def render(ws, review: Review, lang: str = "zh") -> str:
    tpl = templates(ws, lang)
    metrics = ws.metrics

    def label(name: str) -> str:
        m = metrics.metrics.get(name)
        return m.label(lang) if m else name

    lines = [tpl["title"].format(role=role_label(ws, review.role, lang), date=review.day)]
    lines += [tpl["source"].format(source=review.source), ""]
    lines.append(tpl["targets"]) if review.targets else None
    for p in review.targets:
        name = label(p.target.metric)
        unit = metrics.metrics[p.target.metric].unit if p.target.metric in metrics else ""
        behind = "" if p.on_track else tpl["behind"]
        if p.kind == "level":
            line = tpl["target_level"].format(
                label=name,
                period=p.target.label,
                actual=number(p.actual, unit),
                target=number(p.target.value, unit),
                behind=behind,
            )
        elif p.remaining_days and p.needed_per_day is not None:
            line = tpl["target_sum"].format(
                label=name,
                period=p.target.label,
                done=pct(p.done_pct, signed=False),
                time=pct(p.time_pct * 100, signed=False),
                behind=behind,
                days=p.remaining_days,
                need=number(p.needed_per_day, unit),
            )
        else:
            line = tpl["target_sum_done"].format(
                label=name,
                period=p.target.label,
                done=pct(p.done_pct, signed=False),
                time=pct(p.time_pct * 100, signed=False),
                behind=behind,
            )
        lines.append(line)
    if review.targets:
        lines.append("")
    lines.append(tpl["changes"])
    if not review.changes:
        lines.append(tpl["no_changes"])
    for n, c in enumerate(review.changes, 1):
        where = ""
        if c.segment:
            where = tpl["change_where"].format(
                segment=segment_label(ws, c.segment, lang),
                share=pct((c.share or 0) * 100, signed=False) if c.share is not None else "—",
            )
        lines.append(
            tpl["change_line"].format(
                n=n,
                label=label(c.metric),
                direction=tpl[c.movement.direction],
                pct=pct(c.movement.change_pct),
                where=where,
            )
        )
        if c.likely:
            lines.append(tpl["change_likely"].format(likely=c.likely.get(lang)))
        if c.check:
            lines.append(tpl["change_check"].format(check=c.check.get(lang)))
    lines += ["", tpl["kpis"]]
    for k in review.kpis:
        mv = k.movement
        flag = tpl["flag_significant"] if mv.significant else ""
        if k.outside_normal and not mv.significant:
            flag = tpl["flag_outside"]
        lines.append(
            tpl["kpi_line"].format(
                label=label(mv.metric),
                value=number(mv.current, mv.unit),
                unit_text=f" {mv.unit}" if mv.unit not in ("%", "") else "",
                wow=pct(mv.change_pct),
                yoy=pct(_yoy(k)),
                low=number(k.normal_low, mv.unit),
                high=number(k.normal_high, mv.unit),
                flag=flag,
            )
        )
    if review.events:
        lines += ["", tpl["events"]]
        for e in review.events:
            title = e.title.get(lang) if hasattr(e.title, "get") else str(e.title)
            kind = tpl.get(f"kinds.{e.kind}", e.kind)
            lines.append(tpl["event_line"].format(day=e.day, title=title, kind=kind))
    if review.open_actions:
        lines += ["", tpl["actions"]]
        for entry in review.open_actions:
            lines.append(
                tpl["action_line"].format(
                    title=entry.title, owner=entry.owner or "—", date=entry.date
                )
            )
    if review.notes:
        lines += ["", tpl["notes"]]
        lines += [f"- {n.get(lang)}" for n in review.notes]
    return "\n".join(lines).rstrip() + "\n"


def _yoy(k) -> float | None:
    if k.last_year in (None, 0):
        return None
    return (k.movement.current / k.last_year - 1) * 100
