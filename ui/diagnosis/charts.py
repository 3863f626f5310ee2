"""Altair charts for the diagnosis: trend with the two periods, factor waterfall, drill-down."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.diagnosis import service
from ui.i18n import t


def _kpi_label(diag) -> str:
    return service.metric_label(diag.kpi, diag.headline.label)


def trend(diag) -> alt.Chart:
    """The KPI per date; the baseline and current periods shaded."""
    data = diag.series()
    data["date"] = pd.to_datetime(data["date"])
    comp = diag.comparison
    bands = pd.DataFrame(
        [
            {"start": comp.baseline.start, "end": comp.baseline.end, "period": t("dx.baseline")},
            {"start": comp.current.start, "end": comp.current.end, "period": t("dx.current")},
        ]
    )
    shade = (
        alt.Chart(bands)
        .mark_rect(opacity=0.15)
        .encode(
            x="start:T",
            x2="end:T",
            color=alt.Color(
                "period:N",
                title=None,
                scale=alt.Scale(range=["#8c8c8c", "#1f6feb"]),
                legend=alt.Legend(orient="top"),
            ),
        )
    )
    line = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=18))
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%m-%d")),
            y=alt.Y("value:Q", title=_kpi_label(diag)),
            tooltip=[alt.Tooltip("date:T"), alt.Tooltip("value:Q", format=",.4~f")],
        )
    )
    return alt.layer(shade, line, *_markers(diag)).properties(height=280)


def marker_rows(diag) -> pd.DataFrame:
    """Vertical marks for the trend: where the change starts, and logged/calendar events."""
    from ui.i18n import lang

    rows = []
    shape = getattr(diag, "shape", None)
    if shape is not None and shape.start is not None and shape.kind != "none":
        rows.append(
            {
                "date": shape.start,
                "what": t("reasoning.shape_marker"),
                "label": shape.sentence().get(lang()),
                "kind": "shape",
            }
        )
    timeline = getattr(diag, "timeline", None)
    for e in (timeline.events or [])[:8] if timeline else []:
        if e.segment_match == "other":
            continue
        seg = " / ".join(e.segment.values())
        label = f"{seg}: {e.title.get(lang())}" if seg else e.title.get(lang())
        rows.append(
            {
                "date": pd.Timestamp(e.day),
                "what": t("reasoning.event_marker"),
                "label": label,
                "kind": "event",
            }
        )
    return pd.DataFrame(rows, columns=["date", "what", "label", "kind"])


def _markers(diag) -> list:
    rows = marker_rows(diag)
    if rows.empty:
        return []
    rule = (
        alt.Chart(rows)
        .mark_rule(strokeDash=[4, 3], size=2)
        .encode(
            x="date:T",
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=["shape", "event"], range=["#cf222e", "#9a6700"]),
                legend=None,
            ),
            tooltip=[alt.Tooltip("date:T"), "what:N", "label:N"],
        )
    )
    return [rule]


def waterfall_rows(diag) -> pd.DataFrame:
    """Bars from the engine's waterfall rows: totals from zero, factors floating."""
    rows = []
    running = 0.0
    for r in diag.waterfall():
        if r["step"] in ("baseline", "current"):
            r = {**r, "label": t(f"dx.{r['step']}")}  # the dates are in the caption above
            start, end = 0.0, r["value"]
            running = r["value"] if r["step"] == "baseline" else running
            kind = "total"
        else:
            r = {**r, "label": service.metric_label(r["step"], r["label"])}
            start, end = running, running + r["value"]
            running = end
            kind = "up" if r["value"] >= 0 else "down"
        rows.append(
            {"label": r["label"], "start": start, "end": end, "delta": r["value"], "kind": kind}
        )
    frame = pd.DataFrame(rows)
    # Zoom in on the band where the change happens: totals start at the floor, not at zero,
    # otherwise a 5 % change is a sliver on top of two tall bars.
    moving = frame[frame["kind"] != "total"]
    values = pd.concat([moving["start"], moving["end"], frame["end"]])
    if len(values) and values.min() > 0:
        floor = values.min() - 0.25 * (values.max() - values.min())
        frame.loc[frame["kind"] == "total", "start"] = max(floor, 0.0)
    return frame


def waterfall(diag) -> alt.Chart:
    data = waterfall_rows(diag)
    order = list(data["label"])
    return (
        alt.Chart(data)
        .mark_bar(size=40)
        .encode(
            x=alt.X(
                "label:N",
                sort=order,
                title=None,
                axis=alt.Axis(labelAngle=0, labelLimit=120, labelOverlap=False),
            ),
            y=alt.Y("start:Q", title=_kpi_label(diag), scale=alt.Scale(zero=False)),
            y2="end:Q",
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(
                    domain=["total", "up", "down"], range=["#1f6feb", "#2da44e", "#cf222e"]
                ),
                legend=None,
            ),
            tooltip=[alt.Tooltip("label:N"), alt.Tooltip("delta:Q", format=",.2f")],
        )
        .properties(height=300)
    )


def contributions(rows: pd.DataFrame, label_col: str, value_col: str) -> alt.Chart:
    """Horizontal bars: each segment's contribution to the KPI change."""
    return (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            y=alt.Y(f"{label_col}:N", sort="x", title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X(f"{value_col}:Q", title=t("dx.contribution")),
            color=alt.condition(
                alt.datum[value_col] < 0, alt.value("#cf222e"), alt.value("#2da44e")
            ),
            tooltip=[f"{label_col}:N", alt.Tooltip(f"{value_col}:Q", format=",.2f")],
        )
        .properties(height=max(120, 28 * len(rows)))
    )
