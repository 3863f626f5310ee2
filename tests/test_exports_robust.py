"""Diagnose never tracebacks: wrong dates, zeros, odd number formats, oversized files."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from conftest import REPO
from kb.diagnosis import cli
from kb.diagnosis.decompose import lmdi, logmean
from kb.diagnosis.engine import diagnose, load
from kb.diagnosis.load import DiagnosisInputError
from kb.importers import limits
from kb.workspace import Workspace

HEAD = "日期,渠道,访客数,支付订单数,销售额"


@pytest.fixture(scope="module")
def ws():
    return Workspace.open()


def daily(days: int = 28, fmt: str = "%Y-%m-%d", start=dt.date(2026, 3, 1), row=None) -> str:
    lines = [HEAD]
    for i in range(days):
        day = (start + dt.timedelta(i)).strftime(fmt)
        for ch in ("抖音", "微信"):
            lines.append(row(i, day, ch) if row else f"{day},{ch},{1000 + i},{30 + i % 3},3000")
    return "\n".join(lines) + "\n"


def run_cli(ws, path, capsys, *extra) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    code = cli.run(parser.parse_args([str(path), *extra]), ws)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("year", ["1500", "9999"])
def test_a_date_out_of_range_exits_2_naming_the_row(ws, tmp_path, capsys, year):
    path = tmp_path / "d.csv"
    path.write_text(daily() + f"{year}-01-01,抖音,1,1,1\n", encoding="utf-8")
    code, _, err = run_cli(ws, path, capsys)
    assert code == 2
    assert "第 58 行" in err and year in err and "Traceback" not in err
    code, _, err = run_cli(ws, path, capsys, "--lang", "en")
    assert "row 58" in err and "第" not in err  # one language, as asked


def test_the_cli_process_prints_no_traceback(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(daily() + "9999-12-31,抖音,1,1,1\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "kb", "diagnose", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "9999-12-31" in proc.stderr


def test_logmean_follows_angs_zero_rules_and_never_divides_by_zero():
    assert logmean(0.0, 5.0) == 0.0 and logmean(5.0, 0.0) == 0.0
    assert logmean(3.0, 3.0) == 3.0
    tiny = 1e-36
    assert logmean(tiny * (1 + 2**-52), tiny) == pytest.approx(tiny)  # was ZeroDivisionError
    parts = lmdi(100.0, 0.0, [10.0, 0.5, 20.0], [0.0, float("nan"), 20.0], [1, 1, 1])
    assert sum(parts) == pytest.approx(-100.0)


def test_zero_sales_and_empty_visitors_diagnose_without_error(ws, tmp_path, capsys):
    def row(i, day, ch):
        return (
            f"{day},{ch},{'' if i >= 21 else 1000},{0 if i >= 21 else 30},{0 if i >= 21 else 3000}"
        )

    path = tmp_path / "z.csv"
    path.write_text(daily(row=row), encoding="utf-8")
    code, out, err = run_cli(ws, path, capsys, "--json")
    assert code == 0, err
    assert '"current": 0.0' in out


def test_day_first_dates_are_read_day_first(ws):
    table = load(daily(fmt="%d/%m/%Y").encode(), ws)
    assert table.dates[0] == pd.Timestamp("2026-03-01")
    assert table.dates[-1] == pd.Timestamp("2026-03-28")
    us = load(daily(fmt="%m/%d/%Y").encode(), ws)
    assert list(us.dates) == list(table.dates)


def test_ambiguous_day_month_order_is_refused_with_column_and_example(ws):
    text = daily(days=10, fmt="%d/%m/%Y")  # 01/03 … 10/03: no day above 12
    with pytest.raises(DiagnosisInputError) as exc:
        load(text.encode(), ws)
    assert "日期" in str(exc.value) and "01/03/2026" in str(exc.value)
    assert "day/month" in exc.value.message("en")


def test_odd_cells_are_accepted_with_warnings(ws, capsys, tmp_path):
    def row(i, day, ch):
        uv = "1.200" if i == 3 else 1000
        gmv = "-50" if i == 5 and ch == "抖音" else ("inf" if i == 6 else 3000)
        return f"{day},{ch},{uv},30,{gmv},7"

    text = daily(row=row).replace(HEAD, HEAD + ",访客数", 1)
    table = load(text.encode(), ws)
    codes = {w.code for w in table.warnings}
    assert codes == {"duplicate_header", "european_number", "negative", "infinite"}
    neg = next(w for w in table.warnings if w.code == "negative")
    assert "第 12 行" in neg.text.zh and "row 12" in neg.text.en
    path = tmp_path / "w.csv"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run_cli(ws, path, capsys, "--json", "--lang", "en")
    assert code == 0
    import json

    data = json.loads(out)
    assert {w["code"] for w in data["file_warnings"]} == codes
    assert all("列" not in w["message"] for w in data["file_warnings"])
    assert len(data["warnings"]) == 4 and all("column" in w for w in data["warnings"])


def _bomb(size: int) -> bytes:
    """An .xlsx-shaped zip whose sheet inflates to ``size`` bytes of zeros (~1000:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"0" * 1_000_000
            for _ in range(size // len(chunk)):
                sheet.write(chunk)
    return buf.getvalue()


def test_an_xlsx_zip_bomb_is_refused_from_its_zip_directory(ws, monkeypatch):
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 5_000_000)
    data = _bomb(20_000_000)
    assert len(data) < 100_000  # 20 MB of sheet in a small file
    with pytest.raises(DiagnosisInputError) as exc:
        load(data, ws)
    assert "解压后 20 MB" in str(exc.value) and "unpacks to 20 MB" in exc.value.message("en")


def test_a_csv_over_the_row_limit_is_refused(ws, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TABLE_ROWS", 40)
    with pytest.raises(DiagnosisInputError, match="40 行"):
        load(daily(days=21).encode(), ws)  # 42 rows
    assert len(load(daily(days=20).encode(), ws).frame) == 40


def test_a_file_over_the_size_limit_is_refused_before_reading(ws, monkeypatch, tmp_path):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1_000)
    path = tmp_path / "big.csv"
    path.write_text(daily(), encoding="utf-8")
    with pytest.raises(DiagnosisInputError, match="文件太大"):
        load(str(path), ws)


def test_a_ragged_csv_gets_a_plain_message_not_the_parsers(ws):
    text = daily(days=3).splitlines()
    text[3] += ",extra,cells"
    with pytest.raises(DiagnosisInputError) as exc:
        load("\n".join(text).encode(), ws)
    assert "Expected" not in str(exc.value)
    assert "第 4 行有 7 个单元格" in exc.value.message("zh")
    assert "line 4 has 7 cells" in exc.value.message("en")


def test_diagnose_result_carries_warnings_in_json(ws):
    text = daily().replace("2026-03-05,微信,1004,", "2026-03-05,微信,-3,")
    result = diagnose(text.encode(), ws)
    out = result.to_json("zh")
    assert [w["code"] for w in out["file_warnings"]] == ["negative"]
    assert out["warnings"] == [out["file_warnings"][0]["message"]]
