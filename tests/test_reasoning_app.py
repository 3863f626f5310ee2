"""AppTest: the diagnosis result shows verdicts and reasons, greys out what the data rules out,
says the shape of the change, lists the log around it and links to adding a log entry."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.conftest import REPO  # noqa: E402

APP = str(REPO / "app.py")


def _to_hypotheses(content, monkeypatch, language: str | None = None) -> AppTest:
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    at = AppTest.from_file(APP, default_timeout=90)
    if language:
        from ui.i18n import STATE_KEY

        at.session_state[STATE_KEY] = language
    at.run()
    at.switch_page("ui/diagnose.py").run()
    at.selectbox(key="dx_sample").set_value("channel-collapse").run()
    at.button(key="dx_next1").click().run()
    at.button(key="dx_next2").click().run()
    at.button(key="dx_next_3").click().run()
    at.button[-1].click().run()
    assert not at.exception
    return at


def test_result_shows_verdicts_reasons_shape_and_the_log(content, monkeypatch):
    at = _to_hypotheses(content, monkeypatch)
    text = "\n".join(m.value for m in at.markdown)
    assert "断崖式变化, 从 2026-03-09 开始" in text
    labels = [e.label for e in at.expander]
    assert "1. 抖音 的投放预算被削减或计划暂停" in labels
    assert ":green-badge[数据支持]" in text
    assert "变化前 1 天" in text  # the reason cites the log entry of the day before
    ruled_out = [x for x in labels if x.endswith("~~")]
    assert any("追踪参数或埋点失效" in x for x in ruled_out)  # greyed, at the end
    first_ruled = labels.index(ruled_out[0])
    assert all(x.endswith("~~") for x in labels[first_ruled:] if x[0].isdigit())
    assert ":gray[直接访问 访客数 −" in text
    links = {e.proto.label: e.proto for e in at.get("page_link")}
    assert "记一条运营日志" in links
    assert any("38" in w.value for w in at.warning)  # the baseline holds 38节


def test_result_in_english_has_no_chinese_labels(content, monkeypatch):
    at = _to_hypotheses(content, monkeypatch, "en")
    labels = [e.label for e in at.expander]
    assert "1. The ad budget of 抖音 was cut or its plans paused" in labels
    text = "\n".join(m.value for m in at.markdown)
    assert "a step change starting 2026-03-09" in text
    assert ":green-badge[Supported by the data]" in text
    assert "检查" not in text and "数据支持" not in text


def test_trend_chart_marks_the_change_start_and_the_events(workspace):
    from kb.diagnosis.engine import diagnose
    from ui.diagnosis.charts import marker_rows, trend

    d = diagnose(REPO / "samples" / "channel-collapse.csv", workspace)
    rows = marker_rows(d)
    shape = rows[rows["kind"] == "shape"]
    assert list(shape["date"].dt.strftime("%Y-%m-%d")) == ["2026-03-09"]
    events = rows[rows["kind"] == "event"]
    assert "2026-03-08" in set(events["date"].dt.strftime("%Y-%m-%d"))
    assert not events["label"].str.contains("小红书").any()  # unrelated segments left out
    spec = trend(d).to_dict()
    assert len(spec["layer"]) == 3  # periods, the line, the marks


def test_like_for_like_baseline_is_one_click_away(content, monkeypatch):
    at = _to_hypotheses(content, monkeypatch)
    button = at.button(key="dx_like_for_like")
    suggested = button.label.split()[-2] if "基线" in button.label else ""
    start, end = suggested.split(":")
    button.click().run()
    assert not at.exception
    used = at.session_state["dx"]["result"].comparison.baseline
    assert (f"{used.start:%Y-%m-%d}", f"{used.end:%Y-%m-%d}") == (start, end)
    assert not any(b.key == "dx_like_for_like" for b in at.button)  # now in use
