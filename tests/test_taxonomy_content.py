"""The bundled taxonomy: enough problem types, usable causes, and the seed's patterns."""

from __future__ import annotations

import pytest

from kb.diagnosis.match import Evidence, rank_problems
from kb.workspace import Workspace
from tests.conftest import REPO

FIXED_IDS = {
    "content": [
        "pv-down-uv-flat",
        "uv-pv-both-down",
        "uv-down-pv-up",
        "bounce-rate-up",
        "engagement-down",
        "recommendation-click-down",
    ],
    "user": [
        "acquisition-down-cost-up",
        "acquisition-down-cost-down",
        "acquisition-up-cost-up",
        "acquisition-up-cost-down",
        "registration-conversion-down",
        "active-users-down",
        "churn-up",
        "repeat-purchase-down",
        "retention-down",
    ],
    "promotion": [
        "traffic-drop",
        "channel-traffic-drop",
        "multi-channel-traffic-drop",
        "traffic-quality-down",
        "ad-roi-down",
        "ctr-down",
        "cpc-up",
        "campaign-slump",
    ],
    "store": [
        "gmv-drop",
        "conversion-rate-drop",
        "new-customer-conversion-drop",
        "aov-drop",
        "cart-high-pay-low",
        "refund-rate-up",
        "gmv-flat-profit-down",
        "dsr-down",
        "search-traffic-drop",
        "tracking-anomaly",
    ],
}


@pytest.fixture(scope="module")
def ws():
    return Workspace.open(REPO)


@pytest.fixture(scope="module")
def taxonomy(ws):
    return ws.taxonomy


def checks_of(problem) -> list[str]:
    return [c.check.zh for c in problem.causes]


def test_at_least_25_types_spanning_all_four_areas(taxonomy):
    assert len(taxonomy) >= 25
    for area in ("content", "user", "promotion", "store"):
        assert len(taxonomy.by_area(area)) >= 5, area


def test_fixed_ids_exist_in_their_areas(taxonomy):
    for area, ids in FIXED_IDS.items():
        for pid in ids:
            assert pid in taxonomy, pid
            assert taxonomy.get(pid).area == area, pid


def test_every_type_is_usable_by_a_new_hire(taxonomy, ws):
    for p in taxonomy:
        assert p.name.zh and p.name.en, p.id
        assert p.summary.zh and p.summary.en, p.id
        assert p.kpi in ws.metrics, p.id
        assert 3 <= len(p.causes) <= 8, p.id
        for c in p.causes:
            assert c.text.zh and c.text.en, p.id
            assert c.check.zh and c.check.en, (p.id, c.text.zh)
            assert 1 <= len(c.actions) <= 3, (p.id, c.text.zh)
            assert all(a.zh and a.en for a in c.actions), (p.id, c.text.zh)
            assert c.metrics, (p.id, c.text.zh)
        assert p.id not in p.related, p.id


def test_pv_down_uv_flat_checks_bounce_and_recommendation_clicks(taxonomy):
    checks = checks_of(taxonomy.get("pv-down-uv-flat"))
    assert any("跳出率" in c and "退出率" in c for c in checks)
    assert any("推荐" in c and "点击分布" in c for c in checks)


def test_uv_pv_patterns_name_their_seed_explanations(taxonomy):
    both = taxonomy.get("uv-pv-both-down")
    assert any("内容" in c.text.zh and "质量" in c.text.zh for c in both.causes)
    narrowing = taxonomy.get("uv-down-pv-up")
    assert "变窄" in narrowing.summary.zh
    assert any("新/老访客" in c for c in checks_of(narrowing))


def test_four_acquisition_combinations(taxonomy):
    for volume in ("up", "down"):
        for cost in ("up", "down"):
            p = taxonomy.get(f"acquisition-{volume}-cost-{cost}")
            assert p.signature == {"新客数": (volume,), "CAC": (cost,)}
    worst = " ".join(c.text.zh for c in taxonomy.get("acquisition-down-cost-up").causes)
    for cause in ("流量质量", "成本", "注册"):
        assert cause in worst


def test_registration_conversion_first_adds_tracking(taxonomy):
    first = taxonomy.get("registration-conversion-down").causes[0]
    assert "埋点" in first.check.zh


