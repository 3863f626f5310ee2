"""How every metric moved between the two periods, and whether that is beyond normal variation.

Measures are summed; ratios (转化率, 客单价 …) are recomputed from the summed numerator and
denominator, never averaged. Significance is a robust z-score of the observed log change
against the metric's own history of changes over the same window length and lag (median and
MAD of period-over-period changes), so ordinary weekly noise is called "flat", not "down".
A file without enough history (e.g. a two-date snapshot) gets significance None (unknown) and
a plain ±5 % rule for the direction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kb.diagnosis.load import DATE, Table
from kb.diagnosis.periods import Comparison, Period, in_period
from kb.metrics import MetricTree

Z_SIGNIFICANT = 3.0  # robust z beyond which a change is not noise
MIN_EFFECT = 0.01  # changes under 1 % are flat even when the history is very calm
SNAPSHOT_EFFECT = 0.05  # without history, ±5 % counts as a movement
MIN_HISTORY = 5  # history samples needed to judge significance
SCALE_FLOOR = 0.005  # lower bound of the noise scale (log units), against zero MAD


@dataclass
class Movement:
    metric: str
    label: str
    kind: str  # measure | ratio | custom
    unit: str
    better: str
    current: float
    baseline: float
    change: float
    change_pct: float | None
    z: float | None
    significant: bool | None
    direction: str  # up | down | flat
    history: int = 0  # number of past changes the significance is based on
    target: float | None = None
    target_gap_pct: float | None = None

    @property
    def bad(self) -> bool:
        """A significant (or, without history, visible) move against the metric's good way."""
        return self.direction != "flat" and self.direction != self.better

    def to_json(self) -> dict:
        out = {
            "metric": self.metric,
            "label": self.label,
            "kind": self.kind,
            "unit": self.unit,
            "current": _num(self.current),
            "baseline": _num(self.baseline),
            "change": _num(self.change),
            "change_pct": _num(self.change_pct),
            "z": _num(self.z, 2),
            "significant": self.significant,
            "direction": self.direction,
            "history": self.history,
        }
        if self.target is not None:
            out["target"] = _num(self.target)
            out["target_gap_pct"] = _num(self.target_gap_pct)
        return out


def _num(value, digits: int = 6):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), digits)


def available_ratios(metrics: MetricTree, measures) -> list[str]:
    """Ratios the file can compute, one per definition: when 客单价 falls back to ÷ 订单数 it
    equals 笔单价, and the first (the one problem signatures name) is kept."""
    have = set(measures)
    seen: set[tuple] = set()
    out = []
    for m in metrics.ratios():
        key = (m.numerator, m.denominator, m.scale)
        if m.numerator in have and m.denominator in have and key not in seen:
            seen.add(key)
            out.append(m.name)
    return out


def grid_totals(table: Table) -> pd.DataFrame:
    """Totals per date on a regular grid (daily or weekly); dates without rows are NaN."""
    sums = table.frame.groupby(DATE, sort=True)[table.measures].sum()
    step = f"{table.freq_days}D"
    grid = pd.date_range(sums.index[0], sums.index[-1], freq=step)
    return sums.reindex(grid)


def period_sums(table: Table, period: Period) -> pd.Series:
    frame = table.frame
    return frame.loc[in_period(frame[DATE], period), table.measures].sum()


def history_changes(num: pd.Series, den: pd.Series | None, window: int, lag: int, before: int):
    """Log changes of the window value at lag, for windows that end before the current one."""
    s_num = num.rolling(window, min_periods=window).sum().to_numpy()
    value = s_num
    if den is not None:
        s_den = den.rolling(window, min_periods=window).sum().to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            value = s_num / s_den
    ends = np.arange(lag + window - 1, min(before, len(value)))
    if len(ends) == 0:
        return np.array([])
    with np.errstate(divide="ignore", invalid="ignore"):
        changes = np.log(value[ends] / value[ends - lag])
    return changes[np.isfinite(changes)]


def significance(observed: float, history: np.ndarray, centred: bool):
    if len(history) < MIN_HISTORY or not math.isfinite(observed):
        return None, None
    centre = float(np.median(history)) if centred else 0.0
    mad = float(np.median(np.abs(history - np.median(history))))
    scale = max(1.4826 * mad, SCALE_FLOOR)
    z = (observed - centre) / scale
    return z, bool(abs(z) >= Z_SIGNIFICANT and abs(observed) >= MIN_EFFECT)


def compute_movements(
    table: Table,
    metrics: MetricTree,
    comparison: Comparison,
    targets: dict | None = None,
    include=(),
) -> dict[str, Movement]:
    """Movement of every measure in the file and every ratio the tree can build from them
    (one per definition), plus the ratios in ``include`` (the KPI asked for, e.g. 笔单价)."""
    targets = targets or {}
    metrics = metrics.bind(table.measures)[0]  # ratios as this file can compute them
    cur = period_sums(table, comparison.current)
    base = period_sums(table, comparison.baseline) * comparison.scale
    grid = grid_totals(table)
    step = table.freq_days
    window = max(1, round(comparison.current.days / step))
    if comparison.mode == "yoy" or comparison.lag_days is None:
        lag_days, centred = 7 * math.ceil(comparison.current.days / 7), False
    else:
        lag_days, centred = comparison.lag_days, True
    lag = max(1, round(lag_days / step))
    before = int(grid.index.searchsorted(comparison.current.start))
    out: dict[str, Movement] = {}
    for name in table.measures:
        hist = history_changes(grid[name], None, window, lag, before)
        m = metrics.metrics.get(name)
        kind = "custom" if name in table.custom else "measure"
        out[name] = _movement(name, m, kind, cur[name], base[name], hist, centred)
    have = set(table.measures)
    wanted = [
        n
        for n in include
        if n in metrics.metrics
        and metrics[n].is_ratio
        and {metrics[n].numerator, metrics[n].denominator} <= have
    ]
    for name in dict.fromkeys([*available_ratios(metrics, table.measures), *wanted]):
        m = metrics[name]
        c = _ratio(cur[m.numerator], cur[m.denominator]) * m.scale
        b = _ratio(base[m.numerator], base[m.denominator]) * m.scale
        hist = history_changes(grid[m.numerator], grid[m.denominator], window, lag, before)
        out[name] = _movement(name, m, "ratio", c, b, hist, centred)
    for name, value in targets.items():
        if name in out:
            mv = out[name]
            mv.target = float(value)
            mv.target_gap_pct = (mv.current / mv.target - 1) * 100 if mv.target else None
    return out


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")


def _movement(name, metric, kind, current, baseline, history, centred) -> Movement:
    current, baseline = float(current), float(baseline)
    change = current - baseline
    pct = change / baseline * 100 if baseline and math.isfinite(baseline) else None
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = math.log(current / baseline) if current > 0 and baseline > 0 else math.nan
    z, significant = significance(observed, history, centred)
    if significant is None:
        moved = pct is None and change != 0 or pct is not None and abs(pct) >= SNAPSHOT_EFFECT * 100
        direction = ("up" if change > 0 else "down") if moved and math.isfinite(change) else "flat"
    else:
        direction = ("up" if observed > 0 else "down") if significant else "flat"
    return Movement(
        metric=name,
        label=metric.zh if metric else name,
        kind=kind,
        unit=metric.unit if metric else "",
        better=metric.better if metric else "up",
        current=current,
        baseline=baseline,
        change=change,
        change_pct=pct,
        z=z,
        significant=significant,
        direction=direction,
        history=len(history),
    )
