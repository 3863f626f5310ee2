"""What happened around the change: the team's action log and the calendar (kb.journal).

The journal is optional for the diagnosis: without kb.journal / kb.calendar (or with a broken
log) the tests that need them stay "untested" and the result says so; nothing else changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from kb.diagnosis.periods import Comparison
from kb.problems import Text

try:  # the action log and calendar arrive with the journal work; guard until then
    from kb import calendar as _calendar
    from kb import journal as _journal
except ImportError:  # pragma: no cover - exercised only on a tree without the journal
    _calendar = _journal = None

UNUSUAL_KINDS = ("holiday", "campaign", "workday")
SEARCH_WEEKS = 8  # how far back a like-for-like baseline is looked for


@dataclass
class Timeline:
    day: dt.date  # the reference date (the change's start)
    events: list | None = None  # near the change, best first; None: no journal available
    period_events: list | None = None  # holidays/campaigns in baseline or current (+ logged)
    warnings: list[Text] = field(default_factory=list)
    suggested_baseline: str | None = None  # "YYYY-MM-DD:YYYY-MM-DD"
    error: str = ""

    def to_json(self, lang: str = "zh") -> list[dict]:
        out = []
        for e in self.events or []:
            row = e.to_json()
            row["title_text"] = e.title.get(lang)
            out.append(row)
        return out


def available() -> bool:
    return _journal is not None and _calendar is not None


def _d(ts) -> dt.date:
    return pd.Timestamp(ts).date()


def _unusual(notes) -> list:
    return [e for e in notes.events if e.kind in UNUSUAL_KINDS] if notes else []


def _clean_baseline(ws, comparison: Comparison, first: dt.date) -> str | None:
    """The nearest earlier period of the same length with no holiday or campaign in it."""
    length = comparison.current.days
    end = _d(comparison.baseline.end)
    for _ in range(SEARCH_WEEKS):
        end -= dt.timedelta(days=7)
        start = end - dt.timedelta(days=length - 1)
        if start < first:
            return None
        notes = _calendar.period_notes(start, end, ws=ws)
        if not notes.holiday_days and not notes.makeup_workdays and not notes.campaigns:
            return f"{start}:{end}"
    return None


def build(ws, comparison: Comparison, day, segment: dict | None, first_date) -> Timeline:
    """Events near ``day`` in or above ``segment``, and the calendar of the compared periods."""
    day = _d(day)
    out = Timeline(day)
    if not available():
        return out
    try:
        out.events = _journal.events_near(ws, day, segment or None, before=7, after=2)
        b = _calendar.period_notes(
            _d(comparison.baseline.start), _d(comparison.baseline.end), ws=ws
        )
        c = _calendar.period_notes(_d(comparison.current.start), _d(comparison.current.end), ws=ws)
    except Exception as exc:  # noqa: BLE001 - a broken log must not stop a diagnosis
        out.events = None
        out.error = str(exc)
        return out
    logged = [
        e
        for e in out.events
        if e.source == "log" and e.kind == "campaign" and e.segment_match != "other"
    ]
    out.period_events = _unusual(b) + _unusual(c) + logged
    for name, notes in (("基线期", b), ("当前期", c)):
        if notes.unusual:
            en = "baseline" if name == "基线期" else "current period"
            s = notes.summary()
            out.warnings.append(
                Text(
                    f"{name}含节假日或大促: {s.zh}", f"The {en} holds holidays or campaigns: {s.en}"
                )
            )
    if c.unusual:  # the current period itself is special: compare with the same days a year ago
        out.suggested_baseline = "yoy"
    elif b.unusual:
        out.suggested_baseline = _clean_baseline(ws, comparison, _d(first_date))
        if out.suggested_baseline == "yoy":
            out.warnings.append(
                Text(
                    "当前期本身含节假日或大促: 建议改用同比 (--baseline yoy, 去年同期) 做同口径对比",
                    "The current period itself is special: compare with the same days a year "
                    "before (--baseline yoy)",
                )
            )
        elif out.suggested_baseline:
            out.warnings.append(
                Text(
                    f"可改用不含节假日和大促的基线 {out.suggested_baseline} 做同口径对比",
                    f"For a like-for-like comparison use the baseline {out.suggested_baseline} "
                    "(no holidays or campaigns)",
                )
            )
    return out
