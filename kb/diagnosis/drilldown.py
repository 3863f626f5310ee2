"""Drill-down: which dimension values (and combinations) explain the KPI's change.

The root causes come from `localize` (explanatory power + a RiskLoc-style test that a segment's
children mostly move its way + succinctness, see there): the most general segment whose children
mostly deviate in the same direction beyond the noise band. This module builds its input from a
metrics table and turns the result into rows people read:

- additive KPI (GMV, UV …): a segment's contribution is its own change; share = contribution /
  total change.
- ratio KPI (转化率, ROI …): the change of K = Σ w_i k_i (w = the segment's share of the
  denominator, k its rate) splits exactly into a mix effect Δw·(k̄ − K̄) (more or less weight on
  a segment that is better or worse than average) and a rate effect w̄·Δk (the segment's own rate
  moved) — the two-factor Shapley split, so the parts add up to the total. Root causes are
  searched on the rate: the numerator actually seen vs the numerator expected at the old rate
  for the new denominator (a leaf's old rate shrunk towards the overall rate by one event, so
  that a leaf with no order last week is not expected to have none again).

Dimension values are compared as text: numeric codes (省份ID 11, 31; cdn=3) are values, not
numbers, and come back as "11", "31" in the segments, as the loader's categories do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from kb.diagnosis.load import DATE, Table
from kb.diagnosis.localize import (
    PRIOR_EVENTS,
    Localisation,
    expected_numerator,
    leaf_noise,
    localize,
)
from kb.diagnosis.movements import Z_SIGNIFICANT, history_changes, significance
from kb.diagnosis.periods import Comparison, in_period
from kb.metrics import MetricTree

HISTORY_PAIRS = 4  # earlier period pairs used to learn the leaves' usual noise
SINGLE_SHARE = 0.6  # the top cause must hold this share of what the causes explain
EXTRA_ROWS = 6  # non-root-cause rows added after the causes (largest contributions)


@dataclass
class SegmentRow:
    segment: dict[str, str]
    baseline: float
    current: float
    change: float
    change_pct: float | None
    contribution: float  # to the KPI change, in KPI units
    share: float | None  # contribution / KPI change
    mix: float | None = None  # ratio KPIs only
    rate: float | None = None
    root_cause: bool = False
    power: float | None = None  # explanatory power: share of the leaves' deviation it carries

    def to_json(self) -> dict:
        def r(x, d=6):
            return None if x is None or not math.isfinite(x) else round(float(x), d)

        out = {
            "segment": dict(self.segment),
            "baseline": r(self.baseline),
            "current": r(self.current),
            "change": r(self.change),
            "change_pct": r(self.change_pct),
            "contribution": r(self.contribution),
            "share": r(self.share),
            "root_cause": self.root_cause,
        }
        if self.mix is not None:
            out["mix"] = r(self.mix)
            out["rate"] = r(self.rate)
        if self.power is not None:
            out["power"] = r(self.power, 4)
        return out


@dataclass
class Drilldown:
    rows: list[SegmentRow]  # root causes first (best first), then other large contributors
    by_dimension: dict[str, list[SegmentRow]] = field(default_factory=dict)
    concentration: str | None = None  # single | spread | None (nothing stands out)
    dimensions: list[str] = field(default_factory=list)  # dimensions of the top cause
    noise: float = 0.0
    explained: float = 0.0

    def to_json(self) -> list[dict]:
        return [r.to_json() for r in self.rows]


def _leaves(table: Table, comparison: Comparison, columns: list[str]) -> pd.DataFrame:
    frame = table.frame
    dims = table.dimensions
    parts = []
    for tag, period, scale in (
        ("1", comparison.current, 1.0),
        ("0", comparison.baseline, comparison.scale),
    ):
        rows = frame.loc[in_period(frame[DATE], period), [*dims, *columns]]
        sums = rows.groupby(dims, observed=True, sort=False)[columns].sum() * scale
        parts.append(sums.add_suffix(tag))
    return pd.concat(parts, axis=1).fillna(0.0).reset_index()


def _value(num, den=None):
    if den is None:
        return float(num)
    return float(num) / float(den) if den else math.nan


def drilldown(
    table: Table, metrics: MetricTree, comparison: Comparison, kpi: str, max_depth: int = 3
) -> Drilldown:
    dims = table.dimensions
    if not dims:
        return Drilldown([])
    table = _text_dimensions(table)
    metrics = metrics.bind(table.measures)[0]  # 转化率 by orders when the file has no buyers
    m = metrics.metrics.get(kpi)
    ratio = m is not None and m.is_ratio
    cols = [m.numerator, m.denominator] if ratio else [kpi]
    leaves = _leaves(table, comparison, cols)
    codes, labels = {}, {}
    for d in dims:
        cat = pd.Categorical(leaves[d].astype(str))
        codes[d], labels[d] = cat.codes.astype(np.int64), list(cat.categories)
    v, f = _expected(leaves, cols, ratio)
    noise = _history_noise(table, comparison, cols, ratio)
    depth = max_depth if len(dims) <= 6 else 2
    found = localize(codes, labels, v, f, max_depth=depth, noise=noise)
    found.causes = [c for c in found.causes if _real(table, comparison, cols, ratio, c.segment)]
    rows_for = _ratio_rows if ratio else _additive_rows
    by_dim = {d: rows_for(leaves, cols, [d]) for d in dims}
    causes = []
    for cause in found.causes:
        mask = np.ones(len(leaves), dtype=bool)
        for d, val in cause.segment.items():
            mask &= leaves[d].astype(str).to_numpy() == val
        row = rows_for(leaves, cols, None, mask=mask, segment=cause.segment)[0]
        row.root_cause, row.power = True, cause.gain
        causes.append(row)
    seen = [r.segment for r in causes]
    extra = [r for rows in by_dim.values() for r in rows if r.segment not in seen]
    extra.sort(key=lambda r: -abs(r.contribution))
    return Drilldown(
        rows=causes + extra[:EXTRA_ROWS],
        by_dimension=by_dim,
        concentration=_concentration(found),
        dimensions=list(found.causes[0].segment) if found.causes else [],
        noise=found.noise,
        explained=found.explained,
    )


def _expected(leaves: pd.DataFrame, cols: list[str], ratio: bool):
    """Actual and expected value per leaf: for a ratio KPI the numerator seen vs the numerator
    expected at the leaf's old rate for its new denominator (isolates the rate effect)."""
    if not ratio:
        return leaves[f"{cols[0]}1"].to_numpy(), leaves[f"{cols[0]}0"].to_numpy()
    n1, d1 = leaves[f"{cols[0]}1"].to_numpy(), leaves[f"{cols[1]}1"].to_numpy()
    n0, d0 = leaves[f"{cols[0]}0"].to_numpy(), leaves[f"{cols[1]}0"].to_numpy()
    return n1, expected_numerator(n0, d0, d1, PRIOR_EVENTS)


