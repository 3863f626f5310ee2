"""The calendar: Chinese public holidays, make-up workdays and the e-commerce calendar.

Public holidays come from maintained packages, not a hand-typed list: ``chinese-calendar``
(the State Council's arrangement, days off and 调休 make-up workdays) where it knows the year,
else ``holidays`` (CN: statutory days off, make-up workdays only where it lists them), else
weekends only. An official arrangement the packages do not have yet can be typed into
``data/calendar.yaml`` (``public_holidays:``) and wins. Every result says which source it used
(``notes``), so a diagnosis never silently treats an unknown year as ordinary.

The e-commerce calendar (618, 双11, 年货节 …) is editable data in ``data/calendar.yaml``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from kb.config import BUNDLED_DATA
from kb.journal import Event
from kb.problems import Text
from kb.yamlfile import DataError

CALENDAR_FILE = "calendar.yaml"
ONE_DAY = dt.timedelta(days=1)

# chinese-calendar's holiday names (English) -> both languages
HOLIDAY_NAMES = {
    "New Year's Day": Text("元旦", "New Year's Day"),
    "Spring Festival": Text("春节", "Spring Festival"),
    "Tomb-sweeping Day": Text("清明节", "Qingming Festival"),
    "Labour Day": Text("劳动节", "Labour Day"),
    "Dragon Boat Festival": Text("端午节", "Dragon Boat Festival"),
    "National Day": Text("国庆节", "National Day"),
    "Mid-autumn Festival": Text("中秋节", "Mid-Autumn Festival"),
    "Anti-Fascist 70th Day": Text("抗战胜利70周年纪念日", "Victory Day (70th)"),
}
# holidays' zh_CN names -> both languages (it also marks days in lieu with "（补假）")
# (除夕 opens the Spring Festival break, so the break is named after 春节)
ZH_NAMES = {t.zh: t for t in HOLIDAY_NAMES.values()} | {
    "农历除夕": HOLIDAY_NAMES["Spring Festival"]
}
HOLIDAY_IDS = {
    "元旦": "new-year",
    "春节": "spring-festival",
    "清明节": "qingming",
    "劳动节": "labour-day",
    "端午节": "dragon-boat",
    "国庆节": "national-day",
    "中秋节": "mid-autumn",
}


@dataclass
class DayInfo:
    day: dt.date
    off: bool  # a day off (weekend or public holiday) unless a make-up workday
    holiday: Text | None = None  # the public holiday this day belongs to
    makeup_workday: bool = False  # 调休上班: a weekend day that is a workday
    source: str = "weekend"  # calendar.yaml | chinese-calendar | holidays | weekend


@dataclass
class PeriodNotes:
    """What unusual days a period holds; ``unusual`` says whether comparing it needs care."""

    start: dt.date
    end: dt.date
    days: int
    weekend_days: int
    holiday_days: int  # public-holiday days off (weekends inside a holiday included)
    makeup_workdays: int
    events: list[Event] = field(default_factory=list)
    notes: list[Text] = field(default_factory=list)  # data-source caveats, in both languages

    @property
    def unusual(self) -> bool:
        return bool(self.holiday_days or self.makeup_workdays or self.campaigns)

    @property
    def campaigns(self) -> list[Event]:
        return [e for e in self.events if e.kind == "campaign"]

    def summary(self) -> Text:
        names_zh = "、".join(dict.fromkeys(e.title.zh for e in self.events)) or "无"
        names_en = ", ".join(dict.fromkeys(e.title.en for e in self.events)) or "none"
        return Text(
            f"{self.start}~{self.end}: 公休 {self.holiday_days} 天, 调休上班 "
            f"{self.makeup_workdays} 天, 周末 {self.weekend_days} 天; 事件: {names_zh}",
            f"{self.start} to {self.end}: {self.holiday_days} holiday day(s), "
            f"{self.makeup_workdays} make-up workday(s), {self.weekend_days} weekend day(s); "
            f"events: {names_en}",
        )

    def to_json(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "weekend_days": self.weekend_days,
            "holiday_days": self.holiday_days,
            "makeup_workdays": self.makeup_workdays,
            "unusual": self.unusual,
            "events": [e.to_json() for e in self.events],
            "notes": [{"zh": n.zh, "en": n.en} for n in self.notes],
        }


# ---- data file -------------------------------------------------------------------------------


def calendar_path(ws=None) -> Path:
    return ws.config.data_file(CALENDAR_FILE) if ws is not None else BUNDLED_DATA / CALENDAR_FILE


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe YAML keeping dates as text: 2026-02-30 is reported with its place, not raised."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime_ns: int) -> dict:
    text = load_text(Path(path))
    try:
        data = yaml.load(text, Loader=_Loader) or {}  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DataError(f"{path}:{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected 'public_holidays:' and 'campaigns:' at the top level")
    return data


def load_data(ws=None) -> dict:
    path = calendar_path(ws)
    return _load_cached(str(path), path.stat().st_mtime_ns)


def load_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason}); save it as UTF-8") from None


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DataError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _text(value, where: str) -> Text:
    if isinstance(value, dict) and value.get("zh"):
        return Text(str(value["zh"]), str(value.get("en") or value["zh"]))
    if isinstance(value, str) and value:
        return Text(value, value)
    raise DataError(f"{where}: name needs zh (and en), e.g. {{zh: 618, en: 618 sale}}")


# ---- public holidays -------------------------------------------------------------------------


def _official_year(data: dict, year: int, where: str) -> dict[dt.date, DayInfo] | None:
    """Days of ``year`` typed into calendar.yaml (public_holidays: {YEAR: …}), if any."""
    block = (data.get("public_holidays") or {}).get(year) or (
        data.get("public_holidays") or {}
    ).get(str(year))
    if not block:
        return None
    days: dict[dt.date, DayInfo] = {}
    for i, item in enumerate(block.get("holidays") or [], 1):
        at = f"{where}: public_holidays.{year}.holidays[{i}]"
        start = _date(item.get("start"), at)
        end = _date(item.get("end") or item.get("start"), at)
        name = _text(item.get("name"), at)
        day = start
        while day <= end:
            days[day] = DayInfo(day, True, name, source="calendar.yaml")
            day += ONE_DAY
    for i, value in enumerate(block.get("workdays") or [], 1):
        day = _date(value, f"{where}: public_holidays.{year}.workdays[{i}]")
        days[day] = DayInfo(day, False, makeup_workday=True, source="calendar.yaml")
    return days


def _chinese_calendar_day(day: dt.date) -> DayInfo | None:
    try:
        import chinese_calendar
    except ImportError:
        return None
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # the package does not know this year yet
        return None
    weekend = day.weekday() >= 5
    if is_holiday and name:
        return DayInfo(
            day,
            True,
            HOLIDAY_NAMES.get(str(name), Text(str(name), str(name))),
            False,
            "chinese-calendar",
        )
    if not is_holiday and weekend:
        return DayInfo(day, False, makeup_workday=True, source="chinese-calendar")
    return DayInfo(day, is_holiday, source="chinese-calendar")


@lru_cache(maxsize=16)
def _holidays_year(year: int):
    try:
        import holidays
    except ImportError:
        return None
    try:
        return holidays.China(years=year, language="zh_CN")
    except Exception:  # noqa: BLE001 - any failure of an optional source means "unknown"
        return None


def _holidays_day(day: dt.date) -> DayInfo | None:
    table = _holidays_year(day.year)
    if table is None:
        return None
    name = table.get(day)
    if name:
        base = str(name).split("（")[0].split("(")[0].strip()
        return DayInfo(day, True, ZH_NAMES.get(base, Text(base, base)), source="holidays")
    if day in getattr(table, "weekend_workdays", ()):
        return DayInfo(day, False, makeup_workday=True, source="holidays")
    return DayInfo(day, day.weekday() >= 5, source="holidays")


def _chinese_calendar_knows(year: int) -> bool:
    return _chinese_calendar_day(dt.date(year, 6, 1)) is not None


def day_info(day: dt.date, ws=None) -> DayInfo:
    """Is ``day`` a day off, a public holiday, a make-up workday — from the best source."""
    data = load_data(ws)
    official = _official_year(data, day.year, str(calendar_path(ws)))
    if official is not None:
        return official.get(day) or DayInfo(day, day.weekday() >= 5, source="calendar.yaml")
    return (
        _chinese_calendar_day(day)
        or _holidays_day(day)
        or DayInfo(day, day.weekday() >= 5, source="weekend")
    )


def year_source(year: int, ws=None) -> str:
    if _official_year(load_data(ws), year, str(calendar_path(ws))) is not None:
        return "calendar.yaml"
    if _chinese_calendar_knows(year):
        return "chinese-calendar"
    if _holidays_year(year) is not None:
        return "holidays"
    return "weekend"


def source_notes(start: dt.date, end: dt.date, ws=None) -> list[Text]:
    """Caveats for the years of a period whose holidays are not from the official arrangement."""
    notes = []
    for year in range(start.year, end.year + 1):
        source = year_source(year, ws)
        if source == "holidays":
            notes.append(
                Text(
                    f"{year} 年的节假日来自 holidays 包 (chinese-calendar 还没有 {year} 年的数据): "
                    "法定假日和包推算的补假, 实际放假安排和调休上班日可能不同; "
                    "国务院公布安排后可写进 data/calendar.yaml",
                    f"{year}: public holidays from the `holidays` package (chinese-calendar has "
                    f"no {year} data yet): statutory days and the package's computed days in "
                    "lieu; the official arrangement and its make-up workdays may differ. Add it "
                    "to data/calendar.yaml once published",
                )
            )
        elif source == "weekend":
            notes.append(
                Text(
                    f"{year} 年没有节假日数据: 只按周末计算; 请在 data/calendar.yaml 补充",
                    f"{year}: no holiday data; weekends only. Add the arrangement to "
                    "data/calendar.yaml",
                )
            )
    return notes


def _holiday_events(start: dt.date, end: dt.date, ws=None) -> list[Event]:
    """Runs of holiday days (one event per holiday) and each make-up workday."""
    events: list[Event] = []
    # widen by a week so a holiday that started before ``start`` keeps its real first day
    day, last = start - dt.timedelta(days=7), end + dt.timedelta(days=7)
    run: list[DayInfo] = []

    def close() -> None:
        if run:
            first, final = run[0].day, run[-1].day
            if final >= start and first <= end:
                name = run[0].holiday
                slug = HOLIDAY_IDS.get(name.zh, "holiday")
                events.append(
                    Event(
                        id=f"holiday-{slug}-{first.isoformat()}",
                        day=first,
                        end=final if final != first else None,
                        kind="holiday",
                        title=Text(f"{name.zh}假期", f"{name.en} holiday"),
                        segment={},
                        source="calendar",
                    )
                )
            run.clear()

    while day <= last:
        info = day_info(day, ws)
        if info.holiday is not None and info.off:
            same = run and (run[-1].holiday.zh == info.holiday.zh or run[-1].day == day - ONE_DAY)
            if run and not same:
                close()
            run.append(info)
        elif run and info.off and not info.holiday:  # a weekend inside/at the end of a break
            nxt = day_info(day + ONE_DAY, ws)
            if nxt.holiday is not None and nxt.off:
                run.append(DayInfo(day, True, run[-1].holiday, source=info.source))
            else:
                close()
        else:
            close()
        if info.makeup_workday and start <= day <= end:
            events.append(
                Event(
                    id=f"workday-{day.isoformat()}",
                    day=day,
                    end=None,
                    kind="workday",
                    title=Text("调休上班", "Make-up workday"),
                    segment={},
                    source="calendar",
                )
            )
        day += ONE_DAY
    close()
    return events


# ---- e-commerce calendar ---------------------------------------------------------------------


def _spring_festival(year: int) -> dt.date | None:
    """Lunar new year's day (春节) of ``year``, from the holidays package (it computes lunar dates)."""
    table = _holidays_year(year)
    if table is not None:
        for day, name in sorted(table.items()):
            if str(name).startswith("春节"):
                return day
    return None


