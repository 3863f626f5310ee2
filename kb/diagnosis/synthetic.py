"""Seeded synthetic data with a known cause: for tests, benchmarks and the bundled samples.

Two generators:
- `daily_scenario`: a daily shop table (date × dimensions; UV, 订单数, GMV) with weekly
  seasonality and noise, where one cause (traffic, conversion or order value of a segment) is
  injected into the last `window` days.
- `rootcause_instance`: one leaf-level instance in the style of the root-cause localisation
  literature (Squeeze / RiskLoc): expected values f, actual values v where the leaves of 1–3
  injected segments are scaled by (1 − r) and the rest get noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

SHOP_DIMS = {
    "channel": ["抖音", "手淘搜索", "推荐", "微信", "直接访问"],
    "user_type": ["新客", "老客"],
    "platform": ["App", "小程序", "PC"],
}


def daily_scenario(
    seed: int = 0,
    days: int = 84,
    dims: dict[str, list[str]] | None = None,
    cause: str = "none",  # none | traffic | conversion | aov | everything
    segment: dict[str, str] | None = None,
    size: float = 0.4,
    noise: float = 0.03,
    weekly: float = 0.15,
    window: int = 7,
    end: str = "2026-03-14",
) -> pd.DataFrame:
    """Daily rows for every dimension combination; the cause hits the last `window` days."""
    rng = np.random.default_rng(seed)
    dims = dims or SHOP_DIMS
    dates = pd.date_range(end=end, periods=days, freq="D")
    combos = list(product(*dims.values()))
    base_uv = rng.lognormal(6.5, 0.6, len(combos))
    base_cr = rng.uniform(0.02, 0.06, len(combos))
    base_aov = rng.uniform(80, 200, len(combos))
    season = 1 + weekly * np.sin(2 * np.pi * dates.day_of_week.to_numpy() / 7)
    n_d, n_c = len(dates), len(combos)
    uv = base_uv[None, :] * season[:, None] * (1 + rng.normal(0, noise, (n_d, n_c)))
    cr = base_cr[None, :] * (1 + rng.normal(0, noise, (n_d, n_c)))
    aov = base_aov[None, :] * (1 + rng.normal(0, noise, (n_d, n_c)))
    names = list(dims)
    hit = np.array(
        [all(c[names.index(k)] == v for k, v in (segment or {}).items()) for c in combos]
    )
    last = np.arange(n_d) >= n_d - window
    mask = last[:, None] & hit[None, :]
    factor = 1 - size
    if cause == "traffic":
        uv = np.where(mask, uv * factor, uv)
    elif cause == "conversion":
        cr = np.where(mask, cr * factor, cr)
    elif cause == "aov":
        aov = np.where(mask, aov * factor, aov)
    elif cause == "everything":
        uv = np.where(last[:, None], uv * factor, uv)
    uv = np.round(uv)
    orders = np.round(uv * cr)
    gmv = np.round(orders * aov, 2)
    frame = pd.DataFrame(
        {
            "date": np.repeat(dates, n_c),
            **{k: np.tile([c[i] for c in combos], n_d) for i, k in enumerate(names)},
            "UV": uv.ravel(),
            "订单数": orders.ravel(),
            "GMV": gmv.ravel(),
        }
    )
    return frame


@dataclass
class Instance:
    codes: dict[str, np.ndarray]
    labels: dict[str, list[str]]
    v: np.ndarray  # actual (numerator for ratio KPIs)
    f: np.ndarray  # expected
    truth: list[dict[str, str]]
    kind: str


def rootcause_instance(
    rng: np.random.Generator,
    n_dims: int = 5,
    n_causes: int = 2,
    max_depth: int = 3,
    kind: str = "additive",  # additive | ratio
    noise: float = 0.05,
    r_range: tuple[float, float] = (0.3, 0.9),
    min_share: float = 0.005,
) -> Instance:
    """One instance: leaves of the injected segments scaled by (1 − r), noise elsewhere."""
    sizes = rng.integers(3, 9, n_dims)
    labels = {f"d{i}": [f"d{i}v{j}" for j in range(s)] for i, s in enumerate(sizes)}
    grids = np.meshgrid(*[np.arange(s) for s in sizes], indexing="ij")
    codes = {f"d{i}": g.ravel() for i, g in enumerate(grids)}
    n = len(codes["d0"])
    volume = rng.lognormal(3.0, 1.0, n)
    truth: list[dict[str, str]] = []
    taken = np.zeros(n, dtype=bool)
    members_all = []
    tries = 0
    while len(truth) < n_causes and tries < 500:
        tries += 1
        depth = int(rng.integers(1, max_depth + 1))
        chosen = rng.choice(n_dims, depth, replace=False)
        seg = {f"d{i}": int(rng.integers(0, sizes[i])) for i in chosen}
        members = np.ones(n, dtype=bool)
        for d, val in seg.items():
            members &= codes[d] == val
        share = volume[members].sum() / volume.sum()
        if members.sum() == 0 or share < min_share or (members & taken).any():
            continue
        taken |= members
        members_all.append(members)
        truth.append({d: labels[d][val] for d, val in seg.items()})
    if kind == "additive":
        f = volume
        v = f * (1 + rng.normal(0, noise, n))
        for members in members_all:
            r = rng.uniform(*r_range)
            v = np.where(members, f * (1 - r) * (1 + rng.normal(0, noise, n)), v)
    else:  # ratio: rate per leaf falls by r in the causes; the volume mix is noisy everywhere
        rate = rng.uniform(0.01, 0.08, n)
        den0 = volume * 50
        num0 = den0 * rate * (1 + rng.normal(0, noise, n))
        den1 = den0 * (1 + rng.normal(0, noise, n))
        num1 = den1 * rate * (1 + rng.normal(0, noise, n))
        for members in members_all:
            r = rng.uniform(*r_range)
            num1 = np.where(members, num1 * (1 - r), num1)
        f = den1 * num0 / den0  # the numerator expected at the old rate
        v = num1
    return Instance(codes, labels, v, f, truth, kind)
