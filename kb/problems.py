"""The metric-problem taxonomy (data/problems.yaml): load, validate, query.

A problem type names a pattern in the numbers (a *signature* of metric movements), the causes
that usually produce it (each with the data check that confirms it and actions to try) and its
related types. Documents link to problem types by id; the diagnosis matches signatures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kb.metrics import MetricTree
from kb.yamlfile import DataError, load_yaml

MOVES = ("up", "down", "flat")
# Signature keys that are not metrics: how concentrated the KPI change is across segments.
# `concentration`: one segment explains the change (single) or it is spread over many (spread).
# `dimension`: the dimension whose values explain the change best (e.g. user_type, channel).
SPECIAL_KEYS = {
    "concentration": ("single", "spread"),
    "dimension": ("channel", "platform", "user_type", "category", "region", "campaign", "device"),
}


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, lang: str = "zh") -> str:
        return self.en if lang == "en" and self.en else self.zh


# What "{segment}" in a cause's text becomes when no segment is known (by signature dimension).
SEGMENT_WORDS = {
    "channel": Text("该渠道", "the channel"),
    "user_type": Text("该人群", "this user group"),
    "category": Text("该类目", "the category"),
    "campaign": Text("该计划", "the campaign"),
}
SEGMENT_WORD = Text("该细分", "the segment")


@dataclass(frozen=True)
class Cause:
    text: Text  # "{segment}" already replaced by a generic word (该渠道)
    check: Text
    actions: tuple[Text, ...] = ()
    metrics: tuple[str, ...] = ()  # the data that decides it (metric names)
    evidence: dict | None = None  # machine-checkable evidence (kb.diagnosis.evidence notation)
    quick: bool = False  # a cheap sanity check (口径, 季节): listed first, not ranked first
    template: Text | None = None  # the text with "{segment}" kept, for naming the segment

    def named(self, segment: str | None, segment_en: str | None = None) -> Text:
        """The cause's text naming the segment ("抖音 的投放预算被削减")."""
        if self.template is None or not segment:
            return self.text
        return Text(
            self.template.zh.replace("{segment}", segment),
            self.template.en.replace("{segment}", segment_en or segment),
        )


@dataclass(frozen=True)
class Area:
    id: str
    name: Text


@dataclass(frozen=True)
class Problem:
    id: str
    name: Text
    area: str
    summary: Text
    signature: dict[str, tuple[str, ...]]
    causes: tuple[Cause, ...]
    related: tuple[str, ...] = ()
    kpi: str | None = None  # the headline metric this problem is about
    evidence: dict | None = None  # tests of the type itself (e.g. "a search channel fell")


