"""Generate the bundled diagnosis samples (seeded, so the CSVs are reproducible).

    python samples/generate.py        # rewrites samples/*.csv

Each sample is a tidy table (one row per date and dimension combination) with weekly
seasonality, noise and one known story injected into the last week (see samples/README.md).
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
END = "2026-03-15"  # a Sunday: the last 7 days are one Monday-to-Sunday week


def grid(days: int, dims: dict[str, list[str]], freq: str = "D") -> pd.DataFrame:
    """Every date × dimension combination, plus a weekday seasonality factor."""
    dates = pd.date_range(end=END, periods=days, freq=freq)
    combos = pd.DataFrame(list(product(*dims.values())), columns=list(dims))
    frame = combos.merge(pd.DataFrame({"date": dates}), how="cross")
    frame = frame[["date", *dims]].sort_values(["date", *dims]).reset_index(drop=True)
    weekday = frame["date"].dt.day_of_week.to_numpy()
    frame["_season"] = 1 + 0.12 * np.cos(2 * np.pi * (weekday - 5) / 7)  # weekend peak
    frame["_last"] = frame["date"] > pd.Timestamp(END) - pd.Timedelta(days=7)
    return frame


def level(frame: pd.DataFrame, rng, by: dict[str, dict[str, float]]) -> np.ndarray:
    """Per-row multiplier from per-dimension-value weights."""
    out = np.ones(len(frame))
    for dim, weights in by.items():
        out *= frame[dim].map(weights).to_numpy(dtype=float)
    return out


def noisy(rng, values: np.ndarray, sd: float) -> np.ndarray:
    return values * (1 + rng.normal(0, sd, len(values)))


def channel_collapse(rng) -> pd.DataFrame:
    """抖音 traffic falls by about 55 % in the last week; other channels normal."""
    dims = {
        "渠道": ["抖音", "手淘搜索", "推荐", "微信", "直接访问"],
        "平台": ["App", "小程序", "PC"],
        "新老客": ["新客", "老客"],
    }
    f = grid(120, dims)
    base = 900 * level(
        f,
        rng,
        {
            "渠道": {"抖音": 1.6, "手淘搜索": 1.3, "推荐": 1.0, "微信": 0.6, "直接访问": 0.4},
            "平台": {"App": 1.5, "小程序": 1.0, "PC": 0.35},
            "新老客": {"新客": 1.2, "老客": 0.8},
        },
    )
    trend = 1 + 0.0008 * (f["date"] - f["date"].min()).dt.days.to_numpy()
    uv = noisy(rng, base * f["_season"].to_numpy() * trend, 0.05)
    uv = np.where(f["_last"] & (f["渠道"] == "抖音"), uv * 0.45, uv)
    cr = noisy(rng, np.where(f["新老客"] == "新客", 0.025, 0.045), 0.06)
    aov = noisy(rng, np.where(f["新老客"] == "新客", 118.0, 142.0), 0.04)
    f["访客数"] = np.round(uv).astype(int)
    f["支付订单数"] = np.round(f["访客数"] * cr).astype(int)
    f["销售额"] = np.round(f["支付订单数"] * aov, 2)
    return f


def new_user_conversion(rng) -> pd.DataFrame:
    """Conversion of new users falls by about 35 % in the last week; returning users normal."""
    dims = {
        "channel": ["douyin", "search", "recommendation", "wechat", "direct"],
        "user_type": ["new", "returning"],
    }
    f = grid(200, dims)
    base = 2200 * level(
        f,
        rng,
        {
            "channel": {
                "douyin": 1.3, "search": 1.2, "recommendation": 1.0, "wechat": 0.6, "direct": 0.5,
            },
            "user_type": {"new": 1.1, "returning": 0.9},
        },
    )  # fmt: skip
    uv = noisy(rng, base * f["_season"].to_numpy(), 0.04)
    new = (f["user_type"] == "new").to_numpy()
    cr = noisy(rng, np.where(new, 0.028, 0.05), 0.05)
    cr = np.where(f["_last"] & new, cr * 0.65, cr)
    aov = noisy(rng, np.where(new, 105.0, 138.0), 0.04)
    f["uv"] = np.round(uv).astype(int)
    f["orders"] = np.round(f["uv"] * cr).astype(int)
    f["gmv"] = np.round(f["orders"] * aov, 2)
    return f


def coupon_aov(rng) -> pd.DataFrame:
    """A store-wide 满99减20 coupon in the last week: baskets shrink (fewer items, cheaper items),
    conversion rises a little, AOV falls by about 18 %."""
    dims = {
        "类目": ["女装", "男装", "鞋靴", "箱包", "配饰", "童装"],
        "新老客": ["新客", "老客"],
    }
    f = grid(90, dims)
    base = 1500 * level(
        f,
        rng,
        {
            "类目": {"女装": 1.5, "男装": 1.0, "鞋靴": 0.9, "箱包": 0.6, "配饰": 0.5, "童装": 0.7},
            "新老客": {"新客": 1.1, "老客": 0.9},
        },
    )
    uv = noisy(rng, base * f["_season"].to_numpy(), 0.04)
    last = f["_last"].to_numpy()
    cr = noisy(rng, np.full(len(f), 0.035), 0.05) * np.where(last, 1.06, 1.0)
    items_per_order = noisy(rng, np.full(len(f), 1.8), 0.04) * np.where(last, 0.88, 1.0)
    item_price = noisy(rng, np.full(len(f), 85.0), 0.03) * np.where(last, 0.93, 1.0)
    f["访客数"] = np.round(uv).astype(int)
    f["支付订单数"] = np.round(f["访客数"] * cr).astype(int)
    f["支付件数"] = np.round(f["支付订单数"] * items_per_order).astype(int)
    f["销售额"] = np.round(f["支付件数"] * item_price, 2)
    return f


def content_pv_down(rng) -> pd.DataFrame:
    """Content site: visitors hold, page views per visitor fall by about 25 % and bounces rise
    after the recommendation module was replaced in the last week."""
    dims = {
        "栏目": ["首页推荐", "资讯", "评测", "攻略", "视频", "社区"],
        "平台": ["App", "H5", "PC"],
    }
    f = grid(180, dims)
    base = 3000 * level(
        f,
        rng,
        {
            "栏目": {
                "首页推荐": 2.0,
                "资讯": 1.2,
                "评测": 0.8,
                "攻略": 0.9,
                "视频": 1.1,
                "社区": 0.6,
            },
            "平台": {"App": 1.6, "H5": 1.0, "PC": 0.5},
        },
    )
    last = f["_last"].to_numpy()
    uv = noisy(rng, base * f["_season"].to_numpy(), 0.04)
    sessions = noisy(rng, uv * 1.35, 0.03)
    pages = noisy(rng, np.full(len(f), 4.2), 0.04) * np.where(last, 0.75, 1.0)
    bounce = noisy(rng, np.full(len(f), 0.38), 0.04) * np.where(last, 1.25, 1.0)
    seconds = noisy(rng, np.full(len(f), 210.0), 0.04) * np.where(last, 0.85, 1.0)
    f["访客数"] = np.round(uv).astype(int)
    f["浏览量"] = np.round(f["访客数"] * pages).astype(int)
    f["访问次数"] = np.round(sessions).astype(int)
    f["跳出次数"] = np.round(f["访问次数"] * bounce).astype(int)
    f["总停留时长(秒)"] = np.round(f["访问次数"] * seconds).astype(int)
    return f


def ad_roi_down(rng) -> pd.DataFrame:
    """Ad spend up about 30 % in the last week, mostly by raising bids on the 大促预热 campaign:
    clicks got dearer (CPC up), conversion held, ROI fell."""
    dims = {
        "campaign": ["大促预热", "新品推广", "爆款拉新", "店铺品牌", "老客召回"],
        "platform": ["App", "小程序"],
    }
    f = grid(150, dims)
    spend_level = {
        "大促预热": 1.6,
        "新品推广": 1.0,
        "爆款拉新": 1.3,
        "店铺品牌": 0.6,
        "老客召回": 0.5,
    }
    base = 1800 * level(f, rng, {"campaign": spend_level, "platform": {"App": 1.4, "小程序": 0.8}})
    last = f["_last"].to_numpy()
    hot = last & (f["campaign"] == "大促预热").to_numpy()
    spend = noisy(rng, base * f["_season"].to_numpy(), 0.05) * np.where(hot, 1.9, 1.0)
    cpc = noisy(rng, np.full(len(f), 1.2), 0.04) * np.where(hot, 1.75, 1.0)
    ctr = noisy(rng, np.full(len(f), 0.028), 0.05)
    cvr = noisy(rng, np.full(len(f), 0.032), 0.06)
    order_value = noisy(rng, np.full(len(f), 128.0), 0.04)
    f["ad_spend"] = np.round(spend, 2)
    f["ad_clicks"] = np.round(spend / cpc).astype(int)
    f["ad_impressions"] = np.round(f["ad_clicks"] / ctr).astype(int)
    f["ad_orders"] = np.round(f["ad_clicks"] * cvr).astype(int)
    f["ad_sales"] = np.round(f["ad_orders"] * order_value, 2)
    return f


def refunds_behind_gmv(rng) -> pd.DataFrame:
    """Weekly data: GMV holds, but refunds of 女装 jump (a batch with wrong sizing) in the last
    week: 女装 from its usual ~25 % to ~40 %, the store from ~14 % to ~18 %.

    Category baselines follow what apparel shops report as normal (女装 20–40 %, 男装 15–25 % on
    Taobao; higher on 抖音; an industry rule of thumb, not a published statistic), so a new
    hire does not learn to panic at an ordinary apparel refund rate."""
    dims = {
        "category": ["女装", "男装", "鞋靴", "家居", "美妆"],
        "channel": ["手淘搜索", "推荐", "直播"],
    }
    f = grid(52, dims, freq="W-MON")
    f["_last"] = f["date"] == f["date"].max()
    base = 14000 * level(
        f,
        rng,
        {
            "category": {"女装": 1.6, "男装": 1.0, "鞋靴": 0.9, "家居": 0.7, "美妆": 1.1},
            "channel": {"手淘搜索": 1.3, "推荐": 1.0, "直播": 0.8},
        },
    )
    weeks = np.arange(len(f)) // (len(dims["category"]) * len(dims["channel"]))
    season = 1 + 0.1 * np.sin(2 * np.pi * weeks / 52)
    uv = noisy(rng, base * season, 0.04)
    cr = noisy(rng, np.full(len(f), 0.03), 0.04)
    aov = noisy(rng, np.full(len(f), 156.0), 0.03)
    usual = {"女装": 0.25, "男装": 0.17, "鞋靴": 0.12, "家居": 0.05, "美妆": 0.04}
    refund_rate = noisy(rng, f["category"].map(usual).to_numpy(dtype=float), 0.06)
    women = (f["_last"] & (f["category"] == "女装")).to_numpy()
    refund_rate = np.where(women, refund_rate * 1.6, refund_rate)
    f["UV"] = np.round(uv).astype(int)
    f["orders"] = np.round(f["UV"] * cr).astype(int)
    f["GMV"] = np.round(f["orders"] * aov, 2)
    f["refund_amount"] = np.round(f["GMV"] * refund_rate, 2)
    f["refund_orders"] = np.round(f["orders"] * refund_rate * 1.1).astype(int)
    return f


SAMPLES = {
    # name: (builder, file encoding, header of the date column)
    "channel-collapse": (channel_collapse, "utf-8", "日期"),
    "new-user-conversion": (new_user_conversion, "utf-8-sig", "date"),
    "coupon-aov": (coupon_aov, "gbk", "日期"),
    "content-pv-down": (content_pv_down, "utf-8", "日期"),
    "ad-roi-down": (ad_roi_down, "utf-8", "date"),
    "refunds-behind-gmv": (refunds_behind_gmv, "utf-8", "week"),
}


def main() -> None:
    for i, (name, (build, encoding, date_header)) in enumerate(SAMPLES.items()):
        frame = build(np.random.default_rng(20260315 + i))
        frame = frame[[c for c in frame.columns if not c.startswith("_")]]
        frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
        frame = frame.rename(columns={"date": date_header})
        path = HERE / f"{name}.csv"
        frame.to_csv(path, index=False, encoding=encoding)
        print(f"{path.name}: {len(frame)} rows, {path.stat().st_size / 1024:.0f} KB ({encoding})")


if __name__ == "__main__":
    main()
