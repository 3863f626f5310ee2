"""Hostile metrics files against `python -m kb diagnose`: time, peak memory and exit code.

    python bench/diagnosis_limits_bench.py

Files are generated in a temp folder (not timed): an .xlsx zip bomb whose sheet unpacks to
1.4 GB of zeros (~1.4 MB on disk), a real 200,000-row workbook, a CSV just over the row limit, a CSV over the size limit,
dates in year 9999, and a file of zero sales with empty visitors. Each runs in its own process
(peak RSS from getrusage of the child); every one must end with exit 2 and a message, or 0.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from kb.importers import limits

REPO = Path(__file__).resolve().parent.parent


def zip_bomb(path: Path, mb: int = 1400) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"0" * (1 << 20)
            for _ in range(mb):
                sheet.write(chunk)


def big_sheet(path: Path, rows: int = 200_000) -> None:
    """A legitimate workbook (5 columns) well inside the limits: the worst cost we accept."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["日期", "渠道", "访客数", "支付订单数", "销售额"])
    first = dt.datetime(2026, 1, 1)
    for i in range(rows):
        ws.append([first + dt.timedelta(days=i // 1000), f"c{i % 1000}", 1000 + i % 7, 30, 3000.5])
    wb.save(path)


def many_rows(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("日期,渠道,访客数\n")
        for i in range(rows):
            f.write(f"2026-03-01,c{i},1\n")


def too_big(path: Path, size: int) -> None:
    line = "2026-03-01,1000\n" * 100_000
    with path.open("w", encoding="utf-8") as f:
        f.write("日期,访客数\n")
        while f.tell() < size:
            f.write(line)


def daily(path: Path, last: str | None = None, zero: bool = False) -> None:
    lines = ["日期,访客数,支付订单数,销售额"]
    for i in range(28):
        day = dt.date(2026, 3, 1) + dt.timedelta(i)
        if zero and i >= 21:
            lines.append(f"{day},,0,0")
        else:
            lines.append(f"{day},1000,30,3000")
    if last:
        lines.append(last)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(path: Path) -> tuple[float, float, int, str]:
    """One diagnose process; its own peak RSS from wait4 (not the max over all children)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kb", "diagnose", str(path), "--lang", "en"],
            cwd=REPO,
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    first = (stderr.strip().splitlines() or [""])[-1].replace(str(path.parent), "…")
    return seconds, usage.ru_maxrss / 1024, proc.returncode, first[:100]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = {
            "xlsx zip bomb (1.4 GB unpacked)": (folder / "bomb.xlsx", zip_bomb),
            "xlsx of 200,000 rows (45 MB unpacked)": (folder / "sheet.xlsx", big_sheet),
            f"CSV with {limits.MAX_TABLE_ROWS + 100:,} rows": (
                folder / "rows.csv",
                lambda p: many_rows(p, limits.MAX_TABLE_ROWS + 100),
            ),
            "CSV of 200 MB": (folder / "big.csv", lambda p: too_big(p, 200_000_000)),
            "a date in 9999": (folder / "y.csv", lambda p: daily(p, "9999-12-31,1,1,1")),
            "zero sales, empty visitors": (folder / "z.csv", lambda p: daily(p, zero=True)),
        }
        print("| file | size MB | exit | s | peak RSS MB | message |")
        print("|---|---|---|---|---|---|")
        for label, (path, make) in cases.items():
            make(path)
            seconds, peak, code, message = run(path)
            size = path.stat().st_size / 1e6
            print(f"| {label} | {size:.1f} | {code} | {seconds:.1f} | {peak:.0f} | {message} |")


if __name__ == "__main__":
    main()
