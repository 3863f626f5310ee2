"""Load + diagnose speed on large metrics files (3 dimensions, daily rows).

    python bench/diagnosis_bench.py [--rows 100000 1000000]

Writes a CSV per size to a temp folder (not timed), then times loading it from disk (parse,
header mapping, validation incl. the duplicate check) and the full diagnosis (movements,
significance, LMDI, drill-down over 1–3-dimension segments, matching, linked documents). One
channel × platform segment loses 60 % of its traffic in the last week; the bench also checks
that the diagnosis finds it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from kb.diagnosis.engine import diagnose, load
from kb.workspace import Workspace


def make_csv(rows: int, path: Path, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    channels = [f"渠道{i:02d}" for i in range(20)]
    platforms = ["App", "小程序", "PC", "H5", "快应用"]
    categories = [f"类目{i:02d}" for i in range(max(1, rows // (20 * 5 * 200)))]
    leaves = len(channels) * len(platforms) * len(categories)
    days = max(30, rows // leaves)
    dates = pd.date_range(end="2026-03-15", periods=days, freq="D")
    n = days * leaves
    leaf = np.tile(np.arange(leaves), days)
    day = np.repeat(np.arange(days), leaves)
    ch = leaf // (len(platforms) * len(categories))
    pf = (leaf // len(categories)) % len(platforms)
    ca = leaf % len(categories)
    weight = np.array([3.0, 2.0, 1.0, 1.0, 0.5])[pf]  # App carries the most traffic
    base = rng.lognormal(5, 0.5, leaves)[leaf] * weight
    season = 1 + 0.12 * np.sin(2 * np.pi * dates.day_of_week.to_numpy() / 7)[day]
    uv = base * season * (1 + rng.normal(0, 0.05, n))
    hit = (ch == 3) & (pf == 0) & (day >= days - 7)
    uv = np.where(hit, uv * 0.4, uv)
    uv = np.round(uv)
    rate = rng.uniform(0.02, 0.05, leaves)[leaf] * (1 + rng.normal(0, 0.05, n))
    orders = np.round(uv * rate)
    gmv = np.round(orders * rng.uniform(90, 160, leaves)[leaf] * (1 + rng.normal(0, 0.03, n)), 2)
    frame = pd.DataFrame(
        {
            "日期": dates.strftime("%Y-%m-%d")[day],
            "渠道": np.array(channels)[ch],
            "平台": np.array(platforms)[pf],
            "类目": np.array(categories)[ca],
            "访客数": uv.astype(int),
            "订单数": orders.astype(int),
            "销售额": gmv,
        }
    )
    frame.to_csv(path, index=False)
    truth = {"channel": channels[3], "platform": platforms[0]}
    return {"rows": n, "days": days, "leaves": leaves, "truth": truth}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; medians shown")
    args = parser.parse_args()
    ws = Workspace.open()
    diagnose(Path(__file__).resolve().parent.parent / "samples" / "coupon-aov.csv", ws)  # warm
    print("| rows | days × leaves | CSV MB | load s | diagnose s | total s | found injected |")
    # medians of --repeat runs; load = read + map + validate the CSV from disk
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            path = Path(tmp) / f"bench-{rows}.csv"
            info = make_csv(rows, path)
            loads, runs = [], []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                table = load(path, ws)
                t1 = time.perf_counter()
                result = diagnose(table, ws)
                loads.append(t1 - t0)
                runs.append(time.perf_counter() - t1)
            top = next((r.segment for r in result.drill.rows if r.root_cause), None)
            a, b = statistics.median(loads), statistics.median(runs)
            print(
                f"| {info['rows']:,} | {info['days']} × {info['leaves']} "
                f"| {path.stat().st_size / 1e6:.0f} | {a:.2f} | {b:.2f} "
                f"| {a + b:.2f} | {top == info['truth']} |"
            )


if __name__ == "__main__":
    main()
