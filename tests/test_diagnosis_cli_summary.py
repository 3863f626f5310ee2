"""The CLI's plain summary says which hypotheses the numbers support and which they rule out."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_summary_labels_verdicts_and_lists_what_is_ruled_out():
    out = subprocess.run(
        [sys.executable, "-m", "kb", "diagnose", "samples/channel-collapse.csv"],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=True,
    ).stdout  # fmt: skip
    lines = [x for x in out.splitlines() if x.startswith("- [")]
    assert lines[0].startswith("- [数据支持] 抖音 的投放预算被削减")
    ruled_out = [x for x in lines if x.startswith("- [已排除]")]
    assert any("埋点失效" in x and "直接访问" in x for x in ruled_out)  # with its reason
    assert lines.index(ruled_out[0]) > max(i for i, x in enumerate(lines) if "[数据支持]" in x)
