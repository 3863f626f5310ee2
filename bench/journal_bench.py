"""Action log at scale: N log entries in a temporary root; time list, open actions, events_near.

Every call looks at the log folder (the files are the source of truth); a file is parsed again
only when it changed, so "first read" parses all and the other columns are warm. Run: python bench/journal_bench.py [N ...]
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb import calendar, journal  # noqa: E402
from kb.workspace import Workspace  # noqa: E402

CHANNELS = ["抖音", "快手", "小红书", "微信", "手淘搜索", "推荐", "直通车"]
USERS = ["新客", "老客"]


def write(root: Path, n: int, rng: random.Random) -> None:
    folder = root / "log"
    folder.mkdir(parents=True)
    start = dt.date(2024, 1, 1)
    for i in range(n):
        day = start + dt.timedelta(days=rng.randrange(900))
        segment = {"channel": rng.choice(CHANNELS)} if rng.random() < 0.7 else {}
        if segment and rng.random() < 0.3:
            segment["user_type"] = rng.choice(USERS)
        seg = "{" + ", ".join(f"{k}: {v}" for k, v in segment.items()) + "}"
        text = (
            f"---\nid: log-{i}\nkind: log\ntitle: 动作 {i}\ndate: {day}\nsegment: {seg}\n"
            f"action: {rng.choice(journal.ACTIONS)}\nstatus: {rng.choice(['open', 'done'])}\n"
            f"created: {day}\n---\n\n备注 {i}\n"
        )
        (folder / f"log-{i}.md").write_text(text, encoding="utf-8")


def timed(fn, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(sizes: list[int]) -> None:
    rng = random.Random(20260315)
    calendar.period_notes(dt.date(2026, 1, 1), dt.date(2026, 1, 2))  # import the packages once
    print(
        "| entries | first read | list all | open actions | events_near | period_notes (1 year) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            write(root, n, rng)
            ws = Workspace.open(root)
            day, seg = dt.date(2025, 6, 1), {"channel": "抖音"}
            t0 = time.perf_counter()
            journal.list_entries(ws)
            first = time.perf_counter() - t0
            a = timed(partial(journal.list_entries, ws))
            b = timed(partial(journal.open_actions, ws))
            c = timed(partial(journal.events_near, ws, day, seg))
            d = timed(partial(calendar.period_notes, dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
            print(f"| {n:,} | {first * 1000:.0f} ms | {a * 1000:.0f} ms | {b * 1000:.0f} ms "
                  f"| {c * 1000:.0f} ms | {d * 1000:.0f} ms |")  # fmt: skip


if __name__ == "__main__":
    main([int(x) for x in sys.argv[1:]] or [100, 1000, 5000])
