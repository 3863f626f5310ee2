"""The morning review: KPIs against last week, the normal range and the target; ranked changes;
the brief; the CLI for a scheduled job."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pandas as pd
import pytest

from kb.daily.brief import render
from kb.daily.config import Target, load_daily_config
from kb.daily.review import MissingDay, review
from kb.daily.targets import day_weights
from kb.workspace import Workspace
from kb.yamlfile import DataError
from tests.daily_fixtures import history, write_root

REPO = __import__("pathlib").Path(__file__).resolve().parent.parent


def _ws(tmp_path, frame, config=None):
    return Workspace.open(write_root(tmp_path, frame, config))


def test_a_channel_collapse_is_the_first_change_with_its_segment(tmp_path):
    ws = _ws(tmp_path, history(drop={"抖音": 0.4}))
    r = review(ws, role="store")
    assert r.day == dt.date(2026, 11, 30)
    uv = next(k for k in r.kpis if k.metric == "UV")
    assert uv.movement.direction == "down" and uv.movement.significant
    assert uv.outside_normal
    first = r.changes[0]
    assert first.metric in ("UV", "GMV") and first.movement.bad
    assert first.segment == {"channel": "抖音"}
    assert first.link(r.period)["segment"] == "channel:抖音"


def test_week_mode_compares_the_last_seven_days_with_the_week_before(tmp_path):
    ws = _ws(tmp_path, history(drop={"抖音": 0.5}, drop_days=7))
    r = review(ws, role="store", span=7)
    assert (r.period.start, r.period.end) == (
        pd.Timestamp("2026-11-24"),
        pd.Timestamp("2026-11-30"),
    )
    uv = next(k for k in r.kpis if k.metric == "UV")
    assert uv.movement.direction == "down" and uv.movement.significant
    assert uv.movement.baseline > 7 * 7000  # a week of visitors, not a day
    assert r.changes[0].segment == {"channel": "抖音"}
    assert r.changes[0].link(r.period)["current"] == "2026-11-24:2026-11-30"


def test_ordinary_noise_is_called_flat_and_gives_no_change(tmp_path):
    ws = _ws(tmp_path, history())
    r = review(ws, role="store")
    assert all(k.movement.direction == "flat" for k in r.kpis)
    assert r.changes == []
    assert "无显著变化" in render(ws, r, "zh")


def test_last_year_and_normal_range_are_filled_from_history(tmp_path):
    ws = _ws(tmp_path, history(days=400))
    r = review(ws, role="store")
    gmv = next(k for k in r.kpis if k.metric == "GMV")
    assert gmv.last_year is not None
    assert gmv.normal_low <= gmv.normal_high


def test_month_target_progress_against_time_elapsed(tmp_path):
    frame = history(days=120)
    ws = _ws(tmp_path, frame)
    r = review(ws, role="store", day=dt.date(2026, 11, 20))
    p = next(p for p in r.targets if p.target.metric == "GMV")
    nov = frame[(frame["日期"] >= "2026-11-01") & (frame["日期"] <= "2026-11-20")]
    assert p.actual == pytest.approx(nov["销售额"].sum())
    assert p.time_pct == pytest.approx(20 / 30)  # split: even
    assert p.remaining_days == 10
    assert p.needed_per_day == pytest.approx((2_000_000 - p.actual) / 10)
    assert "时间进度 66.7%" in render(ws, r, "zh")


def test_weekday_split_weighs_weekends_as_history_did():
    days = pd.date_range("2026-09-01", "2026-10-31")
    daily = pd.Series([200.0 if d.weekday() >= 5 else 100.0 for d in days], index=days)
    target = Target(
        "GMV", dt.date(2026, 11, 1), dt.date(2026, 11, 30), 3000.0, "weekday", "2026-11"
    )
    weights, shape = day_weights(target, daily)
    assert shape == "weekday"
    assert weights.sum() == pytest.approx(1)
    assert weights[pd.Timestamp("2026-11-07")] == pytest.approx(
        2 * weights[pd.Timestamp("2026-11-06")]
    )


def test_ratio_target_is_a_level(tmp_path):
    config = (
        "source: {type: folder, path: exports}\n"
        "targets: [{metric: 转化率, month: 2026-11, value: 0.05}]\n"
    )
    ws = _ws(tmp_path, history(), config)
    p = review(ws, role="store").targets[0]
    assert p.kind == "level" and p.actual == pytest.approx(0.03, rel=0.05)
    assert not p.on_track


def test_unknown_target_metric_is_named(tmp_path):
    config = "source: {type: folder, path: exports}\ntargets: [{metric: GMVV, month: 2026-11, value: 1}]\n"
    ws = _ws(tmp_path, history(), config)
    with pytest.raises(
        DataError, match=r"targets\[0\]: unknown metric 'GMVV' \(did you mean GMV\?\)"
    ):
        load_daily_config(ws)


def test_a_missing_day_is_an_error_not_an_empty_brief(tmp_path):
    ws = _ws(tmp_path, history())
    with pytest.raises(MissingDay) as exc:
        review(ws, day=dt.date(2026, 12, 1))
    assert "2026-11-30" in exc.value.text.en  # says what the latest day is


def test_gaps_in_recent_days_are_reported(tmp_path):
    frame = history()
    frame = frame[frame["日期"] != "2026-11-25"]
    ws = _ws(tmp_path, frame)
    r = review(ws, role="store")
    assert any("11-25" in n.en for n in r.notes)


def test_brief_in_each_language(tmp_path):
    ws = _ws(tmp_path, history(drop={"抖音": 0.4}))
    r = review(ws, role="store")
    zh, en = render(ws, r, "zh"), render(ws, r, "en")
    assert "晨会简报" in zh and "渠道=抖音" in zh
    assert "morning brief" in en and "Channel=抖音" in en
    assert "晨会" not in en


def _cli(root, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "kb", "daily", "--root", str(root), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )


def test_cli_json_and_exit_codes(tmp_path):
    root = write_root(tmp_path, history(drop={"抖音": 0.4}))
    ok = _cli(root, "--json", "--role", "store")
    assert ok.returncode == 0, ok.stderr
    data = json.loads(ok.stdout)
    assert data["date"] == "2026-11-30" and data["changes"][0]["segment"] == {"channel": "抖音"}
    assert data["brief"].startswith("# ")
    missing = _cli(root, "--date", "2026-12-03")
    assert missing.returncode == 4 and "没有数据" in missing.stderr and missing.stdout == ""
    (root / "daily.yaml").write_text(
        "source: {type: sql, url_env: NOPE_DB, table: t, measures: {UV: uv}}\n"
    )
    down = _cli(root)
    assert down.returncode == 3 and "NOPE_DB" in down.stderr


def test_bundled_sample_source_reviews(workspace=None):
    ws = Workspace.open(REPO)
    r = review(ws, role="store")
    assert r.kpis and r.targets
    assert any(c.segment.get("channel") == "抖音" for c in r.changes)


def test_recent_log_entries_and_open_actions_are_in_the_review(tmp_path):
    from conftest import write_doc

    root = write_root(tmp_path, history(drop={"抖音": 0.4}))
    write_doc(
        root,
        "log",
        "log-cut",
        "抖音预算下调",
        date="2026-11-29",
        segment="{channel: 抖音}",
        action="budget",
        status="done",
    )
    write_doc(
        root,
        "log",
        "log-todo",
        "恢复抖音预算?",
        date="2026-11-30",
        segment="{channel: 抖音}",
        action="budget",
        status="open",
        owner="小王",
    )
    write_doc(root, "log", "log-old", "很久以前的改价", date="2026-10-01", action="price")
    ws = Workspace.open(root)
    r = review(ws, role="store")
    ids = [e.id for e in r.events]
    assert "log-cut" in ids and "log-old" not in ids
    assert [a.id for a in r.open_actions] == ["log-todo"]
    brief = render(ws, r, "zh")
    assert "抖音预算下调" in brief and "负责人 小王" in brief
    assert "(预算)" in brief and "(budget)" not in brief


def _save_config(root: str, text: str, sha: str, queue) -> None:
    from kb.documents import ConflictError

    try:
        from kb.daily.config import save_daily_text

        save_daily_text(Workspace.open(root), text, sha)
        queue.put("saved")
    except ConflictError:
        queue.put("conflict")


def test_two_processes_saving_settings_at_once_never_lose_an_edit(tmp_path):
    import multiprocessing as mp

    from kb.documents import text_sha

    root = write_root(tmp_path, history(days=20))
    base = (root / "daily.yaml").read_text(encoding="utf-8")
    ctx = mp.get_context("spawn")
    for i in range(3):
        sha = text_sha((root / "daily.yaml").read_text(encoding="utf-8"))
        queue = ctx.Queue()
        texts = [base + f"# A{i}\n", base + f"# B{i}\n"]  # both differ from the file
        procs = [ctx.Process(target=_save_config, args=(str(root), x, sha, queue)) for x in texts]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        outcomes = sorted(queue.get(timeout=10) for _ in procs)
        assert outcomes == ["conflict", "saved"]
        assert (root / "daily.yaml").read_text(encoding="utf-8") in texts
