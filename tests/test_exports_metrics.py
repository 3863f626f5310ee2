"""Metric definitions a shop operator can trust: buyers vs orders, distinct counts, ROI, units."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import REPO
from kb.diagnosis.decompose import value_of
from kb.diagnosis.engine import diagnose
from kb.metrics import parse_metric_tree, unit_errors
from kb.workspace import Workspace


@pytest.fixture(scope="module")
def ws():
    return Workspace.open()


def shop(buyers: bool, days: int = 28) -> bytes:
    """Buyers place 1.25 orders each; in the last week buyers drop 20 %, spend per buyer holds."""
    head = "日期,访客数," + ("支付买家数," if buyers else "") + "支付订单数,支付金额"
    lines = [head]
    for i in range(days):
        day = dt.date(2026, 3, 1) + dt.timedelta(i)
        uv, b = 10000 + 13 * (i % 7), 300 + (i % 3)
        if i >= days - 7:
            b = int(b * 0.8)
        orders = round(b * 1.25)
        gmv = b * 200.0
        lines.append(f"{day},{uv}," + (f"{b}," if buyers else "") + f"{orders},{gmv}")
    return ("\n".join(lines) + "\n").encode()


def test_buyers_and_orders_are_different_metrics(ws):
    m = ws.metrics
    assert m.resolve("支付买家数") == "买家数" and m.resolve("买家数") == "买家数"
    assert m.resolve("支付订单数") == "订单数"
    assert (m["客单价"].numerator, m["客单价"].denominator) == ("GMV", "买家数")
    assert (m["笔单价"].numerator, m["笔单价"].denominator) == ("GMV", "订单数")
    assert (m["转化率"].numerator, m["转化率"].denominator) == ("买家数", "UV")
    assert m["复购率"].denominator == "买家数" and m["新客占比"].denominator == "买家数"
    assert m["流失率"].denominator == "期初活跃用户数"
    assert m.resolve("加购件数") != m.resolve("加购人数")
    assert m.resolve("退货率") != m.resolve("退款率")
    assert {x for x in ("UV", "买家数", "活跃用户数", "加购数") if m[x].distinct} == {
        "UV",
        "买家数",
        "活跃用户数",
        "加购数",
    }
    assert not m["订单数"].distinct and not m["GMV"].distinct


def test_with_buyers_the_back_office_definitions_are_used(ws):
    result = diagnose(shop(buyers=True), ws)
    aov = result.movements["客单价"]
    assert aov.current == pytest.approx(200.0)  # 支付金额 ÷ 支付买家数
    assert result.movements["笔单价"].current == pytest.approx(160.0, rel=0.01)  # ÷ 订单数
    assert [f.metric for f in result.factors][0] == "转化率"  # buyers fell, not spend
    out = result.to_json()
    assert out["definitions"]["转化率"] == {
        "numerator": "买家数",
        "denominator": "UV",
        "fallback": False,
    }
    assert not any("按" in n and "计算: 文件没有" in n for n in result.notes_in("zh"))


def test_with_only_orders_the_result_says_orders_based(ws):
    result = diagnose(shop(buyers=False), ws)
    assert result.movements["客单价"].current == pytest.approx(160.0, rel=0.01)  # = 笔单价
    assert "笔单价" not in result.movements  # the same number once, under the signature name
    out = result.to_json()
    assert out["definitions"]["客单价"]["denominator"] == "订单数"
    assert out["definitions"]["客单价"]["fallback"] is True
    assert any(
        "客单价 按 销售额 ÷ 支付订单数 计算: 文件没有 支付买家数" in n
        for n in result.notes_in("zh")
    )


def test_summed_distinct_counts_are_called_a_sum_of_daily_people(ws):
    result = diagnose(shop(buyers=True), ws)
    note = next(n for n in result.notes_in("zh") if "去重人数" in n)
    assert "访客数" in note and "支付买家数" in note and "人次" in note
    assert set(result.to_json()["distinct"]) == {"UV", "买家数"}


def test_roi_identities_name_their_conversion(ws):
    roi = ws.metrics["ROI"]
    assert ["广告点击率", "广告点击转化率", "广告客单价", "每元展现数"] in map(list, roi.identities)
    assert "oCPM" in roi.description and "CPC" in roi.description
    sums = {"广告花费": 1000.0, "广告曝光量": 100000.0, "广告点击量": 1500.0}
    sums.update({"广告订单数": 60.0, "广告成交额": 9000.0})
    for factors in roi.identities:  # both identities hold exactly on the same numbers
        product = 1.0
        for f in factors:
            product *= value_of(ws.metrics, f, sums)
        assert product == pytest.approx(value_of(ws.metrics, "ROI", sums), rel=1e-12)
    # the engine decomposes over the click identity first (CVR × AOV ÷ CPC)
    lines = ["日期,广告花费,广告展现量,广告点击量,广告订单数,广告成交额"]
    for i in range(28):
        day = dt.date(2026, 3, 1) + dt.timedelta(i)
        ctr = 0.02 if i < 21 else 0.015
        impr = 100000 + 50 * (i % 7)
        clicks = round(impr * ctr)
        lines.append(f"{day},1000,{impr},{clicks},{clicks // 20},{clicks // 20 * 150}")
    result = diagnose(("\n".join(lines) + "\n").encode(), ws, kpi="ROI")
    assert {f.metric for f in result.factors} == {"广告点击转化率", "广告客单价", "每元点击数"}
    total = sum(f.contribution for f in result.factors)
    assert total == pytest.approx(result.headline.change, rel=1e-9)


def test_unit_rules_refuse_yuan_per_person_as_a_percent():
    data = {
        "metrics": [
            {"name": "GMV", "type": "measure", "unit": "元"},
            {"name": "UV", "type": "measure", "unit": "人"},
            {"name": "订单数", "type": "measure", "unit": "单"},
            {"name": "坏", "type": "ratio", "numerator": "GMV", "denominator": "UV", "unit": "%"},
            {"name": "好", "type": "ratio", "numerator": "GMV", "denominator": "UV", "unit": "元"},
            {
                "name": "率",
                "type": "ratio",
                "numerator": "订单数",
                "denominator": "UV",
                "unit": "%",
            },
            {"name": "倒", "type": "ratio", "numerator": "UV", "denominator": "GMV", "unit": "元"},
        ]
    }
    errors = unit_errors(parse_metric_tree(data))
    assert [e.split("'")[1] for e in errors] == ["坏", "倒"]


def test_the_bundled_tree_passes_the_unit_rules(ws):
    assert unit_errors(ws.metrics) == []


def test_kb_check_rejects_a_metric_that_mixes_units(tmp_path):
    for name in ("data", "playbooks", "cases", "articles"):
        shutil.copytree(REPO / name, tmp_path / name)
    path = tmp_path / "data" / "metrics.yaml"
    tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(m for m in tree["metrics"] if m["name"] == "UV价值")["unit"] = "%"
    path.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "kb", "check", "--root", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode != 0
    assert "UV价值" in proc.stdout + proc.stderr and "unit '%'" in proc.stdout + proc.stderr


def test_notes_come_in_the_language_asked_for(ws):
    result = diagnose(shop(buyers=False), ws)
    en = " ".join(result.to_json("en")["notes"])
    assert "computed as Sales (GMV) / Paid orders" in en and "distinct people" in en
    assert "客单价 按" not in en


def test_asking_for_the_per_order_value_works_on_an_orders_only_file(ws):
    result = diagnose(shop(buyers=False), ws, kpi="笔单价")
    assert result.kpi == "笔单价"
    assert result.headline.current == pytest.approx(160.0, rel=0.01)
