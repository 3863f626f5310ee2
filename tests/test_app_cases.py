"""AppTest: the case library page (facets in the URL) and the article -> case form."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import REPO, write_doc  # noqa: E402
from kb.documents import read_document  # noqa: E402

APP = str(REPO / "app.py")


@pytest.fixture
def root(tmp_path, monkeypatch):
    for folder in ("playbooks", "cases", "articles"):
        (tmp_path / folder).mkdir()
    write_doc(
        tmp_path,
        "case",
        "case-oats",
        "燕麦小红书种草",
        industry="食品饮料",
        platforms=["小红书"],
        tactics=["达人种草"],
        illustrative="true",
    )
    write_doc(
        tmp_path,
        "case",
        "case-coffee",
        "咖啡抖音直播",
        industry="食品饮料",
        platforms=["抖音"],
        tactics=["直播"],
        illustrative="true",
    )
    write_doc(
        tmp_path,
        "article",
        "art-tea",
        "某茶饮×国漫联名:小红书种草与抖音直播",
        source="https://example.com/tea",
        published="2026-04-20",
        body="2026年4月,品牌联名国漫,小红书达人种草,抖音直播间首发。话题曝光破 3 亿,首日销量 15 万杯。",
    )
    monkeypatch.setenv("OPSKB_ROOT", str(tmp_path))
    monkeypatch.setenv("OPSKB_INDEX", str(tmp_path / ".index"))
    return tmp_path


def _open(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("ui/cases.py").run()
    assert not at.exception, at.exception
    return at


def _titles(at) -> list[str]:
    return [
        e.proto.label
        for e in at.get("page_link")
        if "燕麦" in e.proto.label or "咖啡" in e.proto.label
    ]


def test_a_shared_facet_link_opens_the_same_view(root):
    at = _open(platform="小红书")
    assert _titles(at) == ["燕麦小红书种草"]
    assert at.multiselect(key="cases_platform").value == ["小红书"]
    at.multiselect(key="cases_platform").set_value([]).run()
    assert sorted(_titles(at)) == ["咖啡抖音直播", "燕麦小红书种草"]
    at.multiselect(key="cases_tactic").set_value(["直播"]).run()
    assert _titles(at) == ["咖啡抖音直播"]
    assert at.query_params["tactic"] in ("直播", ["直播"])


def test_article_form_is_prefilled_and_saves_a_linked_case(root):
    at = _open(from_article="art-tea")
    assert at.text_input(key="cf_brand").value == "某茶饮"
    assert set(at.multiselect(key="cf_platforms").value) >= {"小红书", "抖音"}
    assert at.selectbox(key="cf_industry").value == "食品饮料"
    at.text_input(key="cf_title").set_value("茶饮国漫联名")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, at.exception
    saved = list((root / "cases").glob("case-*茶饮*.md"))
    assert len(saved) == 1, [e.value for e in at.error]
    doc = read_document(saved[0])
    assert doc.meta["source_article"] == "art-tea"
    assert doc.meta["industry"] == "食品饮料"
    assert "results" not in doc.meta  # no number was ticked: none is saved unconfirmed


def test_case_page_shows_similar_cases_and_the_article_its_cases(root):
    write_doc(
        root,
        "case",
        "case-tea",
        "茶饮联名复盘",
        industry="食品饮料",
        platforms=["小红书"],
        tactics=["达人种草"],
        illustrative="true",
        source_article="art-tea",
    )
    at = _open()
    at.query_params["doc"] = "case-tea"
    at.switch_page("ui/read.py").run()
    assert not at.exception, at.exception
    links = [e.proto.label for e in at.get("page_link")]
    assert "燕麦小红书种草" in links  # same industry and tactic
    assert any("国漫联名" in x for x in links)  # written from
    at.query_params["doc"] = "art-tea"
    at.switch_page("ui/read.py").run()
    assert "茶饮联名复盘" in [e.proto.label for e in at.get("page_link")]
    at.button(key="read_make_case").click().run()
    assert not at.exception
    assert at.text_input(key="cf_brand").value == "某茶饮"
