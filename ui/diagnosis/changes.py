"""Step 3: what changed — KPI cards, trend, factor waterfall, drill-down table and chart."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from ui.diagnosis import charts, service
from ui.diagnosis.state import state
from ui.i18n import lang, t

CARDS = 8
PER_ROW = 4


def fmt_value(value: float | None, unit: str = "") -> str:
    if value is None or not math.isfinite(value):
        return "—"
    if unit == "%":
        return f"{value * 100:.2f}%"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _pct(value: float | None) -> str | None:
    return None if value is None or not math.isfinite(value) else f"{value:+.1f}%"


def _cards(diag) -> None:
    moves = [diag.headline] + [m for k, m in diag.movements.items() if k != diag.kpi]
    moves = moves[:CARDS]
    cols = [c for _ in range(0, len(moves), PER_ROW) for c in st.columns(PER_ROW)]
    for col, mv in zip(cols, moves, strict=False):
        help_text = t(
            "dx.card_help", base=fmt_value(mv.baseline, mv.unit), dir=t(f"moves.{mv.direction}")
        )
        if mv.significant is not None:
            help_text += " · " + t("dx.significant" if mv.significant else "dx.not_significant")
        col.metric(
            service.metric_label(mv.metric, mv.label),
            fmt_value(mv.current, mv.unit),
            _pct(mv.change_pct),
            delta_color="normal" if mv.better == "up" else "inverse",
            help=help_text,
            border=True,
        )


def _md(text: str) -> str:
    """Engine text inside Markdown: '2026-03-01~2026-03-07' must not become strikethrough."""
    return text.replace("~", "\\~")


def _segment_text(diag, segment: dict) -> str:
    """Values as the file wrote them (手淘推荐, not the alias 推荐 used for matching)."""
    return diag.table.segment_text(segment) or "—"


def drill_frame(diag) -> pd.DataFrame:
    rows = [
        {
            t("dx.segment"): _segment_text(diag, r.segment),
            t("dx.baseline"): r.baseline,
            t("dx.current"): r.current,
            t("dx.change_pct"): r.change_pct,
            t("dx.contribution"): r.contribution,
            t("dx.share"): r.share,
            t("dx.root_cause"): r.root_cause,
        }
        for r in diag.drill.rows
    ]
    return pd.DataFrame(rows)


@st.fragment
def _drill_panel(diag) -> None:
    """Its own fragment: switching the dimension redraws only this panel."""
    st.markdown(f"#### {t('dx.drilldown')}")
    if not diag.drill.rows:
        st.caption(t("dx.no_dimensions"))
        return
    if diag.drill.concentration:
        st.caption(t(f"dx.concentration_{diag.drill.concentration}"))
    # thousands separators for amounts and counts, % for a rate KPI (its values are fractions)
    value = "percent" if diag.headline.unit == "%" else "localized"
    st.dataframe(
        drill_frame(diag),
        hide_index=True,
        column_config={
            t("dx.change_pct"): st.column_config.NumberColumn(format="%.1f%%"),
            t("dx.share"): st.column_config.NumberColumn(format="percent"),
            t("dx.contribution"): st.column_config.NumberColumn(format=value),
            t("dx.baseline"): st.column_config.NumberColumn(format=value),
            t("dx.current"): st.column_config.NumberColumn(format=value),
        },
        key="dx_drill_table",
    )
    dims = list(diag.drill.by_dimension)
    dim = st.segmented_control(
        t("dx.by_dimension"),
        dims,
        default=dims[0],
        format_func=diag.table.dim_label,  # the header as the file wrote it (渠道, not channel)
        key="dx_drill_dim",
        required=True,
    )
    rows = diag.drill.by_dimension.get(dim or dims[0], [])
    frame = pd.DataFrame(
        {
            "segment": [_segment_text(diag, r.segment) for r in rows],
            "contribution": [r.contribution for r in rows],
        }
    )
    st.altair_chart(charts.contributions(frame, "segment", "contribution"), key="dx_drill_chart")


def step_changes() -> None:
    diag = state()["result"]
    st.subheader(t("dx.step3"))
    comp = diag.comparison
    st.caption(t("dx.periods", cur=_md(comp.current.label), base=_md(comp.baseline.label)))
    for note in diag.notes_in(lang()):
        st.caption(f"ℹ️ {_md(note)}")
    for w in diag.table.warnings:
        st.warning(_md(w.text.get(lang())), icon="⚠️")
    _cards(diag)
    left, right = st.columns(2)
    with left:
        st.markdown(f"#### {t('dx.trend')}")
        st.altair_chart(charts.trend(diag), key="dx_trend")
    with right:
        st.markdown(f"#### {t('dx.waterfall')}")
        if diag.factors:
            st.altair_chart(charts.waterfall(diag), key="dx_waterfall")
            top = diag.factors[0]
            st.caption(
                t(
                    "dx.top_factor",
                    label=service.metric_label(top.metric, top.label),
                    share=(top.share or 0) * 100,
                )
            )
        else:
            st.caption(t("dx.no_factors"))
    _drill_panel(diag)
