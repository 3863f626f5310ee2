"""Seeded scenarios with an injected cause and the evidence it leaves (data, log, decoys).

Used by the hypothesis tests and bench/hypothesis_bench.py: each scenario builds a daily shop
table (date × channel × user_type) in which one cause acts from its start date, plus the action
log entries a team would have written — the one behind the cause (when the cause is an action)
and unrelated ones (other channels, other days) as decoys. `expected` says which hypothesis is
right: a problem id and a fragment of the cause's Chinese text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd

CHANNELS = {  # channel -> (UV level, conversion, paid?)
    "抖音": (1.6, 0.020, True),
    "手淘搜索": (1.4, 0.045, False),
    "推荐": (1.0, 0.030, False),
    "直通车": (0.6, 0.040, True),
    "微信": (0.5, 0.050, False),
    "直接访问": (0.4, 0.055, False),
}
USERS = {"新客": (1.2, 0.7), "老客": (0.8, 1.4)}  # level, conversion multiplier
END = pd.Timestamp("2026-04-26")  # a Sunday, away from holidays and campaigns
START = END - pd.Timedelta(days=6)  # the current week: 04-20 .. 04-26
MONTH_BEFORE = "2026-03-23:2026-03-29"


@dataclass
class Scenario:
    name: str
    expected: tuple[str, str]  # (problem id, fragment of the cause's zh text)
    frame: pd.DataFrame
    log: list[dict] = field(default_factory=list)
    baseline: str = "previous"  # slides are judged against the same week a month before

    def write_log(self, root: Path) -> Path:
        """The scenario's action log as files under root/log (a content root of its own)."""
        folder = Path(root) / "log"
        folder.mkdir(parents=True, exist_ok=True)
        for i, e in enumerate(self.log):
            seg = "{" + ", ".join(f"{k}: {v}" for k, v in e.get("segment", {}).items()) + "}"
            lid = f"log-{e['date']}-s{i}"
            (folder / f"{lid}.md").write_text(
                f"---\nid: {lid}\nkind: log\ntitle: {e['title']}\ndate: {e['date']}\n"
                f"segment: {seg}\naction: {e['action']}\nstatus: done\ncreated: {e['date']}\n"
                f"---\n\n{e['title']}\n",
                encoding="utf-8",
            )
        return Path(root)


def _base(rng, days: int = 70) -> pd.DataFrame:
    dates = pd.date_range(end=END, periods=days, freq="D")
    rows = pd.DataFrame(list(product(CHANNELS, USERS)), columns=["channel", "user_type"])
    f = rows.merge(pd.DataFrame({"date": dates}), how="cross")
    f = f[["date", "channel", "user_type"]].sort_values(["date", "channel", "user_type"])
    f = f.reset_index(drop=True)
    wd = f["date"].dt.day_of_week.to_numpy()
    season = 1 + 0.12 * np.cos(2 * np.pi * (wd - 5) / 7)
    lvl = f["channel"].map({k: v[0] for k, v in CHANNELS.items()}).to_numpy()
    lvl = lvl * f["user_type"].map({k: v[0] for k, v in USERS.items()}).to_numpy()
    f["_uv"] = 800 * lvl * season * (1 + rng.normal(0, 0.04, len(f)))
    cr = f["channel"].map({k: v[1] for k, v in CHANNELS.items()}).to_numpy()
    f["_cr"] = cr * f["user_type"].map({k: v[1] for k, v in USERS.items()}).to_numpy()
    f["_cr"] *= 1 + rng.normal(0, 0.05, len(f))
    f["_items"] = 1.6 * (1 + rng.normal(0, 0.03, len(f)))
    f["_price"] = 80.0 * (1 + rng.normal(0, 0.03, len(f)))
    f["_cart"] = 0.09 * (1 + rng.normal(0, 0.04, len(f)))
    f["_refund"] = 0.05 * (1 + rng.normal(0, 0.05, len(f)))
    paid = f["channel"].map({k: v[2] for k, v in CHANNELS.items()}).to_numpy()
    f["_cpc"] = np.where(paid, 1.1, 0.0) * (1 + rng.normal(0, 0.03, len(f)))
    return f