@dataclass(eq=False)
class Taxonomy:
    areas: dict[str, Area]
    problems: dict[str, Problem]
    _by_area: dict[str, list[Problem]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for p in self.problems.values():
            self._by_area.setdefault(p.area, []).append(p)

    def get(self, problem_id: str) -> Problem | None:
        return self.problems.get(problem_id)

    def __contains__(self, problem_id: str) -> bool:
        return problem_id in self.problems

    def __iter__(self):
        return iter(self.problems.values())

    def __len__(self) -> int:
        return len(self.problems)

    def by_area(self, area: str) -> list[Problem]:
        return list(self._by_area.get(area, ()))


def _text(raw: object, where: str, errors: list[str], required: bool = True) -> Text:
    if isinstance(raw, str):
        return Text(raw, "")
    if isinstance(raw, dict) and raw.get("zh"):
        return Text(str(raw["zh"]), str(raw.get("en", "")))
    if required:
        errors.append(f"{where}: needs a text with 'zh' (and 'en')")
    return Text("", "")


def _moves(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else (value,)


def parse_taxonomy(data: object, metrics: MetricTree | None, source: str) -> Taxonomy:
    if not isinstance(data, dict) or not isinstance(data.get("problems"), list):
        raise DataError(f"{source}: expected top-level 'areas:' and 'problems:' lists")
    errors: list[str] = []
    areas: dict[str, Area] = {}
    for raw in data.get("areas") or []:
        areas[str(raw.get("id"))] = Area(
            str(raw.get("id")), _text(raw.get("name"), f"{source}: area", errors)
        )
    problems: dict[str, Problem] = {}
    for i, raw in enumerate(data["problems"], 1):
        pid = str(raw.get("id", "")) if isinstance(raw, dict) else ""
        where = f"{source}: problem '{pid or f'#{i}'}'"
        if not pid:
            errors.append(f"{where}: missing 'id'")
            continue
        if pid in problems:
            errors.append(f"{where}: duplicate id")
        if raw.get("area") not in areas:
            errors.append(f"{where}: area {raw.get('area')!r} is not one of {sorted(areas)}")
        signature = {}
        for key, value in (raw.get("signature") or {}).items():
            moves = _moves(value)
            allowed = SPECIAL_KEYS.get(key, MOVES)
            if key not in SPECIAL_KEYS and metrics is not None and key not in metrics:
                errors.append(f"{where}: signature names unknown metric '{key}'")
            bad = [m for m in moves if m not in allowed]
            if bad:
                errors.append(f"{where}: signature '{key}' must be one of {allowed}, not {bad}")
            signature[key] = moves
        causes = []
        for j, c in enumerate(raw.get("causes") or [], 1):
            cw = f"{where}: cause #{j}"
            cause_metrics = tuple(str(m) for m in c.get("metrics") or ())
            if metrics is not None:
                for m in cause_metrics:
                    if m not in metrics:
                        errors.append(f"{cw}: unknown metric '{m}'")
            text = _text(c.get("text"), cw, errors)
            template = None
            if "{segment}" in text.zh + text.en:
                dim = (raw.get("signature") or {}).get("dimension")
                word = SEGMENT_WORDS.get(dim if isinstance(dim, str) else "", SEGMENT_WORD)
                template = text
                zh = text.zh.replace("{segment} ", word.zh).replace("{segment}", word.zh)
                en = text.en.replace("{segment}", word.en)
                text = Text(zh, en[:1].upper() + en[1:])
            ev = c.get("evidence")
            if ev is not None and not isinstance(ev, dict):
                errors.append(f"{cw}: 'evidence' must be a mapping (applies/data/shape/events)")
                ev = None
            causes.append(
                Cause(
                    text=text,
                    check=_text(c.get("check"), f"{cw} check", errors),
                    actions=tuple(_text(a, f"{cw} action", errors) for a in c.get("actions") or ()),
                    metrics=cause_metrics,
                    evidence=ev,
                    quick=bool(c.get("quick", False)),
                    template=template,
                )
            )
        if not causes:
            errors.append(f"{where}: needs at least one cause")
        kpi = raw.get("kpi")
        if kpi and metrics is not None and kpi not in metrics:
            errors.append(f"{where}: kpi '{kpi}' is not a metric")
        problems[pid] = Problem(
            id=pid,
            name=_text(raw.get("name"), f"{where} name", errors),
            area=str(raw.get("area")),
            summary=_text(raw.get("summary"), f"{where} summary", errors, required=False),
            signature=signature,
            causes=tuple(causes),
            related=tuple(str(r) for r in raw.get("related") or ()),
            kpi=kpi,
            evidence=raw.get("evidence") if isinstance(raw.get("evidence"), dict) else None,
        )
    for p in problems.values():
        for r in p.related:
            if r not in problems:
                errors.append(f"{source}: problem '{p.id}': related id '{r}' does not exist")
    if errors:
        raise DataError("\n".join(errors))
    return Taxonomy(areas, problems)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int, metrics: MetricTree | None) -> Taxonomy:
    return parse_taxonomy(load_yaml(Path(path)), metrics, source=path)


def load_taxonomy(path: Path, metrics: MetricTree | None = None) -> Taxonomy:
    """Parsed and validated taxonomy, cached until the file changes."""
    path = Path(path)
    return _load_cached(str(path), path.stat().st_mtime_ns, metrics)
