"""The search box's small query language, as users know it from other tools.

转化率 下降              both words (each may also match as a substring)
"详情页 加载"            exact phrase
-抖音  -"双11"           exclude
kind:case  tag:抖音  problem:traffic-drop  metric:ROI  after:2026-01-01  before:2026-06-30
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

FILTER_FIELDS = ("kind", "tag", "problem", "metric", "after", "before")
_TOKEN = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"|(\S+))')


@dataclass
class ParsedQuery:
    terms: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    after: dt.date | None = None
    before: dt.date | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The free text part (terms and phrases), for exact-title matching and highlighting."""
        return " ".join(self.terms + self.phrases)

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.phrases)


def _date(value: str, name: str, errors: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(f"{name}:{value} is not a date; write {name}:YYYY-MM-DD")
        return None


def parse_query(text: str) -> ParsedQuery:
    q = ParsedQuery()
    for m in _TOKEN.finditer(text.strip()):
        negate, name, quoted, bare = m.group(1), m.group(2), m.group(3), m.group(4)
        value = quoted if quoted is not None else bare
        if name and name.lower() in FILTER_FIELDS and value:
            name = name.lower()
            if name == "after":
                q.after = _date(value, name, q.errors)
            elif name == "before":
                q.before = _date(value, name, q.errors)
            else:
                getattr(q, name + "s").append(value)
            continue
        if name:  # not a filter (e.g. a URL or "ROI:3"): keep the whole thing as text
            value = f"{name}:{value}"
        value = value.strip()
        if not value:
            continue
        if negate:
            q.excludes.append(value)
        elif quoted is not None:
            q.phrases.append(value)
        else:
            q.terms.append(value)
    return q
