"""The shape of a change, the one signature scorer, and past cases that looked the same."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kb.diagnosis.periods import Comparison, Period
from kb.diagnosis.shape import detect
from kb.signatures import agreement
from kb.similar import Signature, similar_cases
from tests.conftest import write_doc

DAYS = pd.date_range("2026-01-01", "2026-03-15")
COMPARE = Comparison(
    Period(pd.Timestamp("2026-03-09"), pd.Timestamp("2026-03-15")),
    Period(pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-08")),
    "previous",
    7,
)


def series(mult, seed=1) -> pd.Series:
    rng = np.random.default_rng(seed)
    weekly = 1 + 0.12 * np.cos(2 * np.pi * (DAYS.day_of_week - 5) / 7)
    return pd.Series(1000 * weekly * mult * (1 + rng.normal(0, 0.03, len(DAYS))), index=DAYS)


def test_a_cliff_is_a_step_with_its_first_day():
    s = detect(series(np.where(DAYS >= "2026-03-12", 0.6, 1.0)), COMPARE)
    assert s.kind == "step" and f"{s.start:%Y-%m-%d}" == "2026-03-12"
    assert s.change_pct == pytest.approx(-40, abs=5)
    assert s.sentence().zh.startswith("断崖式变化, 从 2026-03-12 开始 (−")


def test_a_gradual_decline_is_a_slide():
    t = np.arange(len(DAYS))
    ramp = np.clip((t - (len(DAYS) - 21)) / 21, 0, 1)
    s = detect(series(1 - 0.4 * ramp), COMPARE)
    assert s.kind == "slide"
    assert pd.Timestamp("2026-02-15") <= s.start <= pd.Timestamp("2026-03-01")


def test_a_two_day_burst_is_a_spike_and_noise_is_nothing():
    burst = np.where((DAYS >= "2026-03-10") & (DAYS <= "2026-03-11"), 2.0, 1.0)
    assert detect(series(burst), COMPARE).kind == "spike"
    assert detect(series(np.ones(len(DAYS))), COMPARE).kind == "none"


def test_one_scorer_agrees_against_unknown():
    sig = {"UV": ("down",), "PV": ("flat", "up"), "dimension": ("channel",)}
    a = agreement(sig, {"UV": "down", "dimension": ["user_type", "channel"]})
    assert a.agreed == ("UV", "dimension") and a.unknown == ("PV",) and not a.contradicted
    b = agreement(sig, {"UV": {"up", "flat"}})  # an article saying UV rose and held
    assert b.against == ("UV",) and b.score() == 0.0


def test_similar_cases_follow_the_signature_not_only_the_problem_type(root, workspace):
    sig = "{moves: {UV: down, GMV: down, 转化率: flat}, dimension: channel, shape: step}"
    write_doc(root, "case", "case-step", "一个渠道断崖", problems="[traffic-drop]", signature=sig)
    slide = "{moves: {UV: down, 转化率: down}, dimension: channel, shape: slide}"
    write_doc(root, "case", "case-slide", "渠道缓降", problems="[traffic-drop]", signature=slide)
    write_doc(root, "case", "case-draft", "草稿", problems="[traffic-drop]", signature=sig,
              state="draft")  # fmt: skip
    write_doc(root, "case", "case-aov", "客单价", problems="[aov-drop]")
    from kb.workspace import Workspace

    ws = Workspace.open(root)
    now = Signature({"UV": "down", "GMV": "down", "转化率": "flat"}, "channel", "step")
    found = similar_cases(ws.collection(), now, ["channel-traffic-drop"], ws.taxonomy)
    ids = [c["id"] for c in found]
    assert ids[0] == "case-step" and "case-draft" not in ids
    assert "case-aov" not in ids  # derived from aov-drop: 客单价 down, nothing in common
    if "case-slide" in ids:
        assert ids.index("case-slide") > ids.index("case-step")


def test_kb_check_rejects_a_bad_case_signature(root, workspace):
    from kb.checks import run_checks
    from kb.workspace import Workspace

    write_doc(root, "case", "case-bad", "坏签名", problems="[traffic-drop]",
              signature="{moves: {UV: fell}}")  # fmt: skip
    errors = run_checks(Workspace.open(root)).errors
    assert any("case-bad" in e and "signature.moves.UV" in e for e in errors), errors