def _text_dimensions(table: Table) -> Table:
    """Numeric dimension columns (codes such as 11, 31 or 4000.0) as text categories, so that
    segments, masks and history checks all compare the same strings."""
    changed = {}
    for d in table.dimensions:
        col = table.frame[d]
        cats = col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype) else None
        if pd.api.types.is_numeric_dtype(col if cats is None else cats):
            changed[d] = _text_codes(col)
    if not changed:
        return table
    return replace(table, frame=table.frame.assign(**changed))


def _code_text(value) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))  # 11.0 (a column with gaps read as float) is code 11
    return str(value)


def _text_codes(col: pd.Series) -> pd.Categorical:
    cat = pd.Categorical(col)
    names = [_code_text(c) for c in cat.categories]
    codes = np.asarray(cat.codes).copy()
    if (codes < 0).any():
        names.append("(空)")  # the loader's name for a missing value
        codes[codes < 0] = len(names) - 1
    if len(set(names)) < len(names):
        return pd.Categorical(col.astype(str))
    return pd.Categorical.from_codes(codes, categories=names)


def _lag(comparison: Comparison) -> int:
    if comparison.mode == "yoy" or comparison.lag_days is None:
        return 7 * math.ceil(comparison.current.days / 7)
    return comparison.lag_days


def _history_noise(table, comparison, cols, ratio) -> float | None:
    """The leaves' usual deviation between earlier pairs of periods (uncontaminated by the
    change being diagnosed); None when the file has no such history."""
    lag = _lag(comparison)
    first = table.frame[DATE].min()
    levels = []
    for k in range(1, HISTORY_PAIRS + 1):
        cur = comparison.current.shift(k * lag)
        base = cur.shift(lag)
        if base.start < first:
            break
        pair = Comparison(cur, base, "previous", lag)
        leaves = _leaves(table, pair, cols)
        if leaves.empty:
            continue
        levels.append(leaf_noise(*_expected(leaves, cols, ratio)))
    return float(np.median(levels)) if len(levels) >= 2 else None


