"""The 2026 knowledge: new problem types a new hire meets, the corrected rules, the new words.

Each new problem type must be usable (checks, actions, a playbook or case to follow) and be
found from its own numbers; the corrections of issue 12 must stay corrected.
"""

from __future__ import annotations

import re

import pytest

from kb.diagnosis.match import Evidence, rank_problems
from kb.glossary import workspace_glossary

NEW_TYPES = [
    "campaign-underspend",
    "live-traffic-down",
    "live-gpm-down",
    "content-traffic-throttled",
    "stockout-late-dispatch",
    "quality-returns-up",
    "shelf-traffic-down",
    "price-competitiveness-down",
    "new-product-cold-start",
    "promo-presale-conversion",
    "private-domain-decline",
    "membership-down",
    "creator-roi-down",
    "enquiry-conversion-down",
]
NEW_TERMS = [
    "千川", "全域推广", "全站推广", "万相台无界", "聚光", "蒲公英", "京准通", "保本ROI", "GPM",
    "价格力", "商家体验分", "店铺风向标", "人货场", "货架场", "场观", "企业微信", "报备", "限流",
    "品质退货率", "售罄率", "动销率", "破价",
]  # fmt: skip
NEW_METRICS = [
    "GPM", "直播观看人次", "直播观看人数", "直播平均停留时长", "全站推广ROI", "保本ROI", "库存",
    "售罄率", "动销率", "品质退货率", "体验分", "完播率", "删好友率", "入会率", "询单转化率",
    "达人ROI",
]  # fmt: skip


def body(collection, doc_id: str) -> str:
    return collection.docs[doc_id].body


def test_new_problem_types_are_appended_after_the_old_ones(workspace):
    ids = list(workspace.taxonomy.problems)
    assert ids[-len(NEW_TYPES) :] == NEW_TYPES
    assert len(NEW_TYPES) >= 8


@pytest.mark.parametrize("pid", NEW_TYPES)
def test_every_new_type_has_checks_actions_and_a_document_to_follow(pid, workspace, collection):
    p = workspace.taxonomy.get(pid)
    assert p.signature and p.kpi in workspace.metrics
    assert len(p.causes) >= 3
    for cause in p.causes:
        assert cause.check.zh and cause.check.en and cause.actions and cause.metrics
    linked = {d.kind for d in collection.by_problem(pid)}
    assert linked & {"playbook", "case"}, pid


@pytest.mark.parametrize(
    ("movements", "expected"),
    [
        ({"广告花费": "down", "广告曝光量": "down"}, "campaign-underspend"),
        ({"直播观看人次": "down"}, "live-traffic-down"),
        ({"GPM": "down"}, "live-gpm-down"),
        ({"播放量": "down"}, "content-traffic-throttled"),
        ({"库存": "down", "转化率": "down"}, "stockout-late-dispatch"),
        ({"品质退货率": "up"}, "quality-returns-up"),
        ({"体验分": "down"}, "dsr-down"),
        ({"动销率": "down"}, "new-product-cold-start"),
        ({"加购数": "up", "订单数": "down"}, "promo-presale-conversion"),
        ({"删好友率": "up"}, "private-domain-decline"),
        ({"入会率": "down"}, "membership-down"),
        ({"达人ROI": "down"}, "creator-roi-down"),
        ({"询单转化率": "down"}, "enquiry-conversion-down"),
    ],
)
def test_the_new_numbers_point_to_the_new_type_first(workspace, movements, expected):
    # the scorer the diagnosis uses
    ranked = rank_problems(workspace.taxonomy, Evidence(dict(movements)))
    assert ranked and ranked[0].problem.id == expected, [m.problem.id for m in ranked[:3]]


@pytest.mark.parametrize("word", NEW_TERMS)
def test_new_glossary_terms_resolve(word, workspace):
    glossary = workspace_glossary(workspace)
    term = glossary.get(word)
    assert term is not None, word
    assert term.definition.zh and term.definition.en
    if term.metric:
        assert term.metric in workspace.metrics


@pytest.mark.parametrize("name", NEW_METRICS)
def test_new_metrics_are_in_the_tree(name, workspace):
    metric = workspace.metrics[workspace.metrics.resolve(name)]
    if metric.is_ratio:
        for part in (metric.numerator, metric.denominator):
            assert not workspace.metrics[part].is_ratio


def test_site_wide_roi_says_it_includes_organic_sales(workspace):
    roi = workspace.metrics["全站推广ROI"]
    assert "organic" in roi.en
    term = workspace_glossary(workspace).get("全站推广")
    assert "自然" in term.definition.zh and "直通车" in term.definition.zh


def test_break_even_roi_is_one_over_margin_and_warns_about_the_wrong_formula(workspace):
    term = workspace_glossary(workspace).get("保本ROI")
    assert term.formula == "1 ÷ 毛利率"
    assert "错" in term.definition.zh
    metric = workspace.metrics["保本ROI"]
    assert (metric.numerator, metric.denominator) == ("GMV", "毛利额")


def test_dsr_down_covers_three_platforms_and_the_review_rules(workspace):
    p = workspace.taxonomy.get("dsr-down")
    text = p.summary.zh + " ".join(c.check.zh + c.text.zh for c in p.causes)
    for word in ("抖音", "商家体验分", "品质退货率", "京东", "风向标", "淘宝"):
        assert word in text, word
    assert "不能改" in p.summary.zh and "违规" in p.summary.zh
    assert p.signature == {"体验分": ("down",)}


def test_the_fruit_shop_no_longer_asks_buyers_to_change_reviews(collection):
    text = body(collection, "case-fruit-shop-dsr-courier-switch")
    assert "请顾客更新评价" not in text
    assert "不拿利益换改评" in text and "违规" in text and "不能修改" in text


def test_compliance_fixes_in_the_oats_and_snacks_cases(collection):
    oats = body(collection, "case-xiaohongshu-oats-creative-fatigue")
    assert "蒲公英" in oats and "未报备" in oats and "违规" in oats
    snacks = body(collection, "case-douyin-shop-snacks-refunds-behind-gmv")
    assert "48 小时" in snacks and "60 小时" in snacks


def test_refund_review_says_payment_date_refunds_keep_rising(collection):
    text = body(collection, "pb-refund-review")
    assert "会显得比实际晚" not in text  # the old, backwards remark
    assert re.search(r"支付日期.*持续上涨", text)
    assert "第 30 天" in text


def test_big_promotions_start_six_to_eight_weeks_out(collection):
    assert "提前 6–8 周" in body(collection, "pb-campaign-plan")
    assert "D−8 周" in body(collection, "pb-big-promo-timeline")


def test_zhitongche_is_never_presented_as_current(collection):
    """A document naming 直通车 says it is the old product or names 万相台 (its successor)."""
    marks = ("万相台", "旧直通车", "直通车时代")
    stale = [
        d.id
        for d in collection.docs.values()
        if "直通车" in d.body + d.title and not any(m in d.body for m in marks)
    ]
    assert stale == []


def test_apparel_refund_rates_are_calibrated(collection):
    trousers = collection.docs["case-tmall-trousers-refund-sizing"]
    outcome = trousers.meta["outcome"]
    assert outcome["before"] >= 20 and outcome["after"] >= 15
    assert "20%–40%" in trousers.body