def _campaign_range(item: dict, year: int, where: str) -> tuple[dt.date, dt.date] | None:
    """This year's dates: an explicit ``years: {2026: {start, end}}``, else the typical ones."""
    years = item.get("years") or {}
    explicit = years.get(year) or years.get(str(year))
    if explicit:
        start = _date(explicit.get("start"), f"{where}.years.{year}")
        return start, _date(explicit.get("end") or start, f"{where}.years.{year}")
    typical = item.get("typical") or {}
    if "relative_to" in typical:
        if typical["relative_to"] != "spring-festival":
            raise DataError(f"{where}.typical.relative_to: only 'spring-festival' is supported")
        anchor = _spring_festival(year)
        if anchor is None:
            return None
        return (
            anchor + dt.timedelta(days=int(typical.get("start_offset", 0))),
            anchor + dt.timedelta(days=int(typical.get("end_offset", 0))),
        )
    if "start" not in typical:
        return None
    try:
        start = dt.date.fromisoformat(f"{year}-{typical['start']}")
        end = dt.date.fromisoformat(f"{year}-{typical.get('end') or typical['start']}")
    except ValueError:
        raise DataError(f"{where}.typical: write start/end as MM-DD, e.g. '06-18'") from None
    return start, end


def _campaign_events(start: dt.date, end: dt.date, ws=None) -> list[Event]:
    data = load_data(ws)
    where = str(calendar_path(ws))
    events: list[Event] = []
    for i, item in enumerate(data.get("campaigns") or [], 1):
        at = f"{where}: campaigns[{i}]"
        if not isinstance(item, dict) or not item.get("id"):
            raise DataError(f"{at}: each campaign needs an id and a name")
        name = _text(item.get("name"), at)
        for year in range(start.year - 1, end.year + 2):
            dates = _campaign_range(item, year, at)
            if dates is None:
                continue
            first, last = dates
            phases = [(None, name, first, last)]
            explicit = (item.get("years") or {}).get(year) or (item.get("years") or {}).get(
                str(year)
            )
            # a year's own dates come with their own phases (2024's 618 had no presale)
            for phase in (explicit.get("phases") if explicit else item.get("phases")) or []:
                p_start = phase.get("start")
                p_end = phase.get("end") or p_start
                if isinstance(p_start, str) and len(p_start) == 5:  # MM-DD: typical
                    p_start, p_end = f"{year}-{p_start}", f"{year}-{p_end}"
                pname = _text(phase.get("name"), f"{at}.phases")
                phases.append(
                    (
                        str(phase.get("id") or "phase"),
                        Text(f"{name.zh} {pname.zh}", f"{name.en} {pname.en}"),
                        _date(p_start, f"{at}.phases"),
                        _date(p_end, f"{at}.phases"),
                    )
                )
            for phase_id, title, p_first, p_last in phases:
                if p_last < start or p_first > end:
                    continue
                suffix = f"-{phase_id}" if phase_id else ""
                events.append(
                    Event(
                        id=f"campaign-{item['id']}{suffix}-{year}",
                        day=p_first,
                        end=p_last if p_last != p_first else None,
                        kind="campaign",
                        title=title,
                        segment=dict(item.get("segment") or {}),
                        source="calendar",
                    )
                )
    return events


