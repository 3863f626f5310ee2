"""The morning review on big histories: 100M rows in DuckDB, 10M rows in PostgreSQL.

    python bench/daily_bench.py [--duck-rows 100000000] [--pg-rows 10000000] [--pg-url URL]

Generates an order-level fact table (never committed: it is built in a temp folder / a temp
table and dropped afterwards): 400 days x channel (8) x platform (4) x SKU lines with GMV and
orders. The review asks the source for GROUP BY date, channel, platform over 400 days (the
aggregation runs in DuckDB / PostgreSQL; only ~13k aggregate rows come back), then computes the
KPIs, significance, drill-down and targets. Times: the source query alone, and the whole review
(cold, then warm). PostgreSQL: pass --pg-url or set OPSKB_TEST_PG_URL (scripts/test.sh prints
how it starts the local server); without one that part is skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.daily.review import review
from kb.sources import parse_source
from kb.sources.duck import DuckDBSource
from kb.sources.sql import SQLSource
from kb.workspace import Workspace

DAYS = 400
END = dt.date(2026, 11, 30)
START = END - dt.timedelta(days=DAYS - 1)
CHANNELS = ["手淘搜索", "手淘推荐", "全站推广", "抖音", "小红书", "直接访问", "微信", "京东"]
MEASURES = {"GMV": "gmv", "订单数": "orders"}
SPEC = {"date": "stat_date", "dimensions": {"channel": "channel", "platform": "platform"}}


def fact_sql(rows: int, table: str, series: str, div: str) -> str:
    """Order lines spread evenly over the days; 抖音 loses 60 % on the last day. ``div`` is the
    dialect's integer division (DuckDB //, PostgreSQL / on integers)."""
    per_day = rows // DAYS
    chans = "ARRAY[" + ", ".join(f"'{c}'" for c in CHANNELS) + "]"
    return f"""
        CREATE TABLE {table} AS
        SELECT DATE '{START}' + CAST(i {div} {per_day} AS INTEGER) AS stat_date,
               ({chans})[1 + (i % 8)] AS channel,
               (ARRAY['App', '小程序', 'PC', 'H5'])[1 + ((i {div} 8) % 4)] AS platform,
               (i % 5000) AS sku_id,
               CASE WHEN (i % 8) = 3 AND i {div} {per_day} = {DAYS - 1} AND (i % 10) < 6
                    THEN 0 ELSE 1 END AS orders,
               CASE WHEN (i % 8) = 3 AND i {div} {per_day} = {DAYS - 1} AND (i % 10) < 6
                    THEN 0 ELSE 50 + (i % 97) * 3.5 END AS gmv
        FROM {series}
    """


def timed(fn, repeat: int = 3) -> tuple[float, float]:
    """(first run, median of the following runs) in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times[0], statistics.median(times[1:]) if len(times) > 1 else times[0]


def root_with(folder: Path, source_yaml: str) -> Workspace:
    (folder / "daily.yaml").write_text(
        f"source: {source_yaml}\ntargets: [{{metric: GMV, month: 2026-11, value: 1.0e9}}]\n",
        encoding="utf-8",
    )
    return Workspace.open(folder)


def bench_duckdb(rows: int) -> None:
    import duckdb

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shop.duckdb"
        t0 = time.perf_counter()
        con = duckdb.connect(str(path))
        con.execute(fact_sql(rows, "facts", f"range({rows}) t(i)", "//"))
        con.close()
        size = path.stat().st_size / 1e6
        print(f"duckdb: generated {rows:,} rows in {time.perf_counter() - t0:.1f}s ({size:.0f} MB)")
        spec = parse_source(
            {"type": "duckdb", "path": str(path), "table": "facts", **SPEC, "measures": MEASURES}
        )
        source = DuckDBSource(spec, path)
        q_cold, q_warm = timed(lambda: source.fetch(START, END))
        ws = root_with(
            Path(tmp),
            f"{{type: duckdb, path: {path}, table: facts, date: stat_date, "
            "dimensions: {channel: channel, platform: platform}, "
            "measures: {GMV: gmv, 订单数: orders}}",
        )
        r_cold, r_warm = timed(lambda: review(ws, role="store"))
        found = review(ws, role="store").changes
        print(
            f"duckdb {rows:,} rows: query {q_cold:.2f}s cold / {q_warm:.2f}s warm; "
            f"review {r_cold:.2f}s cold / {r_warm:.2f}s warm; first change: "
            f"{found[0].metric} {found[0].segment if found else '-'}"
        )


def bench_pg(rows: int, url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    table = "opskb_bench_facts"
    t0 = time.perf_counter()
    with engine.begin() as con:
        con.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        sql = fact_sql(rows, table, f"generate_series(0, {rows - 1}) AS t(i)", "/")
        con.execute(sa.text(sql))
        con.execute(sa.text(f"ANALYZE {table}"))
    print(f"postgresql: generated {rows:,} rows in {time.perf_counter() - t0:.1f}s")
    try:
        os.environ["OPSKB_BENCH_PG"] = url
        spec = parse_source(
            {
                "type": "sql",
                "url_env": "OPSKB_BENCH_PG",
                "table": table,
                **SPEC,
                "measures": MEASURES,
            }
        )
        source = SQLSource(spec)
        q_cold, q_warm = timed(lambda: source.fetch(START, END))
        with tempfile.TemporaryDirectory() as tmp:
            ws = root_with(
                Path(tmp),
                f"{{type: sql, url_env: OPSKB_BENCH_PG, table: {table}, "
                "date: stat_date, dimensions: {channel: channel, platform: platform}, "
                "measures: {GMV: gmv, 订单数: orders}}",
            )
            r_cold, r_warm = timed(lambda: review(ws, role="store"))
        print(
            f"postgresql {rows:,} rows: query {q_cold:.2f}s cold / {q_warm:.2f}s warm; "
            f"review {r_cold:.2f}s cold / {r_warm:.2f}s warm"
        )
    finally:
        with engine.begin() as con:
            con.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duck-rows", type=int, default=100_000_000)
    parser.add_argument("--pg-rows", type=int, default=10_000_000)
    parser.add_argument("--pg-url", default=os.environ.get("OPSKB_TEST_PG_URL"))
    args = parser.parse_args()
    if args.duck_rows:
        bench_duckdb(args.duck_rows)
    if args.pg_rows and args.pg_url:
        bench_pg(args.pg_rows, args.pg_url)
    elif args.pg_rows:
        print("postgresql: skipped (no --pg-url / OPSKB_TEST_PG_URL)")


if __name__ == "__main__":
    main()
