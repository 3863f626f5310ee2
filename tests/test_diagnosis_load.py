"""Loading metrics files: encodings, header and value aliases, number formats, clear errors."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from kb.diagnosis.dimensions import load_vocabulary
from kb.diagnosis.engine import diagnose, load
from kb.diagnosis.load import DiagnosisInputError
from kb.workspace import Workspace
from kb.yamlfile import DataError


@pytest.fixture(scope="module")
def ws():
    return Workspace.open()


CSV = """日期,渠道,新老客,访客数,支付订单数,销售额
2026-03-01,抖音,新用户,"1,200",30,"3,600.50"
2026-03-01,抖音,老客,800,40,5200
2026-03-02,微信,new,900,20,2100
"""


def test_chinese_headers_and_value_aliases_map_to_canonical_names(ws):
    table = load(CSV.encode("utf-8"), ws)
    assert table.dimensions == ["channel", "user_type"]
    assert table.measures == ["UV", "订单数", "GMV"]
    assert set(table.frame["user_type"]) == {"新客", "老客"}
    assert table.frame["UV"].tolist() == [1200, 800, 900]
    assert table.frame["GMV"].iloc[0] == pytest.approx(3600.5)
    assert table.columns["访客数"] == "UV"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-8"])
def test_bom_gbk_and_plain_utf8_files_load_the_same(ws, encoding):
    table = load(CSV.encode(encoding), ws)
    assert table.measures == ["UV", "订单数", "GMV"]
    assert table.frame["channel"].tolist() == ["抖音", "抖音", "微信"]


def test_excel_sheet_loads(ws):
    buf = io.BytesIO()
    pd.read_csv(io.StringIO(CSV)).to_excel(buf, index=False)
    table = load(buf.getvalue(), ws)
    assert table.measures == ["UV", "订单数", "GMV"]
    assert len(table.frame) == 3


def test_percent_ratio_column_rebuilds_its_numerator_and_empty_cells_count_as_zero(ws):
    text = "date,uv,conversion_rate,gmv,coupon_cost,note\n"
    text += "2026-03-01,1000,2.5%,5000,100,a\n2026-03-02,2000,3%,,50,b\n"
    table = load(text.encode(), ws)
    # 支付转化率 = 支付买家数 ÷ 访客数: the rate column rebuilds buyers, not orders
    assert table.frame["买家数"].tolist() == pytest.approx([25, 60])
    assert table.frame["GMV"].tolist() == [5000, 0]
    assert "coupon_cost" in table.custom  # unknown numbers are kept as custom measures
    assert "note" in table.dimensions  # unknown text is kept as a dimension
    assert any("空单元格" in n for n in table.notes)


def test_weekly_files_are_recognised(ws):
    text = "week,uv\n2026-01-05,100\n2026-01-12,110\n2026-01-19,90\n"
    assert load(text.encode(), ws).freq_days == 7


def test_errors_are_data_errors(ws):
    assert issubclass(DiagnosisInputError, DataError)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("渠道,访客数\n抖音,100\n", "没有日期列"),
        ("日期,访客数\n2026-03-01,100\n2026-13-45,90\n", "第 3 行"),
        ("日期,访客数\n2026-03-01,100\n2026-03-02,abc\n", "列 '访客数' 第 3 行"),
        (
            "日期,渠道,访客数\n2026-03-01,抖音,1\n2026-03-02,抖音,2\n2026-03-01,抖音,3\n",
            "第 2 行和第 4 行重复",
        ),
        ("日期,渠道\n2026-03-01,抖音\n", "没有可识别的指标列"),
    ],
)
def test_bad_input_names_the_column_or_row(ws, text, expected):
    with pytest.raises(DiagnosisInputError) as err:
        load(text.encode(), ws)
    assert expected in str(err.value)


def test_period_without_rows_and_missing_inputs_are_explained(ws):
    text = "日期,访客数\n2026-03-01,100\n2026-03-02,120\n"
    with pytest.raises(DiagnosisInputError, match="没有数据行"):
        diagnose(text.encode(), ws, current="2026-04-01:2026-04-07")
    with pytest.raises(DiagnosisInputError, match="缺少列 买家数 \\(或 订单数\\)"):
        diagnose(text.encode(), ws, kpi="转化率")


def test_vocabulary_resolves_dimension_headers():
    from kb.config import BUNDLED_DATA

    vocab = load_vocabulary(BUNDLED_DATA / "dimensions.yaml")
    assert vocab.resolve("流量来源") == "channel"
    assert vocab.resolve("User Type") == "user_type"
    assert vocab.get("user_type").canonical_value("returning") == "老客"
    assert vocab.is_date("统计日期")


def test_a_first_column_of_dates_is_the_date_column_whatever_its_header(ws):
    text = "统计时段,uv\n2026/03/01,100\n2026/03/02,120\n"
    table = load(text.encode(), ws)
    assert table.columns["统计时段"] == "date"
    assert str(table.dates[0].date()) == "2026-03-01"


def test_a_person_can_map_unknown_headers_and_is_told_about_clashes(ws):
    from kb.diagnosis.load import read_raw, remap_columns

    raw = "day,src,visits,paid_orders,money,note\n"
    raw += "".join(f"2026-03-{d:02d},A,{100 + d},{5 + d % 3},{500 + d},x\n" for d in range(1, 15))
    frame, name = read_raw(io.BytesIO(raw.encode()))
    assert list(frame.columns) == ["day", "src", "visits", "paid_orders", "money", "note"]
    mapping = {"day": "date", "src": "channel", "visits": "UV", "paid_orders": "订单数"}
    mapping |= {"money": "GMV", "note": "__ignore__"}
    table = load(remap_columns(frame, mapping, name), ws)
    assert {"UV", "订单数", "GMV"} <= set(table.measures) and table.dimensions == ["channel"]
    with pytest.raises(DiagnosisInputError, match="visits, money .*'UV'"):
        remap_columns(frame, {**mapping, "money": "UV"}, name)


def test_no_data_checklist_lists_answers_and_checks(ws):
    from kb.diagnosis import consult
    from kb.diagnosis.report import checklist_markdown

    result = consult(ws, {"UV": "flat", "PV": "down"})
    text = checklist_markdown(result.interview.answers, result.hypotheses, ws.metrics)
    assert "- 访客数: flat" in text and "- [ ] " in text
    assert result.matches[0].problem.id == "pv-down-uv-flat"
