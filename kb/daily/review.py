"""The morning review: one role's KPIs for a day, what moved and where, targets, events.

Each KPI is read four ways, as an operator reads it: against the same weekday last week (with
the diagnosis' robust significance, so ordinary noise is called flat), against its recent normal
range (the last eight same weekdays), against the same weekday a year ago, and against the day's
share of the month's target. The changes that matter are ranked (moved the bad way first, then
by how unusual the move is), each with the segment that explains it and the periods to open in
the diagnosis.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from kb.daily.config import DailyConfig, load_daily_config
from kb.daily.targets import Progress, progress
from kb.diagnosis.dimensions import load_vocabulary
from kb.diagnosis.drilldown import drilldown
from kb.diagnosis.engine import definition_notes
from kb.diagnosis.load import DATE, Table
from kb.diagnosis.movements import Movement, compute_movements, grid_totals
from kb.diagnosis.periods import Comparison, Period, in_period
from kb.problems import Text
from kb.sources import SourceError, err, open_source

HISTORY_DAYS = 400  # a year back plus the normal range before it
NORMAL_WEEKS = 8
GAP_DAYS = 14  # missing dates reported in this window before the day
TOP_CHANGES = 5
EVENT_DAYS = 7  # log and calendar entries this many days before the day are shown


class MissingDay(SourceError):
    """The day asked for has no rows: the brief must not be written from nothing."""


@dataclass
class KpiRow:
    movement: Movement
    normal_low: float | None
    normal_high: float | None
    last_year: float | None
    target: float | None = None  # the day's share of a sum target, or a level target

    @property
    def metric(self) -> str:
        return self.movement.metric

    @property
    def outside_normal(self) -> bool:
        v = self.movement.current
        return (self.normal_low is not None and v < self.normal_low) or (
            self.normal_high is not None and v > self.normal_high
        )

    def to_json(self) -> dict:
        mv = self.movement.to_json()
        return {
            **mv,
            "last_week": mv["baseline"],
            "normal_range": [_r(self.normal_low), _r(self.normal_high)],
            "outside_normal": self.outside_normal,
            "last_year": _r(self.last_year),
            "yoy_pct": _r(_pct(self.movement.current, self.last_year), 2),
            "day_target": _r(self.target),
            "bad": self.movement.bad,
        }


@dataclass
class Change:
    metric: str
    movement: Movement
    segment: dict[str, str]  # where the change sits ({} = everywhere / no dimension)
    share: float | None  # of the KPI change explained by the segment
    likely: Text | None = None
    check: Text | None = None
    problem: str | None = None

    def link(self, period: Period) -> dict[str, str]:
        """Query parameters that open the diagnosis on this change."""
        params = {"daily": "1", "kpi": self.metric, "current": period.label.replace("~", ":")}
        if self.segment:
            params["segment"] = ",".join(f"{k}:{v}" for k, v in self.segment.items())
        return params

    def to_json(self, lang: str, period: Period) -> dict:
        return {
            "metric": self.metric,
            "direction": self.movement.direction,
            "bad": self.movement.bad,
            "current": _r(self.movement.current),
            "last_week": _r(self.movement.baseline),
            "change_pct": _r(self.movement.change_pct, 2),
            "z": _r(self.movement.z, 2),
            "significant": self.movement.significant,
            "segment": dict(self.segment),
            "share": _r(self.share, 4),
            "likely": self.likely.get(lang) if self.likely else None,
            "check": self.check.get(lang) if self.check else None,
            "problem": self.problem,
            "diagnose": self.link(period),
        }


@dataclass
class Review:
    day: dt.date
    role: str
    source: str
    period: Period  # the reviewed window (the day, or the week ending on it)
    kpis: list[KpiRow]
    changes: list[Change]
    targets: list[Progress]
    events: list = field(default_factory=list)  # kb.journal.Event
    open_actions: list = field(default_factory=list)  # kb.journal.Entry with status: open
    notes: list[Text] = field(default_factory=list)
    table: Table | None = None  # the history read, for charts and the diagnosis link

    def to_json(self, lang: str = "zh") -> dict:
        return {
            "date": f"{self.day:%Y-%m-%d}",
            "role": self.role,
            "source": self.source,
            "kpis": [k.to_json() for k in self.kpis],
            "period": self.period.to_json(),
            "changes": [c.to_json(lang, self.period) for c in self.changes],
            "targets": [p.to_json() for p in self.targets],
            "events": [_event_json(e, lang) for e in self.events],
            "open_actions": [_action_json(d) for d in self.open_actions],
            "notes": [n.get(lang) for n in self.notes],
        }


def _r(x, d: int = 6):
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(float(x), d)


def _pct(current, base):
    if base is None or not base or not math.isfinite(base):
        return None
    return (current / base - 1) * 100


def load_history(ws, cfg: DailyConfig, day: dt.date | None) -> tuple[Table, dt.date, list[Text]]:
    """The source's aggregated rows for the year before ``day`` (default: today), as a Table,
    and the day the review is about."""
    vocab = load_vocabulary(ws.config.data_file("dimensions.yaml"))
    source = open_source(cfg.source, ws.config.root, ws.metrics, vocab)
    until = day or dt.date.today()
    frame = source.fetch(until - dt.timedelta(days=HISTORY_DAYS), until)
    notes = [Text(zh, en) for zh, en in getattr(source, "notes", [])]
    where = source.describe()
    if frame.empty:
        raise err(
            f"{where}: {until - dt.timedelta(days=HISTORY_DAYS)} ~ {until} 没有数据",
            f"{where}: no rows between {until - dt.timedelta(days=HISTORY_DAYS)} and {until}",
        )
    latest = frame[DATE].max().date()
    if day is None:
        day = until - dt.timedelta(days=1) if cfg.expect == "yesterday" else latest
    if not (frame[DATE] == pd.Timestamp(day)).any():
        raise MissingDay(
            Text(
                f"{where}: {day} 没有数据 (最新一天是 {latest}); 导出或同步还没到? 不生成空的简报",
                f"{where}: no data for {day} (the latest day is {latest}); has the export or "
                "sync not arrived yet? No brief is written from nothing",
            )
        )
    dims = [c for c in frame.columns if c != DATE and not pd.api.types.is_numeric_dtype(frame[c])]
    measures = [c for c in frame.columns if c != DATE and c not in dims]
    for d in dims:
        frame[d] = pd.Categorical(frame[d])
    table = Table(
        frame=frame[frame[DATE] <= pd.Timestamp(day)].reset_index(drop=True),
        dimensions=dims,
        measures=measures,
        custom=[m for m in measures if m not in ws.metrics],
        freq_days=1,
        source=where,
    )
    return table, day, notes + _gaps(table, day)


def _gaps(table: Table, day: dt.date) -> list[Text]:
    want = pd.date_range(pd.Timestamp(day) - pd.Timedelta(days=GAP_DAYS), pd.Timestamp(day))
    have = set(table.frame[DATE].unique())
    missing = [d for d in want if d not in have and d >= table.frame[DATE].min()]
    if not missing:
        return []
    days = ", ".join(f"{d:%m-%d}" for d in missing)
    return [
        Text(
            f"最近 {GAP_DAYS} 天缺少日期: {days}; 这些天不参与对比 (导出漏了?)",
            f"missing dates in the last {GAP_DAYS} days: {days}; they are left out of the "
            "comparisons (a missed export?)",
        )
    ]


def review(
    ws, day: dt.date | None = None, role: str | None = None, lang: str = "zh", span: int = 1
) -> Review:
    """The morning review for one role (default: the first configured role) of the ``span``
    days ending on ``day``: 1 = yesterday against the same weekday last week, 7 = the last
    week against the week before."""
    cfg = load_daily_config(ws)
    role = role or next(iter(cfg.roles))
    if role not in cfg.roles:
        raise err(
            f"未知角色 {role!r}; 可选: {', '.join(cfg.roles)}",
            f"unknown role {role!r}; choose one of {', '.join(cfg.roles)}",
        )
    table, day, notes = load_history(ws, cfg, day)
    # ratios as this file can compute them (客单价 ÷ 订单数 without 买家数), and say so
    metrics, fallbacks = ws.metrics.bind(table.measures)
    notes.extend(definition_notes(ws.metrics, fallbacks))
    day_ts = pd.Timestamp(day)
    current = Period(day_ts - pd.Timedelta(days=span - 1), day_ts)
    comparison = Comparison(current, current.shift(7), "previous", 7)
    if not in_period(table.frame[DATE], comparison.baseline).any():
        notes.append(
            Text(
                f"上周同日 {comparison.baseline.label} 没有数据, 环比记为空",
                f"no data for the same weekday last week ({comparison.baseline.label})",
            )
        )
    moves = compute_movements(table, metrics, comparison)
    grid = grid_totals(table).fillna(0.0)
    targets = [p for t in cfg.targets if (p := progress(t, day, grid, metrics, span)) is not None]
    day_targets = {
        p.target.metric: p.day_target if p.kind == "sum" else p.target.value for p in targets
    }
    wanted = [m for m in cfg.roles[role] if m in moves]
    if not wanted:
        notes.append(
            Text(
                f"数据源没有 {role} 角色的任何指标 ({', '.join(cfg.roles[role])})",
                f"the source has none of the {role} role's metrics ({', '.join(cfg.roles[role])})",
            )
        )
    rows = [_kpi_row(moves[m], grid, metrics, day_ts, span, day_targets.get(m)) for m in wanted]
    changes = _changes(ws, table, comparison, rows, lang)
    events, actions = _events(ws, day, notes)
    return Review(
        day=day,
        role=role,
        source=table.source,
        period=current,
        kpis=rows,
        changes=changes,
        targets=[p for p in targets if p.target.metric in wanted]
        + [p for p in targets if p.target.metric not in wanted],
        events=events,
        open_actions=actions,
        notes=notes,
        table=table,
    )


def _series(grid: pd.DataFrame, metrics, name: str, span: int) -> pd.Series:
    """The metric over every ``span``-day window, indexed by the window's last day (ratios are
    recomputed from the window's sums)."""
    full = grid.reindex(pd.date_range(grid.index.min(), grid.index.max()))
    sums = full.rolling(span, min_periods=span).sum() if span > 1 else full
    m = metrics.metrics.get(name)
    if m is not None and m.is_ratio:
        den = sums[m.denominator].where(sums[m.denominator] != 0)
        return sums[m.numerator] / den
    return sums[name]


