"""Generate samples/daily/: a shop's back-office exports, one CSV per month, for the morning
review (每日复盘). Fixed seed, so the files are reproducible: `python samples/daily_generate.py`.

Story (the last two days): the 抖音 campaign's budget was cut on 2026-11-28 (see log/), so on
2026-11-29 and 11-30 抖音 visitors fall by about 60 % and GMV with them; other channels hold.
History has weekday seasonality, 双11 (2025 and 2026) and 618 peaks, and ordinary noise.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent / "daily"
START, END = dt.date(2025, 10, 1), dt.date(2026, 11, 30)
# channel: base visitors/day, conversion, AOV, ad spend share of GMV (0 = free)
CHANNELS = {
    "手淘搜索": (5200, 0.034, 168.0, 0.0),
    "手淘推荐": (4100, 0.018, 142.0, 0.0),
    "全站推广": (2600, 0.041, 176.0, 0.28),
    "抖音": (5200, 0.028, 129.0, 0.35),
    "小红书": (900, 0.027, 188.0, 0.0),
    "直接访问": (1300, 0.052, 181.0, 0.0),
}
WEEKDAY = [0.94, 0.92, 0.95, 0.97, 1.02, 1.11, 1.09]  # Mon..Sun
CUT = dt.date(2026, 11, 29)  # first day after the 抖音 budget cut


def peak(day: dt.date) -> float:
    """Campaign lift: 双11 (pre-sale from late Oct), 618, 双12."""
    lift = 1.0
    for year in (2025, 2026):
        d11 = dt.date(year, 11, 11)
        gap = (day - d11).days
        if -12 <= gap <= 0:
            lift *= 1.25 if gap < 0 else 3.2
        if 1 <= gap <= 4:
            lift *= 0.82  # the usual hangover after 双11
        if day == dt.date(year, 12, 12):
            lift *= 1.6
        if dt.date(year, 6, 1) <= day <= dt.date(year, 6, 18):
            lift *= 1.35 if day != dt.date(year, 6, 18) else 2.2
    return lift


def main() -> None:
    rng = np.random.default_rng(20261201)
    rows = []
    day = START
    while day <= END:
        trend = 1 + 0.18 * (day - START).days / 365  # the shop grows
        for channel, (uv0, cr, aov, ad) in CHANNELS.items():
            uv = uv0 * trend * WEEKDAY[day.weekday()] * peak(day) * rng.normal(1, 0.04)
            if channel == "抖音" and day >= CUT:
                uv *= 0.38
            uv = max(0, round(uv))
            buyers = rng.binomial(uv, min(0.9, cr * rng.normal(1, 0.03)))
            orders = buyers + rng.binomial(buyers, 0.06)
            gmv = orders * aov * rng.normal(1, 0.03)
            refund = gmv * min(0.6, max(0.0, rng.normal(0.09, 0.012)))
            spend = gmv * ad * rng.normal(1, 0.05) if ad else 0.0
            new = rng.binomial(buyers, 0.42)
            rows.append(
                {
                    "统计日期": day.isoformat(),
                    "流量来源": channel,
                    "访客数": uv,
                    "浏览量": round(uv * rng.normal(3.1, 0.08)),
                    "支付买家数": buyers,
                    "支付订单数": orders,
                    "支付金额": round(gmv, 2),
                    "退款金额": round(refund, 2),
                    "广告花费": round(spend, 2),
                    "广告成交额": round(gmv if ad else 0.0, 2),
                    "新客数": new,
                }
            )
        day += dt.timedelta(days=1)
    frame = pd.DataFrame(rows)
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.csv"):
        old.unlink()
    for month, part in frame.groupby(frame["统计日期"].str[:7]):
        part.to_csv(OUT / f"店铺来源-{month}.csv", index=False, encoding="utf-8-sig")


if __name__ == "__main__":
    main()
