"""AppTest: the daily review page shows the numbers, the changes, targets and the brief, and
hands a change to the diagnosis with the periods filled."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import REPO  # noqa: E402
from tests.daily_fixtures import history, write_root  # noqa: E402

APP = str(REPO / "app.py")


@pytest.fixture
def root(tmp_path, monkeypatch):
    write_root(tmp_path, history(drop={"抖音": 0.4}))
    monkeypatch.setenv("OPSKB_ROOT", str(tmp_path))
    monkeypatch.setenv("OPSKB_INDEX", str(tmp_path / ".index"))
    return tmp_path


def _open(root) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("ui/daily.py").run()
    assert not at.exception, at.exception
    return at


def test_review_page_shows_kpis_changes_and_targets(root):
    at = _open(root)
    labels = [m.label for m in at.metric]
    assert "访客数" in labels and "销售额" in labels
    text = "\n".join(m.value for m in at.markdown)
    assert "访客数 下降" in text and "渠道=抖音" in text
    assert any("完成" in p.proto.text for p in at.get("progress"))
    assert "晨会简报" in at.code[0].value


def test_diagnose_button_opens_the_wizard_with_the_change(root):
    at = _open(root)
    at.button(key="daily_dx_1").click().run()
    assert not at.exception, at.exception
    dx = at.session_state["dx"]
    assert dx["step"] == 2 and dx["baseline"] == "previous"
    assert str(dx["current"][0]) == "2026-11-30"
    assert b"channel" not in dx["data"].splitlines()[0]  # the segment's rows only


def test_bad_config_is_a_message_and_the_editor_opens(root):
    (root / "daily.yaml").write_text("source: {type: oracle}\n", encoding="utf-8")
    at = _open(root)
    assert any("oracle" in e.value for e in at.error)
    at.text_area(key="daily_config_text").set_value("source: {type: folder, path: exports}\n")
    at.button(key="daily_save_config").click().run()
    assert not at.exception
    assert (root / "daily.yaml").read_text(encoding="utf-8").startswith("source: {type: folder")


def test_missing_day_is_a_warning_not_an_empty_page(root):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.query_params["date"] = "2026-12-05"
    at.switch_page("ui/daily.py").run()
    assert not at.exception
    assert any("2026-12-05" in w.value for w in at.warning)


def test_settings_saved_by_someone_else_meanwhile_are_not_overwritten(root):
    at = _open(root)
    original = (root / "daily.yaml").read_text(encoding="utf-8")
    theirs = original + "# a colleague's edit\n"
    (root / "daily.yaml").write_text(theirs, encoding="utf-8")  # saved while this page was open
    at.text_area(key="daily_config_text").set_value(original + "expect: latest\n")
    at.button(key="daily_save_config").click().run()
    assert not at.exception
    assert any("刚刚修改" in e.value for e in at.error)
    assert (root / "daily.yaml").read_text(encoding="utf-8") == theirs
