"""The calendar: public holidays from the packages, a year they lack, the e-commerce calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from kb import calendar
from kb.workspace import Workspace

D = dt.date


def by_kind(events, kind):
    return [e for e in events if e.kind == kind]


def test_national_day_2026_is_one_holiday_with_its_make_up_workdays():
    events = calendar.calendar_events(D(2026, 9, 15), D(2026, 10, 15))
    holidays = {e.title.zh: (e.day, e.end) for e in by_kind(events, "holiday")}
    assert holidays["国庆节假期"] == (D(2026, 10, 1), D(2026, 10, 7))
    assert holidays["中秋节假期"] == (D(2026, 9, 25), D(2026, 9, 27))
    workdays = [e.day for e in by_kind(events, "workday")]
    assert workdays == [D(2026, 9, 20), D(2026, 10, 10)]  # 调休: a Sunday and a Saturday
    assert all(e.source == "calendar" for e in events)
    assert all(e.segment == {} for e in events if e.kind != "campaign")


def test_period_notes_count_the_unusual_days():
    notes = calendar.period_notes(D(2026, 9, 28), D(2026, 10, 11))
    assert notes.days == 14 and notes.holiday_days == 7 and notes.makeup_workdays == 1
    assert notes.unusual and not notes.notes  # 2026 comes from chinese-calendar: no caveat
    assert "国庆节假期" in notes.summary().zh
    ordinary = calendar.period_notes(D(2026, 4, 13), D(2026, 4, 19))
    assert not ordinary.unusual and ordinary.weekend_days == 2


def test_2027_falls_back_to_the_holidays_package_and_says_so():
    notes = calendar.period_notes(D(2027, 9, 28), D(2027, 10, 10))  # chinese-calendar lacks 2027
    national = [e for e in notes.events if e.title.zh == "国庆节假期"]
    assert national and national[0].day == D(2027, 10, 1)
    assert notes.notes and "holidays" in notes.notes[0].en and "2027" in notes.notes[0].zh
    assert calendar.year_source(2027) == "holidays"


def test_without_any_package_the_weekends_remain_and_the_note_says_so(monkeypatch):
    monkeypatch.setattr(calendar, "_chinese_calendar_day", lambda day: None)
    monkeypatch.setattr(calendar, "_holidays_year", lambda year: None)
    notes = calendar.period_notes(D(2031, 10, 1), D(2031, 10, 7))
    assert notes.weekend_days == 2 and notes.holiday_days == 0
    assert "weekends only" in notes.notes[0].en
    assert not by_kind(notes.events, "holiday")


def test_an_arrangement_typed_into_calendar_yaml_wins(tmp_path):
    (tmp_path / "data").mkdir()
    bundled = (calendar.calendar_path()).read_text(encoding="utf-8")
    extra = bundled.replace(
        "public_holidays: {}",
        "public_holidays:\n  2027:\n    holidays:\n"
        "      - {name: {zh: 国庆节, en: National Day}, start: 2027-10-01, end: 2027-10-07}\n"
        "    workdays: [2027-09-26, 2027-10-09]\n",
    )
    (tmp_path / "data" / "calendar.yaml").write_text(extra, encoding="utf-8")
    ws = Workspace.open(tmp_path)
    notes = calendar.period_notes(D(2027, 9, 26), D(2027, 10, 10), ws)
    assert notes.holiday_days == 7 and notes.makeup_workdays == 2 and not notes.notes
    assert calendar.day_info(D(2027, 10, 9), ws).makeup_workday


def test_ecommerce_campaigns_come_from_the_yaml_with_their_phases():
    events = calendar.calendar_events(D(2026, 5, 1), D(2026, 6, 30))
    ids = {e.id for e in by_kind(events, "campaign")}
    assert {"campaign-618-2026", "campaign-618-warmup-2026"} <= ids
    sale = next(e for e in events if e.id == "campaign-618-2026")
    assert sale.title.zh.startswith("618") and sale.end and sale.end.month == 6
    double11 = calendar.calendar_events(D(2026, 11, 11), D(2026, 11, 11))
    assert any(e.id == "campaign-1111-2026" for e in double11)


def test_new_year_festival_follows_the_lunar_calendar():
    """年货节 is set relative to the Spring Festival: 2026-02-17 and 2027-02-06."""
    for year, spring in ((2026, D(2026, 2, 17)), (2027, D(2027, 2, 6))):
        events = calendar.calendar_events(D(year - 1, 12, 1), D(year, 2, 28))
        fest = next(e for e in events if e.id == f"campaign-nianhuo-{year}")
        assert fest.end < spring and (spring - fest.day).days == 35


def test_a_broken_calendar_yaml_names_the_field(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "calendar.yaml").write_text(
        "campaigns:\n  - id: x\n    name: {zh: 测试}\n    typical: {start: '13-40'}\n",
        encoding="utf-8",
    )
    from kb.yamlfile import DataError

    with pytest.raises(DataError, match=r"campaigns\[1\].typical"):
        calendar.calendar_events(D(2026, 1, 1), D(2026, 12, 31), Workspace.open(tmp_path))


def test_kb_check_reports_a_broken_calendar_yaml(tmp_path):
    from kb.checks import run_checks

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "calendar.yaml").write_text(
        "campaigns:\n  - id: x\n    name: {zh: 测试}\n    years: {2026: {start: 2026-02-30}}\n",
        encoding="utf-8",
    )
    errors = run_checks(Workspace.open(tmp_path)).errors
    assert any("calendar.yaml" in e and "2026-02-30" in e for e in errors)


def test_a_platform_festival_carries_its_segment_and_a_year_its_own_phases():
    events = calendar.calendar_events(D(2025, 10, 1), D(2025, 11, 15))
    douyin = next(e for e in events if e.id == "campaign-1111-douyin-2025")
    assert douyin.segment == {"channel": "抖音"} and douyin.day == D(2025, 10, 9)
    may_2024 = {e.id for e in calendar.calendar_events(D(2024, 5, 1), D(2024, 6, 30))}
    assert "campaign-618-wave2-2024" in may_2024
    assert "campaign-618-warmup-2024" not in may_2024  # 2024 had no presale


# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04),
# https://politics.gmw.cn/2025-11/04/content_38391083.htm — the whole year, as published.
OFFICIAL_2026 = {
    "元旦假期": ((1, 1), (1, 3)),
    "春节假期": ((2, 15), (2, 23)),
    "清明节假期": ((4, 4), (4, 6)),
    "劳动节假期": ((5, 1), (5, 5)),
    "端午节假期": ((6, 19), (6, 21)),
    "中秋节假期": ((9, 25), (9, 27)),
    "国庆节假期": ((10, 1), (10, 7)),
}
OFFICIAL_2026_WORKDAYS = [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)]


def test_2026_matches_the_state_council_notice():
    events = calendar.calendar_events(D(2026, 1, 1), D(2026, 12, 31))
    holidays = {e.title.zh: (e.day, e.end) for e in by_kind(events, "holiday")}
    expected = {name: (D(2026, *a), D(2026, *b)) for name, (a, b) in OFFICIAL_2026.items()}
    assert holidays == expected
    assert [e.day for e in by_kind(events, "workday")] == [
        D(2026, m, d) for m, d in OFFICIAL_2026_WORKDAYS
    ]
