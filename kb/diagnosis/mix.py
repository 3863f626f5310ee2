"""Mix versus rate: did a ratio move because each segment's rate moved, or because the mix did?

For a ratio R = Σ num / Σ den split by one dimension, with w = a segment's share of the
denominator and r = its own rate, the change splits exactly (no residual) into
    ΔR = Σ (w1 − w0) · r0   (mix: the shares moved)  +  Σ w1 · (r1 − r0)   (rate: the rates moved).
When the mix part carries most of a real change and no large segment's own rate moved, the
ratio did not "get better or worse" anywhere: the traffic moved between segments (结构变化).
Example: 支付转化率 +10 % because a low-converting channel shrank while every channel converted
as before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from kb.diagnosis.load import DATE
from kb.diagnosis.periods import in_period
from kb.problems import Text

MIX_SHARE = 0.6  # the mix part must carry this share of the change
RATE_HELD = 0.05  # a segment's own rate "held" when it moved less than ±5 %
MIN_WEIGHT = 0.05  # segments under 5 % of the denominator are not judged


@dataclass
class MixEffect:
    metric: str
    label: Text
    dimension: str
    change: float
    mix: float
    rate: float
    rows: list[dict] = field(default_factory=list)  # value, share0, share1, rate0, rate1
    dim_label: Text | None = None

    def sentence(self) -> Text:
        moved = sorted(self.rows, key=lambda r: -abs(r["share1"] - r["share0"]))[:3]
        shares = ", ".join(
            f"{r['value']} {r['share0'] * 100:.0f} %→{r['share1'] * 100:.0f} %" for r in moved
        )
        rates = ", ".join(
            f"{r['value']} {_fmt(r['rate0'])}→{_fmt(r['rate1'])}"
            for r in sorted(self.rows, key=lambda r: -r["share0"])[:4]
        )
        sign = "+" if self.change > 0 else "−"
        dim = self.dim_label or Text(self.dimension, self.dimension)
        return Text(
            f"{self.label.zh} {sign}{abs(self.change_pct):.1f} % 主要是结构变化: 各{dim.zh}的占比变了"
            f" ({shares}), 各自的{self.label.zh}基本没变 ({rates})。",
            f"{self.label.en} {sign}{abs(self.change_pct):.1f} % is mostly a mix effect: the "
            f"{dim.en.lower()} shares moved ({shares}) while each one's own rate held ({rates}).",
        )

    @property
    def change_pct(self) -> float:
        base = self.rows[0]["total0"] if self.rows else 0
        return self.change / base * 100 if base else 0.0

    def to_json(self, lang: str = "zh") -> dict:
        return {
            "metric": self.metric,
            "dimension": self.dimension,
            "change": round(self.change, 8),
            "mix": round(self.mix, 8),
            "rate": round(self.rate, 8),
            "segments": [{k: v for k, v in r.items() if k != "total0"} for r in self.rows],
            "text": self.sentence().get(lang),
        }


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "–"
    return f"{x * 100:.2f} %" if abs(x) < 1 else f"{x:.2f}"


def split(table, num: str, den: str, dim: str, comparison) -> tuple[float, float, float, list]:
    """(ΔR, mix part, rate part, rows) of R = num / den split by ``dim``."""
    frame = table.frame
    out = {}
    for name, period in (("0", comparison.baseline), ("1", comparison.current)):
        rows = frame[in_period(frame[DATE], period)]
        out[name] = rows.groupby(dim)[[num, den]].sum()
    b, c = out["0"], out["1"]
    values = b.index.union(c.index)
    b, c = b.reindex(values).fillna(0.0), c.reindex(values).fillna(0.0)
    d0, d1 = b[den].sum(), c[den].sum()
    if d0 <= 0 or d1 <= 0:
        return 0.0, 0.0, 0.0, []
    r0_total, r1_total = b[num].sum() / d0, c[num].sum() / d1
    w0, w1 = b[den] / d0, c[den] / d1
    r0 = (b[num] / b[den].where(b[den] > 0)).fillna(r0_total)
    r1 = (c[num] / c[den].where(c[den] > 0)).fillna(r0)
    mix = float(((w1 - w0) * r0).sum())
    rate = float((w1 * (r1 - r0)).sum())
    rows = [
        {
            "value": str(v),
            "share0": float(w0[v]),
            "share1": float(w1[v]),
            "rate0": float(r0[v]),
            "rate1": float(r1[v]),
            "total0": float(r0_total),
        }
        for v in values
    ]
    return float(r1_total - r0_total), mix, rate, rows


def mix_effects(table, metrics, comparison, moves, names, vocab=None) -> list[MixEffect]:
    """Ratios among ``names`` that really moved and whose move is mostly a mix effect."""
    found = []
    for name in dict.fromkeys(n for n in names if n):
        m = metrics.metrics.get(name)
        mv = moves.get(name)
        if m is None or not m.is_ratio or mv is None or mv.direction == "flat":
            continue
        if m.numerator not in table.measures or m.denominator not in table.measures:
            continue
        best = None
        for dim in table.dimensions:
            change, mix, rate, rows = split(table, m.numerator, m.denominator, dim, comparison)
            if not rows or not change or abs(mix) < MIX_SHARE * abs(change):
                continue
            held = all(
                abs(r["rate1"] / r["rate0"] - 1) <= RATE_HELD
                for r in rows
                if r["share0"] >= MIN_WEIGHT and r["rate0"]
            )
            if held and (best is None or abs(mix) > abs(best.mix)):
                d = vocab.get(dim) if vocab is not None else None
                label = Text(d.zh, d.en) if d else Text(dim, dim)
                best = MixEffect(name, Text(m.zh, m.en), dim, change, mix, rate, rows, label)
        if best is not None:
            found.append(best)
    return found
