"""The words search knows: the jieba user dictionary and query-time synonyms (data, not code)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.config import Config
from kb.metrics import MetricTree, load_metric_tree
from kb.problems import Taxonomy, load_taxonomy
from kb.yamlfile import DataError, load_yaml

_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Vocabulary:
    user_words: tuple[str, ...]
    groups: list[list[str]]
    metrics: MetricTree | None = None
    taxonomy: Taxonomy | None = None
    _syn: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for group in self.groups:
            for word in group:
                bucket = self._syn.setdefault(word.casefold(), [])
                for other in group:
                    if other.casefold() != word.casefold() and other not in bucket:
                        bucket.append(other)

    @classmethod
    def load(cls, config: Config) -> Vocabulary:
        metrics = taxonomy = None
        try:
            metrics = load_metric_tree(config.data_file("metrics.yaml"))
            taxonomy = load_taxonomy(config.data_file("problems.yaml"), metrics)
        except (DataError, OSError):
            pass  # `kb check` reports it; search still works without them
        words: set[str] = set()
        userdict = config.data_file("userdict.txt")
        if userdict.exists():
            for line in userdict.read_text(encoding="utf-8-sig").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    words.add(line.split()[0])
        groups: list[list[str]] = []
        synonyms = config.data_file("synonyms.yaml")
        if synonyms.exists():
            data = load_yaml(synonyms) or {}
            groups += [[str(w) for w in g] for g in data.get("groups") or [] if len(g) > 1]
        if metrics:
            for m in metrics.metrics.values():
                group = list(dict.fromkeys([m.name, m.zh, *m.aliases]))
                words.update(w for w in group if _CJK.search(w))
                # As search synonyms only the Chinese names and abbreviations (CTR, ROI): English
                # header aliases such as "cost" or "users" would match far too much.
                syn = [w for w in group if _CJK.search(w) or (w.isupper() and len(w) <= 5)]
                if len(syn) > 1:
                    groups.append(syn)
        glossary = config.data_file("glossary.yaml")
        if glossary.exists():
            try:
                for term in (load_yaml(glossary) or {}).get("terms") or []:
                    names = [term.get("term"), term.get("zh"), *(term.get("aliases") or [])]
                    names = list(dict.fromkeys(str(w).strip() for w in names if w))
                    for w in names:
                        if w and _CJK.search(w) and len(w) <= 8:
                            words.add(w)
                    # the glossary's aliases are query-time synonyms too (私域 finds 社群), with
                    # the same rule as metric names: Chinese words and short abbreviations
                    syn = [w for w in names if _CJK.search(w) or (w.isupper() and len(w) <= 5)]
                    if len(syn) > 1:
                        groups.append(syn)
            except (DataError, AttributeError, TypeError):
                pass
        words = {w for w in words if " " not in w}
        return cls(tuple(sorted(words)), groups, metrics, taxonomy)

    def synonyms_of(self, word: str) -> list[str]:
        return list(self._syn.get(word.casefold(), ()))

    def suggestions_for(self, terms: list[str]) -> list[str]:
        """Other words worth trying when a search found nothing: synonyms, problem names."""
        out: list[str] = []
        for term in terms:
            out += self.synonyms_of(term)
            if self.taxonomy:
                for p in self.taxonomy:
                    if term and (term in p.name.zh or term.casefold() in p.name.en.casefold()):
                        out.append(p.name.zh)
        return list(dict.fromkeys(out))[:8]
