"""Hypothesis ranking: is the injected cause ranked first (top-1) or among the first three?

    python bench/hypothesis_bench.py [--seeds 5]

Scenarios (kb/diagnosis/scenarios.py): a daily shop table with one injected cause — a budget cut,
lost tracking, creative fatigue, a search ranking slide, a title edit, a rule change on a free
channel, a coupon, a bundle taken down, an expired new-customer gift, a detail-page release, a
stock-out, a bad batch — and the action log a team would have written: the entry behind the cause
when it was an action, plus decoys (an entry on another channel the day before, a whole-shop price
change three weeks earlier, a content push on 微信). Each runs with several seeds. The six bundled
samples run too, with the bundled action log.

"before" = the fixed checklist order of the taxonomy as it was before the evidence work (commit
72e8264's data/problems.yaml and the ranking of kb/diagnosis/match.py then: the types' score × the
cause's position, ×1.15 when any other metric of the cause moved the bad way). "after" = the
diagnosis today: every cause's evidence tested on the data, the shape, the log and the calendar.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.diagnosis.engine import diagnose  # noqa: E402
from kb.diagnosis.scenarios import NAMES, build  # noqa: E402
from kb.problems import parse_taxonomy  # noqa: E402
from kb.workspace import Workspace  # noqa: E402

BEFORE = "72e8264"  # the branch point: the taxonomy and ranking before this work
MIN_SCORE, TOP_PROBLEMS = 0.35, 3
SAMPLES = {
    "channel-collapse": ("channel-traffic-drop", "投放预算被削减"),
    "new-user-conversion": ("new-customer-conversion-drop", "新客专享优惠或首单礼失效"),
    "coupon-aov": ("aov-drop", "优惠券或折扣加深"),
    "content-pv-down": ("pv-down-uv-flat", "推荐机制失效"),
    "ad-roi-down": ("ad-roi-down", "点击单价(CPC)上升"),
    "refunds-behind-gmv": ("refund-rate-up", "质量问题或与描述不符"),
}


def old_taxonomy(ws):
    try:
        text = subprocess.run(
            ["git", "show", f"{BEFORE}:data/problems.yaml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return parse_taxonomy(yaml.safe_load(text), ws.metrics, "before")


def old_ranking(taxonomy, d) -> list[tuple[str, str]]:
    """(problem id, cause text) in the order the old fixed checklist gave them."""
    from kb.diagnosis.match import rank_problems

    ev = d.evidence
    matches = [m for m in rank_problems(taxonomy, ev) if m.score >= MIN_SCORE][:TOP_PROBLEMS]
    out = []
    for match in matches:
        own = match.problem.signature
        for j, cause in enumerate(match.problem.causes):
            extra = [x for x in cause.metrics if x not in own]
            seen = [x for x in extra if x in ev.moves]
            missing = [x for x in cause.metrics if x not in ev.moves]
            if any(ev.bad.get(x) for x in seen):
                weight = 1.15
            elif seen and not missing:
                weight = 0.7
            else:
                weight = 1.0
            out.append((match.score * weight / (1 + 0.15 * j), match.problem.id, cause.text.zh))
    out.sort(key=lambda x: -x[0])
    return [(p, text) for _, p, text in out]


def rank_of(pairs, expected) -> int | None:
    pid, fragment = expected
    return next((i for i, (p, text) in enumerate(pairs) if p == pid and fragment in text), None)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    ws = Workspace.open(ROOT)
    before_tax = old_taxonomy(ws)
    rows = []
    t0 = time.perf_counter()
    for name in NAMES:
        for seed in range(args.seeds):
            s = build(name, seed=seed)
            with tempfile.TemporaryDirectory() as tmp:
                d = diagnose(s.frame, ws, baseline=s.baseline, log_root=s.write_log(tmp))
            after = rank_of([(h.problem, h.text.zh) for h in d.hypotheses], s.expected)
            before = rank_of(old_ranking(before_tax, d), s.expected) if before_tax else None
            rows.append((name, before, after))
    for name, expected in SAMPLES.items():
        d = diagnose(ROOT / "samples" / f"{name}.csv", ws)
        after = rank_of([(h.problem, h.text.zh) for h in d.hypotheses], expected)
        before = rank_of(old_ranking(before_tax, d), expected) if before_tax else None
        rows.append((f"sample:{name}", before, after))
    elapsed = time.perf_counter() - t0

    def acc(col, k, subset):
        hits = [r for r in subset if r[col] is not None and r[col] < k]
        return f"{len(hits)}/{len(subset)} ({len(hits) / len(subset):.0%})"

    scen = [r for r in rows if not r[0].startswith("sample:")]
    samp = [r for r in rows if r[0].startswith("sample:")]
    print(f"{len(rows)} runs in {elapsed:.1f} s\n")
    print("| set | runs | top-1 before | top-1 after | top-3 before | top-3 after |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, subset in (("scenarios", scen), ("bundled samples", samp), ("all", rows)):
        print(
            f"| {label} | {len(subset)} | {acc(1, 1, subset)} | {acc(2, 1, subset)} | "
            f"{acc(1, 3, subset)} | {acc(2, 3, subset)} |"
        )
    print("\nper scenario (rank of the right cause, 1 = first; – = not listed), before → after:")
    by: dict[str, list] = {}
    for name, b, a in rows:
        by.setdefault(name, []).append((b, a))
    for name, pairs in by.items():
        fmt = ", ".join(
            f"{'–' if b is None else b + 1}→{'–' if a is None else a + 1}" for b, a in pairs
        )
        print(f"- {name}: {fmt}")


if __name__ == "__main__":
    main()
