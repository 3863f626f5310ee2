"""The search box's small query language, as users know it from other tools.

转化率 下降              both words (each may also match as a substring)
"详情页 加载"            exact phrase
-抖音  -"双11"           exclude text
kind:case  tag:抖音  problem:traffic-drop  metric:ROI  after:2026-01-01  before:2026-06-30
industry:美妆  platform:抖音  tactic:直播  state:draft      (case fields, drafts)
-kind:case  -tag:抖音  -problem:x                          exclude a filter value

Problems with a query come back as ``QueryMessage`` (a code with parameters, both languages):
the engine never picks the language (the UI and the CLI do).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kb.problems import Text

MAX_QUERY_CHARS = 500  # longer queries are cut here (with a message); nobody types more
# keyword filters: query name -> index field (values are matched exactly, tags case-insensitively)
KEYWORD_FILTERS = {
    "kind": "kind",
    "tag": "tags",
    "problem": "problems",
    "metric": "metrics",
    "industry": "industry",
    "platform": "platforms",
    "tactic": "tactics",
    "state": "state",
}
DATE_FILTERS = ("after", "before")
FILTER_FIELDS = (*KEYWORD_FILTERS, *DATE_FILTERS)
_TOKEN = re.compile(r'(-?)(?:([A-Za-z]\w*):)?(?:"([^"]*)"|(\S+))')

MESSAGES = {
    "bad_date": Text(
        "{name}:{value} 不是日期；请写成 {name}:YYYY-MM-DD",
        "{name}:{value} is not a date; write {name}:YYYY-MM-DD",
    ),
    "negated_date": Text(
        "-{name}: 不能排除日期；请用 {other}:{value}",
        "-{name}: cannot be negated; use {other}:{value}",
    ),
    "bad_kind": Text(
        "kind:{value} 不是文档类型；可用：{choices}",
        "kind:{value} is not a document kind; use one of: {choices}",
    ),
    "bad_problem": Text(
        "problem:{value} 不是已知的问题类型（写问题类型的 id 或名称）",
        "problem:{value} is not a known problem type (write its id or name)",
    ),
    "bad_state": Text(
        "state:{value} 无效；可用：draft、published、all",
        "state:{value} is not valid; use draft, published or all",
    ),
    "empty_filter": Text(
        "{name}: 后面缺少值，例如 {name}:{example}",
        "{name}: needs a value, e.g. {name}:{example}",
    ),
    "too_long": Text(
        "查询太长，只按前 {max} 个字符搜索",
        "The query is too long; only its first {max} characters were searched",
    ),
    "no_terms": Text(
        "查询里没有可搜索的词（只有标点或符号）；请输入文字、数字或指标名",
        "The query has no searchable word (only punctuation or symbols); type words, numbers "
        "or a metric name",
    ),
    # the index (kb/indexing.py, kb/search.py)
    "index_not_folder": Text(
        "搜索索引无法使用：{path} 是一个文件，但这里需要文件夹。请移走或改名该文件后重试。",
        "The search index cannot be used: {path} is a file where a folder is needed. Move or "
        "rename that file and try again.",
    ),
    "index_lock_folder": Text(
        "搜索索引无法使用：锁文件的位置 {path} 是一个文件夹。请删除该文件夹后重试。",
        "The search index cannot be used: the lock file's place {path} is a folder. Remove "
        "that folder and try again.",
    ),
    "index_unusable": Text(
        "搜索索引无法写入 {path}：{error}",
        "The search index cannot be written at {path}: {error}",
    ),
    "index_rebuilt": Text(
        "搜索索引已损坏，已根据文档自动重建。",
        "The search index was damaged and has been rebuilt from the documents.",
    ),
}
_EXAMPLES = {
    "kind": "case",
    "tag": "抖音",
    "problem": "traffic-drop",
    "metric": "ROI",
    "industry": "美妆",
    "platform": "抖音",
    "tactic": "直播",
    "state": "draft",
    "after": "2026-01-01",
    "before": "2026-06-30",
}


@dataclass(frozen=True)
class QueryMessage:
    """A problem with the query: a code and its parameters; ``text`` has both languages."""

    code: str
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> Text:
        template = MESSAGES[self.code]
        return Text(template.zh.format(**self.params), template.en.format(**self.params))

    def get(self, lang: str = "zh") -> str:
        return self.text.get(lang)

    def __str__(self) -> str:  # for logs and tracebacks only; users get get(lang)
        return self.text.en

    def to_json(self) -> dict:
        return {"code": self.code, "params": self.params}


@dataclass
class ParsedQuery:
    terms: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    # filter name (a KEYWORD_FILTERS key) -> values that must / must not match
    include: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    after: dt.date | None = None
    before: dt.date | None = None
    errors: list[QueryMessage] = field(default_factory=list)
    truncated: bool = False

    @property
    def text(self) -> str:
        """The free text part (terms and phrases), for exact-title matching and highlighting."""
        return " ".join(self.terms + self.phrases)

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.phrases)

    def values(self, name: str) -> list[str]:
        return self.include.get(name, [])

    # the filters by their old names (callers and tests read these)
    @property
    def kinds(self) -> list[str]:
        return self.values("kind")

    @property
    def tags(self) -> list[str]:
        return self.values("tag")

    @property
    def problems(self) -> list[str]:
        return self.values("problem")

    @property
    def metrics(self) -> list[str]:
        return self.values("metric")


def _date(value: str, name: str, errors: list[QueryMessage]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(QueryMessage("bad_date", {"name": name, "value": value}))
        return None


def parse_query(text: str, max_chars: int = MAX_QUERY_CHARS) -> ParsedQuery:
    """Split a query into terms, phrases, exclusions and filters (linear in its length; a
    query longer than ``max_chars`` is cut there, with a message)."""
    q = ParsedQuery()
    text = text.strip()
    if len(text) > max_chars:
        text = text[:max_chars]
        q.truncated = True
        q.errors.append(QueryMessage("too_long", {"max": max_chars}))
    for m in _TOKEN.finditer(text):
        negate, name, quoted, bare = m.group(1), m.group(2), m.group(3), m.group(4)
        value = quoted if quoted is not None else bare
        low = name.lower() if name else None
        if low in FILTER_FIELDS:
            value = value.strip()
            if not value:
                q.errors.append(
                    QueryMessage("empty_filter", {"name": low, "example": _EXAMPLES[low]})
                )
            elif low in DATE_FILTERS:
                if negate:
                    other = "before" if low == "after" else "after"
                    q.errors.append(
                        QueryMessage("negated_date", {"name": low, "other": other, "value": value})
                    )
                elif low == "after":
                    q.after = _date(value, low, q.errors)
                else:
                    q.before = _date(value, low, q.errors)
            else:
                target = q.exclude if negate else q.include
                target.setdefault(low, []).append(value)
            continue
        if not name and bare and bare.endswith(":") and bare[:-1].lower() in FILTER_FIELDS:
            low = bare[:-1].lower()  # "tag:" with nothing after it
            q.errors.append(QueryMessage("empty_filter", {"name": low, "example": _EXAMPLES[low]}))
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
