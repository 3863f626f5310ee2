"""End to end: bundled samples, the JSON contract, the report, the case draft and the CLI."""

from __future__ import annotations

import json

import pytest

from kb.cli import main as kb_main
from kb.config import REPO_ROOT, load_config
from kb.diagnosis.engine import diagnose
from kb.diagnosis.report import case_draft, markdown_report
from kb.diagnosis.synthetic import daily_scenario
from kb.documents import dump_document, parse_document, save_document
from kb.workspace import Workspace

SAMPLES = REPO_ROOT / "samples"
CONTRACT = {
    "kpi", "current", "baseline", "change", "change_pct", "significant", "movements", "factors",
    "drilldown", "problems", "hypotheses", "documents",
}  # fmt: skip


@pytest.fixture(scope="module")
def ws():
    return Workspace.open()


# sample -> (kpi, top problem, top factor, where the change sits)
STORIES = {
    "channel-collapse": ("GMV", "channel-traffic-drop", "UV", {"channel": "抖音"}),
    "new-user-conversion": ("GMV", "new-customer-conversion-drop", "转化率", {"user_type": "新客"}),
    "coupon-aov": ("GMV", "aov-drop", "客单价", None),
    "content-pv-down": ("PV", "pv-down-uv-flat", "人均浏览量", None),
    "ad-roi-down": ("ROI", "ad-roi-down", "每元点击数", {"campaign": "大促预热"}),
    "refunds-behind-gmv": ("GMV", "gmv-flat-profit-down", None, None),
}


@pytest.mark.parametrize("name", sorted(STORIES))
def test_each_sample_tells_its_story(ws, name):
    kpi, problem, factor, segment = STORIES[name]
    result = diagnose(SAMPLES / f"{name}.csv", ws)
    out = result.to_json()
    assert set(out) >= CONTRACT
    assert out["kpi"] == kpi
    assert out["problems"][0]["id"] == problem
    if factor:
        assert out["factors"][0]["metric"] == factor
    if segment:
        assert out["drilldown"][0]["segment"] == segment and out["drilldown"][0]["root_cause"]
    assert out["hypotheses"] and all(h["check"] for h in out["hypotheses"])
    json.dumps(out, ensure_ascii=False)  # serialisable as is


def test_refunds_behind_flat_gmv_point_to_the_category(ws):
    out = diagnose(SAMPLES / "refunds-behind-gmv.csv", ws).to_json()
    assert out["movements"]["GMV"] == "flat" and out["movements"]["退款率"] == "up"
    assert out["focus"]["metric"] == "退款率"
    assert out["focus"]["drilldown"][0]["segment"] == {"category": "女装"}


def test_samples_cover_encodings_and_header_languages():
    raw = (SAMPLES / "coupon-aov.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("gbk").startswith("日期")
    assert (SAMPLES / "new-user-conversion.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    "cause, segment, problem",
    [
        ("traffic", {"channel": "抖音"}, "channel-traffic-drop"),
        ("conversion", {"user_type": "新客"}, "new-customer-conversion-drop"),
        ("aov", {}, "aov-drop"),
        ("everything", {}, "multi-channel-traffic-drop"),
    ],
)
def test_injected_cause_gives_the_top_problem_type(ws, cause, segment, problem):
    result = diagnose(daily_scenario(seed=21, cause=cause, segment=segment, size=0.35), ws)
    assert result.matches[0].problem.id == problem


def test_yoy_baseline_and_targets(ws):
    frame = daily_scenario(seed=8, days=400, cause="traffic", segment={"channel": "抖音"})
    result = diagnose(frame, ws, baseline="yoy", targets={"销售额": 1.0})
    out = result.to_json()
    assert out["periods"]["mode"] == "yoy"
    assert out["periods"]["baseline"]["start"] == "2025-03-08"
    gmv = next(m for m in out["metrics"] if m["metric"] == "GMV")
    assert gmv["target"] == 1.0 and gmv["target_gap_pct"] > 0


def test_answers_fill_metrics_missing_from_the_file(ws):
    frame = daily_scenario(seed=3, cause="traffic", segment={"channel": "抖音"})
    result = diagnose(frame, ws, answers={"PV": "up"})
    assert "uv-down-pv-up" in [m.problem.id for m in result.matches]
    assert all(q.key != "PV" for q in result.questions)


def test_report_and_case_draft(ws, tmp_path):
    result = diagnose(SAMPLES / "channel-collapse.csv", ws)
    text = markdown_report(result)
    for heading in ("## 结论", "## 指标变化", "## 因素分解", "## 下钻", "## 假设与验证"):
        assert heading in text
    assert "渠道=抖音" in text
    assert case_draft(result).problems == []  # only the problem types the user confirms
    doc = case_draft(result, problems=["channel-traffic-drop"])
    assert doc.kind == "case" and doc.problems == ["channel-traffic-drop"]
    assert doc.meta["illustrative"] is False and doc.is_draft
    assert "[ ]" not in doc.body and "(当时" not in doc.body  # prompts are HTML comments
    assert "## 现象 (数据)" in doc.body and "-55.5%" in doc.body
    reparsed = parse_document(dump_document(doc))
    assert reparsed.problems == doc.problems
    for folder in ("playbooks", "cases", "articles"):
        (tmp_path / folder).mkdir()
    path = save_document(load_config(tmp_path), doc)
    assert path.name == f"{doc.id}.md"


def test_cli_json_and_bad_input_exit_codes(ws, capsys, tmp_path):
    code = kb_main(["diagnose", str(SAMPLES / "ad-roi-down.csv"), "--json", "--kpi", "投产比"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["kpi"] == "ROI"
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,访客数\n2026-03-01,100\n2026-03-02,十\n", encoding="utf-8")
    report = tmp_path / "out.md"
    assert kb_main(["diagnose", str(bad), "--report", str(report)]) == 2
    err = capsys.readouterr().err
    assert "访客数" in err and "第 3 行" in err
    assert not report.exists()


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--current", "2026-02-30:2026-03-07"], "无法识别的日期"),
        (["--target", "GMV=很多"], "METRIC=VALUE"),
        (["--kpi", "不存在的指标"], "unknown metric"),
        (["--baseline", "yoy"], "没有数据行"),
    ],
)
def test_cli_bad_arguments_exit_2_with_a_message(ws, capsys, extra, message):
    assert kb_main(["diagnose", str(SAMPLES / "channel-collapse.csv"), *extra]) == 2
    assert message in capsys.readouterr().err


def test_a_small_channel_segment_is_judged_on_its_own_movements(ws):
    segment = {"channel": "推荐", "platform": "App"}
    frame = daily_scenario(seed=0, cause="traffic", segment=segment, size=0.25)
    result = diagnose(frame, ws)
    assert result.movements["UV"].direction == "flat"  # too small to move the total
    assert result.drill.rows[0].segment == segment
    assert result.matches[0].problem.id == "channel-traffic-drop"
