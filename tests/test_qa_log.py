"""QA finding on the action log: after saving a new entry the form is emptied, so a second
click on Save (or a double click) does not log the same action twice; the message names the
entry by its title, not its file id."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import REPO  # noqa: E402


@pytest.fixture
def app(content, monkeypatch) -> AppTest:
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("ui/log.py").run()
    assert not at.exception, at.exception
    return at


def test_saving_twice_does_not_log_the_action_twice(app, content):
    before = set((content / "log").glob("*.md"))
    app.text_input(key="log_title").set_value("QA 抖音出价上调 10%")
    app.text_input(key="log_dim_channel").set_value("抖音")
    app.button(key="log_save").click().run()
    assert not app.exception, app.exception
    new = set((content / "log").glob("*.md")) - before
    assert len(new) == 1
    assert any("QA 抖音出价上调 10%" in s.value for s in app.success)
    assert not any("log-2026" in s.value for s in app.success)  # the title, not the file id
    assert app.text_input(key="log_title").value == ""
    assert app.text_input(key="log_dim_channel").value == ""
    app.button(key="log_save").click().run()  # the second click
    assert len(set((content / "log").glob("*.md")) - before) == 1


def test_a_refused_entry_names_the_field_as_the_form_does(app, content):
    before = set((content / "log").glob("*.md"))
    app.button(key="log_save").click().run()  # no title
    errors = [e.value for e in app.error]
    assert any(e.startswith("做了什么: 必填") for e in errors), errors
    assert not any("missing" in e or e.startswith("title") for e in errors)
    app.text_input(key="log_title").set_value("活动结束")
    app.date_input(key="log_end").set_value(app.date_input(key="log_date").value.replace(year=2020))
    app.button(key="log_save").click().run()
    assert any("早于开始日期" in e.value for e in app.error)
    assert set((content / "log").glob("*.md")) == before


def test_calendar_table_starts_with_the_day(app):
    """The table sits in half the page: the day must be in sight, not scrolled off."""
    columns = list(app.dataframe[0].value.columns)
    assert columns[0] == "日期" and columns[1] == "事件"


def test_editing_an_entry_names_it_by_title(app):
    app.query_params["edit"] = "log-2026-11-30-douyin-budget-decision"
    app.switch_page("ui/log.py").run()
    assert not app.exception, app.exception
    heading = app.subheader[0].value
    assert "评估抖音预算下调的影响" in heading
    assert "log-2026-11-30" not in heading
