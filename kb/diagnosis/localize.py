"""Root-cause localisation: which segments (dimension values or combinations) explain a change.

Input: leaves (every combination of dimension values) with an actual value v and an expected
value f (the baseline, or for a ratio KPI the numerator expected at the old rate).

The scorer before issue 11 assumed the ripple effect (HotSpot / Squeeze: every leaf of a cause
moves by the same factor) and scored a segment by the L1 error removed when its own ratio is
applied to all its leaves. In real incidents the children of a cause are hit unevenly (the
largest child carries most of the change, some are untouched); applying the parent's diluted
ratio to an untouched child costs error, so the ripple score preferred the largest child —
over-specific answers like {bitrate=4000, device=adr} for {bitrate=4000}. (That scorer is kept
in bench/rootcause_old.py for comparison.) Now, ideas used:

- Explanatory power (Adtributor, Bhagwan et al. 2014): a segment's score is the share of the
  deviation it carries, |Σ(v − f)| over its leaves — no assumption on how evenly it is spread.
  A chosen cause is explained in full (its leaves' expectation set to what was seen) before the
  next one is searched.
- Risk over children (RiskLoc, Kalander 2023, which splits leaves into normal and abnormal by
  their deviation against a noise cut-off and scores a segment by its abnormal coverage): here
  the split is done on a segment's children along each other dimension. A child is abnormal
  when it moves the segment's way beyond its noise band — its standard error, the largest move
  of a child in the opposite direction (RiskLoc's cut-off: what drifts the other way is noise
  or background drift), and a fifth of the strongest child's move. A segment is *general* when,
  along every other dimension, most children it can decide (big enough to show the segment's
  move) are abnormal. RobustSpot's point that a parent with a noisy background must not be
  taken for the cause is what the opposite-direction cut-off serves.
- Succinctness (Adtributor, RiskLoc): among candidates that explain about as much, the most
  general one that is general in the sense above wins; a parent whose deviation comes from one
  child fails the children test (one abnormal child of k), so the child is reported.
- A global shift is tested first (every leaf moved by the same factor): then the change is
  "spread" and further segments are searched relative to that shift.
- Noise level: from history when the caller has it (drilldown passes the leaves' usual
  deviation between earlier period pairs); otherwise estimated from the instance by comparing
  each leaf with its siblings along each dimension (median over dimensions), which stays
  sound even when root causes cover most of the leaves. For event counts (a handful of orders
  per leaf) a Poisson term is added to each leaf's variance.
Candidates: every value combination of one to `max_depth` dimensions, searched greedily.
Thresholds were tuned on bench/rootcause_bench.py (top-1, F1) and noise-only instances.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

GAIN_MIN = 0.02  # a cause must carry at least this share of the leaves' total deviation...
SIGMA_K = 2.0  # ...deviate by more than SIGMA_K × the leaves' noise level
SE_K = 7.0  # ...and by more than SE_K standard errors of the segment's aggregated ratio
COUNT_Z = 4.5  # ...and, for counts, by more than 4.5 standard errors with the Poisson term
TIE = 0.15  # candidates within 15 % of the best score count as equally good (take the simplest)
GLOBAL_GAIN = 0.5  # a global shift must remove half the error to be called spread
NEAR_MAX = 100  # at most this many near-best candidates get the children test (bounded cost)
# the children test (RiskLoc-style):
CHILD_Z = 2.0  # a child is abnormal beyond CHILD_Z standard errors...
CHILD_FRAC = 0.2  # ...and at least this fraction of the strongest child's move...
DRIFT_K = 1.25  # ...and beyond 1.25 × the largest move of a child the other way (drift)
GENERAL = 0.5  # general: more than half its decidable children abnormal, along every dimension
# noise:
WPOW = 0.5  # line_noise weighs leaves by f ** 0.5: one huge leaf must not set the level alone
POISSON = 2.0  # counts: var(v − f) ≈ POISSON × f on top of the relative noise (v and f noisy)
PRIOR_EVENTS = 1.0  # counts: a leaf's old rate is shrunk towards the overall rate by 1 event


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


def line_noise(codes, labels, v: np.ndarray, f: np.ndarray, kappa: float = 0.0) -> float:
    """Noise level that survives root causes covering most of the data: for each dimension,
    compare every leaf with its siblings along that dimension (same values elsewhere); a root
    cause defined on other dimensions shifts whole sibling lines together and cancels out.
    The median over dimensions gives the estimate; without dimensions, fall back to leaf_noise.
    With ``kappa`` (event counts) the estimate is the relative noise beyond Poisson."""
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
        if kappa:  # counts: take the Poisson part (κ / f relative variance) out leaf by leaf
            excess = (resid[good] * 1.4826) ** 2 * k / (k - 1) - kappa / f[good]
            levels.append(np.sqrt(max(_wmedian(excess, f[good] ** WPOW), 0.0)))
        else:
            levels.append(_wmedian(resid[good], f[good] ** WPOW) * 1.4826 * np.sqrt(k / (k - 1)))
    centre = _wmedian(ratio[ok], f[ok])
    return float(np.median(levels)) / max(centre, 1e-12)


def _wmedian(x: np.ndarray, w: np.ndarray) -> float:
    if len(x) == 0:
        return 0.0
    order = np.argsort(x)
    cum = np.cumsum(w[order])
    return float(x[order][np.searchsorted(cum, cum[-1] / 2)])


def expected_numerator(num0, den0, den1, prior_events: float = 0.0) -> np.ndarray:
    """Numerator expected at each leaf's old rate for its new denominator.

    With ``prior_events`` > 0 a leaf's old rate is shrunk towards the overall rate by that many
    pseudo-events (empirical Bayes), so that a leaf with 2 orders last week does not expect
    exactly 2 again; leaves with no old denominator take the overall rate.
    """
    num0, den0, den1 = (np.asarray(x, dtype=float) for x in (num0, den0, den1))
    k0 = num0.sum() / den0.sum() if den0.sum() else 0.0
    pseudo = prior_events / k0 if k0 > 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        rate0 = np.where(den0 + pseudo > 0, (num0 + pseudo * k0) / (den0 + pseudo), k0)
    return den1 * rate0


def looks_like_counts(v: np.ndarray, f: np.ndarray) -> bool:
    """Small whole numbers (orders, buyers per leaf): their noise is Poisson-like."""
    v = np.asarray(v, dtype=float)
    if len(v) == 0 or not np.allclose(v, np.round(v)):
        return False
    return float(np.median(np.asarray(f, dtype=float))) < 100


def localize(
    codes: dict[str, np.ndarray],
    labels: dict[str, list[str]],
    v: np.ndarray,
    f: np.ndarray,
    max_depth: int = 3,
    max_causes: int = 5,
    noise: float | None = None,
    counts: bool | None = None,
) -> Localisation:
    """Greedy search over segments of up to `max_depth` dimensions (see the module docstring).

    `codes[d]` holds each leaf's value index for dimension d, `labels[d]` the value names.
    `noise` is the leaves' usual relative deviation when known from history; otherwise it is
    estimated from the instance itself (robust to a minority of affected leaves). `counts`
    says v and f are small event counts (None: decided from the values).
    """
    v = np.asarray(v, dtype=float)
    f = np.asarray(f, dtype=float)
    dims = list(codes)
    a = f.copy()
    err0 = float(np.abs(v - f).sum())
    empty = Localisation([], False, 1.0, 0.0, 0.0)
    if err0 <= 0 or len(v) == 0:
        return empty
    kappa = POISSON if (looks_like_counts(v, f) if counts is None else counts) else 0.0
    sigma = line_noise(codes, labels, v, f, kappa) if noise is None else noise
    if kappa and noise is not None:  # history's level holds the Poisson part too
        typical = _wmedian(f[f > 0], f[f > 0]) if (f > 0).any() else 1.0
        sigma = float(np.sqrt(max(sigma**2 - kappa / max(typical, 1e-9), 0.0)))
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
    scale = float(np.abs(v - a).sum())  # the deviation left after a global shift
    if scale <= 0:
        return Localisation([], spread, float(g_ratio), sigma, 1.0 if spread else 0.0)
    for _ in range(max_causes):
        best = []
        for combo, inv, n in cuboids:
            vs = np.bincount(inv, weights=v, minlength=n)
            as_ = np.bincount(inv, weights=a, minlength=n)
            a2 = np.bincount(inv, weights=a * a, minlength=n)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(as_ > 0, vs / as_, 1.0)
                se = sigma * np.sqrt(a2) / as_
                se_all = np.sqrt(sigma**2 * a2 + kappa * as_) / as_
            power = np.abs(vs - as_) / scale
            dev = np.abs(ratio - 1.0)
            ok = (power >= GAIN_MIN) & (dev > SIGMA_K * sigma) & (dev > SE_K * se) & (as_ > 0)
            ok &= dev > COUNT_Z * se_all
            for g in np.flatnonzero(ok):
                if (combo, int(g)) not in chosen:
                    best.append((float(power[g]), len(combo), combo, inv, int(g), float(ratio[g])))
        if not best:
            break
        best.sort(key=lambda b: -b[0])
        pick = _most_general(best, codes, labels, v, a, sigma, kappa)
        power, depth, combo, inv, g, ratio = pick
        members = inv == g
        first = int(np.argmax(members))
        segment = {d: labels[d][codes[d][first]] for d in combo}
        a = np.where(members, v, a)  # explained in full, however unevenly it was spread
        chosen.add((combo, g))
        causes.append(Cause(segment, depth, power, ratio, int(members.sum())))
    explained = 1 - float(np.abs(v - a).sum()) / err0
    return Localisation(causes, spread, float(g_ratio), sigma, explained)


def _most_general(best, codes, labels, v, a, sigma, kappa):
    """Among candidates explaining nearly as much as the best, the one with fewest dimensions
    whose children mostly move its way; else the strongest candidate that is general; else
    the strongest whose children cannot tell (too few big enough); else the strongest."""
    top = best[0][0]
    near = [b for b in best[:NEAR_MAX] if b[0] >= (1 - TIE) * top]
    near.sort(key=lambda b: (b[1], -b[0]))
    verdicts = {id(b): _general(b, codes, labels, v, a, sigma, kappa) for b in near}
    for b in near:
        if verdicts[id(b)]:
            return b
    for b in best[:50]:
        if id(b) not in verdicts and _general(b, codes, labels, v, a, sigma, kappa):
            return b
    for b in best:  # by explanatory power
        if verdicts.get(id(b), False) is None:
            return b
    return best[0]


def _general(cand, codes, labels, v, a, sigma, kappa) -> bool | None:
    """RiskLoc-style risk over children: along every other dimension, most of the children
    that are big enough to show the segment's move do move its way beyond the noise band.
    None when no dimension has two such children (cannot tell)."""
    _, _, combo, inv, g, ratio = cand
    members = inv == g
    sign = 1.0 if ratio >= 1.0 else -1.0
    vm, am = v[members], a[members]
    decided = False
    for d in codes:
        if d in combo:
            continue
        k = len(labels[d])
        c = codes[d][members]
        vs = np.bincount(c, weights=vm, minlength=k)
        as_ = np.bincount(c, weights=am, minlength=k)
        a2 = np.bincount(c, weights=am * am, minlength=k)
        present = as_ > 0
        if present.sum() < 2:
            continue
        vs, as_, a2 = vs[present], as_[present], a2[present]
        move = sign * (vs / as_ - 1.0)
        se = np.sqrt(sigma**2 * a2 + kappa * as_) / as_
        moved = move > CHILD_Z * se
        if not moved.any():
            continue
        strongest = move[moved].max()
        # a child can tell if a move of CHILD_FRAC × the strongest one would show above its noise;
        # the children too small to tell on their own are pooled into one "rest" child
        small = CHILD_FRAC * strongest <= CHILD_Z * se
        if small.any() and not small.all():
            keep = ~small
            vs = np.append(vs[keep], vs[small].sum())
            as_ = np.append(as_[keep], as_[small].sum())
            a2 = np.append(a2[keep], a2[small].sum())
            move = sign * (vs / as_ - 1.0)
            se = np.sqrt(sigma**2 * a2 + kappa * as_) / as_
        decidable = CHILD_FRAC * strongest > CHILD_Z * se
        if decidable.sum() < 2:
            continue
        against = move[decidable & (move < -CHILD_Z * se)]  # significant moves the other way
        drift = -against.min() if len(against) else 0.0  # RiskLoc's cut-off: the other side
        band = CHILD_Z * se + DRIFT_K * drift
        band = np.maximum(band, CHILD_FRAC * strongest)
        abnormal = decidable & (move > band)
        if abnormal.sum() <= GENERAL * decidable.sum():
            return False
        decided = True
    return True if decided else None
