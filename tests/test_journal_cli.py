"""`python -m kb log …`: add, list (JSON), done, near, calendar; bad input exits 2."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO


def run(root, *args):
    cmd = [sys.executable, "-m", "kb", "log", *args, "--root", str(root)]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_add_then_list_as_json(root):
    add = run(root, "add", "--date", "2026-03-08", "--channel", "douyin", "--action", "budget",
              "--title", "抖音千川日预算下调", "--owner", "小王", "--status", "open",
              "--note", "季度预算收紧", "--json")  # fmt: skip
    assert add.returncode == 0, add.stderr
    saved = json.loads(add.stdout)
    assert saved["segment"] == {"channel": "抖音"} and saved["status"] == "open"
    assert (root / "log" / f"{saved['id']}.md").exists()
    run(root, "add", "--date", "2026-03-09", "--action", "release", "--title", "App 发版")
    run(root, "add", "--date", "2026-03-01", "--segment", "channel=小红书", "--action",
        "campaign", "--title", "笔记投放")  # fmt: skip

    listed = run(root, "list", "--from", "2026-03-05", "--segment", "channel=抖音", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [r["title"] for r in rows] == ["抖音千川日预算下调"]
    assert {"id", "date", "end", "segment", "action", "status", "owner", "note"} <= rows[0].keys()
    everything = json.loads(run(root, "list", "--json").stdout)
    assert [r["date"] for r in everything] == ["2026-03-09", "2026-03-08", "2026-03-01"]
    open_rows = json.loads(run(root, "list", "--status", "open", "--json").stdout)
    assert [r["id"] for r in open_rows] == [saved["id"]]

    done = run(root, "done", saved["id"])
    assert done.returncode == 0, done.stderr
    assert json.loads(run(root, "list", "--status", "open", "--json").stdout) == []


def test_bad_input_exits_2_naming_the_field_and_writes_nothing(root):
    res = run(root, "add", "--date", "2026-02-30", "--action", "boost", "--segment",
              "shop=A", "--title", "x")  # fmt: skip
    assert res.returncode == 2
    assert "date: '2026-02-30' is not a date" in res.stderr
    assert "action: 'boost' is not one of" in res.stderr
    assert "unknown dimension 'shop'" in res.stderr
    assert not list(root.glob("log/*.md"))
    bad_segment = run(root, "list", "--segment", "抖音")
    assert bad_segment.returncode == 2 and "DIMENSION=VALUE" in bad_segment.stderr
    bad_from = run(root, "list", "--from", "March")
    assert bad_from.returncode == 2 and "--from" in bad_from.stderr
    missing = run(root, "done", "log-nope")
    assert missing.returncode == 2 and "no such log entry" in missing.stderr


def test_near_and_calendar(root):
    run(root, "add", "--date", "2026-09-30", "--channel", "抖音", "--action", "bid",
        "--title", "国庆前提价")  # fmt: skip
    near = run(root, "near", "--date", "2026-10-02", "--channel", "抖音", "--json")
    assert near.returncode == 0, near.stderr
    events = json.loads(near.stdout)
    assert events[0]["title"]["zh"] == "国庆前提价" and events[0]["segment_match"] == "same"
    holiday = next(e for e in events if e["kind"] == "holiday")
    assert holiday["title"]["zh"] == "国庆节假期" and holiday["days_from"] == -1
    assert holiday["day"] == "2026-10-01" and holiday["end"] == "2026-10-07"
    cal = run(root, "calendar", "--from", "2027-09-27", "--to", "2027-10-10", "--json")
    assert cal.returncode == 0
    data = json.loads(cal.stdout)
    assert data["holiday_days"] >= 3 and data["notes"]  # 2027: the fallback says so
    assert "holidays" in cal.stdout
