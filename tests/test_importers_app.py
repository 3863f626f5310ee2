"""AppTest of the import panel: suggestions shown by name, accepted into the file, languages."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from kb.documents import read_document  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")
NOTE = (
    "# 抖音渠道流量下降复盘\n\n"
    "三月第一周抖音渠道流量下降，UV 下降了 21%，转化率持平，渠道流量下降是主因。\n"
    "<script>alert(1)</script>\n"
).encode()


@pytest.fixture
def app(content, monkeypatch) -> AppTest:
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def _import_note(at: AppTest) -> AppTest:
    at.query_params.clear()
    at.switch_page("ui/add.py").run()
    at.file_uploader(key="import_files").set_value([("douyin.md", NOTE, "text/markdown")]).run()
    at.button(key="import_run").click().run()
    assert not at.exception, at.exception
    return at


def test_suggested_problem_types_show_names_and_can_be_accepted(app, content):
    _import_note(app)
    path = next((content / "articles").glob("抖音渠道流量下降复盘*.md"))
    assert read_document(path).problems == []  # nothing applied before the user accepts
    captions = " ".join(c.value for c in app.caption)
    assert "渠道流量下降" in captions and "channel-traffic-drop" not in captions  # a name, no id
    picker = next(m for m in app.multiselect if m.key.startswith("import_problems_"))
    assert "channel-traffic-drop" in picker.value
    assert picker.format_func("channel-traffic-drop") != "channel-traffic-drop"
    picker.set_value(["channel-traffic-drop"])  # keep one, drop the others
    accept = next(b for b in app.button if b.label == "接受并保存")
    accept.click().run()
    assert not app.exception, app.exception
    doc = read_document(path)
    assert doc.problems == ["channel-traffic-drop"]
    assert any("已保存所选" in s.value for s in app.success)
    assert not any(m.key.startswith("import_problems_") for m in app.multiselect)


def test_import_messages_follow_the_chosen_language(app):
    app.sidebar.segmented_control(key="lang").set_value("en").run()
    _import_note(app)
    info = " ".join(i.value for i in app.info)
    assert info.startswith("imported 1") and "导入" not in info
    _import_note(app)  # the same text again: skipped as a duplicate, said in English
    warnings = " ".join(w.value for w in app.warning)
    assert "duplicate: the same text was imported as" in warnings and "重复" not in warnings
