"""Matching movements to problem types, hypotheses, and the question-driven (no-data) mode."""

from __future__ import annotations

import pytest

from kb.diagnosis.match import Evidence, hypotheses, rank_problems
from kb.diagnosis.questions import Interview, likelihood
from kb.problems import parse_taxonomy
from kb.workspace import Workspace

SIGNATURES = {  # a stable fixture: the taxonomy's ids and signatures (subset)
    "traffic-drop": {"UV": "down"},
    "channel-traffic-drop": {"UV": "down", "concentration": "single", "dimension": "channel"},
    "multi-channel-traffic-drop": {"UV": "down", "concentration": "spread"},
    "pv-down-uv-flat": {"UV": ["flat", "up"], "PV": "down"},
    "uv-pv-both-down": {"UV": "down", "PV": "down"},
    "conversion-rate-drop": {"转化率": "down"},
    "new-customer-conversion-drop": {
        "转化率": "down", "concentration": "single", "dimension": "user_type",
    },
    "aov-drop": {"客单价": "down"},
    "gmv-drop": {"GMV": "down"},
    "refund-rate-up": {"退款率": "up"},
    "gmv-flat-profit-down": {"GMV": ["flat", "up"], "退款率": "up"},
    "ad-roi-down": {"广告花费": ["up", "flat"], "ROI": "down"},
    "cpc-up": {"CPC": "up"},
    "acquisition-down-cost-up": {"新客数": "down", "CAC": "up"},
    "acquisition-down-cost-down": {"新客数": "down", "CAC": "down"},
}  # fmt: skip
KPI = {"aov-drop": "客单价", "conversion-rate-drop": "转化率", "traffic-drop": "UV"}


@pytest.fixture(scope="module")
def ws():
    return Workspace.open()


@pytest.fixture(scope="module")
def taxonomy(ws):
    problems = []
    for pid, sig in SIGNATURES.items():
        problems.append(
            {
                "id": pid,
                "name": {"zh": pid, "en": pid},
                "area": "store",
                "kpi": KPI.get(pid),
                "signature": sig,
                "causes": [
                    {
                        "text": {"zh": f"{pid} 原因一"},
                        "check": {"zh": "看跳出率"},
                        "metrics": ["跳出率"],
                        "actions": [{"zh": "做点什么"}],
                    },
                    {"text": {"zh": f"{pid} 原因二"}, "check": {"zh": "看退款率"},
                     "metrics": ["退款率"]},
                ],
            }
        )  # fmt: skip
    data = {"areas": [{"id": "store", "name": {"zh": "店铺"}}], "problems": problems}
    return parse_taxonomy(data, ws.metrics, "fixture")


def ids(matches):
    return [m.problem.id for m in matches]


def test_one_channel_beats_plain_traffic_drop(taxonomy):
    ev = Evidence({"UV": "down", "GMV": "down"}, "single", ["channel"], top_factor="UV")
    ranked = ids(rank_problems(taxonomy, ev))
    assert ranked[0] == "channel-traffic-drop"
    assert "multi-channel-traffic-drop" not in ranked  # contradicted by "single"
    assert ranked.index("traffic-drop") < ranked.index("gmv-drop")  # traffic drove GMV


def test_the_driving_factor_outranks_the_headline(taxonomy):
    ev = Evidence({"客单价": "down", "GMV": "down", "UV": "flat"}, top_factor="客单价")
    assert ids(rank_problems(taxonomy, ev))[:2] == ["aov-drop", "gmv-drop"]


def test_flat_agreement_alone_is_no_problem(taxonomy):
    ev = Evidence({"UV": "flat", "GMV": "flat", "转化率": "flat"})
    assert rank_problems(taxonomy, ev) == []


def test_volume_cost_quadrants_are_told_apart(taxonomy):
    ev = Evidence({"新客数": "down", "CAC": "up"})
    assert ids(rank_problems(taxonomy, ev)) == ["acquisition-down-cost-up"]


def test_another_metric_moving_is_not_evidence(taxonomy, ws):
    # 跳出率 rose beside the conversion drop: without a test that passed, no cause is "supported"
    ev = Evidence({"转化率": "down", "跳出率": "up"}, bad={"转化率": True, "跳出率": True})
    hyps = hypotheses(rank_problems(taxonomy, ev), ev, ws.metrics)
    first = hyps[0]
    assert first.problem == "conversion-rate-drop"
    assert all(h.verdict == "untested" and h.evidence != "supported" for h in hyps)
    refund = next(h for h in hyps if h.problem == "conversion-rate-drop" and "原因二" in h.text.zh)
    assert refund.evidence == "unknown"
    assert refund.data_needed == ["GMV", "退款金额"]  # what would decide it
    assert first.check.zh and first.actions


def answer_as(problem_sig):
    """Answer every question the way a situation of that problem type would."""

    def reply(key):
        allowed = problem_sig.get(key)
        if allowed is None:
            return "unknown"
        return allowed if isinstance(allowed, str) else allowed[0]

    return reply


@pytest.mark.parametrize("pid", sorted(SIGNATURES))
def test_questions_narrow_down_to_the_right_type(taxonomy, ws, pid):
    interview = Interview(taxonomy, ws.metrics)
    reply = answer_as(SIGNATURES[pid])
    for _ in range(8):
        q = interview.next_question()
        if q is None:
            break
        interview.answer(q.key, reply(q.key))
    ranked = interview.posterior()
    best = ranked[0][1]
    assert pid in [p.id for p, w in ranked if w == pytest.approx(best)]


def test_first_question_splits_the_candidates_and_unknown_is_allowed(taxonomy, ws):
    interview = Interview(taxonomy, ws.metrics)
    q = interview.next_question()
    assert q.key == "UV"  # the metric most signatures disagree on
    assert q.text == "访客数怎么变了?"
    assert [o["label"] for o in q.options] == ["上升", "持平", "下降", "不知道"]
    interview.answer("UV", "不知道")
    assert interview.next_question().key != "UV"
    interview.answer("PV", "下降")
    assert interview.posterior()[0][0].id in {"pv-down-uv-flat", "uv-pv-both-down"}


def test_likelihood_follows_the_signature(taxonomy):
    p = taxonomy.get("pv-down-uv-flat")
    assert likelihood(p, "UV", "up") == 0.5
    assert likelihood(p, "UV", "down") == 0.0
    assert likelihood(p, "转化率", "down") == pytest.approx(1 / 3)


def test_bundled_taxonomy_ranks_the_sample_stories(ws):
    ev = Evidence({"UV": "down", "GMV": "down"}, "single", ["channel"], {"channel": "抖音"}, "UV")
    assert ids(rank_problems(ws.taxonomy, ev))[0] == "channel-traffic-drop"
    interview = Interview(ws.taxonomy, ws.metrics)
    interview.answer("PV", "down")
    interview.answer("UV", "flat")
    assert interview.posterior()[0][0].id == "pv-down-uv-flat"


def test_consult_without_data_asks_then_ranks_and_names_the_data_needed(ws):
    from kb.diagnosis import consult

    first = consult(ws).to_json()
    assert first["next_question"]["options"][-1]["label"] == "不知道"
    assert first["hypotheses"] == []
    out = consult(ws, {"新客数": "下降", "CAC": "上升"}).to_json()
    assert out["problems"][0]["id"] == "acquisition-down-cost-up"
    assert out["hypotheses"][0]["problem"] == "acquisition-down-cost-up"
    assert any(h["data_needed"] for h in out["hypotheses"])