def test_traffic_quality_checks_bounce_time_and_retention(taxonomy):
    text = " ".join(checks_of(taxonomy.get("traffic-quality-down")))
    for word in ("跳出率", "停留时长", "留存"):
        assert word in text


def test_one_channel_versus_many(taxonomy):
    assert taxonomy.get("channel-traffic-drop").signature["concentration"] == ("single",)
    assert taxonomy.get("multi-channel-traffic-drop").signature["concentration"] == ("spread",)


def test_gmv_drop_decomposes_into_traffic_conversion_aov(taxonomy):
    p = taxonomy.get("gmv-drop")
    assert any("GMV = UV × 转化率 × 客单价" in c for c in checks_of(p))
    metrics = {m for c in p.causes for m in c.metrics}
    assert {"UV", "转化率", "客单价"} <= metrics


def test_refunds_and_ad_roi_behind_gmv(taxonomy):
    metrics = {m for c in taxonomy.get("gmv-flat-profit-down").causes for m in c.metrics}
    assert {"退款率", "ROI"} <= metrics


def test_cheap_checks_come_first_where_data_can_lie(taxonomy):
    for pid in ("traffic-drop", "tracking-anomaly", "active-users-down", "pv-down-uv-flat"):
        first = taxonomy.get(pid).causes[0]
        assert any(w in first.text.zh + first.check.zh for w in ("口径", "埋点", "统计")), pid
    for word in ("同比", "大盘"):
        assert word in " ".join(checks_of(taxonomy.get("traffic-drop")))


@pytest.mark.parametrize(
    ("movements", "expected"),
    [
        ({"UV": "flat", "PV": "down"}, "pv-down-uv-flat"),
        ({"UV": "up", "PV": "down"}, "pv-down-uv-flat"),
        ({"UV": "down", "PV": "down"}, "uv-pv-both-down"),
        ({"UV": "down", "PV": "up"}, "uv-down-pv-up"),
        ({"新客数": "down", "CAC": "up"}, "acquisition-down-cost-up"),
        ({"新客数": "down", "CAC": "down"}, "acquisition-down-cost-down"),
        ({"新客数": "up", "CAC": "up"}, "acquisition-up-cost-up"),
        ({"新客数": "up", "CAC": "down"}, "acquisition-up-cost-down"),
        ({"UV": "down", "concentration": "single", "dimension": "channel"}, "channel-traffic-drop"),
        ({"UV": "down", "concentration": "spread"}, "multi-channel-traffic-drop"),
        (
            {"转化率": "down", "concentration": "single", "dimension": "user_type"},
            "new-customer-conversion-drop",
        ),
        ({"UV": "up", "跳出率": "up", "转化率": "down"}, "traffic-quality-down"),
        ({"GMV": "flat", "退款率": "up"}, "gmv-flat-profit-down"),
        ({"广告花费": "up", "ROI": "down"}, "ad-roi-down"),
        ({"UV": "down", "订单数": "flat", "转化率": "up"}, "tracking-anomaly"),
        ({"加购率": "up", "转化率": "down"}, "cart-high-pay-low"),
        ({"注册转化率": "down"}, "registration-conversion-down"),
    ],
)
def test_signature_lookup_ranks_the_expected_type_first(taxonomy, movements, expected):
    # the scorer the diagnosis uses (kb.signatures through match.rank_problems)
    ranked = rank_problems(taxonomy, _evidence(movements))
    assert ranked, movements
    assert ranked[0].problem.id == expected


def _evidence(movements: dict) -> Evidence:
    moves = {k: v for k, v in movements.items() if k not in ("concentration", "dimension")}
    dim = movements.get("dimension")
    return Evidence(moves, movements.get("concentration"), [dim] if dim else [])


def test_a_type_contradicted_by_the_numbers_is_not_suggested(taxonomy):
    # UV went up: none of the "visitors fell" types may be offered.
    ids = {m.problem.id for m in rank_problems(taxonomy, _evidence({"UV": "up", "PV": "down"}))}
    assert "pv-down-uv-flat" in ids
    assert not ids & {"traffic-drop", "uv-pv-both-down", "channel-traffic-drop"}
