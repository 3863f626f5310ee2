"""Small histories with a known story for the morning-review tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

CHANNELS = {"手淘搜索": 4000, "抖音": 3000, "直接访问": 1000}
WEEKDAY = [0.95, 0.93, 0.96, 0.98, 1.02, 1.1, 1.06]


def history(
    end: dt.date = dt.date(2026, 11, 30),
    days: int = 120,
    drop: dict[str, float] | None = None,
    seed: int = 7,
    drop_days: int = 1,
) -> pd.DataFrame:
    """Daily rows per channel (访客数, 支付订单数, 销售额) with weekday shape and ~2 % noise;
    ``drop`` scales a channel's visitors on the last ``drop_days`` days (e.g. {"抖音": 0.4})."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(days):
        day = end - dt.timedelta(days=days - 1 - i)
        for channel, base in CHANNELS.items():
            uv = base * WEEKDAY[day.weekday()] * rng.normal(1, 0.02)
            if drop and (end - day).days < drop_days and channel in drop:
                uv *= drop[channel]
            orders = round(uv * 0.03 * rng.normal(1, 0.02))
            rows.append(
                {
                    "日期": day.isoformat(),
                    "渠道": channel,
                    "访客数": round(uv),
                    "支付订单数": orders,
                    "销售额": round(orders * 150 * rng.normal(1, 0.01), 2),
                }
            )
    return pd.DataFrame(rows)


def write_root(root: Path, frame: pd.DataFrame, config: str | None = None) -> Path:
    """A content root with the frame as monthly export files and a daily.yaml."""
    folder = root / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    for month, part in frame.groupby(frame["日期"].str[:7]):
        part.to_csv(folder / f"{month}.csv", index=False)
    (root / "daily.yaml").write_text(
        config
        or "source: {type: folder, path: exports}\n"
        "targets:\n  - {metric: GMV, month: 2026-11, value: 2000000, split: even}\n",
        encoding="utf-8",
    )
    return root
