"""The glossary (data/glossary.yaml): load, validate and search the team's vocabulary.

A term is one word a new hire meets (UV, 跳失率, 环比, 直通车...) with a one-line definition, a
formula where there is one, the metric it names in the metric tree and the problem types it
relates to. Links are validated against the metric tree and the taxonomy so a typo in the data
file shows up in `kb check` instead of as a dead link in the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.metrics import MetricTree
from kb.problems import Taxonomy, Text
from kb.yamlfile import DataError, load_yaml

GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True)
class Term:
    term: str
    en: str
    definition: Text
    zh: str = ""
    aliases: tuple[str, ...] = ()
    formula: str = ""
    metric: str | None = None  # canonical metric name when the term is a tracked metric
    problems: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        """Every name the term goes by (headword first)."""
        return tuple(dict.fromkeys(n for n in (self.term, self.zh, self.en, *self.aliases) if n))

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" and self.en else (self.zh or self.term)


@dataclass(eq=False)
class Glossary:
    terms: dict[str, Term]  # headword -> term, in file order

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms.values())

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    def get(self, name: str) -> Term | None:
        """The term with this headword, or else with this Chinese/English name or alias."""
        if name in self.terms:
            return self.terms[name]
        key = name.strip().casefold()
        for term in self.terms.values():
            if any(n.casefold() == key for n in term.names()):
                return term
        return None

    def search(self, query: str) -> list[Term]:
        return search(self, query)

    def for_problem(self, problem_id: str) -> list[Term]:
        """Terms linked to a problem type, for the problem page's 'words to know'."""
        return [t for t in self.terms.values() if problem_id in t.problems]


def search(glossary: Glossary, query: str) -> list[Term]:
    """Terms matching the query, case-insensitive substring on names, aliases and definition.

    Several words separated by spaces must all match. Ranking: exact name or alias first, then
    name/alias matches, then definition-only matches; file order within each group.
    """
    words = query.casefold().split()
    if not words:
        return list(glossary)
    ranked: list[tuple[int, int, Term]] = []
    for i, term in enumerate(glossary):
        names = [n.casefold() for n in term.names()]
        body = " ".join([*names, term.definition.zh.casefold(), term.definition.en.casefold()])
        if not all(w in body for w in words):
            continue
        if " ".join(words) in names:
            rank = 0
        elif all(any(w in n for n in names) for w in words):
            rank = 1
        else:
            rank = 2
        ranked.append((rank, i, term))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [t for _, _, t in ranked]


def _text(raw: object, where: str, errors: list[str]) -> Text:
    if isinstance(raw, dict) and raw.get("zh"):
        return Text(str(raw["zh"]), str(raw.get("en") or ""))
    errors.append(f"{where}: needs a definition with 'zh' (and 'en')")
    return Text("", "")


def _strings(raw: object, where: str, field: str, errors: list[str]) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errors.append(f"{where}: '{field}' must be a list, e.g. [a, b]")
        return ()
    return tuple(str(v) for v in raw if v is not None and str(v).strip())


def parse_glossary(
    data: object,
    metrics: MetricTree | None = None,
    taxonomy: Taxonomy | None = None,
    source: str = GLOSSARY_FILE,
) -> Glossary:
    """Validated glossary; raises DataError listing every problem, each naming file and term."""
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
        raise DataError(f"{source}: expected a top-level 'terms:' list")
    errors: list[str] = []
    terms: dict[str, Term] = {}
    seen: dict[str, str] = {}  # casefolded headword -> headword
    for i, raw in enumerate(data["terms"], 1):
        if not isinstance(raw, dict) or not str(raw.get("term") or "").strip():
            errors.append(f"{source}: term #{i}: missing 'term'")
            continue
        name = str(raw["term"]).strip()
        where = f"{source}: term '{name}'"
        if name.casefold() in seen:
            errors.append(f"{where}: duplicate term (also '{seen[name.casefold()]}')")
            continue
        seen[name.casefold()] = name
        if not raw.get("en"):
            errors.append(f"{where}: missing 'en' (the English name)")
        metric = raw.get("metric")
        if metric is not None:
            metric = str(metric)
            if metrics is not None and metric not in metrics:
                canonical = metrics.resolve(metric)
                hint = f"; did you mean '{canonical}'?" if canonical else ""
                errors.append(f"{where}: metric '{metric}' is not in the metric tree{hint}")
        problems = _strings(raw.get("problems"), where, "problems", errors)
        if taxonomy is not None:
            for pid in problems:
                if pid not in taxonomy:
                    errors.append(f"{where}: problem id '{pid}' is not in the taxonomy")
        terms[name] = Term(
            term=name,
            zh=str(raw.get("zh") or ""),
            en=str(raw.get("en") or ""),
            aliases=_strings(raw.get("aliases"), where, "aliases", errors),
            definition=_text(raw.get("definition"), where, errors),
            formula=str(raw.get("formula") or ""),
            metric=metric,
            problems=problems,
        )
    # An alias that is another term's headword would make look-ups ambiguous.
    for term in terms.values():
        for alias in term.aliases:
            other = seen.get(alias.casefold())
            if other and other != term.term:
                errors.append(
                    f"{source}: term '{term.term}': alias '{alias}' is the headword of "
                    f"term '{other}'"
                )
    if errors:
        raise DataError("\n".join(errors))
    return Glossary(terms)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int, metrics, taxonomy) -> Glossary:
    return parse_glossary(load_yaml(Path(path)), metrics, taxonomy, source=path)


def load_glossary(
    path: Path, metrics: MetricTree | None = None, taxonomy: Taxonomy | None = None
) -> Glossary:
    """Parsed and validated glossary, cached until the file changes."""
    path = Path(path)
    return _load_cached(str(path), path.stat().st_mtime_ns, metrics, taxonomy)


def loaded(ws, name: str):
    """A Workspace attribute (metrics, taxonomy), or None when its own file is broken.

    Checks use this so a broken taxonomy is reported once, by its own check, and not again
    as an error of every file that links to it.
    """
    try:
        return getattr(ws, name)
    except DataError:
        return None


def workspace_glossary(ws) -> Glossary:
    """The glossary of a Workspace's content root (its own data/ or the bundled one)."""
    return load_glossary(
        ws.config.data_file(GLOSSARY_FILE), loaded(ws, "metrics"), loaded(ws, "taxonomy")
    )


def check_workspace(ws, doc_ids: set[str]) -> list[str]:
    """`kb check` hook: the glossary's errors as lines (none when it is valid or absent)."""
    path = ws.config.data_file(GLOSSARY_FILE)
    if not path.exists():
        return []
    try:
        workspace_glossary(ws)
    except DataError as exc:
        return str(exc).splitlines()
    return []
