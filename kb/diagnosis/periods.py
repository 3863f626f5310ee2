"""Which dates are compared: current period vs a baseline (环比, 同比, or explicit ranges).

Daily numbers swing with the day of the week, so a baseline is chosen to contain the same
weekdays as the current period: a 7-day window is compared with the 7 days before it, but a
single Monday is compared with the Monday before, not with Sunday.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from kb.diagnosis.load import DiagnosisInputError

_RANGE = re.compile(r"^\s*(\S+?)\s*(?::|~|\.\.|至|到)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Period:
    start: pd.Timestamp
    end: pd.Timestamp  # inclusive

    @property
    def days(self) -> int:
        return int((self.end - self.start).days) + 1

    @property
    def label(self) -> str:
        if self.start == self.end:
            return f"{self.start:%Y-%m-%d}"
        return f"{self.start:%Y-%m-%d}~{self.end:%Y-%m-%d}"

    def to_json(self) -> dict:
        return {"start": f"{self.start:%Y-%m-%d}", "end": f"{self.end:%Y-%m-%d}", "days": self.days}

    def shift(self, days: int) -> Period:
        delta = pd.Timedelta(days=days)
        return Period(self.start - delta, self.end - delta)


@dataclass(frozen=True)
class Comparison:
    """The two periods and how they relate; `lag_days` is how far back the baseline is."""

    current: Period
    baseline: Period
    mode: str  # previous | yoy | range
    lag_days: int | None  # None when the baseline is an explicit range of another length
    note: str = ""

    @property
    def scale(self) -> float:
        """Factor applied to baseline sums so that periods of unequal length compare."""
        return self.current.days / self.baseline.days

    def to_json(self) -> dict:
        return {
            "current": self.current.to_json(),
            "baseline": self.baseline.to_json(),
            "mode": self.mode,
            "note": self.note,
        }


def _date(text: str, what: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(text.replace("/", "-")).normalize()
    except (ValueError, TypeError):
        raise DiagnosisInputError(
            f"{what}: 无法识别的日期 {text!r}; 请写成 YYYY-MM-DD",
            f"{what}: unparseable date {text!r}; write YYYY-MM-DD",
        ) from None


def parse_range(text: str, what: str = "--current") -> Period:
    """'2026-03-08:2026-03-14' (also ~, .., 至) or one date -> Period."""
    match = _RANGE.match(text)
    start, end = (match.group(1), match.group(2)) if match else (text.strip(), text.strip())
    period = Period(_date(start, what), _date(end, what))
    if period.end < period.start:
        raise DiagnosisInputError(
            f"{what}: 结束日期早于开始日期 ({text})", f"{what}: end before start ({text})"
        )
    return period


def _as_period(value, what: str) -> Period | None:
    if value is None or isinstance(value, Period):
        return value
    if isinstance(value, tuple):
        return Period(_date(str(value[0]), what), _date(str(value[1]), what))
    return parse_range(str(value), what)


def default_current(dates: pd.DatetimeIndex, freq_days: int) -> Period:
    """Last 7 days (last week for weekly data); half the data when there is less than two weeks;
    the last date when the file is a two-date snapshot."""
    last = dates[-1]
    if freq_days == 7:
        return Period(last, last + pd.Timedelta(days=6))
    if len(dates) <= 2:
        return Period(last, last)
    span = int((last - dates[0]).days) + 1
    days = 7 if span >= 14 else max(1, span // 2)
    return Period(last - pd.Timedelta(days=days - 1), last)


def choose(
    dates: pd.DatetimeIndex, freq_days: int = 1, current=None, baseline="previous"
) -> Comparison:
    """Resolve the current period and the baseline; refuse periods without data."""
    cur = _as_period(current, "--current") or default_current(dates, freq_days)
    if freq_days == 7 and cur.days % 7:  # weekly rows: whole weeks only
        weeks = math.ceil(cur.days / 7)
        cur = Period(cur.start, cur.start + pd.Timedelta(days=7 * weeks - 1))
    mode = str(baseline or "previous").strip().lower() if not isinstance(baseline, Period) else ""
    note = ""
    if mode in ("previous", "prev", "环比", "mom", "wow"):
        mode = "previous"
        if len(dates) == 2 and current is None:
            base = Period(dates[0], dates[0] + pd.Timedelta(days=cur.days - 1))
            lag = int((cur.start - base.start).days)
            note = "只有两个日期: 前后对比, 没有历史可判断显著性 (two-date snapshot)"
        else:
            lag = cur.days
            if freq_days == 1 and cur.days % 7:
                aligned = 7 * math.ceil(cur.days / 7)
                if cur.shift(aligned).start >= dates[0]:
                    lag = aligned
                    note = (
                        f"按星期对齐: 基线取 {lag} 天前的同星期 (weekday-aligned, {lag} days back)"
                    )
                else:
                    note = "数据不足以按星期对齐, 基线取紧邻的前一段 (too little data to align weekdays)"
            base = cur.shift(lag)
    elif mode in ("yoy", "同比", "year"):
        mode = "yoy"
        start = cur.start - pd.DateOffset(years=1)
        base = Period(start, start + pd.Timedelta(days=cur.days - 1))
        lag = int((cur.start - base.start).days)
        note = "同比: 去年同日期 (same dates last year)"
    else:
        base = _as_period(baseline, "--baseline")
        mode = "range"
        lag = int((cur.start - base.start).days) if base.days == cur.days else None
        if base.days != cur.days:
            note = (
                f"两个时期天数不同 ({cur.days} vs {base.days}): 基线按天数折算 "
                f"(baseline scaled by days)"
            )
    notes = [note] if note else []
    for period, what in ((cur, "当前期"), (base, "基线期")):
        _require_rows(
            dates,
            freq_days,
            period,
            (what, "current period" if what == "当前期" else "baseline period"),
        )
        have = int(((dates >= period.start) & (dates <= period.end)).sum())
        expected = math.ceil(period.days / freq_days)
        if have < expected:
            notes.append(
                f"{what} {period.label} 只有 {have}/{expected} 个日期有数据, 比较可能偏低 "
                f"(only {have} of {expected} dates have rows)"
            )
    return Comparison(cur, base, mode, lag, "; ".join(notes))


def in_period(dates: pd.Series, period: Period):
    """Boolean mask of rows whose date falls in the period."""
    return (dates >= period.start) & (dates <= period.end)


def _require_rows(
    dates: pd.DatetimeIndex, freq_days: int, period: Period, what: tuple[str, str]
) -> None:
    inside = (dates >= period.start) & (dates <= period.end)
    if not inside.any():
        raise DiagnosisInputError(
            f"{what[0]} {period.label} 没有数据行; 文件覆盖 "
            f"{dates[0]:%Y-%m-%d}~{dates[-1]:%Y-%m-%d}",
            f"{what[1]}: no rows in {period.label}; the file covers "
            f"{dates[0]:%Y-%m-%d}~{dates[-1]:%Y-%m-%d}",
        )
