"""The action log: validation by field, saving through the one save path, listing, ranking."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import write_doc
from kb import journal
from kb.checks import run_checks
from kb.documents import DocumentError, parse_document
from kb.search import SearchIndex
from kb.workspace import Workspace

D = dt.date


@pytest.fixture
def ws(root) -> Workspace:
    return Workspace.open(root)


def fields_of(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


def log_text(**fields) -> str:
    lines = ["---", "id: log-x", "kind: log", "title: 调价", "created: 2026-03-01"]
    lines += [f"{k}: {v}" for k, v in fields.items()]
    return "\n".join([*lines, "---", "", "body", ""])


def test_a_log_file_parses_with_typed_fields():
    doc = parse_document(
        log_text(date="2026-03-08", end="2026-03-10", segment="{channel: 抖音}", action="budget")
    )
    assert doc.meta["date"] == D(2026, 3, 8) and doc.meta["end"] == D(2026, 3, 10)
    assert doc.meta["segment"] == {"channel": "抖音"}


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"date": "2026-03-32", "action": "budget"}, "date", "YYYY-MM-DD"),
        ({"action": "budget"}, "date", "missing"),
        ({"date": "2026-03-08", "action": "boost"}, "action", "budget"),
        ({"date": "2026-03-08", "action": "bid", "end": "2026-03-01"}, "end", "before"),
        ({"date": "2026-03-08", "action": "bid", "segment": "[抖音]"}, "segment", "channel"),
        ({"date": "2026-03-08", "action": "bid", "status": "later"}, "status", "open, done"),
    ],
)
def test_bad_log_fields_are_reported_by_field(fields, field, words):
    with pytest.raises(DocumentError) as exc:
        parse_document(log_text(**fields), "log/log-x.md")
    errors = fields_of(exc)
    assert field in errors and words in errors[field]
    assert "log/log-x.md" in str(exc.value)


def test_add_entry_validates_every_field_before_writing(ws, root):
    with pytest.raises(DocumentError) as exc:
        journal.add_entry(
            ws, date="2026-13-01", title="", action="boost", segment={"shop_floor": "A"}
        )
    errors = fields_of(exc)
    assert set(errors) == {"date", "action", "segment", "title"}
    assert "shop_floor" in errors["segment"] and "channel" in errors["segment"]
    assert not list(root.glob("log/*.md"))  # nothing written


def test_add_entry_saves_a_document_with_canonical_segment(ws, root):
    entry = journal.add_entry(
        ws,
        date="2026-03-08",
        title="抖音千川日预算下调",
        action="budget",
        segment={"渠道": "douyin"},  # a header alias and a value alias
        owner="小王",
        note="季度预算收紧",
    )
    path = root / "log" / f"{entry.id}.md"
    assert path.exists() and entry.id.startswith("log-2026-03-08-")
    saved = journal.load_entries(ws)[0][0]
    assert saved.segment == {"channel": "抖音"}
    assert (saved.action, saved.status, saved.owner) == ("budget", "done", "小王")
    assert "季度预算收紧" in path.read_text(encoding="utf-8")
    # the same title on the same day gets its own file, not an overwrite
    again = journal.add_entry(ws, date="2026-03-08", title="抖音千川日预算下调", action="budget")
    assert again.id != entry.id and len(list((root / "log").glob("*.md"))) == 2


def test_log_entries_are_searched_and_checked_like_other_documents(ws, root):
    journal.add_entry(ws, date="2026-03-08", title="千川预算下调", action="budget",
                      segment={"channel": "抖音"})  # fmt: skip
    index = SearchIndex(ws.config)
    index.sync()
    hits = index.search("抖音 kind:log").hits  # the segment value is a search word
    assert [h.kind for h in hits] == ["log"]
    report = run_checks(ws)
    assert report.counts["log"] == 1 and not report.errors


def test_check_names_an_unknown_dimension(ws, root):
    write_doc(root, "log", "log-bad", "乱写的分组", date="2026-03-08", action="other",
              segment="{shop_floor: A}")  # fmt: skip
    errors = run_checks(ws).errors
    assert any("log-bad.md" in e and "segment" in e and "shop_floor" in e for e in errors)


def test_update_marks_done_and_open_actions_lists_what_is_left(ws):
    a = journal.add_entry(ws, date="2026-03-10", title="复盘预算", action="budget", status="open")
    journal.add_entry(ws, date="2026-03-09", title="换主图", action="listing", status="open")
    journal.add_entry(ws, date="2026-03-08", title="已完成的", action="other")
    assert [e.title for e in journal.open_actions(ws)] == ["换主图", "复盘预算"]  # oldest first
    journal.update_entry(ws, a.id, status="done")
    assert [e.title for e in journal.open_actions(ws)] == ["换主图"]
    with pytest.raises(DocumentError) as exc:
        journal.update_entry(ws, a.id, status="finished")
    assert "status" in fields_of(exc)


def test_list_filters_by_range_segment_action_status(ws):
    add = journal.add_entry
    add(ws, date="2026-03-08", title="抖音预算", action="budget", segment={"channel": "抖音"})
    add(ws, date="2026-03-09", title="抖音新客券", action="price",
        segment={"channel": "抖音", "user_type": "新客"})  # fmt: skip
    add(ws, date="2026-03-09", title="全店满减", action="campaign")
    add(ws, date="2026-02-01", title="旧事", action="other", segment={"channel": "抖音"})
    add(ws, date="2026-03-09", title="小红书笔记", action="campaign", segment={"channel": "小红书"})

    def titles(**kw):
        return sorted(e.title for e in journal.list_entries(ws, **kw))

    douyin = {"channel": "抖音"}
    assert titles(start=D(2026, 3, 1), segment=douyin) == ["抖音新客券", "抖音预算"]
    assert "全店满减" in titles(start=D(2026, 3, 1), segment=douyin, include_global=True)
    assert titles(action="campaign") == ["全店满减", "小红书笔记"]
    assert titles(end=D(2026, 2, 28)) == ["旧事"]


@pytest.mark.parametrize(
    ("entry", "change", "match"),
    [
        ({"channel": "抖音"}, {"channel": "抖音"}, "same"),
        ({"channel": "抖音"}, {"channel": "抖音", "user_type": "新客"}, "parent"),
        ({"channel": "抖音", "user_type": "新客"}, {"channel": "抖音"}, "child"),
        ({}, {"channel": "抖音"}, "global"),
        ({"channel": "小红书"}, {"channel": "抖音"}, "other"),
    ],
)
def test_segment_match(entry, change, match):
    assert journal.segment_match(entry, change) == match


def test_events_near_ranks_the_action_on_the_segment_the_day_before_first(ws):
    add = journal.add_entry
    add(ws, date="2026-03-08", title="抖音预算下调", action="budget", segment={"channel": "抖音"})
    add(ws, date="2026-03-09", title="全店改版", action="release")  # same day, whole shop
    add(ws, date="2026-03-08", title="小红书笔记", action="campaign", segment={"channel": "小红书"})
    add(ws, date="2026-03-03", title="抖音出价", action="bid", segment={"channel": "抖音"})
    add(ws, date="2026-02-20", title="太早", action="bid", segment={"channel": "抖音"})
    add(ws, date="2026-03-14", title="太晚", action="bid", segment={"channel": "抖音"})
    # spelled as a file might spell it: header and value aliases
    events = journal.events_near(ws, D(2026, 3, 9), {"渠道": "douyin", "user_type": "new"})
    titles = [e.title.zh for e in events]
    assert titles[0] == "抖音预算下调"
    first = events[0]
    assert (first.source, first.kind, first.days_from, first.segment_match) == (
        "log",
        "budget",
        -1,
        "parent",
    )
    assert titles.index("抖音出价") < titles.index("小红书笔记")  # segment beats a decoy
    assert titles[-1] == "小红书笔记"  # another channel comes last
    assert "太早" not in titles and "太晚" not in titles  # outside 7 days before / 2 after
    assert any(e.source == "calendar" and e.kind == "campaign" for e in events)  # 38节
    assert [e.score for e in events] == sorted((e.score for e in events), reverse=True)


def test_events_near_a_whole_shop_change_prefers_whole_shop_events(ws):
    journal.add_entry(ws, date="2026-03-08", title="全店满减", action="campaign")
    journal.add_entry(ws, date="2026-03-08", title="抖音预算", action="budget",
                      segment={"channel": "抖音"})  # fmt: skip
    events = journal.events_near(ws, D(2026, 3, 9))
    titles = [e.title.zh for e in events]
    assert titles[0] == "全店满减"
    assert titles.index("抖音预算") > titles.index("38节 (女王节)")  # whole-shop campaign first
    assert events[titles.index("抖音预算")].segment_match == "child"


def test_events_near_includes_a_holiday_covering_the_date(ws):
    events = journal.events_near(ws, D(2026, 10, 3), {"channel": "抖音"})
    national = [e for e in events if e.kind == "holiday"]
    assert national and national[0].day == D(2026, 10, 1) and national[0].end == D(2026, 10, 7)
    assert national[0].title.zh == "国庆节假期" and national[0].days_from == -2
    assert national[0].to_json()["title"] == {"zh": "国庆节假期", "en": "National Day holiday"}


def test_the_bundled_log_tells_the_channel_collapse_story(workspace):
    """The sample log holds a 抖音 budget cut the day before the cliff (3/9) plus decoys."""
    events = journal.events_near(workspace, D(2026, 3, 9), {"channel": "抖音"})
    first = events[0]
    assert first.source == "log" and first.kind == "budget" and first.days_from == -1
    assert first.segment_match == "same"
    entries, errors = journal.load_entries(workspace)
    assert not errors and all("样例" in e.doc.tags for e in entries)
    assert any(e.segment_match == "other" for e in events)  # decoys are there, ranked last


def test_a_segment_from_a_data_frame_drops_empty_values(ws):
    journal.add_entry(ws, date="2026-03-08", title="抖音预算", action="budget",
                      segment={"channel": "抖音"})  # fmt: skip
    segment = {"channel": "抖音", "user_type": float("nan"), "platform": None, "region": " "}
    events = journal.events_near(ws, "2026-03-09", segment)
    assert events[0].title.zh == "抖音预算" and events[0].segment_match == "same"
