"""Files shaped like real exports: title lines, GBK, numeric-code dimensions, the file's names."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from test_app_diagnose import wizard  # noqa: F401 - the wizard fixture

from kb.diagnosis import cli
from kb.diagnosis.engine import diagnose, load
from kb.diagnosis.load import DiagnosisInputError, find_header_row, is_code_header
from kb.diagnosis.report import summary
from kb.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
SYCM = FIXTURES / "sycm-flow-gbk.csv"  # 生意参谋-style: 3 title lines, GBK, CRLF, "5,215"


@pytest.fixture(scope="module")
def ws():
    return Workspace.open()


def test_title_lines_above_the_header_are_skipped_in_a_gbk_export(ws):
    table = load(str(SYCM), ws)
    assert table.columns["统计日期"] == "date" and table.dimensions == ["channel"]
    assert len(table.frame) == 28 * 3 and len(table.dates) == 28
    assert any("跳过了表头上方的 4 行" in n for n in table.notes)  # 3 title lines + blank


def test_rows_are_named_as_in_the_file_below_title_lines(ws):
    text = SYCM.read_bytes().decode("gbk").replace('"5,215"', "abc", 1)
    with pytest.raises(DiagnosisInputError, match="第 6 行"):  # its line in Excel
        load(text.encode("gbk"), ws)


def test_the_result_keeps_the_files_names(ws):
    result = diagnose(str(SYCM), ws)
    table = result.table
    assert table.dim_label("channel") == "流量来源"
    assert table.value_label("channel", "推荐") == "手淘推荐"  # alias used for matching only
    text = summary(result, result.vocab)
    assert "流量来源=手淘推荐" in text and "推荐)" not in text
    out = result.to_json()
    assert out["labels"]["dimensions"]["channel"] == "流量来源"
    assert out["labels"]["values"]["channel"]["推荐"] == "手淘推荐"


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_excel_export_with_title_rows_loads(ws, monkeypatch, engine):
    from kb.diagnosis import read

    pytest.importorskip("python_calamine" if engine == "calamine" else "openpyxl")
    monkeypatch.setattr(read, "EXCEL_ENGINE", engine)
    wb = Workbook()
    sheet = wb.active
    sheet.append(["商智 · 经营概况"])
    sheet.append(["店铺", "示例店"])
    sheet.append([])
    sheet.append(["日期", "店铺ID", "访客数", "订单数", "销售额"])
    for i in range(14):
        day = dt.datetime(2026, 3, 1) + dt.timedelta(i)
        for shop in (101, 102):
            sheet.append([day, shop, 1000 + i, 30, 3000.5])
    buf = io.BytesIO()
    wb.save(buf)
    table = load(buf.getvalue(), ws)
    assert table.dimensions == ["店铺ID"]  # a code by its header, not a measure
    assert set(table.frame["店铺ID"].astype(str)) == {"101", "102"}
    assert table.measures == ["UV", "订单数", "GMV"] and len(table.dates) == 14


def codes_csv() -> str:
    lines = ["日期,省份ID,cdn,访客数,支付订单数,销售额"]
    for i in range(21):
        day = dt.date(2026, 3, 1) + dt.timedelta(i)
        for prov in (11, 31, 44):
            for cdn in (1, 2, 3):
                uv = 1000 + prov + cdn * 10
                if i >= 14 and prov == 44:
                    uv //= 2
                lines.append(f"{day},{prov},{cdn},{uv},{uv // 30},{uv * 3}")
    return "\n".join(lines) + "\n"


def test_numeric_code_columns_are_dimensions_by_header_and_by_shape(ws):
    table = load(codes_csv().encode(), ws)
    assert table.dimensions == ["省份ID", "cdn"]  # 省份ID by its header; cdn by value shape
    assert table.measures == ["UV", "订单数", "GMV"]
    assert any("'cdn'" in n and "维度" in n for n in table.notes)
    result = diagnose(table, ws, kpi="UV")
    assert result.drill.rows[0].segment == {"省份ID": "44"}


def test_a_column_of_small_whole_numbers_stays_a_measure_when_rows_are_unique(ws):
    lines = ["日期,渠道,访客数,退货件数"]
    for i in range(14):
        day = dt.date(2026, 3, 1) + dt.timedelta(i)
        lines += [f"{day},抖音,1000,{i % 3}", f"{day},微信,900,{(i + 1) % 3}"]
    table = load(("\n".join(lines) + "\n").encode(), ws)
    assert table.dimensions == ["channel"] and "退货件数" in table.measures


def run_cli(ws, path, capsys, *extra):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    code = cli.run(parser.parse_args([str(path), *extra]), ws)
    return code, capsys.readouterr()


def shop_csv() -> str:
    lines = ["日期,渠道,店铺ID,等级,访客数"]
    for i in range(21):
        day = dt.date(2026, 3, 1) + dt.timedelta(i)
        lines += [f"{day},抖音,7,1,{1000 + i}", f"{day},微信,7,2,{900 + i}"]
    return "\n".join(lines) + "\n"


def test_cli_dims_and_measures_flip_a_column(ws, tmp_path, capsys):
    path = tmp_path / "shop.csv"
    path.write_text(shop_csv(), encoding="utf-8")
    code, out = run_cli(ws, path, capsys, "--json", "--kpi", "UV")
    data = json.loads(out.out)
    assert set(data["by_dimension"]) == {"channel", "店铺ID"}  # 等级: rows are unique without it
    code, out = run_cli(
        ws, path, capsys, "--json", "--kpi", "UV", "--dims", "等级", "--measures", "店铺ID"
    )
    assert code == 0, out.err
    data = json.loads(out.out)
    assert set(data["by_dimension"]) == {"channel", "等级"}
    assert any(m["metric"] == "店铺ID" for m in data["metrics"])
    code, out = run_cli(ws, path, capsys, "--dims", "等级,nope")
    assert code == 2 and "nope" in out.err and "Traceback" not in out.err


def test_header_row_is_found_by_known_names_or_by_width():
    rows = [["店铺名称", "示例店"], ["统计时间", "2026-03-01~2026-03-07"], [], ["日期", "访客数"]]
    assert find_header_row(rows, known=lambda c: c in {"日期", "访客数", "统计时间"}) == 3
    wide = [["报表"], ["a", "b", "c", "d"], ["2026-03-01", "1", "2", "3"]]
    assert find_header_row(wide) == 1


def test_a_file_of_only_title_lines_gets_a_plain_message(ws):
    text = "店铺名称,示例店\n统计时间,2026-03-01\n"
    with pytest.raises(DiagnosisInputError) as exc:
        load(text.encode(), ws)
    assert "Traceback" not in str(exc.value) and "Expected" not in str(exc.value)
    assert exc.value.message("en") != exc.value.message("zh")


def test_upload_mapping_step_flips_a_code_column(wizard):  # noqa: F811
    at = wizard
    at.radio(key="dx_mode").set_value("upload").run()
    data = shop_csv().encode()
    at.file_uploader(key="dx_upload").set_value(("shop.csv", data, "text/csv")).run()
    at.button(key="dx_next1").click().run()
    assert not at.exception, at.exception[0].stack_trace
    summary_line = next(c.value for c in at.caption if c.value.startswith("shop.csv"))
    assert summary_line.endswith("维度：渠道, 店铺ID")  # headers as the file wrote them
    assert "等级" in at.selectbox(key="dx_kpi").options  # taken for a measure
    at.session_state["dx_mapping_editor"] = {
        "edited_rows": {3: {"target": "（维度：按这一列拆分）"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.error
    summary_line = next(c.value for c in at.caption if c.value.startswith("shop.csv"))
    assert summary_line.endswith("维度：渠道, 店铺ID, 等级")
    assert "等级" not in at.selectbox(key="dx_kpi").options


def test_a_frame_source_still_loads(ws):
    frame = pd.DataFrame({"date": ["2026-03-01", "2026-03-02"], "uv": [1, 2]})
    assert load(frame, ws).measures == ["UV"]


@pytest.mark.parametrize(
    ("header", "code"),
    [("省份ID", True), ("店铺编号", True), ("shop_id", True), ("shopId", True)]
    + [("paid", False), ("PAID", False), ("valid", False), ("cdn", False), ("订单数", False)],
)
def test_code_headers_are_told_by_their_last_word(header, code):
    assert is_code_header(header) is code


def test_repeated_rows_stay_an_error_when_no_code_column_explains_them(ws):
    lines = ["日期,渠道,访客数,单量"]
    for i in range(14):
        day = dt.date(2026, 3, 1) + dt.timedelta(i)
        lines += [f"{day},抖音,1000,{30 + i}", f"{day},抖音,1000,{60 + i}"]  # exported twice
    with pytest.raises(DiagnosisInputError, match="第 2 行和第 3 行重复"):
        load(("\n".join(lines) + "\n").encode(), ws)


def test_a_back_office_export_with_buyers_uses_buyer_based_definitions(ws):
    out = diagnose(str(SYCM), ws).to_json()
    assert out["definitions"]["客单价"] == {
        "numerator": "GMV",
        "denominator": "买家数",
        "fallback": False,
    }
    assert out["definitions"]["转化率"]["numerator"] == "买家数"


def test_the_mapping_step_shows_warnings(wizard):  # noqa: F811
    at = wizard
    at.radio(key="dx_mode").set_value("upload").run()
    data = shop_csv().replace("2026-03-03,抖音,7,1,1002", "2026-03-03,抖音,7,1,-5").encode()
    at.file_uploader(key="dx_upload").set_value(("shop.csv", data, "text/csv")).run()
    at.button(key="dx_next1").click().run()
    assert not at.exception
    assert any("是负数" in w.value and "第 6 行" in w.value for w in at.warning)


def test_total_rows_are_dropped_not_summed_again(ws):
    text = (
        SYCM.read_bytes().decode("gbk").rstrip()
        + '\r\n合计,,"300,000",9000,"1,500,000.00",3.00%\r\n'
    )
    table = load(text.encode("gbk"), ws)
    assert len(table.frame) == 28 * 3
    assert any("1 行合计" in n for n in table.notes)


def test_excel_rows_are_numbered_as_excel_shows_them(ws):
    wb = Workbook()
    sheet = wb.active
    sheet.append(["报表"])
    sheet.append([])
    sheet.append(["日期", "访客数"])
    sheet.append([dt.datetime(2026, 3, 1), 10])
    sheet.append([])
    sheet.append([dt.datetime(2026, 3, 2), "lots"])  # row 6 in Excel
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(DiagnosisInputError, match="第 6 行"):
        load(buf.getvalue(), ws)
