"""The metric tree (data/metrics.yaml): canonical metric names, aliases and derived ratios."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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

    @property
    def is_ratio(self) -> bool:
        return self.type == "ratio"

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(eq=False)  # hashable by identity: cached loaders take it as a key
class MetricTree:
    metrics: dict[str, Metric]
    _alias: dict[str, str] = field(default_factory=dict, repr=False)

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
            identities=tuple(tuple(map(str, f)) for f in raw.get("identities") or ()),
        )
    for m in metrics.values():
        for ref in (m.numerator, m.denominator):
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


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> MetricTree:
    return parse_metric_tree(load_yaml(Path(path)), source=path)


def load_metric_tree(path: Path) -> MetricTree:
    """Parsed metric tree, cached until the file changes."""
    path = Path(path)
    return _load_cached(str(path), path.stat().st_mtime_ns)
