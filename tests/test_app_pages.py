"""AppTest: home, search, read, problems and the language switch render what a user expects."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import REPO, copy_bundled_content  # noqa: E402
from kb.config import KIND_DIRS  # noqa: E402

APP = str(REPO / "app.py")


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    """A read-only copy of the bundled content with its own index (shared by this module)."""
    return copy_bundled_content(tmp_path_factory.mktemp("content"))


@pytest.fixture
def app(content, monkeypatch):
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def open_page(at: AppTest, page_name: str, **params: str) -> AppTest:
    at.query_params.clear()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"ui/{page_name}.py").run()
    assert not at.exception, at.exception
    return at


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def link_labels(at: AppTest) -> list[str]:
    return [e.proto.label for e in at.get("page_link")]


def test_home_shows_counts_areas_and_recent_documents(app, content):
    cases = len(list((content / "cases").glob("*.md")))
    playbooks = len(list((content / "playbooks").glob("*.md")))
    assert app.title[0].value == "OpsKB 运营知识库与诊断台"
    counts = {m.label: m.value for m in app.metric}
    assert counts["案例"] == str(cases)
    assert counts["操作手册"] == str(playbooks)
    assert any("内容运营" in e.label for e in app.expander)
    assert any(b.label == "开始一次诊断" for b in app.button)


def test_chinese_search_returns_highlighted_results(app):
    open_page(app, "search")
    app.text_input(key="q").set_value("抖音 流量").run()
    assert not app.exception
    assert app.caption[0].value.startswith("找到")
    assert "<mark>" in markdown_text(app)
    assert "女装小程序商城抖音渠道流量腰斩:只有一个渠道在掉" in link_labels(app)


def test_search_url_filters_by_kind(app):
    open_page(app, "search", q="转化率", kind="case")
    text = markdown_text(app)
    assert ":orange-badge[案例]" in text
    assert "badge[操作手册]" not in text and "badge[文章]" not in text


def test_search_without_results_says_so_and_suggests(app):
    open_page(app, "search", q="拉新")
    assert app.caption[0].value.startswith("找到")  # a known word finds something
    app.text_input(key="q").set_value("xyzzy拉新成本").run()
    assert not app.exception
    # every term must match: the unknown word finds nothing, and the page says so, naming it
    assert any("没有找到" in i.value and "xyzzy拉新成本" in i.value for i in app.info)
    assert not any(c.value.startswith("找到") for c in app.caption)
    app.text_input(key="q").set_value("qqqzzz").run()
    assert any("没有找到" in i.value for i in app.info)


def test_read_page_renders_document_with_problems_and_related(app):
    open_page(app, "read", doc="case-douyin-traffic-halved")
    assert app.title[0].value.startswith("女装小程序商城抖音渠道流量腰斩")
    assert "<h2>背景</h2>" in markdown_text(app)  # rendered Markdown, sanitised HTML
    labels = link_labels(app)
    assert "单一渠道流量下降" in labels  # its problem types as links
    assert [s.value for s in app.subheader][-1] == "相关文档"
    assert any(b.label == "编辑" for b in app.button)


def test_read_unknown_document_warns(app):
    open_page(app, "read", doc="no-such-doc")
    assert any("no-such-doc" in w.value for w in app.warning)


def test_problem_page_shows_signature_causes_and_documents(app):
    open_page(app, "problems", problem="channel-traffic-drop")
    assert app.title[0].value == "单一渠道流量下降"
    assert len(app.expander) >= 2  # causes, each with check and actions
    assert "怎么核查" in markdown_text(app)
    assert "女装小程序商城抖音渠道流量腰斩:只有一个渠道在掉" in link_labels(app)


def test_problem_index_lists_areas(app):
    open_page(app, "problems")
    assert [t.label for t in app.tabs][:2] == ["内容运营", "用户运营"]
    assert "浏览量下降而访客持平" in link_labels(app)


def test_language_switch_changes_labels(app):
    app.button_group(key="lang").set_value("en").run()
    assert app.title[0].value.startswith("OpsKB — operations")
    assert any(m.label == "Cases" for m in app.metric)
    open_page(app, "problems", problem="channel-traffic-drop")
    from kb.workspace import Workspace

    english = Workspace.open().taxonomy.get("channel-traffic-drop").name.en
    assert app.title[0].value == english
    assert app.subheader[0].value == "Pattern in the data"


def test_search_pages_through_all_documents(app, content):
    total = sum(len(list((content / f).glob("*.md"))) for f in KIND_DIRS.values())
    open_page(app, "search")
    assert app.caption[0].value == f"共 {total} 篇文档（按时间排序）"
    first = link_labels(app)
    app.pagination(key="page").set_value(2).run()
    assert not app.exception
    second = link_labels(app)
    assert second and not set(second) & set(first)


def test_problem_page_links_glossary_words_and_drills(app):
    open_page(app, "problems", problem="channel-traffic-drop")
    headings = [s.value for s in app.subheader]
    assert "练一练" in headings
    open_page(app, "learn", drill="drill-channel-collapse")
    assert app.selectbox(key="learn_drill").value == "drill-channel-collapse"


def test_every_label_exists_in_both_languages():
    import re

    from ui.i18n import catalogue

    zh, en = catalogue("zh"), catalogue("en")
    assert set(zh) == set(en)
    used = set()
    for path in (REPO / "ui").rglob("*.py"):
        used |= set(re.findall(r'\bt\(\s*"([a-z_0-9.]+)"', path.read_text(encoding="utf-8")))
    assert used <= set(zh), sorted(used - set(zh))


def test_read_page_never_shows_script_from_a_document(content, monkeypatch):
    evil = content / "articles" / "evil-note.md"
    evil.write_text(
        "---\nid: evil-note\nkind: article\ntitle: 可疑文章\ncreated: 2026-03-01\n---\n"
        "正文<script>alert(1)</script><img src=x onerror=alert(2)>"
        "[点我](javascript:alert(3))\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        open_page(at, "read", doc="evil-note")
        html = markdown_text(at)
        assert "正文" in html
        assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    finally:
        evil.unlink()
