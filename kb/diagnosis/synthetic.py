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

from kb.diagnosis.localize import PRIOR_EVENTS, expected_numerator

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
    counts: bool = False  # v and f are small event counts (Poisson-like noise on top)


# Province-style numeric codes (GB/T 2260 first two digits) for numeric-code dimension values.
NUMERIC_CODES = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44]


def rootcause_instance(
    rng: np.random.Generator,
    n_dims: int = 5,
    n_causes: int = 2,
    max_depth: int = 3,
    kind: str = "additive",  # additive | ratio
    noise: float = 0.05,
    r_range: tuple[float, float] = (0.3, 0.9),
    min_share: float = 0.005,
    children: str = "uniform",  # uniform | uneven
    volumes: str = "lognormal",  # lognormal | pareto
    small_counts: bool = False,  # ratio only: binomial numerators over small denominators
    drift: float = 0.0,  # sibling segments of each cause drift by up to ± this much
    numeric: bool = False,  # dimension values are numeric codes ("11", "31", "4000")
) -> Instance:
    """One instance: leaves of the injected segments scaled by (1 − r), noise elsewhere.

    The defaults are the literature's protocol (every leaf of a cause moves by the same factor,
    the model the ripple-effect scorer assumes). The options break that model the way real
    incidents do:
    - ``children="uneven"``: inside a cause, the children along one other dimension get their
      own effect: the largest child r × U(1.2, 1.8) (it carries most of the change), the others
      r × U(0.2, 1.2) with up to a third of them untouched; each leaf a further ±20 %;
    - ``volumes="pareto"``: heavy-tailed leaf volumes (Pareto, shape 1.2);
    - ``small_counts``: ratio KPIs with binomial numerators over denominators of tens to
      hundreds (a handful of orders per leaf);
    - ``drift``: the siblings of each cause (same parent, other value of one of its
      dimensions) move by ± U(drift/3, drift), random sign per sibling — a noisy parent;
    - ``numeric``: values are numeric codes instead of names.
    """
    sizes = rng.integers(3, 9, n_dims)
    if numeric:
        labels = {
            f"d{i}": [str(c) for c in sorted(NUMERIC_CODES[:s] if i % 2 else _kbps(s))]
            for i, s in enumerate(sizes)
        }
    else:
        labels = {f"d{i}": [f"d{i}v{j}" for j in range(s)] for i, s in enumerate(sizes)}
    grids = np.meshgrid(*[np.arange(s) for s in sizes], indexing="ij")
    codes = {f"d{i}": g.ravel() for i, g in enumerate(grids)}
    n = len(codes["d0"])
    volume = rng.lognormal(3.0, 1.0, n)
    if volumes == "pareto":
        volume = 20.0 * (rng.pareto(1.2, n) + 1.0)
    truth: list[dict[str, str]] = []
    taken = np.zeros(n, dtype=bool)
    members_all = []
    segs = []
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
        segs.append(seg)
        truth.append({d: labels[d][val] for d, val in seg.items()})
    effects = [
        _effects(rng, r_range, members, seg, codes, volume, children)
        for members, seg in zip(members_all, segs, strict=True)
    ]
    shift = np.ones(n)
    if drift > 0:
        for seg in segs:
            shift *= _sibling_drift(rng, seg, codes, sizes, taken, drift)
    if kind == "additive":
        f = volume
        v = f * (1 + rng.normal(0, noise, n))
        for members, effect in zip(members_all, effects, strict=True):
            v = np.where(members, f * (1 - effect) * (1 + rng.normal(0, noise, n)), v)
        return Instance(codes, labels, v * shift, f, truth, kind)
    rate = rng.uniform(0.01, 0.08, n)
    if small_counts:  # a handful of orders per leaf: the noise is binomial, not a percentage
        den0 = np.maximum(1, rng.poisson(volume * 5))
        den1 = np.maximum(1, rng.poisson(den0 * (1 + rng.normal(0, noise, n)).clip(0.1)))
        num0 = rng.binomial(den0, rate)
        hit = np.ones(n)
        for members, effect in zip(members_all, effects, strict=True):
            hit = np.where(members, 1 - effect, hit)
        num1 = rng.binomial(den1, (rate * hit * shift).clip(0, 1))
        f = expected_numerator(num0, den0, den1, PRIOR_EVENTS)  # as drilldown does
        return Instance(codes, labels, num1.astype(float), f, truth, kind, counts=True)
    # ratio: rate per leaf falls by r in the causes; the volume mix is noisy everywhere
    den0 = volume * 50
    num0 = den0 * rate * (1 + rng.normal(0, noise, n))
    den1 = den0 * (1 + rng.normal(0, noise, n))
    num1 = den1 * rate * (1 + rng.normal(0, noise, n))
    for members, effect in zip(members_all, effects, strict=True):
        num1 = np.where(members, num1 * (1 - effect), num1)
    f = den1 * num0 / den0  # the numerator expected at the old rate
    return Instance(codes, labels, num1 * shift, f, truth, kind)


def _kbps(size: int) -> list[int]:
    return [250 * 2**j for j in range(size)]  # bitrate-like codes: 250, 500, … 32000


def _effects(rng, r_range, members, seg, codes, volume, children) -> np.ndarray | float:
    """Relative drop per leaf of one cause: one r for all (uniform), or uneven children."""
    r = rng.uniform(*r_range)
    if children != "uneven":
        return r
    others = [d for d in codes if d not in seg]
    if not others:
        return r
    d = others[int(rng.integers(0, len(others)))]
    k = int(codes[d].max()) + 1
    child_r = r * rng.uniform(0.2, 1.2, k)
    vol = np.bincount(codes[d][members], weights=volume[members], minlength=k)
    largest = int(np.argmax(vol))
    spare = [j for j in range(k) if j != largest]
    n_off = int(rng.integers(0, max(1, k // 3) + 1))
    for j in rng.choice(spare, min(n_off, len(spare)), replace=False):
        child_r[j] = 0.0
    child_r[largest] = r * rng.uniform(1.2, 1.8)
    child_r = np.clip(child_r, 0.0, 0.95)
    leaf = child_r[codes[d]] * rng.uniform(0.8, 1.2, len(volume))
    return np.clip(leaf, 0.0, 0.95)


def _sibling_drift(rng, seg, codes, sizes, taken, drift) -> np.ndarray:
    """Factor per leaf: the cause's siblings along one of its dimensions drift, each its own way."""
    dims = list(seg)
    d = dims[int(rng.integers(0, len(dims)))]
    parent = np.ones(len(taken), dtype=bool)
    for other, val in seg.items():
        if other != d:
            parent &= codes[other] == val
    k = sizes[int(d[1:])]
    move = rng.uniform(drift / 3, drift, k) * rng.choice([-1.0, 1.0], k)
    return np.where(parent & ~taken, 1 + move[codes[d]], 1.0)