def _real(table, comparison, cols, ratio, segment) -> bool:
    """A cause must also be a significant move for the segment against its own history."""
    frame = table.frame
    mask = np.ones(len(frame), dtype=bool)
    for d, value in segment.items():
        mask &= (frame[d] == value).to_numpy()
    rows = frame.loc[mask, [DATE, *cols]]
    daily = rows.groupby(DATE)[cols].sum()
    grid = pd.date_range(frame[DATE].min(), frame[DATE].max(), freq=f"{table.freq_days}D")
    daily = daily.reindex(grid)
    step = table.freq_days
    window = max(1, round(comparison.current.days / step))
    lag = max(1, round(_lag(comparison) / step))
    before = int(grid.searchsorted(comparison.current.start))
    num = daily[cols[0]]
    den = daily[cols[1]] if ratio else None
    hist = history_changes(num, den, window, lag, before)
    cur = rows[in_period(rows[DATE], comparison.current)][cols].sum()
    base = rows[in_period(rows[DATE], comparison.baseline)][cols].sum() * comparison.scale
    now = cur[cols[0]] / cur[cols[1]] if ratio else cur[cols[0]]
    then = base[cols[0]] / base[cols[1]] if ratio else base[cols[0]]
    if not (now > 0 and then > 0):
        return True  # a segment that vanished or appeared is a real change
    centred = comparison.mode != "yoy" and comparison.lag_days is not None
    z, _ = significance(math.log(now / then), hist, centred)
    return z is None or abs(z) >= Z_SIGNIFICANT


def _concentration(found: Localisation) -> str | None:
    if found.spread:
        return "spread"
    if not found.causes:
        return None
    total = sum(c.gain for c in found.causes)
    return "single" if found.causes[0].gain >= SINGLE_SHARE * total else "spread"


def _additive_rows(leaves, cols, group, mask=None, segment=None) -> list[SegmentRow]:
    kpi = cols[0]
    total = leaves[f"{kpi}1"].sum() - leaves[f"{kpi}0"].sum()
    if mask is not None:
        sums = leaves.loc[mask, [f"{kpi}1", f"{kpi}0"]].sum().to_frame().T
        sums.index = [0]
        keys = [segment]
    else:
        sums = leaves.groupby(group, observed=True)[[f"{kpi}1", f"{kpi}0"]].sum()
        keys = [{group[0]: str(k)} for k in sums.index]
    out = []
    for key, (_, row) in zip(keys, sums.iterrows(), strict=True):
        cur, base = float(row[f"{kpi}1"]), float(row[f"{kpi}0"])
        change = cur - base
        out.append(
            SegmentRow(
                segment=key,
                baseline=base,
                current=cur,
                change=change,
                change_pct=change / base * 100 if base else None,
                contribution=change,
                share=change / total if total else None,
            )
        )
    out.sort(key=lambda r: -abs(r.contribution))
    return out


def _ratio_rows(leaves, cols, group, mask=None, segment=None) -> list[SegmentRow]:
    num, den = cols
    names = [f"{num}1", f"{den}1", f"{num}0", f"{den}0"]
    totals = leaves[names].sum()
    k1 = _value(totals[names[0]], totals[names[1]])
    k0 = _value(totals[names[2]], totals[names[3]])
    kbar = (k1 + k0) / 2
    delta = k1 - k0
    if mask is not None:
        sums = leaves.loc[mask, names].sum().to_frame().T
        keys = [segment]
    else:
        sums = leaves.groupby(group, observed=True)[names].sum()
        keys = [{group[0]: str(k)} for k in sums.index]
    out = []
    for key, (_, row) in zip(keys, sums.iterrows(), strict=True):
        s1 = _value(row[names[0]], row[names[1]])
        s0 = _value(row[names[2]], row[names[3]])
        s1 = k1 if math.isnan(s1) else s1
        s0 = k0 if math.isnan(s0) else s0
        w1 = row[names[1]] / totals[names[1]] if totals[names[1]] else 0.0
        w0 = row[names[3]] / totals[names[3]] if totals[names[3]] else 0.0
        mix = (w1 - w0) * ((s1 + s0) / 2 - kbar)
        rate = (w1 + w0) / 2 * (s1 - s0)
        out.append(
            SegmentRow(
                segment=key,
                baseline=s0,
                current=s1,
                change=s1 - s0,
                change_pct=(s1 / s0 - 1) * 100 if s0 else None,
                contribution=mix + rate,
                share=(mix + rate) / delta if delta else None,
                mix=mix,
                rate=rate,
            )
        )
    out.sort(key=lambda r: -abs(r.contribution))
    return out
