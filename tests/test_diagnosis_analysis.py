"""Periods, movements, LMDI factors and drill-down on seeded synthetic data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kb.diagnosis.decompose import lmdi
from kb.diagnosis.drilldown import drilldown
from kb.diagnosis.engine import diagnose, load
from kb.diagnosis.localize import localize
from kb.diagnosis.periods import choose, parse_range
from kb.diagnosis.synthetic import daily_scenario, rootcause_instance
from kb.workspace import Workspace


@pytest.fixture(scope="module")
def ws():
    return Workspace.open()


def dates(start="2026-01-01", end="2026-03-14"):
    return pd.date_range(start, end, freq="D")


# --- periods ------------------------------------------------------------------------------


def test_default_is_last_seven_days_against_the_seven_before():
    c = choose(dates())
    assert (c.current.label, c.baseline.label) == ("2026-03-08~2026-03-14", "2026-03-01~2026-03-07")


def test_a_single_day_is_compared_with_the_same_weekday_a_week_before():
    c = choose(dates(), current="2026-03-14")
    assert c.baseline.label == "2026-03-07"
    assert c.baseline.start.day_name() == c.current.start.day_name()


def test_yoy_and_explicit_ranges():
    d = dates("2025-01-01", "2026-03-14")
    yoy = choose(d, current="2026-03-01:2026-03-07", baseline="yoy")
    assert yoy.baseline.label == "2025-03-01~2025-03-07"
    explicit = choose(d, current="2026-03-01~2026-03-07", baseline="2026-02-01:2026-02-14")
    assert explicit.mode == "range" and explicit.scale == pytest.approx(0.5)


def test_weekly_data_default_is_the_last_week():
    weeks = pd.date_range("2026-01-05", periods=10, freq="7D")
    c = choose(weeks, freq_days=7)
    assert c.current.start == weeks[-1] and c.baseline.start == weeks[-2]


def test_range_parsing_accepts_chinese_separator():
    assert parse_range("2026-03-01至2026-03-07").days == 7


# --- movements ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_noise_only_data_is_not_significant(ws, seed):
    result = diagnose(daily_scenario(seed=seed, cause="none"), ws)
    assert result.headline.significant is False
    assert set(result.to_json()["movements"].values()) == {"flat"}
    assert result.to_json()["problems"] == []
    assert not [r for r in result.drill.rows if r.root_cause]


def test_a_real_drop_is_significant_and_down(ws):
    result = diagnose(daily_scenario(seed=1, cause="traffic", segment={"channel": "抖音"}), ws)
    assert result.headline.significant is True
    assert result.movements["UV"].direction == "down"
    assert result.movements["转化率"].direction == "flat"


def test_two_date_snapshot_diagnoses_with_unknown_significance(ws):
    text = "日期,渠道,访客数,订单数,销售额\n"
    text += "2026-03-01,抖音,1000,30,3000\n2026-03-01,微信,800,20,2000\n"
    text += "2026-03-08,抖音,500,15,1500\n2026-03-08,微信,810,20,2010\n"
    result = diagnose(text.encode(), ws)
    out = result.to_json()
    assert out["significant"] is None
    assert out["movements"]["UV"] == "down"
    assert out["current"] == 3510 and out["baseline"] == 5000


def test_ratios_are_recomputed_from_sums_not_averaged(ws):
    text = "日期,渠道,访客数,订单数\n"
    for day in ("2026-03-01", "2026-03-02"):
        text += f"{day},A,1000,100\n{day},B,10,0\n"  # rates 10 % and 0 %: mean 5 %, true ~9.9 %
    result = diagnose(text.encode(), ws, kpi="订单数")
    assert result.movements["转化率"].current == pytest.approx(100 / 1010)


# --- LMDI -------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_lmdi_contributions_sum_exactly_to_the_change(seed):
    rng = np.random.default_rng(seed)
    f0, f1 = rng.uniform(0.1, 100, 3), rng.uniform(0.1, 100, 3)
    v0, v1 = math.prod(f0), math.prod(f1)
    parts = lmdi(v0, v1, list(f0), list(f1), [1, 1, 1])
    assert sum(parts) == pytest.approx(v1 - v0, rel=1e-12)


def test_lmdi_handles_zeros():
    parts = lmdi(500.0, 0.0, [100, 0.05, 100], [100, 0.0, 0.0], [1, 1, 1])
    assert sum(parts) == pytest.approx(-500.0)
    assert parts[0] == pytest.approx(0.0, abs=1e-9)


def test_gmv_factors_sum_to_the_gmv_change(ws):
    result = diagnose(daily_scenario(seed=7, cause="aov"), ws)
    total = sum(f.contribution for f in result.factors)
    assert total == pytest.approx(result.headline.change, rel=1e-9)
    assert [f.metric for f in result.factors][0] == "客单价"


# --- drill-down -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cause, segment, factor",
    [
        ("traffic", {"channel": "抖音"}, "UV"),
        ("conversion", {"user_type": "新客"}, "转化率"),
        ("traffic", {"channel": "微信", "platform": "App"}, "UV"),
    ],
)
def test_injected_cause_is_the_top_factor_and_top_segment(ws, cause, segment, factor):
    frame = daily_scenario(seed=11, cause=cause, segment=segment, size=0.5)
    result = diagnose(frame, ws)
    assert result.factors[0].metric == factor
    top = result.drill.rows[0]
    assert top.root_cause and top.segment == segment


def test_a_parent_segment_is_reported_instead_of_its_children():
    rng = np.random.default_rng(3)
    inst = rootcause_instance(rng, n_dims=4, n_causes=0)
    members = inst.codes["d0"] == 0
    v = np.where(members, inst.v * 0.5, inst.v)
    found = localize(inst.codes, inst.labels, v, inst.f)
    assert [c.segment for c in found.causes] == [{"d0": "d0v0"}]


def test_a_two_dimension_cause_is_found_exactly_not_its_parents():
    rng = np.random.default_rng(4)
    inst = rootcause_instance(rng, n_dims=4, n_causes=0)
    members = (inst.codes["d1"] == 1) & (inst.codes["d2"] == 0)
    v = np.where(members, inst.v * 0.4, inst.v)
    found = localize(inst.codes, inst.labels, v, inst.f)
    assert [c.segment for c in found.causes] == [{"d1": "d1v1", "d2": "d2v0"}]


@pytest.mark.parametrize("kind", ["additive", "ratio"])
def test_noise_only_instances_have_no_root_cause(kind):
    rng = np.random.default_rng(9)
    for _ in range(5):
        inst = rootcause_instance(rng, n_dims=5, n_causes=0, kind=kind)
        assert localize(inst.codes, inst.labels, inst.v, inst.f).causes == []


def test_everything_moving_together_is_spread(ws):
    result = diagnose(daily_scenario(seed=5, cause="everything", size=0.3), ws)
    assert result.drill.concentration == "spread"


def test_ratio_kpi_mix_and_rate_effects_add_up(ws):
    frame = daily_scenario(seed=2, cause="conversion", segment={"user_type": "新客"})
    table = load(frame, ws)
    comparison = choose(table.dates)
    metrics, _ = ws.metrics.bind(table.measures)  # orders-based: the frame has no 买家数
    drill = drilldown(table, metrics, comparison, "转化率")
    rows = drill.by_dimension["channel"]
    total = sum(r.mix + r.rate for r in rows)
    result = diagnose(table, ws, kpi="转化率")
    assert total == pytest.approx(result.headline.change, rel=1e-9)
    assert drill.rows[0].segment == {"user_type": "新客"}
    assert abs(drill.rows[0].rate) > abs(drill.rows[0].mix)


def test_short_files_fall_back_to_the_adjacent_period_and_partial_periods_are_flagged():
    short = pd.date_range("2026-03-05", "2026-03-14", freq="D")
    c = choose(short)
    assert c.current.days == 5 and c.baseline.label == "2026-03-05~2026-03-09"
    partial = choose(dates(), current="2026-03-10:2026-03-20")
    assert "5/11" in partial.note


def test_json_is_strict_even_with_undefined_ratios(ws):
    import json

    frame = daily_scenario(seed=1)
    frame.loc[frame["date"] == frame["date"].min(), ["UV", "订单数", "GMV"]] = 0
    out = diagnose(frame, ws, kpi="转化率").to_json()
    json.dumps(out, allow_nan=False)
    assert out["series"][0]["value"] is None


def test_weekly_data_compares_whole_weeks():
    weeks = pd.date_range("2026-01-05", periods=10, freq="7D")
    c = choose(weeks, freq_days=7, current=f"{weeks[-1]:%Y-%m-%d}")
    assert c.current.days == 7 and c.baseline.start == weeks[-2]
