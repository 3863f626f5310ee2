"""Frozen copy of kb/diagnosis/localize.py before issue 11 (ripple-effect scorer), kept for the
benchmark's comparison only; the product uses kb/diagnosis/localize.py.

Original docstring: Root-cause localisation: which segments (dimension values or combinations) explain a change.

Input: leaves (every combination of dimension values) with an actual value v and an expected
value f (the baseline, or for a ratio KPI the numerator expected at the old rate).

Ideas used, from the published multi-dimensional root-cause literature:
- Ripple effect (HotSpot, Sun et al. 2018; Squeeze, Li et al. 2019): when a segment changes by a
  factor, every leaf inside it changes by about the same factor. A candidate segment S is
  therefore scored by how much it reduces the L1 error when its own ratio V_S / F_S is applied
  to all its leaves (Squeeze's "generalized potential score", in absolute error units). A too
  broad parent is penalised automatically: applying its diluted ratio to unaffected children
  adds error; a too narrow child explains only part of the deviation.
- Succinctness (Adtributor, Bhagwan et al. 2014; RiskLoc, Kalander 2023): among candidates that
  explain about as much, prefer the one with fewer dimensions; stop as soon as what is left
  looks like noise, so that one channel is reported rather than five of its sub-segments.
- A global shift is tested first (every leaf moved by the same factor): then the change is
  "spread" and further segments are searched relative to that shift.
- Noise level: from history when the caller has it (drilldown passes the leaves' usual
  deviation between earlier period pairs); otherwise estimated from the instance by comparing
  each leaf with its siblings along each dimension (median over dimensions), which stays
  sound even when root causes cover most of the leaves.
Candidates: every value combination of one to `max_depth` dimensions, searched greedily.
Thresholds were tuned on bench/rootcause_bench.py (F1) and noise-only instances (no causes).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

GAIN_MIN = 0.02  # a cause must remove at least this share of the initial error...
SIGMA_K = 2.0  # ...deviate by more than SIGMA_K × the leaves' noise level
SE_K = 7.0  # ...and by more than SE_K standard errors of the segment's aggregated ratio
TIE = 0.10  # candidates within 10 % of the best gain count as equally good (take the simplest)
GLOBAL_GAIN = 0.5  # a global shift must remove half the error to be called spread


@dataclass
class Cause:
    segment: dict[str, str]  # dimension -> value
    depth: int
    gain: float  # share of the initial L1 error this cause removes (explanatory power)
    ratio: float  # actual / expected inside the segment
    leaves: int


@dataclass
class Localisation:
    causes: list[Cause]
    spread: bool  # everything moved together (a global shift explains most of it)
    global_ratio: float
    noise: float  # robust relative deviation of the leaves (noise level)
    explained: float  # share of the initial error removed by all causes together


def leaf_noise(v: np.ndarray, f: np.ndarray) -> float:
    """Noise level: weighted MAD of the leaves' ratios v / f around their weighted median, so
    that a shift shared by all leaves is not mistaken for noise."""
    ok = f > 0
    if not ok.any():
        return 0.0
    ratio, w = v[ok] / f[ok], f[ok]

    def wmedian(x: np.ndarray) -> float:
        order = np.argsort(x)
        cum = np.cumsum(w[order])
        return float(x[order][np.searchsorted(cum, cum[-1] / 2)])

    centre = wmedian(ratio)
    return 1.4826 * wmedian(np.abs(ratio - centre)) / max(centre, 1e-12)


def line_noise(codes, labels, v: np.ndarray, f: np.ndarray) -> float:
    """Noise level that survives root causes covering most of the data: for each dimension,
    compare every leaf with its siblings along that dimension (same values elsewhere); a root
    cause defined on other dimensions shifts whole sibling lines together and cancels out.
    The quietest dimension gives the estimate; without dimensions, fall back to leaf_noise."""
    dims = [d for d in codes if len(labels[d]) > 1]
    ok = f > 0
    if not dims or ok.sum() < 3:
        return leaf_noise(v, f)
    ratio = np.where(ok, v / np.where(ok, f, 1), np.nan)
    levels = []
    for d in dims:
        key = np.zeros(len(v), dtype=np.int64)
        for other in codes:
            if other != d:
                key = key * (len(labels[other]) + 1) + codes[other]
        _, inv = np.unique(key, return_inverse=True)
        order = np.lexsort((ratio, inv))
        counts = np.bincount(inv)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        medians = ratio[order][starts + (counts - 1) // 2]
        resid = np.abs(ratio - medians[inv])
        k = len(labels[d])
        good = ok & np.isfinite(resid)
        levels.append(_wmedian(resid[good], f[good]) * 1.4826 * np.sqrt(k / (k - 1)))
    centre = _wmedian(ratio[ok], f[ok])
    return float(np.median(levels)) / max(centre, 1e-12)


def _wmedian(x: np.ndarray, w: np.ndarray) -> float:
    if len(x) == 0:
        return 0.0
    order = np.argsort(x)
    cum = np.cumsum(w[order])
    return float(x[order][np.searchsorted(cum, cum[-1] / 2)])


def localize(
    codes: dict[str, np.ndarray],
    labels: dict[str, list[str]],
    v: np.ndarray,
    f: np.ndarray,
    max_depth: int = 3,
    max_causes: int = 5,
    noise: float | None = None,
) -> Localisation:
    """Greedy ripple-effect search over segments of up to `max_depth` dimensions.

    `codes[d]` holds each leaf's value index for dimension d, `labels[d]` the value names.
    `noise` is the leaves' usual relative deviation when known from history; otherwise it is
    estimated from the instance itself (robust to a minority of affected leaves).
    """
    v = np.asarray(v, dtype=float)
    f = np.asarray(f, dtype=float)
    dims = list(codes)
    a = f.copy()
    err0 = float(np.abs(v - f).sum())
    empty = Localisation([], False, 1.0, 0.0, 0.0)
    if err0 <= 0 or len(v) == 0:
        return empty
    sigma = line_noise(codes, labels, v, f) if noise is None else noise
    total_f = f.sum()
    g_ratio = v.sum() / total_f if total_f > 0 else 1.0
    spread = False
    global_gain = err0 - float(np.abs(v - f * g_ratio).sum())
    if global_gain >= GLOBAL_GAIN * err0 and abs(g_ratio - 1) > SIGMA_K * sigma:
        a = f * g_ratio
        spread = True
    cuboids = []
    for depth in range(1, min(max_depth, len(dims)) + 1):
        for combo in combinations(dims, depth):
            key = np.zeros(len(v), dtype=np.int64)
            for d in combo:
                key = key * (len(labels[d]) + 1) + codes[d]
            uniq, inverse = np.unique(key, return_inverse=True)
            cuboids.append((combo, inverse, len(uniq)))
    causes: list[Cause] = []
    chosen: set[tuple] = set()
    for _ in range(max_causes):
        err = np.abs(v - a)
        best = []
        for combo, inv, n in cuboids:
            vs = np.bincount(inv, weights=v, minlength=n)
            as_ = np.bincount(inv, weights=a, minlength=n)
            a2 = np.bincount(inv, weights=a * a, minlength=n)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(as_ > 0, vs / as_, 1.0)
            new_err = np.abs(v - a * ratio[inv])
            gain = np.bincount(inv, weights=err - new_err, minlength=n)
            # deviation from what is already expected, against the noise level
            dev = np.abs(ratio - 1.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                se = sigma * np.sqrt(a2) / as_
            ok = (gain >= GAIN_MIN * err0) & (dev > SIGMA_K * sigma) & (dev > SE_K * se)
            ok &= as_ > 0
            for g in np.flatnonzero(ok):
                best.append((float(gain[g]), len(combo), combo, inv, int(g), float(ratio[g])))
        best = [b for b in best if (b[2], b[4]) not in chosen]
        if not best:
            break
        top_gain = max(b[0] for b in best)
        near = [b for b in best if b[0] >= (1 - TIE) * top_gain]
        gain, depth, combo, inv, g, ratio = min(near, key=lambda b: (b[1], -b[0]))
        members = inv == g
        first = int(np.argmax(members))
        segment = {d: labels[d][codes[d][first]] for d in combo}
        a = np.where(members, a * ratio, a)
        chosen.add((combo, g))
        causes.append(Cause(segment, depth, gain / err0, ratio, int(members.sum())))
    explained = 1 - float(np.abs(v - a).sum()) / err0
    return Localisation(causes, spread, float(g_ratio), sigma, explained)
