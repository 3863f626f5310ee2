"""QA findings on search: a query of several words none of the documents holds all of
(``直播间 转化``) lists the documents with some of the words, says so, and ranks those with
more of them first; a query of punctuation only says one thing, not two."""

from __future__ import annotations

import pytest

from conftest import REPO, write_doc
from kb.config import load_config
from kb.search import SearchIndex


@pytest.fixture
def index(root):
    write_doc(root, "case", "case-live", "直播间退款", body="抖音直播间的退款率翻倍。")
    write_doc(root, "playbook", "pb-cr", "转化率下降排查", body="转化率下降时先看口径和埋点。")
    write_doc(root, "article", "art-both", "直播转化", body="直播间的转化率怎么提升。")
    write_doc(root, "article", "art-none", "复购", body="老客复购。")
    return SearchIndex(load_config(root))


def test_no_document_with_all_words_falls_back_to_some_words_with_a_notice(index):
    res = index.search("直播间 复购率")
    assert res.total >= 2
    assert {h.id for h in res.hits} >= {"case-live", "art-none"}
    assert [e.code for e in res.errors] == ["partial"]
    assert "部分" in res.errors[0].get("zh") and "some" in res.errors[0].get("en")


def test_documents_with_all_words_need_no_fallback(index):
    res = index.search("直播间 转化")
    assert [h.id for h in res.hits] == ["art-both"]
    assert res.errors == []


def test_fallback_keeps_the_filters(index):
    res = index.search("直播间 复购率 kind:case")
    assert [h.id for h in res.hits] == ["case-live"]


def test_a_single_unknown_word_still_finds_nothing(index):
    res = index.search("量子纠缠")
    assert res.total == 0 and res.errors == []


def test_bundled_content_answers_a_new_hires_query(tmp_path, monkeypatch):
    monkeypatch.setenv("OPSKB_INDEX", str(tmp_path / "index"))
    res = SearchIndex(load_config(REPO)).search("直播间 转化")
    assert res.total > 0


# ---- the page -------------------------------------------------------------------------------
def _page(tmp_path, monkeypatch, **params):
    from streamlit.testing.v1 import AppTest

    from conftest import copy_bundled_content

    content = copy_bundled_content(tmp_path / "content")
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("ui/search.py").run()
    assert not at.exception, at.exception
    return at


def test_punctuation_only_query_gets_one_message_not_two(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch, q="「？？」")
    assert [w.value for w in at.warning] and "标点" in at.warning[0].value
    assert not any(
        "没有找到" in i.value for i in at.info
    )  # not also "nothing found for「「？？」」"


def test_partial_match_is_said_on_the_page(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch, q="直播间 量子纠缠")  # no document has both
    assert any("部分词" in w.value for w in at.warning)
    assert at.get("page_link")  # results are listed


def test_a_page_past_the_end_shows_the_last_page(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch, q="流量", page="999")
    links = [link.proto.label for link in at.get("page_link")]
    assert links, "a page number past the end listed nothing"
    assert "999" not in str(at.query_params.get("page"))


def test_a_new_query_starts_on_its_first_page(tmp_path, monkeypatch):
    at = _page(tmp_path, monkeypatch, q="退款")
    first_page = [link.proto.label for link in at.get("page_link")][:3]
    at = _page(tmp_path / "again", monkeypatch, q="流量", page="2")
    at.text_input(key="q").set_value("退款").run()
    assert not at.exception, at.exception
    assert [link.proto.label for link in at.get("page_link")][:3] == first_page
