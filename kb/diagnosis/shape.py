"""The shape of a change: a step (断崖, from one day on), a slide (缓坡), a spike, or a jump.

Why it matters: a step starting on a date points to an event on that date (a release, a budget
change, a penalty, a tracking change); a slide points to slow causes (creative fatigue, a
competitor, the season). The test is plain least squares on the KPI per day (weekday pattern
removed when there is enough history), over the comparison window and a little before it:
- step: one level before a day, another after; the two-level fit leaves clearly less error than
  the best "flat, then a straight line" (hinge) fit;
- slide: the hinge fits at least as well as two levels (it starts where the line bends);
- spike: a few days far off the usual level, then back;
- jump: the change sits in the last point only (weekly data, one week changed): a step and a
  spike cannot be told apart yet;
- none: nothing beyond the usual noise; unclear: a change the three shapes do not describe.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kb.diagnosis.periods import Comparison
from kb.problems import Text

STEP_ADVANTAGE = 0.6  # the two-level fit must leave < 60 % of the hinge's squared error
MIN_EFFECT = 0.05  # a level change under 5 % is not a shape worth naming
NOISE_Z = 3.0

WORDS = {
    "step": Text("断崖式变化", "a step change"),
    "slide": Text("缓坡式变化 (逐日渐变)", "a gradual slide"),
    "spike": Text("短暂尖峰, 随后回落", "a short spike that went back"),
    "jump": Text(
        "最后一期突变 (还分不清断崖还是尖峰)",
        "a jump in the last point (step or spike: too early to tell)",
    ),
    "none": Text("没有超出日常波动", "nothing beyond the usual noise"),
    "unclear": Text("形态不明显", "no clear shape"),
}


@dataclass
class Shape:
    kind: str  # step | slide | spike | jump | none | unclear
    start: pd.Timestamp | None = None
    change_pct: float | None = None  # level after vs before, in %
    metric: str = ""
    segment: dict[str, str] | None = None

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "start": None if self.start is None else f"{self.start:%Y-%m-%d}",
            "change_pct": None if self.change_pct is None else round(self.change_pct, 2),
            "metric": self.metric,
            "segment": dict(self.segment or {}),
        }

    def sentence(self) -> Text:
        """The shape in words, e.g. '断崖式变化, 从 2026-03-09 开始 (−55 %)'."""
        w = WORDS.get(self.kind, WORDS["unclear"])
        if self.start is None or self.kind in ("none", "unclear"):
            return w
        pct = "" if self.change_pct is None else f" ({self.change_pct:+.0f} %)".replace("-", "−")
        return Text(
            f"{w.zh}, 从 {self.start:%Y-%m-%d} 开始{pct}",
            f"{w.en} starting {self.start:%Y-%m-%d}{pct}",
        )


def _deseasonalise(values: pd.Series, before: pd.Timestamp, freq_days: int) -> pd.Series:
    """Divide by the weekday pattern learnt before ``before`` (daily data, >= 4 weeks)."""
    hist = values[values.index < before].dropna()
    if freq_days != 1 or len(hist) < 28:
        return values
    hist = hist.iloc[-56:]
    level = hist.mean()
    if not level:
        return values
    factor = hist.groupby(hist.index.day_of_week).mean() / level
    f = values.index.day_of_week.map(factor).to_numpy(dtype=float)
    f = np.where(np.isfinite(f) & (f > 0), f, 1.0)
    return values / f


def _sse(y: np.ndarray) -> float:
    return float(((y - y.mean()) ** 2).sum()) if len(y) else 0.0


def detect(values: pd.Series, comparison: Comparison, freq_days: int = 1) -> Shape:
    """The shape of ``values`` (indexed by date) around the current period."""
    values = values.sort_index().astype(float)
    values = values[values.index <= comparison.current.end]
    y_all = _deseasonalise(values, comparison.baseline.start, freq_days)
    n_cur = max(1, int((y_all.index >= comparison.current.start).sum()))
    start = min(comparison.baseline.start, comparison.current.start)
    # the comparison window plus as many points again before it, for the "before" level
    window = y_all[y_all.index >= start]
    lead = y_all[y_all.index < start].iloc[-max(len(window), 4) :]
    w = pd.concat([lead, window]).dropna()
    if len(w) < 5:
        return Shape("unclear")
    y = w.to_numpy()
    dates = w.index
    n = len(y)
    # the usual level and noise: from the points before the compared periods (lead), so a
    # slide under way in the baseline does not hide itself
    ref = y[: len(lead)] if len(lead) >= 4 else y[: n - n_cur]
    level = float(np.median(ref)) if len(ref) else float(y.mean())
    if level <= 0:
        return Shape("unclear")
    diffs = np.diff(ref)
    noise = (
        1.4826 * float(np.median(np.abs(diffs - np.median(diffs)))) / np.sqrt(2)
        if len(diffs) > 2
        else 0.0
    )
    noise = max(noise, 0.01 * level)
    recent = y[n - n_cur :]
    effect = (float(recent.mean()) - level) / level
    far = np.abs(y - level) > NOISE_Z * noise
    if abs(effect) < MIN_EFFECT and not far[n - n_cur :].any():
        return Shape("none", change_pct=effect * 100)
    # spike: a short run of far-off points that came back before the end
    big = np.abs(y - level) > max(NOISE_Z * noise, 2 * MIN_EFFECT * level)
    big[: len(lead)] = False
    if big.any() and not big[-2:].any():
        idx = np.flatnonzero(big)
        if len(idx) <= max(2, n // 8) and idx[-1] - idx[0] <= 3:
            peak = float(y[idx].mean())
            return Shape("spike", dates[idx[0]], float(peak - level) / level * 100)
    if n_cur == 1 and far[-1]:
        return Shape("jump", dates[-1], float(y[-1] - level) / level * 100)
    step_k, step = _best(y, _step_sse)
    hinge_k, hinge = _best(y, _hinge_sse)
    if step_k is None or _sse(y) <= 0:
        return Shape("unclear")
    before, after = y[:step_k].mean(), y[step_k:].mean()
    pct = float((after - before) / before * 100) if before else None
    if step < STEP_ADVANTAGE * hinge and abs(after - before) > NOISE_Z * noise:
        return Shape("step", dates[step_k], pct)
    if hinge <= step and hinge < 0.5 * _sse(y):
        return Shape("slide", dates[hinge_k], float(effect) * 100)
    return Shape("unclear", change_pct=effect * 100)


def _step_sse(y: np.ndarray, k: int) -> float:
    """Two levels: before k and from k on."""
    return _sse(y[:k]) + _sse(y[k:])


def _hinge_sse(y: np.ndarray, k: int) -> float:
    """Flat until k, then a straight line (a slide that starts at k)."""
    t = np.arange(len(y), dtype=float)
    x = np.column_stack([np.ones(len(y)), np.maximum(0.0, t - k)])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    return float(((y - x @ coef) ** 2).sum())


def _best(y: np.ndarray, sse) -> tuple[int | None, float]:
    best_k, best = None, float("inf")
    for k in range(2, len(y) - 1):
        v = sse(y, k)
        if v < best:
            best_k, best = k, v
    return best_k, best


def kpi_series(table, metrics, kpi: str, segment: dict[str, str] | None = None) -> pd.Series:
    """The KPI per date, over the whole file or one segment (a ratio recomputed per date)."""
    from kb.diagnosis.movements import grid_totals

    frame = table.frame
    if segment:
        mask = pd.Series(True, index=frame.index)
        for dim, value in segment.items():
            mask &= frame[dim] == value
        frame = frame[mask]
    if frame.empty:
        return pd.Series(dtype=float)
    from dataclasses import replace

    grid = grid_totals(replace(table, frame=frame))
    m = metrics.metrics.get(kpi)
    if m is not None and m.is_ratio and m.numerator in grid and m.denominator in grid:
        den = grid[m.denominator].where(grid[m.denominator] != 0)
        return grid[m.numerator] / den
    if kpi in grid:
        return grid[kpi]
    return pd.Series(dtype=float)


def shape_of(table, metrics, comparison: Comparison, kpi: str, segment=None) -> Shape:
    """The shape of the KPI's change, inside the root-cause segment when there is one."""
    series = kpi_series(table, metrics, kpi, segment)
    if series.dropna().empty:
        return Shape("unclear", metric=kpi, segment=segment)
    out = detect(series, comparison, table.freq_days)
    out.metric, out.segment = kpi, dict(segment or {})
    return out
