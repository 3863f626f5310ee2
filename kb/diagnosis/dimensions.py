"""The dimension vocabulary (data/dimensions.yaml): header aliases, value aliases, value classes.

Classes say what kind of source a value is (free, paid, search, direct, …); the diagnosis uses
them to test hypotheses ("a budget cut needs a paid channel")."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kb.metrics import normalise_name
from kb.yamlfile import DataError, load_yaml


@dataclass(frozen=True)
class Dimension:
    name: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    values: dict[str, str] = field(default_factory=dict)  # normalised spelling -> canonical value
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # canonical value -> classes

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh

    def canonical_value(self, value: str) -> str:
        return self.values.get(normalise_name(value), str(value).strip())

    def classes_of(self, value: str) -> tuple[str, ...] | None:
        """The classes of a value as spelled in a file (aliases resolved); None when unknown."""
        got = self.classes.get(self.canonical_value(value))
        if got is None:
            got = self.classes.get(str(value).strip())
        return got

    def values_with(self, cls: str, present) -> list[str]:
        """The values among ``present`` (as spelled in the file) that carry class ``cls``."""
        return [v for v in present if cls in (self.classes_of(v) or ())]


@dataclass(eq=False)
class DimensionVocabulary:
    dimensions: dict[str, Dimension]
    date_aliases: frozenset[str]
    _alias: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for d in self.dimensions.values():
            for word in (d.name, d.zh, *d.aliases):
                self._alias.setdefault(normalise_name(word), d.name)

    def resolve(self, header: str) -> str | None:
        """Canonical dimension name for a column header; None if it is not a known dimension."""
        return self._alias.get(normalise_name(header))

    def is_date(self, header: str) -> bool:
        return normalise_name(header) in self.date_aliases

    def get(self, name: str) -> Dimension | None:
        return self.dimensions.get(name)

    def label(self, name: str, lang: str = "zh") -> str:
        d = self.dimensions.get(name)
        return d.label(lang) if d else name

    def classes_of(self, dim: str, value: str) -> tuple[str, ...] | None:
        d = self.dimensions.get(dim)
        return d.classes_of(value) if d else None

    def class_names(self) -> set[str]:
        return {c for d in self.dimensions.values() for cs in d.classes.values() for c in cs}


def parse_vocabulary(data: object, source: str = "dimensions.yaml") -> DimensionVocabulary:
    if not isinstance(data, dict) or not isinstance(data.get("dimensions"), list):
        raise DataError(f"{source}: expected top-level 'date:' and 'dimensions:'")
    dims: dict[str, Dimension] = {}
    for i, raw in enumerate(data["dimensions"], 1):
        if not isinstance(raw, dict) or not raw.get("name"):
            raise DataError(f"{source}: dimension #{i} needs a 'name'")
        values: dict[str, str] = {}
        for canonical, spellings in (raw.get("values") or {}).items():
            for word in (canonical, *(spellings or ())):
                values[normalise_name(str(word))] = str(canonical)
        if "hints" in raw:
            raise DataError(
                f"{source}: dimension '{raw['name']}': 'hints:' was replaced by 'classes:' "
                "(value -> list of classes, e.g. 手淘搜索: [free, search])"
            )
        classes = {}
        for value, names in (raw.get("classes") or {}).items():
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise DataError(
                    f"{source}: dimension '{raw['name']}': classes of '{value}' must be a list "
                    "of words, e.g. [free, search]"
                )
            classes[str(value)] = tuple(names)
        dims[str(raw["name"])] = Dimension(
            name=str(raw["name"]),
            zh=str(raw.get("zh", raw["name"])),
            en=str(raw.get("en", raw["name"])),
            aliases=tuple(map(str, raw.get("aliases") or ())),
            values=values,
            classes=classes,
        )
    date = data.get("date") or {}
    words = {"date", "日期", *map(str, date.get("aliases") or ())}
    return DimensionVocabulary(dims, frozenset(normalise_name(w) for w in words))


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime_ns: int) -> DimensionVocabulary:
    return parse_vocabulary(load_yaml(Path(path)), source=path)


def load_vocabulary(path: Path) -> DimensionVocabulary:
    """Parsed dimension vocabulary, cached until the file changes."""
    path = Path(path)
    return _load_cached(str(path), path.stat().st_mtime_ns)
