"""AppTest: the search page's URLs carry ids (a shared link opens the same view), engine
messages reach the page in the chosen language, and a broken index folder is a message."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import REPO, copy_bundled_content  # noqa: E402

APP = str(REPO / "app.py")


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    return copy_bundled_content(tmp_path_factory.mktemp("content"))


def new_app(content, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("ui/search.py").run()
    assert not at.exception, at.exception
    return at


def result_links(at: AppTest) -> list[str]:
    return [e.proto.label for e in at.get("page_link")]


def kind_badges(at: AppTest) -> set[str]:
    text = "\n".join(m.value for m in at.markdown)
    return {k for k in ("案例", "操作手册", "文章") if f"badge[{k}]" in text}


def test_filter_clicks_put_ids_in_the_url_and_the_link_reopens_the_view(content, monkeypatch):
    at = new_app(content, monkeypatch)
    at.text_input(key="q").set_value("转化率").run()
    at.button_group(key="kind").set_value("case").run()
    assert not at.exception
    facets = at.selectbox(key="problem")
    # a problem type with results (its label carries a count)
    label = next(p for p in facets.options if "·" in p)
    at.selectbox(key="problem").select_index(facets.options.index(label)).run()
    assert not at.exception
    # the URL holds ids, never labels with counts
    assert at.query_params["kind"] == "case"
    chosen = at.query_params["problem"]
    assert "·" not in chosen and chosen == at.selectbox(key="problem").value
    assert chosen.isascii()  # an id such as new-customer-conversion-drop, not its name
    view = result_links(at)
    assert view and kind_badges(at) == {"案例"}

    # the same URL in a new browser session shows the same results
    shared = new_app(content, monkeypatch, q="转化率", kind="case", problem=chosen)
    assert result_links(shared) == view
    assert shared.button_group(key="kind").value == "case"
    assert shared.selectbox(key="problem").value == chosen


def test_a_link_with_an_unknown_id_is_dropped_not_an_empty_page(content, monkeypatch):
    at = new_app(content, monkeypatch, q="转化率", kind="案例 · 16")  # an old, broken link
    assert result_links(at)  # searched without the broken filter
    assert at.button_group(key="kind").value is None
    assert "kind" not in at.query_params


def test_query_messages_in_the_chosen_language(content, monkeypatch):
    at = new_app(content, monkeypatch, q="流量 kind:blog")
    assert any("不是文档类型" in w.value for w in at.warning)
    at.button_group(key="lang").set_value("en").run()
    assert not at.exception
    assert any("is not a document kind" in w.value for w in at.warning)
    assert not any("不是文档类型" in w.value for w in at.warning)


def test_a_query_of_punctuation_gets_a_hint(content, monkeypatch):
    at = new_app(content, monkeypatch, q="？？")
    assert any("没有可搜索的词" in w.value for w in at.warning)
    assert any("没有找到" in i.value for i in at.info)  # no results, not "all documents"
    assert not any(c.value.startswith("共") for c in at.caption)


def test_an_index_folder_that_is_a_file_is_a_message(tmp_path, monkeypatch):
    content = copy_bundled_content(tmp_path / "c")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the index folder's parent belongs")
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(blocker / "index"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("ui/search.py").run()
    assert not at.exception
    assert any("blocker" in e.value and "文件" in e.value for e in at.error)
