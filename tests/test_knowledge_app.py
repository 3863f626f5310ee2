"""AppTest: the read page marks stale and unsourced documents; the review page lists them."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import REPO, copy_bundled_content, write_doc  # noqa: E402

APP = str(REPO / "app.py")


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    root = copy_bundled_content(tmp_path_factory.mktemp("content"))
    write_doc(root, "case", "case-2023-review", "两年前的复盘", "正文", created="2023-05-01")
    write_doc(root, "playbook", "pb-qc-draft", "千川新手笔记", "正文", tags=["千川"])
    return root


@pytest.fixture
def app(content, monkeypatch):
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def open_page(at, name: str, **params: str):
    at.query_params.clear()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"ui/{name}.py").run()
    assert not at.exception, at.exception
    return at


def test_an_old_document_carries_a_stale_warning(app):
    at = open_page(app, "read", doc="case-2023-review")
    assert any("超过一年未复核" in w.value and "2023-05-01" in w.value for w in at.warning)


def test_a_rule_dependent_document_shows_its_review_date_and_sources(app):
    at = open_page(app, "read", doc="pb-ads-daily-routine")
    assert not at.warning
    assert any("平台规则复核于 2026-12-01" in c.value for c in at.caption)
    assert any(e.label.startswith("来源") for e in at.expander)
    assert any("1984nian.com" in t.value for t in at.text)


def test_the_review_page_lists_the_old_document(app):
    at = open_page(app, "stale")
    assert at.title[0].value == "待复核的知识"
    labels = [e.proto.label for e in at.get("page_link")]
    assert "两年前的复盘" in labels
    # Fresh bundled documents are not listed.
    assert "直播场次复盘" not in labels


def test_a_rule_dependent_problem_page_shows_its_review_date_and_sources(app):
    at = open_page(app, "problems", problem="dsr-down")
    assert any("平台规则复核于 2026-12-01" in c.value for c in at.caption)
    assert any("千牛" in t.value for t in at.text)
    at = open_page(app, "problems", problem="gmv-drop")
    assert not any("平台规则复核于" in c.value for c in at.caption)


def test_a_rule_claim_without_sources_says_what_is_missing(app):
    at = open_page(app, "read", doc="pb-qc-draft")
    assert any("缺少 sources, reviewed" in w.value for w in at.warning)
    at = open_page(app, "stale")
    assert "千川新手笔记" in [e.proto.label for e in at.get("page_link")]
