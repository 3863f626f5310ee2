"""The metric tree (data/metrics.yaml): canonical metric names, aliases and derived ratios."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from kb.yamlfile import DataError, load_yaml

_NORMALISE = re.compile(r"[\s_\-·()（）\[\]【】]+")
_UNIT_SUFFIX = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]$")


def normalise_name(text: str) -> str:
    """Header/alias key: case-folded, units in brackets, spaces and underscores dropped."""
    text = _UNIT_SUFFIX.sub("", str(text).strip())
    return _NORMALISE.sub("", text).casefold()


@dataclass(frozen=True)
class Metric:
    name: str
    zh: str
    en: str
    type: str  # "measure" | "ratio"
    unit: str = ""
    better: str = "up"
    aliases: tuple[str, ...] = ()
    numerator: str | None = None
    denominator: str | None = None
    identities: tuple[tuple[str, ...], ...] = ()
    distinct: bool = False  # a count of distinct people: not additive across days or segments
    description: str = ""
    # (numerator, denominator) used when a file lacks the first definition's inputs, e.g.
    # 客单价 = 销售额 ÷ 支付买家数, or ÷ 订单数 (笔单价) when the file only has orders
    fallback: tuple[str, str] | None = None
    scale: float = 1.0  # a ratio shown per thousand (GPM): numerator ÷ denominator × scale
    aggregate: str = "sum"  # sum | last (a level such as stock: the period's last value)
    uses_fallback: bool = False  # set on a tree bound to a file (MetricTree.bind)

    @property
    def is_ratio(self) -> bool:
        return self.type == "ratio"

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(eq=False)  # hashable by identity: cached loaders take it as a key
class MetricTree:
    metrics: dict[str, Metric]
    _alias: dict[str, str] = field(default_factory=dict, repr=False)
    _bound: dict = field(default_factory=dict, repr=False)  # bind() results by measure set

    def __post_init__(self) -> None:
        for m in self.metrics.values():
            for word in (m.name, m.zh, *m.aliases):
                self._alias.setdefault(normalise_name(word), m.name)

    def resolve(self, word: str) -> str | None:
        """Canonical name for a metric name, alias or CSV header; None if unknown."""
        return self._alias.get(normalise_name(word))

    def __contains__(self, name: str) -> bool:
        return name in self.metrics

    def __getitem__(self, name: str) -> Metric:
        return self.metrics[name]

    def measures(self) -> list[Metric]:
        return [m for m in self.metrics.values() if not m.is_ratio]

    def ratios(self) -> list[Metric]:
        return [m for m in self.metrics.values() if m.is_ratio]

    def bind(self, measures) -> tuple[MetricTree, list[Metric]]:
        """The tree as one file can compute it: a ratio whose inputs the file lacks but whose
        fallback inputs it has is redefined by the fallback (客单价 ÷ 订单数 without 买家数).
        Returns the bound tree and the ratios that use their fallback (to tell the user)."""
        have = frozenset(measures)
        if have in self._bound:
            return self._bound[have]
        used: list[Metric] = []
        metrics = dict(self.metrics)
        for m in self.metrics.values():
            if not (m.is_ratio and m.fallback) or {m.numerator, m.denominator} <= have:
                continue
            if set(m.fallback) <= have:
                num, den = m.fallback
                metrics[m.name] = replace(m, numerator=num, denominator=den, uses_fallback=True)
                used.append(metrics[m.name])
        if not used and any(m.uses_fallback for m in self.metrics.values()):
            return self, used  # already bound
        result = (MetricTree(metrics) if used else self), used
        if len(self._bound) < 64:
            self._bound[have] = result
        return result

    def all_words(self) -> dict[str, str]:
        """Every name and alias (as written) -> canonical name; for dictionaries and suggestions."""
        out: dict[str, str] = {}
        for m in self.metrics.values():
            for word in (m.name, m.zh, *m.aliases):
                out.setdefault(word, m.name)
        return out


def parse_metric_tree(data: object, source: str = "metrics.yaml") -> MetricTree:
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), list):
        raise DataError(f"{source}: expected a top-level 'metrics:' list")
    metrics: dict[str, Metric] = {}
    errors: list[str] = []
    for i, raw in enumerate(data["metrics"], 1):
        where = f"{source}: metric #{i}"
        if not isinstance(raw, dict) or not raw.get("name"):
            errors.append(f"{where}: needs at least 'name', 'zh', 'en' and 'type'")
            continue
        name = str(raw["name"])
        where = f"{source}: metric '{name}'"
        if name in metrics:
            errors.append(f"{where}: duplicate name")
        mtype = raw.get("type", "measure")
        if mtype not in ("measure", "ratio"):
            errors.append(f"{where}: type must be 'measure' or 'ratio', not {mtype!r}")
        if raw.get("better", "up") not in ("up", "down"):
            errors.append(f"{where}: better must be 'up' or 'down'")
        if mtype == "ratio" and not (raw.get("numerator") and raw.get("denominator")):
            errors.append(f"{where}: a ratio needs 'numerator' and 'denominator'")
        fallback = raw.get("fallback")
        if fallback is not None:
            if mtype != "ratio" or not isinstance(fallback, dict):
                errors.append(
                    f"{where}: 'fallback' is a mapping of a ratio's numerator/denominator"
                )
                fallback = None
            else:
                fallback = (
                    str(fallback.get("numerator", raw.get("numerator"))),
                    str(fallback.get("denominator", raw.get("denominator"))),
                )
        identities = []
        for item in raw.get("identities") or ():
            factors = item.get("factors") if isinstance(item, dict) else item
            if not isinstance(factors, list):
                errors.append(f"{where}: an identity is a list of factors (or {{factors: [...]}})")
                continue
            identities.append(tuple(map(str, factors)))
        try:
            scale = float(raw.get("scale", 1) or 1)
        except (TypeError, ValueError):
            errors.append(f"{where}: scale must be a number")
            scale = 1.0
        metrics[name] = Metric(
            name=name,
            zh=str(raw.get("zh", name)),
            en=str(raw.get("en", name)),
            type=mtype,
            unit=str(raw.get("unit", "")),
            better=raw.get("better", "up"),
            aliases=tuple(str(a) for a in raw.get("aliases") or ()),
            numerator=raw.get("numerator"),
            denominator=raw.get("denominator"),
            identities=tuple(identities),
            distinct=bool(raw.get("distinct", False)),
            description=str(raw.get("description", "") or "").strip(),
            fallback=fallback,
            scale=scale,
            aggregate=str(raw.get("aggregate", "sum")),
        )
    for m in metrics.values():
        for ref in (m.numerator, m.denominator, *(m.fallback or ())):
            if ref and (ref not in metrics or metrics[ref].is_ratio):
                errors.append(f"{source}: metric '{m.name}': '{ref}' is not a measure in the tree")
        for factors in m.identities:
            unknown = [f for f in factors if f not in metrics]
            if unknown:
                errors.append(
                    f"{source}: metric '{m.name}': identity names unknown metrics {unknown}"
                )
    if errors:
        raise DataError("\n".join(errors))
    return MetricTree(metrics)


# Units a count of things is measured in: a ratio of two counts may be a rate (%),
# e.g. 订单数 (单) ÷ 访客数 (人) as an orders-based conversion.
COUNT_UNITS = frozenset({"人", "单", "次", "件", "个", "笔"})
PURE_UNITS = frozenset({"%", "倍", ""})  # dimensionless: rates, multiples


def unit_errors(tree: MetricTree, source: str = "metrics.yaml") -> list[str]:
    """Ratios whose unit does not follow from their numerator's and denominator's units.

    Allowed: a dimensionless unit (%, 倍) for like over like (元/元, 人/人) or count over count
    (单/人, 人/次); otherwise the numerator's unit per count or per 元 (元/人 -> 元 客单价,
    秒/次 -> 秒, 次/元 -> 次 每元点击数). So 元 ÷ 人 labelled % is refused."""
    errors = []
    for m in tree.ratios():
        pairs = [(m.numerator, m.denominator)]
        if m.fallback:
            pairs.append(m.fallback)
        for num_name, den_name in pairs:
            num, den = tree.metrics.get(num_name), tree.metrics.get(den_name)
            if num is None or den is None:
                continue
            a, b = num.unit, den.unit
            if m.unit in PURE_UNITS:
                ok = a == b or (a in COUNT_UNITS and b in COUNT_UNITS)
            else:
                ok = m.unit == a and (b in COUNT_UNITS or b == "元")
            if not ok:
                errors.append(
                    f"{source}: metric '{m.name}': unit '{m.unit}' does not follow from "
                    f"{num_name} ({a or 'no unit'}) ÷ {den_name} ({b or 'no unit'}); a rate "
                    f"(%, 倍) divides like units or counts, any other unit is the "
                    f"numerator's per count or per 元"
                )
    return errors


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> MetricTree:
    return parse_metric_tree(load_yaml(Path(path)), source=path)


def load_metric_tree(path: Path) -> MetricTree:
    """Parsed metric tree, cached until the file changes."""
    path = Path(path)
    return _load_cached(str(path), path.stat().st_mtime_ns)