# ---- the contract ----------------------------------------------------------------------------


def calendar_events(start: dt.date, end: dt.date, ws=None) -> list[Event]:
    """Holidays, make-up workdays and campaigns overlapping [start, end], by date.

    ``days_from`` is counted from ``start``; ``events_near`` re-ranks them around its own date.
    """
    events = _holiday_events(start, end, ws) + _campaign_events(start, end, ws)
    for ev in events:
        ev.days_from = (ev.day - start).days
    events.sort(key=lambda e: (e.day, e.kind, e.id))
    return events


def period_notes(start: dt.date, end: dt.date, ws=None) -> PeriodNotes:
    """Counts of unusual days in [start, end], the events in it and the data-source caveats."""
    if end < start:
        raise ValueError(f"period end {end} is before its start {start}")
    weekend = holiday = makeup = 0
    day = start
    while day <= end:
        info = day_info(day, ws)
        weekend += day.weekday() >= 5
        holiday += info.holiday is not None and info.off
        makeup += info.makeup_workday
        day += ONE_DAY
    return PeriodNotes(
        start=start,
        end=end,
        days=(end - start).days + 1,
        weekend_days=weekend,
        holiday_days=holiday,
        makeup_workdays=makeup,
        events=calendar_events(start, end, ws),
        notes=source_notes(start, end, ws),
    )


def check_workspace(ws) -> list[str]:
    """`kb check`: data/calendar.yaml parses and every campaign's dates resolve."""
    try:
        today = dt.date.today()
        calendar_events(dt.date(today.year - 1, 1, 1), dt.date(today.year + 1, 12, 31), ws)
    except DataError as exc:
        return str(exc).splitlines()
    return []