def _kpi_row(mv: Movement, grid, metrics, day: pd.Timestamp, span: int, target) -> KpiRow:
    values = _series(grid, metrics, mv.metric, span)
    same_weekday = [day - pd.Timedelta(weeks=k) for k in range(1, NORMAL_WEEKS + 1)]
    past = values.reindex(same_weekday).dropna()
    low, high = (float(past.min()), float(past.max())) if len(past) >= 3 else (None, None)
    year_ago = day - pd.Timedelta(days=364)  # same weekday a year ago
    last_year = values.get(year_ago)
    last_year = float(last_year) if last_year is not None and pd.notna(last_year) else None
    return KpiRow(mv, low, high, last_year, target)


def _changes(ws, table: Table, comparison: Comparison, rows: list[KpiRow], lang: str):
    """KPIs that moved beyond noise, bad ones first, each with its segment and a likely cause."""
    moved = [r.movement for r in rows if r.movement.direction != "flat"]
    moved.sort(key=lambda m: (not m.bad, -abs(m.z or 0), -abs(m.change_pct or 0)))
    out = []
    for mv in moved[:TOP_CHANGES]:
        segment, share = {}, None
        if table.dimensions:
            drill = drilldown(table, ws.metrics, comparison, mv.metric)
            causes = [r for r in drill.rows if r.root_cause]
            if causes:
                segment, share = dict(causes[0].segment), causes[0].share
        change = Change(mv.metric, mv, segment, share)
        if mv.bad:
            _likely(ws, table, comparison, change, lang)
        out.append(change)
    return out