def _finish(f: pd.DataFrame) -> pd.DataFrame:
    out = f[["date", "channel", "user_type"]].copy()
    out["UV"] = np.round(f["_uv"]).astype(int)
    out["PV"] = np.round(f["_uv"] * 3.2).astype(int)
    out["订单数"] = np.round(f["_uv"] * f["_cr"]).astype(int)
    out["商品件数"] = np.round(out["订单数"] * f["_items"]).astype(int)
    out["GMV"] = np.round(out["商品件数"] * f["_price"], 2)
    out["加购数"] = np.round(f["_uv"] * f["_cart"]).astype(int)
    out["退款金额"] = np.round(out["GMV"] * f["_refund"], 2)
    out["广告花费"] = np.round(f["_uv"] * f["_cpc"], 2)
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return out


def _when(f, start=START) -> np.ndarray:
    return (f["date"] >= start).to_numpy()


def _ramp(f, weeks: int = 3) -> np.ndarray:
    """0 before the ramp, rising to 1 at the end (a slide over ``weeks`` weeks)."""
    begin = END - pd.Timedelta(days=7 * weeks)
    x = (f["date"] - begin).dt.days.to_numpy() / (7 * weeks)
    return np.clip(x, 0, 1)


def _day(offset: int) -> str:
    return f"{START + pd.Timedelta(days=offset):%Y-%m-%d}"


DECOYS = [
    {"date": _day(-3), "segment": {"channel": "微信"}, "action": "campaign", "title": "公众号推文"},
    {"date": _day(-20), "segment": {}, "action": "price", "title": "春季调价"},
]


