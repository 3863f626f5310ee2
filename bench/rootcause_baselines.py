"""Two baselines for bench/rootcause_bench.py (not used by the product).

Both take the same input as kb.diagnosis.localize.localize (leaf codes, labels, actual v,
expected f) and return segments best first.

- `adtributor`: Adtributor (Bhagwan et al., NSDI 2014). Per dimension, every value gets a
  surprise (the Jensen-Shannon divergence term between its expected share p = F_j / F and its
  actual share q = V_j / V) and an explanatory power EP = (V_j − F_j) / (V − F). Values are
  taken in order of surprise while EP_j > T_EEP, until the set explains T_EP of the change
  (succinctness: a dimension needs few values to explain it); the dimensions' sets are ranked by
  their total surprise. One-dimensional by design: it cannot name {a, b} combinations.
- `explanatory_power`: the naive ranking — every segment of 1..max_depth dimensions by
  |share of the total change|; ties go to fewer dimensions.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

T_EEP = 0.1  # a value must explain at least 10 % of the change (Adtributor's paper)
T_EP = 0.67  # the set must explain 67 % of it
REPORT_MIN = 0.1  # explanatory_power: a reported (non-overlapping) segment explains ≥ 10 %


def _js_term(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        m = (p + q) / 2
        a = np.where(p > 0, p * np.log(p / m), 0.0)
        b = np.where(q > 0, q * np.log(q / m), 0.0)
    return 0.5 * (np.nan_to_num(a) + np.nan_to_num(b))


def adtributor(codes, labels, v, f, max_sets: int = 3) -> tuple[list[dict], list[dict]]:
    """(ranking, reported): the values of the top sets in order; reported = the top set."""
    v, f = np.asarray(v, float), np.asarray(f, float)
    total_v, total_f = v.sum(), f.sum()
    change = total_v - total_f
    if change == 0 or total_v <= 0 or total_f <= 0:
        return [], []
    sets = []
    for d in codes:
        k = len(labels[d])
        vj = np.bincount(codes[d], weights=v, minlength=k)
        fj = np.bincount(codes[d], weights=f, minlength=k)
        surprise = _js_term(fj / total_f, vj / total_v)
        ep = (vj - fj) / change
        chosen, explained, score = [], 0.0, 0.0
        for j in np.argsort(-surprise):
            if ep[j] > T_EEP:
                chosen.append({d: labels[d][j]})
                explained += ep[j]
                score += surprise[j]
                if explained > T_EP:
                    break
        if explained > T_EP:
            sets.append((score, len(chosen), chosen))
    sets.sort(key=lambda s: (-s[0], s[1]))
    ranking = [seg for _, _, chosen in sets[:max_sets] for seg in chosen]
    return ranking, (sets[0][2] if sets else [])


def explanatory_power(
    codes, labels, v, f, max_depth: int = 3, keep: int = 10
) -> tuple[list[dict], list[dict]]:
    """(ranking, reported): every segment by |share of change|; reported = the first
    non-overlapping ones that each explain ≥ REPORT_MIN (at most 5)."""
    v, f = np.asarray(v, float), np.asarray(f, float)
    change = v.sum() - f.sum()
    if change == 0:
        return [], []
    dims = list(codes)
    scored = []
    for depth in range(1, min(max_depth, len(dims)) + 1):
        for combo in combinations(dims, depth):
            key = np.zeros(len(v), dtype=np.int64)
            for d in combo:
                key = key * (len(labels[d]) + 1) + codes[d]
            uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
            share = np.bincount(inv, weights=v - f, minlength=len(uniq)) / change
            for g in np.argsort(-np.abs(share))[:keep]:
                leaf = first[g]
                seg = {d: labels[d][codes[d][leaf]] for d in combo}
                scored.append((abs(float(share[g])), depth, seg, inv == g))
    scored.sort(key=lambda s: (-s[0], s[1]))
    ranking = [s[2] for s in scored]
    reported, used = [], np.zeros(len(v), dtype=bool)
    for share, _, seg, members in scored:
        if share < REPORT_MIN or len(reported) == 5:
            break
        if not (members & used).any():
            reported.append(seg)
            used |= members
    return ranking, reported