def _likely(ws, table: Table, comparison: Comparison, change: Change, lang: str) -> None:
    """The diagnosis' best hypothesis for a bad change (its texts carry both languages, so
    one run serves the page and the brief in either)."""
    from kb.diagnosis.engine import diagnose

    try:
        result = diagnose(
            table,
            ws,
            kpi=change.metric,
            current=comparison.current,
            baseline=comparison.baseline,
            lang=lang,
        )
    except Exception:  # noqa: BLE001 - a review without a likely cause is still a review
        return
    hyps = [h for h in result.hypotheses if h.verdict != "contradicted"]
    if hyps:
        change.likely, change.check, change.problem = hyps[0].text, hyps[0].check, hyps[0].problem


def _events(ws, day: dt.date, notes: list[Text]):
    """The day's log entries and calendar (kb.journal), and the open actions."""
    try:
        from kb import journal
    except ImportError:  # the action log is optional for the review
        return [], []
    try:
        events = journal.events_near(ws, day, None, before=EVENT_DAYS, after=0)
        actions = journal.open_actions(ws)
    except Exception as exc:  # noqa: BLE001 - a broken log entry must not stop the review
        notes.append(Text(f"运营日志读取失败: {exc}", f"the action log could not be read: {exc}"))
        return [], []
    return events, actions


def _event_json(event, lang: str) -> dict:
    title = event.title.get(lang) if hasattr(event.title, "get") else str(event.title)
    return {
        "id": event.id,
        "day": str(event.day),
        "days_from": event.days_from,
        "kind": event.kind,
        "title": title,
        "source": event.source,
        "segment": dict(event.segment or {}),
    }


def _action_json(entry) -> dict:
    return {
        "id": entry.id,
        "title": entry.title,
        "owner": entry.owner or None,
        "date": f"{entry.date:%Y-%m-%d}",
        "segment": dict(entry.segment),
    }
