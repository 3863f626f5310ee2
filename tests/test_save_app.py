"""AppTest: the conflict screen, the history panel, drafts and the problem picker (issues 13, 15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from kb.config import load_config  # noqa: E402
from kb.documents import Document, read_document, save_document  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")
DOC = "pb-weekly-report"


@pytest.fixture
def app(content, monkeypatch) -> AppTest:
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    monkeypatch.delenv("OPSKB_HISTORY", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def open_page(at: AppTest, page: str, **params: str) -> AppTest:
    at.query_params.clear()
    at.query_params.update(params)
    at.switch_page(f"ui/{page}.py").run()
    assert not at.exception, at.exception
    return at


def _conflict(app, content) -> tuple[Path, str]:
    """Open the editor, let 'someone else' save, then save my title: the conflict screen."""
    open_page(app, "add", edit=DOC)
    path = content / "playbooks" / f"{DOC}.md"
    theirs = path.read_text(encoding="utf-8").replace("运营周报", "运营周报（同事改过）", 1)
    path.write_text(theirs, encoding="utf-8")
    app.text_input(key="ed_title").set_value("我的标题").run()
    app.button(key="editor_save").click().run()
    assert not app.exception, app.exception
    return path, theirs


def test_conflict_screen_shows_both_versions_and_keep_mine_saves_over_theirs(app, content):
    path, theirs = _conflict(app, content)
    assert any("没有保存" in e.value for e in app.error)
    codes = [c.value for c in app.code]
    assert any("运营周报（同事改过）" in c for c in codes)  # theirs
    assert any("title: 我的标题" in c for c in codes)  # mine
    assert any(c.startswith("--- theirs") for c in codes)  # the diff
    assert path.read_text(encoding="utf-8") == theirs  # nothing written yet
    app.button(key="editor_conflict_mine").click().run()
    assert not app.exception
    assert "title: 我的标题" in path.read_text(encoding="utf-8")
    assert any("已保存" in s.value for s in app.success)
    assert app.text_input(key="ed_title").value == "我的标题"  # the form is back


def test_conflict_screen_keep_theirs_reloads_their_version(app, content):
    path, theirs = _conflict(app, content)
    app.button(key="editor_conflict_theirs").click().run()
    assert not app.exception
    assert path.read_text(encoding="utf-8") == theirs
    assert "同事改过" in app.text_area(key="ed_body").value + app.text_input(key="ed_title").value
    # the form now expects their version: saving again works without a conflict
    app.text_input(key="ed_summary").set_value("新摘要").run()
    app.button(key="editor_save").click().run()
    assert any("已保存" in s.value for s in app.success)
    assert "同事改过" in path.read_text(encoding="utf-8")


def test_conflict_screen_merge_by_hand(app, content):
    path, _ = _conflict(app, content)
    app.button(key="editor_conflict_merge").click().run()
    merged = app.text_area(key="save_conflict_text")
    assert "<<<<<<<" in merged.value and "我的标题" in merged.value and "同事改过" in merged.value
    app.button(key="editor_conflict_save_merge").click().run()
    assert any("标记" in w.value for w in app.warning)  # markers left: not saved
    lines = [
        ln
        for ln in merged.value.splitlines()
        if not ln.startswith(("<<<<<<<", "=======", ">>>>>>>")) and "title: 我的标题" not in ln
    ]
    app.text_area(key="save_conflict_text").set_value("\n".join(lines) + "\n").run()
    app.button(key="editor_conflict_save_merge").click().run()
    assert not app.exception
    text = path.read_text(encoding="utf-8")
    assert "同事改过" in text and "<<<<<<<" not in text


def test_history_panel_lists_authors_shows_a_diff_and_restores(app, content):
    path = content / "playbooks" / f"{DOC}.md"
    original = read_document(path)
    open_page(app, "add", edit=DOC, author="张三")
    assert app.text_input(key="author").value == "张三"  # remembered from the address
    app.text_input(key="ed_title").set_value("周报（第二版）").run()
    app.button(key="editor_save").click().run()
    assert any("已保存" in s.value for s in app.success)
    open_page(app, "read", doc=DOC)
    (panel,) = [e for e in app.expander if "编辑历史" in e.label]
    assert "2 个版本" in panel.label  # the hand-written original, then 张三's save
    rows = app.dataframe[0].value
    assert list(rows["作者"]) == ["张三", "OpsKB"]
    app.selectbox(key="read_history_rev").set_value(
        app.selectbox(key="read_history_rev").options[1]
    )
    app.selectbox(key="read_history_rev").select_index(1).run()
    diff = [c.value for c in app.code if c.language == "diff"]
    assert diff and "周报（第二版）" in diff[0]
    app.selectbox(key="read_history_against").select_index(1).run()  # newest vs. oldest
    diff = [c.value for c in app.code if c.language == "diff"]
    assert "+title: 周报（第二版）" in diff[0]
    app.selectbox(key="read_history_against").select_index(0).run()
    app.button(key="read_history_restore").click().run()
    assert not app.exception
    assert read_document(path).title == original.title
    assert any("已恢复" in s.value for s in app.success)


def test_draft_is_badged_kept_off_problem_pages_and_published_explicitly(app, content):
    config = load_config(content)
    doc = Document(
        id="case-draft-x",
        kind="case",
        title="草稿案例",
        body="正文",
        problems=["channel-traffic-drop"],
        created=dt.date(2026, 3, 1),
        meta={"state": "draft"},
    )
    save_document(config, doc)
    open_page(app, "problems", problem="channel-traffic-drop")
    titles = [e.proto.label for e in app.get("page_link")]
    assert "草稿案例" not in titles
    app.toggle(key="problems_drafts").set_value(True).run()
    assert "草稿案例" in [e.proto.label for e in app.get("page_link")]
    open_page(app, "read", doc="case-draft-x")
    assert any(":violet-badge[" in m.value and "草稿" in m.value for m in app.markdown)
    app.button(key="read_publish").click().run()
    assert not app.exception
    assert read_document(doc.path).meta["state"] == "published"
    assert any("已发布" in s.value for s in app.success)
    open_page(app, "problems", problem="channel-traffic-drop")
    assert "草稿案例" in [e.proto.label for e in app.get("page_link")]


def test_problem_picker_adds_one_match_on_enter(app):
    open_page(app, "add")
    assert app.multiselect(key="ed_problems").proto.select_all == 0  # no "Select N matches"
    assert app.multiselect(key="ed_metrics").proto.select_all == 0


def test_diagnosis_saves_a_draft_tagged_only_with_confirmed_problem_types(app, content):
    app.switch_page("ui/diagnose.py").run()
    app.selectbox(key="dx_sample").set_value("channel-collapse").run()
    app.button(key="dx_next1").click().run()
    app.button(key="dx_next2").click().run()
    app.button(key="dx_next_3").click().run()
    app.button[-1].click().run()  # step 4: show likely causes without answers
    app.button(key="dx_next_5").click().run()
    picker = app.multiselect(key="dx_case_problems")
    assert picker.value == [] and len(picker.options) >= 2  # nothing pre-selected
    picker.set_value(["channel-traffic-drop"]).run()
    case_id = app.text_input(key="dx_case_id").value
    app.button(key="dx_save").click().run()
    assert not app.exception
    doc = read_document(content / "cases" / f"{case_id}.md")
    assert doc.is_draft and doc.problems == ["channel-traffic-drop"]
    assert "[ ]" not in doc.body and "(当时" not in doc.body
    open_page(app, "problems", problem="channel-traffic-drop")
    assert doc.title not in [e.proto.label for e in app.get("page_link")]


def test_signed_in_user_is_the_author_when_st_login_is_configured(app, content, monkeypatch):
    """A stand-in for st.user after an OIDC login (no identity provider in tests)."""
    import streamlit

    monkeypatch.setattr(streamlit, "user", {"is_logged_in": True, "name": "Ana Li", "email": "a@x"})
    open_page(app, "add", edit=DOC)
    assert any("Ana Li" in c.value for c in app.caption)
    assert not [w for w in app.text_input if w.key == "author"]  # no name to type
    app.text_input(key="ed_title").set_value("登录用户改的").run()
    app.button(key="editor_save").click().run()
    from kb import history

    revs = history.log(load_config(content), content / "playbooks" / f"{DOC}.md")
    assert revs[0].author == "Ana Li"


def test_sign_in_is_offered_only_where_an_identity_provider_is_configured(app):
    open_page(app, "add")
    assert not [b for b in app.button if b.key == "author_login"]
    app.secrets["auth"] = {"client_id": "opskb", "server_metadata_url": "https://idp.example/.wk"}
    open_page(app, "add")
    assert [b for b in app.button if b.key == "author_login"]


def test_a_blocked_state_folder_is_a_message_not_a_traceback(app, content):
    (content / ".opskb").write_text("a file where the lock folder belongs\n", encoding="utf-8")
    open_page(app, "add", edit=DOC)
    app.text_input(key="ed_title").set_value("改标题").run()
    app.button(key="editor_save").click().run()
    assert not app.exception
    assert any("没有保存" in e.value and ".opskb is a file" in e.value for e in app.error)


def test_a_draft_is_published_from_the_editor_after_editing(app, content):
    doc = Document(
        id="case-draft-y",
        kind="case",
        title="草稿",
        body="<!-- 背景 -->",
        created=dt.date(2026, 3, 1),
        meta={"state": "draft"},
    )
    save_document(load_config(content), doc)
    open_page(app, "add", edit="case-draft-y", author="张三")
    assert any("草稿" in w.value for w in app.warning)
    app.text_area(key="ed_body").set_value("## 背景\n\n写完了。").run()
    app.button(key="editor_save").click().run()
    assert read_document(doc.path).is_draft  # saving keeps it a draft
    app.button(key="editor_publish").click().run()
    assert not app.exception
    published = read_document(doc.path)
    assert not published.is_draft and "写完了" in published.body
