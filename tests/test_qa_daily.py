"""QA (real-browser walk-through) findings on the daily review, pinned as AppTests: the page
shows names, not the config's ids (dimension keys, action codes), and the 7-day view does not
label its numbers as yesterday's."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import REPO  # noqa: E402
from kb.daily.brief import render as render_brief  # noqa: E402
from kb.daily.review import review  # noqa: E402
from kb.workspace import Workspace  # noqa: E402
from tests.daily_fixtures import history, write_root  # noqa: E402

APP = str(REPO / "app.py")
LOG_ENTRY = """---
id: log-2026-11-28-douyin-budget
kind: log
title: 抖音千川日预算下调
date: 2026-11-28
segment: {channel: 抖音}
action: budget
status: done
created: 2026-11-28
---

预算从 5 万降到 1.5 万。
"""


@pytest.fixture
def root(tmp_path, monkeypatch):
    write_root(tmp_path, history(drop={"抖音": 0.4}))
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "log-2026-11-28-douyin-budget.md").write_text(LOG_ENTRY, encoding="utf-8")
    monkeypatch.setenv("OPSKB_ROOT", str(tmp_path))
    monkeypatch.setenv("OPSKB_INDEX", str(tmp_path / ".index"))
    return tmp_path


def _open(root, lang: str = "zh", **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if lang == "en":
        at.query_params["lang"] = "en"
    at.run()
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page("ui/daily.py").run()
    assert not at.exception, at.exception
    return at


def _page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(parts)


def test_change_segment_and_events_use_names_not_ids(root):
    text = _page_text(_open(root))
    assert "渠道=抖音" in text
    assert "channel=" not in text
    assert "抖音千川日预算下调" in text
    assert "`budget`" not in text and "预算" in text


def test_english_page_names_the_dimension_and_the_action(root):
    text = _page_text(_open(root, "en"))
    assert "Channel=抖音" in text and "channel=" not in text
    assert "Budget" in text and "`budget`" not in text


def test_week_view_does_not_call_its_numbers_yesterday(root):
    at = _open(root, span="7")
    captions = "\n".join(c.value for c in at.caption if c.value.startswith("vs"))  # KPI cards
    assert captions
    assert "上周同日" not in captions
    assert "今日目标" not in captions
    assert "前7天" in captions or "前 7 天" in captions


def test_brief_names_the_event_kind(root):
    ws = Workspace.open(root)
    r = review(ws, lang="zh")
    text = render_brief(ws, r, "zh")
    assert "抖音千川日预算下调 (预算)" in text
    text_en = render_brief(ws, review(ws, lang="en"), "en")
    assert "(budget)" in text_en


def test_a_team_brief_yaml_without_the_new_templates_still_renders(root):
    """A root with its own data/brief.yaml from before the kind names (or missing a line)."""
    import yaml

    from kb.config import BUNDLED_DATA

    data = yaml.safe_load((BUNDLED_DATA / "brief.yaml").read_text(encoding="utf-8"))
    for lang in ("zh", "en"):
        data[lang] = {k: v for k, v in data[lang].items() if not k.startswith("kind_")}
        del data[lang]["notes"]
    data["zh"]["title"] = "# {role} 早会 · {date}"  # the team's own wording wins
    (root / "data").mkdir()
    (root / "data" / "brief.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    ws = Workspace.open(root)
    text = render_brief(ws, review(ws, lang="zh"), "zh")
    assert text.startswith("# 店铺与电商运营 早会")
    assert "抖音千川日预算下调 (预算)" in text


@pytest.mark.parametrize("day", ["2026-12-25", "2020-01-01"])  # after the data; before it
def test_a_day_without_data_keeps_the_date_picker_and_a_way_back(root, day):
    at = _open(root, date=day)
    assert not at.metric  # no review for that day: said so
    assert at.date_input(key="daily_date").value.isoformat() == day
    at.button(key="daily_latest").click().run()
    assert not at.exception, at.exception
    assert at.metric  # the newest day's review
    assert "date" not in at.query_params


def test_an_action_marked_done_leaves_the_open_actions_at_once(root):
    from kb import journal

    ws = Workspace.open(root)
    entry = journal.add_entry(
        ws,
        date=dt.date(2026, 11, 29),
        title="QA 复盘抖音预算",
        action="budget",
        segment={"channel": "抖音"},
        status="open",
        owner="小王",
    )
    at = _open(root)
    actions = [link.proto.label for link in at.get("page_link")]
    assert any("QA 复盘抖音预算" in a for a in actions)
    journal.update_entry(ws, entry.id, entry.doc.sha, status="done")
    at.run()  # the same minute: the review is cached
    assert not at.exception, at.exception
    actions = [link.proto.label for link in at.get("page_link")]
    assert not any("QA 复盘抖音预算" in a for a in actions)


def test_english_brief_has_no_chinese_units(root):
    import re

    ws = Workspace.open(root)
    text = render_brief(ws, review(ws, lang="en"), "en")
    kpis = [line for line in text.splitlines() if line.startswith("- **")]
    assert kpis
    assert not any(re.search(r"\d [元人单次件秒倍]", line) for line in kpis), kpis
    assert any(" CNY " in line for line in kpis)  # sales keep a currency
    zh = render_brief(ws, review(ws, lang="zh"), "zh")
    assert " 元 · " in zh


def test_settings_saved_from_the_page_are_committed(root):
    import subprocess

    from kb.daily.config import save_daily_text
    from kb.documents import text_sha

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True
        ).stdout

    git("init", "-q")
    git("-c", "user.email=qa@example.com", "-c", "user.name=qa", "add", "-A")
    git("-c", "user.email=qa@example.com", "-c", "user.name=qa", "commit", "-qm", "init")
    ws = Workspace.open(root)
    old = (root / "daily.yaml").read_text(encoding="utf-8")
    save_daily_text(ws, old + "# QA\\n", text_sha(old))
    assert git("status", "--porcelain", "--", "daily.yaml") == ""
    assert "daily.yaml" in git("log", "-1", "--name-only", "--format=%s")


def test_role_and_comparison_go_into_the_url(root):
    at = _open(root)
    at.button_group(key="daily_role").set_value("promotion").run()
    at.button_group(key="daily_span").set_value(7).run()
    assert not at.exception, at.exception
    assert at.query_params.get("role") in ("promotion", ["promotion"])
    assert at.query_params.get("span") in ("7", ["7"])
    at.button_group(key="daily_span").set_value(1).run()
    assert "span" not in at.query_params
