"""Root-cause localisation accuracy on synthetic multi-dimensional instances.

Protocol (as in Squeeze / RiskLoc), then made harder the way real incidents are: 4–5 dimensions
of 3–8 values (every combination is a leaf); root-cause segments 1–3 dimensions deep, disjoint,
each ≥ 0.5 % of the volume, a drop r ~ U(0.3, 0.9); Gaussian noise (5 %) on every leaf. Cells
(kb/diagnosis/synthetic.py `rootcause_instance` options):

- uniform: every leaf of a cause scaled by (1 − r) — the model the ripple-effect scorer assumes;
- uneven: the cause's children along one other dimension get their own r_j = r × U(0.3, 1.7),
  up to a third of them untouched, the largest always hit; ±20 % per leaf on top;
- heavy: Pareto (shape 1.2) leaf volumes instead of lognormal;
- small: ratio KPI with binomial numerators over denominators of tens to hundreds;
- drift: the cause's siblings (same parent) drift by ± U(3 %, 10 %) each;
- real: uneven + heavy + drift (+ small counts for ratio KPIs) together.

Measured per cell: top-1 / top-3 = share of single-cause instances whose first / first three
segments contain the injected segment exactly ("none found": the new scorer reported nothing); micro-F1 of the reported segments on instances
with 1–3 causes (a parent or child of a cause is a miss and a false positive). Algorithms: the
product's localize (new), the scorer before issue 11 (bench/rootcause_old.py), Adtributor and
the naive explanatory-power ranking (bench/rootcause_baselines.py). No history is given: the
noise level is estimated from the instance.

    python bench/rootcause_bench.py [--instances 30] [--seed 1] [--cells uniform,uneven]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import rootcause_old  # noqa: E402
from rootcause_baselines import adtributor, explanatory_power  # noqa: E402

from kb.diagnosis.localize import localize  # noqa: E402
from kb.diagnosis.synthetic import rootcause_instance  # noqa: E402

SCENARIOS = {
    "uniform": {},
    "uneven": {"children": "uneven"},
    "heavy": {"volumes": "pareto"},
    "small": {"small_counts": True},
    "drift": {"drift": 0.10},
    "real": {"children": "uneven", "volumes": "pareto", "drift": 0.10, "small_counts": True},
}


def _key(segment: dict) -> tuple:
    return tuple(sorted(segment.items()))


def _new(inst):
    found = localize(inst.codes, inst.labels, inst.v, inst.f, max_depth=3, counts=inst.counts)
    segs = [c.segment for c in found.causes]
    return segs, segs


def _old(inst):
    found = rootcause_old.localize(inst.codes, inst.labels, inst.v, inst.f, max_depth=3)
    segs = [c.segment for c in found.causes]
    return segs, segs


def _adtributor(inst):
    return adtributor(inst.codes, inst.labels, inst.v, inst.f)


def _ep(inst):
    return explanatory_power(inst.codes, inst.labels, inst.v, inst.f)


ALGORITHMS = {"new": _new, "old": _old, "adtributor": _adtributor, "EP": _ep}


def _instances(seed, count, n_causes, kind, n_dims, noise, options):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        k = n_causes if n_causes is not None else int(rng.integers(1, 4))
        opts = dict(options)
        if kind == "additive":
            opts.pop("small_counts", None)
        out.append(
            rootcause_instance(rng, n_dims=n_dims, n_causes=k, kind=kind, noise=noise, **opts)
        )
    return out


def run_cell(instances, seed, kind, n_dims, noise, options):
    single = _instances(seed, instances, 1, kind, n_dims, noise, options)
    multi = _instances(seed + 1000, instances, None, kind, n_dims, noise, options)
    out = {}
    for name, algo in ALGORITHMS.items():
        top1 = top3 = none = tp = fp = fn = 0
        seconds = 0.0
        for inst in single:
            ranking, _ = algo(inst)
            want = _key(inst.truth[0])
            got = [_key(s) for s in ranking]
            top1 += bool(got) and got[0] == want
            top3 += want in got[:3]
            none += not got
        for inst in multi:
            t0 = time.perf_counter()
            _, reported = algo(inst)
            seconds += time.perf_counter() - t0
            got = {_key(s) for s in reported}
            want = {_key(s) for s in inst.truth}
            tp += len(got & want)
            fp += len(got - want)
            fn += len(want - got)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
        n = max(1, len(single))
        out[name] = (top1 / n, top3 / n, f1, seconds / max(1, len(multi)), none / n)
    return out


def false_alarms(instances: int, seed: int, kind: str, noise: float, options) -> dict:
    """Segments reported per noise-only instance (3–5 dimensions, no root cause)."""
    rng = np.random.default_rng(seed)
    counts = dict.fromkeys(("new", "old"), 0)
    for _ in range(instances):
        n_dims = int(rng.integers(3, 6))
        opts = dict(options)
        if kind == "additive":
            opts.pop("small_counts", None)
        inst = rootcause_instance(rng, n_dims=n_dims, n_causes=0, kind=kind, noise=noise, **opts)
        counts["new"] += len(_new(inst)[1])
        counts["old"] += len(_old(inst)[1])
    return {k: c / instances for k, c in counts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--cells", default=",".join(SCENARIOS))
    parser.add_argument("--dims", default="4,5")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    names = list(ALGORITHMS)
    head = " | ".join(f"{n} top-1 | {n} top-3 | {n} F1" for n in names)
    print(f"| cell | KPI | dims | {head} | new: none found | new ms |")
    print("|---" * (5 + 3 * len(names)) + "|")
    totals: dict[str, list] = {n: [] for n in names}
    for cell in args.cells.split(","):
        for kind in ("additive", "ratio"):
            if cell == "small" and kind == "additive":
                continue
            for n_dims in (int(x) for x in args.dims.split(",")):
                res = run_cell(args.instances, args.seed, kind, n_dims, args.noise, SCENARIOS[cell])
                cols = " | ".join(f"{r[0]:.2f} | {r[1]:.2f} | {r[2]:.2f}" for r in res.values())
                new = res["new"]
                print(
                    f"| {cell} | {kind} | {n_dims} | {cols} | {new[4]:.2f} | {new[3] * 1000:.0f} |"
                )
                for n in names:
                    totals[n].append(res[n])
    print()
    print("| algorithm | mean top-1 | mean top-3 | mean F1 |")
    print("|---|---|---|---|")
    for n in names:
        t = np.array([r[:3] for r in totals[n]])
        print(f"| {n} | {t[:, 0].mean():.3f} | {t[:, 1].mean():.3f} | {t[:, 2].mean():.3f} |")
    print()
    print("| KPI | cell | noise-only instances | new: segments per instance | old |")
    print("|---|---|---|---|---|")
    for kind in ("additive", "ratio"):
        for cell in ("uniform", "real"):
            fa = false_alarms(args.instances, args.seed, kind, args.noise, SCENARIOS[cell])
            print(f"| {kind} | {cell} | {args.instances} | {fa['new']:.2f} | {fa['old']:.2f} |")
    print(
        f"\nwall time {time.perf_counter() - started:.0f} s, load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
