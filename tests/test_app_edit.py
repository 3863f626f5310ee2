"""AppTest: writing, editing (with a conflict), importing files, and the Learn page."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")
DOC = "pb-weekly-report"


@pytest.fixture
def app(content, monkeypatch) -> AppTest:
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def open_page(at: AppTest, page: str, **params: str) -> AppTest:
    at.query_params.clear()
    at.query_params.update(params)
    at.switch_page(f"ui/{page}.py").run()
    assert not at.exception, at.exception
    return at


def search_titles(at: AppTest, query: str) -> list[str]:
    open_page(at, "search", q=query)
    return [e.proto.label for e in at.get("page_link")]


def test_edit_saves_the_file_and_updates_search(app, content):
    open_page(app, "add", edit=DOC)
    assert app.text_input(key="ed_id").disabled
    app.text_input(key="ed_title").set_value("运营周报的写法（修订版）").run()
    app.button(key="editor_save").click().run()
    assert not app.exception
    assert any("已保存" in s.value for s in app.success)
    text = (content / "playbooks" / f"{DOC}.md").read_text(encoding="utf-8")
    assert "title: 运营周报的写法（修订版）" in text
    assert "运营周报的写法（修订版）" in search_titles(app, "运营周报 修订版")


def test_edit_conflict_is_reported_and_nothing_is_overwritten(app, content):
    open_page(app, "add", edit=DOC)
    path = content / "playbooks" / f"{DOC}.md"
    theirs = path.read_text(encoding="utf-8").replace("运营周报", "运营周报（同事改过）", 1)
    path.write_text(theirs, encoding="utf-8")  # someone else saves meanwhile
    app.text_input(key="ed_title").set_value("我的标题").run()
    app.button(key="editor_save").click().run()
    assert any("没有保存" in e.value for e in app.error)
    assert path.read_text(encoding="utf-8") == theirs


def test_new_document_shows_validation_then_saves(app, content):
    open_page(app, "add")
    app.selectbox(key="ed_kind").set_value("article").run()
    app.text_input(key="ed_id").set_value("Bad Id!").run()
    app.text_input(key="ed_title").set_value("复购的三个抓手").run()
    assert any("id" in w.value for w in app.warning)  # the id is not url-safe
    app.text_input(key="ed_id").set_value("repeat-purchase-levers").run()
    app.text_area(key="ed_body").set_value("## 要点\n\n会员、复购券、**订阅**。").run()
    assert "<strong>订阅</strong>" in "\n".join(m.value for m in app.markdown)  # live preview
    assert any("可以保存" in s.value for s in app.success)
    app.button(key="editor_save").click().run()
    assert (content / "articles" / "repeat-purchase-levers.md").exists()
    assert "复购的三个抓手" in search_titles(app, "复购 抓手")


def test_import_markdown_file_and_refuse_a_bad_one(app, content):
    open_page(app, "add")
    note = "# 私域复购笔记\n\n社群里每周做一次老客专属活动，复购率明显提升。\n".encode()
    app.file_uploader(key="import_files").set_value(
        [("notes.md", note, "text/markdown"), ("virus.exe", b"MZ\x00", "application/x-msdownload")]
    ).run()
    app.button(key="import_run").click().run()
    assert not app.exception
    assert any("virus.exe" in e.value and "不支持" in e.value for e in app.error)
    assert any("导入 1 篇" in i.value for i in app.info)
    assert list((content / "articles").glob("*.md"))
    assert "私域复购笔记" in search_titles(app, "私域复购笔记")


def test_learn_path_glossary_and_drill(app):
    open_page(app, "learn")
    assert [t.label for t in app.tabs] == ["新人学习路径", "术语表", "练习"]
    first = app.checkbox[0]
    first.check().run()
    assert "已完成 1 /" in app.get("progress")[0].proto.text
    app.text_input(key="gq").set_value("转化率").run()
    assert any("转化率" in m.value for m in app.markdown)
    radio = next(r for r in app.radio if r.key.startswith("drill_choice_"))
    radio.set_value(radio.options[0])  # inside a form: sent with the submit
    app.button[[b.label for b in app.button].index("提交答案")].click().run()
    verdicts = [s.value for s in app.success] + [e.value for e in app.error]
    assert any("正确答案是" in v for v in verdicts)


def test_edit_button_on_a_document_opens_the_form(app):
    open_page(app, "read", doc=DOC)
    app.button(key="read_edit").click().run()
    assert not app.exception
    assert app.title[0].value == "新增与导入"
    assert app.text_input(key="ed_id").value == DOC


def test_home_search_box_opens_the_search_page(app):
    app.text_input[0].set_value("复购")
    app.button[[b.label for b in app.button].index("搜索")].click().run()
    assert not app.exception
    assert app.title[0].value == "搜索"
    assert app.text_input(key="q").value == "复购"
    assert app.caption[0].value.startswith("找到")


def test_learning_progress_is_kept_under_a_name(app, content):
    open_page(app, "learn")
    app.text_input(key="learn_name").set_value("小王").run()
    app.checkbox[0].check().run()
    assert (content / ".progress" / "小王.json").exists()
    later = AppTest.from_file(APP, default_timeout=60)  # another browser session
    later.run()
    open_page(later, "learn")
    later.text_input(key="learn_name").set_value("小王").run()
    assert later.checkbox[0].value is True
    assert "已完成 1 /" in later.get("progress")[0].proto.text
