"""AppTest: the 运营日志 page — prefilled form, save, filters, mark done, calendar, read page."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")


@pytest.fixture
def app(content, monkeypatch) -> AppTest:
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    return at


def open_page(at: AppTest, page: str, **params: str) -> AppTest:
    at.query_params.clear()
    at.query_params.update(params)
    at.switch_page(f"ui/{page}.py").run()
    assert not at.exception, at.exception
    return at


def row_titles(at: AppTest) -> list[str]:
    return [
        link.proto.label
        for link in at.get("page_link")
        if link.proto.label != "在搜索中查看全部日志"
    ]


def test_a_link_from_the_diagnosis_prefills_the_form_and_saves(app, content):
    open_page(app, "log", date="2026-03-08", channel="douyin", action="budget")
    assert app.date_input(key="log_date").value.isoformat() == "2026-03-08"
    assert app.text_input(key="log_dim_channel").value == "抖音"  # alias -> canonical value
    assert app.selectbox(key="log_action").value == "budget"
    app.text_input(key="log_title").set_value("千川日预算下调到 1 万")
    app.text_input(key="log_owner").set_value("小王")
    app.selectbox(key="log_status").set_value("open")
    app.button(key="log_save").click().run()
    assert not app.exception
    assert any("已保存" in s.value for s in app.success)
    saved = list((content / "log").glob("log-2026-03-08-千川日预算下调到-1-万*.md"))
    assert len(saved) == 1
    text = saved[0].read_text(encoding="utf-8")
    assert "channel: 抖音" in text and "status: open" in text and "owner: 小王" in text
    assert "千川日预算下调到 1 万" in row_titles(app)


def test_missing_title_is_refused_with_the_field_named(app, content):
    before = sorted(p.name for p in (content / "log").glob("*.md"))
    open_page(app, "log", date="2026-03-08")
    app.button(key="log_save").click().run()
    assert any("title" in e.value for e in app.error)
    assert sorted(p.name for p in (content / "log").glob("*.md")) == before


def test_filters_and_mark_done(app, content):
    open_page(app, "log")
    app.selectbox(key="log_f_status").set_value("open").run()
    titles = row_titles(app)
    assert titles and "复盘抖音预算下调的影响, 评估是否恢复预算" in titles
    assert "抖音千川日预算从 3 万下调到 1 万" not in titles  # done
    app.selectbox(key="log_f_dim").set_value("category").run()
    app.text_input(key="log_f_value").set_value("女装").run()
    assert row_titles(app) == ["更新女装尺码表并联系已下单买家"]
    app.button(key="log_done_log-2026-03-12-womenswear-size-chart").click().run()
    assert not app.exception
    assert any("已标记完成" in s.value for s in app.success)
    assert row_titles(app) == []  # no longer open
    path = content / "log" / "log-2026-03-12-womenswear-size-chart.md"
    assert "status: done" in path.read_text(encoding="utf-8")


def test_calendar_around_a_date_shows_holidays_and_nearby_actions(app):
    open_page(app, "log", date="2026-10-03")
    table = app.dataframe[0].value
    assert "国庆节假期" in set(table["事件"])
    open_page(app, "log", date="2026-03-09", channel="抖音")
    table = app.dataframe[0].value
    assert table["事件"].iloc[0] == "抖音千川日预算从 3 万下调到 1 万"
    assert table["与分组的关系"].iloc[0] == "同一分组"
    open_page(app, "log", date="2027-10-03")
    assert any("holidays" in w.value for w in app.warning)  # 2027: the fallback is named


def test_english_labels_and_the_read_page(app):
    app.button_group(key="lang").set_value("en").run()
    open_page(app, "log")
    assert app.title[0].value == "Action log"
    open_page(app, "read", doc="log-2026-03-08-douyin-budget-cut")
    assert any("Budget" in m.value for m in app.markdown)
    assert any("Channel=抖音" in x.value for x in app.text)


def test_the_link_a_diagnosis_builds_opens_a_filled_form(app):
    import datetime as dt

    from ui.components import log_link

    params = log_link.params(dt.date(2026, 3, 8), {"channel": "抖音", "user_type": "新客"},
                             action="budget", title="")  # fmt: skip
    assert params == {
        "date": "2026-03-08",
        "channel": "抖音",
        "user_type": "新客",
        "action": "budget",
    }
    open_page(app, "log", **params)
    assert app.text_input(key="log_dim_user_type").value == "新客"
    assert app.selectbox(key="log_action").value == "budget"
    assert any("预填" in i.value for i in app.info)


def test_edit_an_entry_from_the_read_page(app, content):
    entry_id = "log-2026-03-08-douyin-budget-cut"
    open_page(app, "read", doc=entry_id)
    app.button(key="read_edit").click().run()
    assert app.title[0].value == "运营日志" and app.query_params["edit"] == entry_id
    open_page(app, "log", edit=entry_id)  # AppTest reruns the old page after a switch_page
    assert app.text_input(key="log_title").value == "抖音千川日预算从 3 万下调到 1 万"
    assert app.text_input(key="log_dim_channel").value == "抖音"
    app.text_input(key="log_title").set_value("抖音千川日预算从 3 万下调到 8 千")
    app.text_input(key="log_dim_user_type").set_value("新客")
    app.button(key="log_save").click().run()
    assert any("已保存" in s.value for s in app.success), [e.value for e in app.error]
    text = (content / "log" / f"{entry_id}.md").read_text(encoding="utf-8")
    assert "8 千" in text and "user_type: 新客" in text and "tags: [样例]" in text
    assert len(list((content / "log").glob("log-2026-03-08-*.md"))) == 2  # edited, not added


def test_an_edit_that_lost_the_race_is_refused(app, content):
    entry_id = "log-2026-03-10-douyin-budget-review"
    open_page(app, "log", edit=entry_id)
    path = content / "log" / f"{entry_id}.md"
    theirs = path.read_text(encoding="utf-8").replace("status: open", "status: done")
    path.write_text(theirs, encoding="utf-8")  # a colleague closed it meanwhile
    app.text_input(key="log_owner").set_value("小李")
    app.button(key="log_save").click().run()
    assert any("没有保存" in e.value for e in app.error)
    assert path.read_text(encoding="utf-8") == theirs
