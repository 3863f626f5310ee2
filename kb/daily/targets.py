"""A month's (or week's) target spread over its days, and progress against time elapsed.

A shop sells more on some weekdays than others, so "70 % of the month gone" is measured in the
month's expected sales, not in calendar days: each day weighs what that weekday sold on average
over the eight weeks before the period (``split: weekday``), or the same (``split: even``).
Ratios (转化率, ROI …) have a level, not a sum: their target is compared as a level.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kb.daily.config import Target

SHAPE_WEEKS = 8


@dataclass
class Progress:
    target: Target
    kind: str  # sum | level
    actual: float  # sum to date, or the level so far
    done_pct: float | None  # actual / target
    time_pct: float  # share of the period's weight elapsed, up to and including the day
    expected: float  # where a sum should be by now; the target itself for a level
    day_target: float | None  # the reviewed window's share of a sum target
    remaining_days: int
    needed_per_day: float | None  # average still needed per remaining day (sums)
    shape: str  # weekday | even (what was actually used)

    @property
    def on_track(self) -> bool:
        if self.done_pct is None:
            return False
        return self.done_pct >= self.time_pct * 100 - 1e-9

    def to_json(self) -> dict:
        r = _round
        return {
            "metric": self.target.metric,
            "period": self.target.label,
            "target": r(self.target.value),
            "kind": self.kind,
            "actual": r(self.actual),
            "done_pct": r(self.done_pct, 2),
            "time_pct": r(self.time_pct * 100, 2),
            "expected": r(self.expected),
            "day_target": r(self.day_target),
            "remaining_days": self.remaining_days,
            "needed_per_day": r(self.needed_per_day),
            "on_track": self.on_track,
            "shape": self.shape,
        }


def _round(x, d: int = 4):
    if x is None or not np.isfinite(x):
        return None
    return round(float(x), d)


def day_weights(target: Target, daily: pd.Series) -> tuple[pd.Series, str]:
    """Weight of each day of the target's period (sums to 1) and the shape used.

    ``daily`` is the metric's total per date (DatetimeIndex)."""
    days = pd.date_range(target.start, target.end, freq="D")
    if target.split == "weekday":
        start = pd.Timestamp(target.start)
        past = daily[
            (daily.index < start) & (daily.index >= start - pd.Timedelta(weeks=SHAPE_WEEKS))
        ]
        by_weekday = past.groupby(past.index.day_of_week).mean()
        if len(past) >= 14 and len(by_weekday) == 7 and (by_weekday > 0).all():
            w = pd.Series(by_weekday.reindex(days.day_of_week).to_numpy(), index=days)
            return w / w.sum(), "weekday"
    return pd.Series(1.0 / len(days), index=days), "even"


def progress(
    target: Target, day: dt.date, grid: pd.DataFrame, metrics, span: int = 1
) -> Progress | None:
    """Progress of one target on ``day`` from the per-date totals ``grid``; None when the day
    is outside the target's period or the data cannot give the metric. ``span`` days ending on
    ``day`` make up the reviewed window (1: yesterday, 7: the last week): ``day_target`` is the
    target's share for that window."""
    if not target.start <= day <= target.end:
        return None
    m = metrics.metrics.get(target.metric)
    day_ts = pd.Timestamp(day)
    in_period = (grid.index >= pd.Timestamp(target.start)) & (grid.index <= day_ts)
    remaining = (target.end - day).days
    if m is not None and m.is_ratio:
        if m.numerator not in grid or m.denominator not in grid:
            return None
        num, den = grid.loc[in_period, m.numerator].sum(), grid.loc[in_period, m.denominator].sum()
        level = float(num / den) if den else float("nan")
        elapsed = ((day - target.start).days + 1) / target.days
        return Progress(
            target=target,
            kind="level",
            actual=level,
            done_pct=level / target.value * 100 if target.value else None,
            time_pct=elapsed,
            expected=target.value,
            day_target=None,
            remaining_days=remaining,
            needed_per_day=None,
            shape="even",
        )
    if target.metric not in grid:
        return None
    daily = grid[target.metric].fillna(0.0)
    weights, shape = day_weights(target, daily)
    elapsed = float(weights[weights.index <= day_ts].sum())
    actual = float(daily[in_period].sum())
    return Progress(
        target=target,
        kind="sum",
        actual=actual,
        done_pct=actual / target.value * 100 if target.value else None,
        time_pct=elapsed,
        expected=target.value * elapsed,
        day_target=float(
            target.value
            * weights[
                (weights.index > day_ts - pd.Timedelta(days=span)) & (weights.index <= day_ts)
            ].sum()
        ),
        remaining_days=remaining,
        needed_per_day=(target.value - actual) / remaining if remaining else None,
        shape=shape,
    )
