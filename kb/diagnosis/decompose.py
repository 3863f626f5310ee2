"""Split the KPI's change over the factors of a multiplicative identity (LMDI).

Method: additive LMDI-I (log-mean Divisia index, Ang 2004). For V = x1 · x2 · … · xn,
ΔV = Σ L(V1, V0) · ln(xi1 / xi0) with the logarithmic mean L(a, b) = (a − b) / (ln a − ln b).
The contributions add up exactly to V1 − V0 with no residual, which is why it is used here
rather than a chained "replace one factor at a time" split whose result depends on the order.
Zeros are handled as Ang & Choi suggest: replace them by a tiny positive number, then rescale so
the sum is exact.

Identities come from the metric tree (the first one the file can compute): GMV = UV × 转化率
× 客单价 (buyer-based with 买家数, orders-based without: the tree is bound to the file first),
ROI = 广告点击转化率 × 广告客单价 × 每元点击数 (CVR × AOV ÷ CPC) or × 广告点击率 × 每元展现数
(CTR × CVR × AOV ÷ CPM/1000), any other `identities:` entry, or — when the KPI has none — the
two-factor identity K = denominator × (K / denominator) of a ratio built on K (PV = UV ×
人均浏览量), or for a ratio KPI K = numerator / denominator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kb.metrics import MetricTree

EPS = 1e-12


@dataclass
class Factor:
    metric: str
    label: str
    baseline: float
    current: float
    change_pct: float | None
    contribution: float
    share: float | None
    power: int = 1  # +1 a multiplier, -1 a divisor

    def to_json(self) -> dict:
        def r(x, d=6):
            return None if x is None or not math.isfinite(x) else round(float(x), d)

        return {
            "metric": self.metric,
            "label": self.label,
            "baseline": r(self.baseline),
            "current": r(self.current),
            "change_pct": r(self.change_pct),
            "contribution": r(self.contribution),
            "share": r(self.share),
            "power": self.power,
        }


def logmean(a: float, b: float) -> float:
    """L(a, b) with Ang's zero-value rules: L(x, 0) = L(0, x) = 0, L(x, x) = x; values so close
    that their logs are equal in floating point (tiny products of zero-replacements) give
    their mean instead of a division by zero."""
    if not (a > 0 and b > 0):
        return 0.0
    if a == b:
        return a
    d = math.log(a) - math.log(b)
    if d == 0.0 or not math.isfinite(d):
        return (a + b) / 2
    return (a - b) / d


def value_of(metrics: MetricTree, name: str, sums) -> float:
    """A measure's sum, or a ratio recomputed from the sums (NaN if undefined)."""
    m = metrics.metrics.get(name)
    if m is not None and m.is_ratio:
        den = float(sums[m.denominator])
        return float(sums[m.numerator]) / den * m.scale if den else math.nan
    return float(sums[name])


def _inputs(metrics: MetricTree, name: str) -> list[str]:
    m = metrics.metrics.get(name)
    if m is not None and m.is_ratio:
        return [m.numerator, m.denominator]
    return [name]


def identity_for(metrics: MetricTree, kpi: str, measures) -> list[tuple[str, int]] | None:
    """Factors (metric, power) whose product is the KPI, using only data in the file."""
    have = set(measures)

    def computable(name: str) -> bool:
        return name in metrics.metrics and all(x in have for x in _inputs(metrics, name))

    m = metrics.metrics.get(kpi)
    if m is None:
        return None
    for factors in m.identities:
        if all(computable(f) for f in factors):
            return [(f, 1) for f in factors]
    if m.is_ratio:
        return [(m.numerator, 1), (m.denominator, -1)]
    for r in metrics.ratios():
        if r.numerator == kpi and r.denominator in have:
            return [(r.denominator, 1), (r.name, 1)]
    return None


def lmdi(total0: float, total1: float, factors0: list[float], factors1: list[float], powers):
    """LMDI-I contributions of each factor; they sum exactly to total1 − total0."""
    x0 = [max(v, EPS) if math.isfinite(v) else EPS for v in factors0]
    x1 = [max(v, EPS) if math.isfinite(v) else EPS for v in factors1]
    v0 = math.prod(x**p for x, p in zip(x0, powers, strict=True))
    v1 = math.prod(x**p for x, p in zip(x1, powers, strict=True))
    weight = logmean(v1, v0)
    raw = [weight * p * math.log(b / a) for a, b, p in zip(x0, x1, powers, strict=True)]
    delta = total1 - total0
    got = sum(raw)
    if got and delta:
        raw = [c * delta / got for c in raw]  # exact sum despite zero replacement
    elif not delta:
        raw = [0.0 for _ in raw] if not got else raw
    return raw


def decompose(metrics: MetricTree, kpi: str, cur_sums, base_sums, measures) -> list[Factor]:
    """Factor contributions to the KPI change, largest absolute contribution first."""
    metrics = metrics.bind(measures)[0]  # 客单价 ÷ 订单数 when the file has no 买家数
    factors = identity_for(metrics, kpi, measures)
    if not factors:
        return []
    names = [f for f, _ in factors]
    powers = [p for _, p in factors]
    f0 = [value_of(metrics, f, base_sums) for f in names]
    f1 = [value_of(metrics, f, cur_sums) for f in names]
    k0, k1 = value_of(metrics, kpi, base_sums), value_of(metrics, kpi, cur_sums)
    if not (math.isfinite(k0) and math.isfinite(k1)):
        return []
    contributions = lmdi(k0, k1, f0, f1, powers)
    delta = k1 - k0
    out = []
    for name, p, a, b, c in zip(names, powers, f0, f1, contributions, strict=True):
        m = metrics.metrics.get(name)
        pct = (b / a - 1) * 100 if a and math.isfinite(a) and math.isfinite(b) else None
        out.append(
            Factor(
                metric=name,
                label=m.zh if m else name,
                baseline=a,
                current=b,
                change_pct=pct,
                contribution=c,
                share=c / delta if delta else None,
                power=p,
            )
        )
    out.sort(key=lambda f: -abs(f.contribution))
    return out