def build(name: str, seed: int = 0) -> Scenario:
    rng = np.random.default_rng(seed)
    f = _base(rng)
    now = _when(f)
    ch = f["channel"].to_numpy()
    log = list(DECOYS)
    baseline = "previous"
    if name == "budget-cut":
        hit = now & (ch == "抖音")
        f.loc[hit, "_uv"] *= 0.45
        f.loc[hit, "_cpc"] *= 0.5
        log.append({"date": _day(-1), "segment": {"channel": "抖音"}, "action": "budget",
                    "title": "抖音日预算下调"})  # fmt: skip
        log.append({"date": _day(-2), "segment": {"channel": "手淘搜索"}, "action": "listing",
                    "title": "搜索主图更换"})  # fmt: skip
        exp = ("channel-traffic-drop", "投放预算被削减")
    elif name == "tracking-lost":
        hit = now & (ch == "抖音")
        lost = f.loc[hit, "_uv"].to_numpy() * 0.5
        f.loc[hit, "_uv"] -= lost
        f.loc[hit, "_cpc"] *= 2  # the same spend: only the tagging broke
        direct = now & (ch == "直接访问")
        # most of the lost visits show up as direct traffic (untagged), the rest are not counted;
        # they still buy like 抖音 visitors
        moved = 0.7 * lost
        uv0, cr0 = f.loc[direct, "_uv"].to_numpy(), f.loc[direct, "_cr"].to_numpy()
        cr_dy = f.loc[hit, "_cr"].to_numpy()
        f.loc[direct, "_uv"] = uv0 + moved
        f.loc[direct, "_cr"] = (uv0 * cr0 + moved * cr_dy) / (uv0 + moved)
        log.append({"date": _day(0), "segment": {}, "action": "release", "title": "小程序发版"})
        exp = ("channel-traffic-drop", "追踪参数或埋点失效")
    elif name == "fatigue":
        hit = ch == "抖音"
        keep = 1 - 0.5 * _ramp(f)[hit]
        f.loc[hit, "_uv"] *= keep
        f.loc[hit, "_cpc"] /= keep  # same budget, fewer clicks: each click costs more
        exp = ("channel-traffic-drop", "素材或内容疲劳")
        baseline = MONTH_BEFORE
    elif name == "search-rank":
        hit = ch == "手淘搜索"
        f.loc[hit, "_uv"] *= 1 - 0.45 * _ramp(f)[hit]
        f.loc[hit, "_cr"] *= 1 - 0.15 * _ramp(f)[hit]
        exp = ("search-traffic-drop", "销量和转化权重下降")
        baseline = MONTH_BEFORE
    elif name == "title-edit":
        hit = now & (ch == "手淘搜索")
        f.loc[hit, "_uv"] *= 0.55
        log.append({"date": _day(-1), "segment": {"channel": "手淘搜索"}, "action": "listing",
                    "title": "主推款改标题"})  # fmt: skip
        log.append({"date": _day(-1), "segment": {"channel": "抖音"}, "action": "budget",
                    "title": "抖音预算微调"})  # fmt: skip
        exp = ("search-traffic-drop", "标题、类目或属性被改动")
    elif name == "free-channel-rule":
        hit = now & (ch == "推荐")
        f.loc[hit, "_uv"] *= 0.35
        log.append({"date": _day(-1), "segment": {"channel": "抖音"}, "action": "budget",
                    "title": "抖音预算调整"})  # fmt: skip
        log.append({"date": _day(-1), "segment": {"channel": "推荐"}, "action": "platform-rule",
                    "title": "猜你喜欢 流量规则调整公告"})  # fmt: skip
        exp = ("channel-traffic-drop", "规则或算法调整")
    elif name == "coupon":
        f.loc[now, "_price"] *= 0.85
        f.loc[now, "_items"] *= 0.9
        log.append({"date": _day(0), "segment": {}, "action": "campaign",
                    "title": "全店满 99 减 20"})  # fmt: skip
        exp = ("aov-drop", "优惠券或折扣加深")
    elif name == "bundle-removed":
        f.loc[now, "_items"] *= 0.75
        log.append({"date": _day(-1), "segment": {}, "action": "listing",
                    "title": "套餐链接下架"})  # fmt: skip
        exp = ("aov-drop", "关联销售或套餐减少")
    elif name == "new-user-gift":
        hit = now & (f["user_type"] == "新客").to_numpy()
        f.loc[hit, "_cr"] *= 0.6
        log.append({"date": _day(-1), "segment": {"user_type": "新客"}, "action": "price",
                    "title": "新人礼金下线"})  # fmt: skip
        exp = ("new-customer-conversion-drop", "新客专享优惠或首单礼失效")
    elif name == "detail-page":
        f.loc[now, "_cr"] *= 0.75
        f.loc[now, "_cart"] *= 0.8
        log.append({"date": _day(0), "segment": {}, "action": "release", "title": "详情页改版上线"})
        exp = ("conversion-rate-drop", "详情页改动或加载变慢")
    elif name == "stockout":
        f.loc[now, "_cr"] *= 0.75
        log.append({"date": _day(-1), "segment": {}, "action": "listing",
                    "title": "主推款断码下架"})  # fmt: skip
        exp = ("conversion-rate-drop", "SKU断码、缺货或优惠券过期")
    elif name == "refund-batch":
        f.loc[now, "_refund"] *= 2.2
        log.append({"date": _day(-6), "segment": {}, "action": "launch", "title": "新批次上架"})
        exp = ("refund-rate-up", "质量问题或与描述不符")
    else:
        raise ValueError(f"unknown scenario {name}")
    return Scenario(name, exp, _finish(f), log, baseline=baseline)


NAMES = (
    "budget-cut", "tracking-lost", "fatigue", "search-rank", "title-edit", "free-channel-rule",
    "coupon", "bundle-removed", "new-user-gift", "detail-page", "stockout", "refund-batch",
)  # fmt: skip
