"""Suggested problem types, metrics and tags for an imported text, each with its reason.

The text is scanned once for the vocabulary the team already keeps: problem-type names (zh/en),
metric names and aliases (the metric tree), glossary terms (data/glossary.yaml, optional). A
problem type ranks higher when its name appears, when glossary terms linked to it appear, and
when the metrics of its signature are mentioned moving the way the signature says
("UV 下降了 21%"). The user accepts or changes the suggestions; nothing here is applied silently.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from kb.metrics import MetricTree
from kb.problems import Taxonomy
from kb.signatures import agreement
from kb.yamlfile import DataError, load_yaml

RULES_FILE = Path(__file__).with_name("suggest.yaml")
MAX_SCAN_CHARS = 200_000
NAME_WEIGHT = 3.0  # the problem type's own name appears in the text
GLOSSARY_WEIGHT, GLOSSARY_CAP = 0.5, 1.5  # per glossary term linked to the problem type
SPECIFIC_WEIGHT = 0.75  # per signature key agreeing beyond the first
_STOP = re.compile(r"[。，；！？,;!?\n]")
_LATIN = re.compile(r"[A-Za-z]")
_NEVER = re.compile(r"(?!)")


@dataclass
class Suggestion:
    value: str  # problem id, canonical metric name or tag
    score: float
    reasons: list[str] = field(default_factory=list)  # the words that matched

    def as_dict(self) -> dict:
        return {"value": self.value, "score": round(self.score, 2), "reasons": self.reasons}


@dataclass
class Suggestions:
    problems: list[Suggestion] = field(default_factory=list)
    metrics: list[Suggestion] = field(default_factory=list)
    tags: list[Suggestion] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: [s.as_dict() for s in getattr(self, k)] for k in ("problems", "metrics", "tags")}


@lru_cache(maxsize=1)
def _rules() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def load_glossary(path: Path | None) -> list[dict]:
    """Glossary terms, or [] when the file is absent or unreadable (suggestions still work)."""
    if path is None or not Path(path).is_file():
        return []
    try:
        data = load_yaml(Path(path))  # bounded: depth, aliases, size (a team-edited file)
    except (OSError, DataError):
        return []
    terms = data.get("terms") if isinstance(data, dict) else None
    return [t for t in terms or [] if isinstance(t, dict) and t.get("term")]


def _pattern(word: str) -> str:
    escaped = re.escape(word)
    if _LATIN.search(word):
        flags = "" if len(word) <= 3 else "(?i:"  # "PV" yes, "pv" in a URL no
        core = f"{flags}{escaped})" if flags else escaped
        return rf"(?<![A-Za-z0-9]){core}(?![A-Za-z0-9])"
    return escaped


@dataclass
class Vocabulary:
    """Every word worth matching -> what it points to: ('metric'|'problem'|'term', value)."""

    words: dict[str, set[tuple[str, str]]]
    regex: re.Pattern  # metric names/aliases and glossary terms
    names: re.Pattern  # problem-type names, matched separately so they hide no metric
    term_info: dict[str, dict]
    directions: re.Pattern
    direction_of: dict[str, str]
    window: int
    cues: dict[str, dict[str, re.Pattern]]  # signature key -> value -> pattern

    def lookup(self, matched: str) -> set[tuple[str, str]]:
        return self.words.get(matched) or self.words.get(matched.casefold(), set())


def _alternation(words: Iterable[str], flags: int = 0) -> re.Pattern:
    ordered = sorted(set(words), key=len, reverse=True)  # longest first: 点击率 before 点击
    return re.compile("|".join(_pattern(w) for w in ordered), flags) if ordered else _NEVER


def _only_problem(targets: set[tuple[str, str]]) -> bool:
    return all(kind == "problem" for kind, _ in targets)


def build_vocabulary(taxonomy: Taxonomy, metrics: MetricTree, glossary: list[dict]) -> Vocabulary:
    rules = _rules()
    ignore = {w.casefold() for w in rules.get("ignore_words", [])}
    words: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def add(word: object, target: tuple[str, str]) -> None:
        word = str(word or "").strip()
        if len(word) < 2 or word.casefold() in ignore or "_" in word:
            return
        if _LATIN.search(word) and word.islower() and " " not in word and len(word) <= 4:
            return  # lowercase CSV headers such as "uv", "roi": only the written forms count
        key = word.casefold() if _LATIN.search(word) and len(word) > 3 else word
        words[key].add(target)

    for word, name in metrics.all_words().items():
        add(word, ("metric", name))
    for m in metrics.metrics.values():
        add(m.en, ("metric", m.name))
    for p in taxonomy:
        add(p.name.zh, ("problem", p.id))
        add(p.name.en, ("problem", p.id))
    term_info = {}
    for t in glossary:
        term = str(t["term"])
        term_info[term] = t
        for word in (term, t.get("zh"), t.get("en"), *(t.get("aliases") or [])):
            add(word, ("term", term))
    regex = _alternation(w for w in words if not _only_problem(words[w]))
    names = _alternation(w for w in words if any(k == "problem" for k, _ in words[w]))
    direction_of = {}
    for move, dwords in (rules.get("directions") or {}).items():
        for w in dwords:
            direction_of.setdefault(str(w).casefold(), move)
    dregex = re.compile(
        "|".join(_pattern(w) for w in sorted(direction_of, key=len, reverse=True)), re.I
    )
    cues = {
        key: {
            value: _alternation(map(str, ws), re.I) for value, ws in (rules.get(key) or {}).items()
        }
        for key in ("dimensions", "concentration")
    }
    cues["dimension"] = cues.pop("dimensions")
    return Vocabulary(
        dict(words),
        regex,
        names,
        term_info,
        dregex,
        direction_of,
        int(rules.get("window", 14)),
        cues,
    )


@lru_cache(maxsize=4)
def _cached_vocabulary(
    taxonomy: Taxonomy, metrics: MetricTree, path: str, mtime: int
) -> Vocabulary:
    return build_vocabulary(taxonomy, metrics, load_glossary(Path(path) if path else None))


def vocabulary_for(taxonomy: Taxonomy, metrics: MetricTree, glossary: Path | None) -> Vocabulary:
    """The vocabulary, rebuilt only when the taxonomy, metric tree or glossary file changes."""
    path = Path(glossary) if glossary is not None and Path(glossary).is_file() else None
    mtime = path.stat().st_mtime_ns if path else 0
    return _cached_vocabulary(taxonomy, metrics, str(path or ""), mtime)


def _direction(vocab: Vocabulary, text: str, end: int) -> str | None:
    window = text[end : end + vocab.window]
    stop = _STOP.search(window)
    if stop:
        window = window[: stop.start()]
    m = vocab.directions.search(window)
    return vocab.direction_of.get(m.group(0).casefold()) if m else None


def suggest(text: str, taxonomy: Taxonomy, vocab: Vocabulary, limit: int = 5) -> Suggestions:
    """Ranked problem types, metrics and tags for this text; the reasons are the matched words."""
    text = (text or "")[:MAX_SCAN_CHARS]
    metric_hits: Counter[str] = Counter()
    metric_words: dict[str, list[str]] = defaultdict(list)
    moves: dict[str, set[str]] = defaultdict(set)
    problem_reasons: dict[str, list[str]] = defaultdict(list)
    problem_score: Counter[str] = Counter()
    term_hits: Counter[str] = Counter()
    glossary_bonus: Counter[str] = Counter()
    cue_words: dict[tuple[str, str], str] = {}
    for m in vocab.names.finditer(text):
        for kind, value in vocab.lookup(m.group(0)):
            if kind == "problem" and m.group(0) not in problem_reasons[value]:
                problem_score[value] += NAME_WEIGHT
                problem_reasons[value].append(m.group(0))
    for m in vocab.regex.finditer(text):
        word = m.group(0)
        for kind, value in vocab.lookup(word):
            if kind == "metric":
                metric_hits[value] += 1
                if word not in metric_words[value]:
                    metric_words[value].append(word)
                move = _direction(vocab, text, m.end())
                if move:
                    moves[value].add(move)
            elif kind == "term":
                term_hits[value] += 1
    for term in term_hits:
        info = vocab.term_info.get(term, {})
        if info.get("metric") and info["metric"] not in metric_hits:
            metric_hits[str(info["metric"])] += term_hits[term]
            metric_words[str(info["metric"])].append(term)
        for pid in info.get("problems") or []:
            if pid in taxonomy and term not in problem_reasons[pid]:
                glossary_bonus[pid] = min(glossary_bonus[pid] + GLOSSARY_WEIGHT, GLOSSARY_CAP)
                problem_reasons[pid].append(term)
    problem_score.update(glossary_bonus)
    for key, values in vocab.cues.items():
        for value, pattern in values.items():
            hit = pattern.search(text)
            if hit:
                moves[key].add(value)
                cue_words[(key, value)] = hit.group(0)
    for p in taxonomy:
        keys = list(p.signature)
        fit = agreement(p.signature, moves)  # the one signature scorer (kb.signatures)
        agree, against = list(fit.agreed), list(fit.against)
        mentioned = [k for k in keys if metric_hits.get(k)]
        if not agree and not problem_score[p.id]:
            continue
        unsure = len([k for k in mentioned if k not in agree and k not in against])
        score = (2.0 * len(agree) + 0.5 * unsure - 1.0 * len(against)) / len(keys)
        score += SPECIFIC_WEIGHT * max(len(agree) - 1, 0)  # a fuller match is more specific
        if score <= 0:
            continue
        problem_score[p.id] += score
        for k in agree + [k for k in mentioned if k not in agree]:
            if k in vocab.cues:
                value = next(v for v in p.signature[k] if v in moves[k])
                reason = f"{cue_words[(k, value)]}({value})"
            else:
                seen = "/".join(sorted(moves.get(k, ())))
                reason = f"{metric_words[k][0]}{'(' + seen + ')' if seen else ''}"
            if reason not in problem_reasons[p.id]:
                problem_reasons[p.id].append(reason)
    problems = [
        Suggestion(pid, score, problem_reasons[pid])
        for pid, score in sorted(problem_score.items(), key=lambda kv: (-kv[1], kv[0]))
        if score >= 1.0
    ][:limit]
    metrics = [
        Suggestion(name, float(n), metric_words[name]) for name, n in metric_hits.most_common(limit)
    ]
    tag_counts = Counter({name: n for name, n in metric_hits.items() if n >= 2})
    tag_counts.update(
        {
            term: n
            for term, n in term_hits.items()
            if term not in metric_hits and vocab.term_info[term].get("metric") not in tag_counts
        }
    )
    tags = [
        Suggestion(tag, float(n), metric_words.get(tag) or [tag])
        for tag, n in tag_counts.most_common(limit)
    ]
    return Suggestions(problems, metrics, tags)
