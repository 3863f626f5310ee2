"""The glossary: the bundled terms, validation messages that name the term, and search."""

from __future__ import annotations

import textwrap

import pytest

from kb.glossary import check_workspace, load_glossary, parse_glossary, search, workspace_glossary
from kb.workspace import Workspace
from kb.yamlfile import DataError
from tests.conftest import REPO

NAMED = (
    "UV PV 跳失率 跳出率 客单价 UV价值 环比 同比 埋点 AARRR RFM 同期群 cohort LTV CAC ROI 投产比 "
    "ROAS CPC CPM CTR DSR GMV 转化率 支付转化率 询单转化率 加购率 连带率 件单价 复购率 留存率 流失 "
    "活跃 DAU MAU 口径 大盘 漏斗 杜邦分析 指标树 下钻 直通车 全站推广 手淘搜索 手淘推荐 降权 主图 "
    "详情页 SKU 断码 满减 优惠券 关联销售 拉新 促活 召回 私域 种草 冷启动 北极星指标 A/B测试 归因 "
    "自然流量 付费流量 站外流量 稍后读 复盘 周报 晨会 优先级矩阵"
).split()


@pytest.fixture(scope="module")
def ws():
    return Workspace.open(REPO)


@pytest.fixture(scope="module")
def glossary(ws):
    return workspace_glossary(ws)


def test_bundled_glossary_has_the_named_terms(glossary):
    assert len(glossary) >= 70
    missing = [name for name in NAMED if glossary.get(name) is None]
    assert not missing


def test_every_term_is_defined_in_both_languages(glossary):
    for term in glossary:
        assert term.definition.zh and term.definition.en, term.term
        assert term.en, term.term


def test_metric_terms_point_at_the_metric_tree(glossary, ws):
    assert glossary.get("跳失率").metric == "跳出率"
    assert glossary.get("客单价").formula
    linked = [t for t in glossary if t.metric]
    assert len(linked) >= 25
    assert all(t.metric in ws.metrics for t in linked)


def test_problem_links_resolve_and_the_problem_page_can_list_its_words(glossary, ws):
    for term in glossary:
        assert all(pid in ws.taxonomy for pid in term.problems), term.term
    words = {t.term for t in glossary.for_problem("registration-conversion-down")}
    assert {"埋点", "注册转化率"} <= words


def test_search_matches_names_aliases_and_definitions_case_insensitively(glossary):
    assert [t.term for t in search(glossary, "跳失")] == ["跳出率"]
    assert search(glossary, "roi")[0].term == "ROI"
    assert search(glossary, "Cohort")[0].term == "同期群"
    # Definition-only matches come after name matches.
    hits = [t.term for t in search(glossary, "客单价")]
    assert hits[0] == "客单价" and len(hits) > 3
    # Several words: all must match.
    assert [t.term for t in glossary.search("留存 次日")][0] == "留存率"
    assert search(glossary, "没有这个词xyz") == []
    assert len(search(glossary, "  ")) == len(glossary)


BAD = textwrap.dedent(
    """\
    terms:
      - term: UV
        en: "Unique visitors"
        definition: {zh: 访客数, en: "Visitors"}
        metric: 访客数
      - term: 毛利
        en: "Margin"
        definition: {zh: 毛利, en: "Margin"}
        problems: [no-such-problem]
      - term: uv
        en: "Duplicate"
        definition: {zh: 重复, en: "Duplicate"}
      - term: 空定义
        en: "Empty"
      - term: ROI
        en: "ROI"
        aliases: [UV]
        definition: {zh: 投产比, en: "ROAS"}
    """
)


def test_loader_lists_every_error_naming_file_and_term(tmp_path, ws):
    path = tmp_path / "glossary.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_glossary(path, ws.metrics, ws.taxonomy)
    lines = str(err.value).splitlines()
    assert all(str(path) in line for line in lines)
    text = str(err.value)
    assert "term 'UV': metric '访客数' is not in the metric tree; did you mean 'UV'?" in text
    assert "term '毛利': problem id 'no-such-problem'" in text
    assert "term 'uv': duplicate term" in text
    assert "term '空定义': needs a definition" in text
    assert "term 'ROI': alias 'UV'" in text


def test_top_level_shape_is_checked():
    with pytest.raises(DataError, match="terms"):
        parse_glossary({"words": []}, source="g.yaml")


def test_kb_check_reports_a_broken_glossary_in_a_content_root(root):
    (root / "data").mkdir()
    (root / "data" / "glossary.yaml").write_text(BAD, encoding="utf-8")
    errors = check_workspace(Workspace.open(root), set())
    assert any("term '毛利'" in e for e in errors)
    assert check_workspace(Workspace.open(REPO), set()) == []
