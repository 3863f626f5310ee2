"""How fresh the knowledge is: platform-rule claims cite sources and carry a review date.

Platform rules (ad products, store scores, dispatch deadlines, disclosure rules) change every
year, so a document or problem type that states them is *rule-dependent* and must say where the
claim comes from (``sources:``, a list of links or descriptions) and when it was last checked
(``reviewed: YYYY-MM-DD``). Rule-dependent means, deliberately simple:

- a document with ``platform_rules: true`` or a tag naming a platform rule product
  (``RULE_TAGS``: 千川, 全站推广, 万相台, 直通车, 体验分, DSR, 蒲公英, 报备 ...). A tag that only
  names the platform (淘宝, 抖音) says where a case happened, not that it states a rule;
- a problem type in problems.yaml with ``platform_rules: true``.

A saved article's own ``source`` link counts as its citation and its ``published`` (else ``created``)
date as when its claims held, so an imported page tagged 千川 passes without extra fields.

A document whose last review (``reviewed``, else ``updated``, else ``created``) is more than
``STALE_AFTER_DAYS`` old is *stale*: the app marks it and lists it. A problem type is stale when
its ``reviewed`` date is that old; one without a date is listed only if it is rule-dependent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kb.documents import Document
from kb.problems import Text
from kb.yamlfile import DataError, load_yaml

STALE_AFTER_DAYS = 365
# Knowledge kinds; other kinds (e.g. action-log entries) are records of what happened, not
# claims that go out of date.
KNOWLEDGE_KINDS = frozenset({"playbook", "article", "case"})
RULE_TAGS = frozenset(
    {
        "千川",
        "巨量千川",
        "全站推广",
        "全域推广",
        "万相台",
        "万相台无界",
        "直通车",
        "质量分",
        "聚光",
        "蒲公英",
        "报备",
        "京准通",
        "体验分",
        "商家体验分",
        "DSR",
        "店铺评分",
        "店铺风向标",
        "品质退货率",
        "发货时效",
        "价格力",
        "平台规则",
    }
)


@dataclass(frozen=True)
class Review:
    """One document or problem type as the review page lists it."""

    kind: str  # playbook | case | article | problem
    id: str
    title: Text
    rule_dependent: bool
    reviewed: dt.date | None  # the last date someone vouched for it
    sources: tuple[str, ...]
    missing: tuple[str, ...]  # "sources", "reviewed": what a rule-dependent item lacks

    def age_days(self, today: dt.date) -> int | None:
        return (today - self.reviewed).days if self.reviewed else None

    def is_stale(self, today: dt.date, days: int = STALE_AFTER_DAYS) -> bool:
        age = self.age_days(today)
        return age is None or age > days


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _sources(value) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(str(v).strip() for v in value if v is not None and str(v).strip())


def rule_tags(doc: Document) -> list[str]:
    return [t for t in doc.tags if t in RULE_TAGS]


def is_rule_dependent(doc: Document) -> bool:
    if doc.kind not in KNOWLEDGE_KINDS:
        return False
    return doc.meta.get("platform_rules") is True or bool(rule_tags(doc))


def _missing(rule_dependent: bool, sources: tuple[str, ...], reviewed) -> tuple[str, ...]:
    if not rule_dependent:
        return ()
    out = []
    if not sources:
        out.append("sources")
    if _date(reviewed) is None:
        out.append("reviewed")
    return tuple(out)


def document_review(doc: Document) -> Review:
    meta = doc.meta
    sources = _sources(meta.get("sources"))
    checked = meta.get("reviewed")
    if doc.kind == "article":
        # A saved article is a dated copy of someone else's page: its `source` link is the citation
        # and its publication (or capture) date is when the claims were true.
        if doc.source.startswith(("http://", "https://")):
            sources = (doc.source, *sources)
        checked = checked or meta.get("published") or doc.created
    rule = is_rule_dependent(doc)
    last = _date(meta.get("reviewed")) or _date(meta.get("updated")) or _date(doc.created)
    return Review(
        kind=doc.kind,
        id=doc.id,
        title=Text(doc.title, doc.title),
        rule_dependent=rule,
        reviewed=last,
        sources=sources,
        missing=_missing(rule, sources, checked),
    )


def document_errors(doc: Document) -> list[str]:
    """`kb check` lines for one document: malformed fields, or rule claims without sources."""
    if doc.kind not in KNOWLEDGE_KINDS:
        return []
    where = str(doc.path or doc.id)
    meta = doc.meta
    errors = []
    raw = meta.get("sources")
    if raw is not None and (
        not isinstance(raw, list) or not all(isinstance(s, str) and s.strip() for s in raw)
    ):
        errors.append(f"{where}: sources: must be a list of links or descriptions, e.g. [url, …]")
    if "platform_rules" in meta and not isinstance(meta["platform_rules"], bool):
        errors.append(f"{where}: platform_rules: write true or false")
    review = document_review(doc)
    if review.missing:
        why = f"tag {', '.join(rule_tags(doc))}" if rule_tags(doc) else "platform_rules: true"
        errors.append(
            f"{where}: {'/'.join(review.missing)}: states platform rules ({why}) but has no "
            f"{' and no '.join(review.missing)}; add `sources: [link, …]` (where each rule comes "
            "from; write 未核实 in the text where you could not check it) and `reviewed: "
            "YYYY-MM-DD` (the date it was true)"
        )
    return errors


@lru_cache(maxsize=4)
def _entries_cached(path: str, mtime_ns: int) -> tuple[dict, ...]:
    data = load_yaml(Path(path))
    problems = data.get("problems") if isinstance(data, dict) else None
    return tuple(p for p in problems or [] if isinstance(p, dict) and p.get("id"))


def _problem_entries(ws) -> tuple[dict, ...]:
    """The raw problem entries (read-only), cached until problems.yaml changes."""
    path = ws.config.data_file("problems.yaml")
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise DataError(f"{path}: file not found") from None
    return _entries_cached(str(path), mtime)


def _problem_title(raw: dict) -> Text:
    name = raw.get("name")
    if isinstance(name, dict):
        return Text(str(name.get("zh") or raw["id"]), str(name.get("en") or ""))
    return Text(str(name or raw["id"]), "")


def problem_reviews(ws) -> list[Review]:
    out = []
    for raw in _problem_entries(ws):
        sources = _sources(raw.get("sources"))
        rule = raw.get("platform_rules") is True
        out.append(
            Review(
                kind="problem",
                id=str(raw["id"]),
                title=_problem_title(raw),
                rule_dependent=rule,
                reviewed=_date(raw.get("reviewed")),
                sources=sources,
                missing=_missing(rule, sources, raw.get("reviewed")),
            )
        )
    return out


def problem_errors(ws) -> list[str]:
    """`kb check` lines for problems.yaml: rule-dependent types without sources or review date."""
    try:
        entries = _problem_entries(ws)
    except DataError:
        return []  # reported by the taxonomy's own check
    path = ws.config.data_file("problems.yaml")
    errors = []
    for raw in entries:
        where = f"{path}: problem '{raw['id']}'"
        if "platform_rules" in raw and not isinstance(raw["platform_rules"], bool):
            errors.append(f"{where}: platform_rules: write true or false")
        if raw.get("sources") is not None and not _sources(raw.get("sources")):
            errors.append(f"{where}: sources: must be a list of links or descriptions")
        if raw.get("reviewed") is not None and _date(raw.get("reviewed")) is None:
            errors.append(f"{where}: reviewed: {raw.get('reviewed')!r} is not a date (YYYY-MM-DD)")
        missing = _missing(
            raw.get("platform_rules") is True, _sources(raw.get("sources")), raw.get("reviewed")
        )
        if missing:
            errors.append(
                f"{where}: platform_rules: true but no {' and no '.join(missing)}; add "
                "`sources: [link, …]` and `reviewed: YYYY-MM-DD`"
            )
    return errors


def needs_review(ws, docs, today: dt.date, days: int = STALE_AFTER_DAYS) -> list[Review]:
    """Documents and problem types to re-check: stale or missing sources/review date.

    Rule-dependent items first (their facts go out of date), then the oldest review first.
    """
    knowledge = (d for d in docs if d.kind in KNOWLEDGE_KINDS)
    due = [r for r in map(document_review, knowledge) if r.missing or r.is_stale(today, days)]
    try:
        problems = problem_reviews(ws)
    except DataError:
        problems = []  # reported by `kb check`
    # A problem type without a review date is not tracked (the file carries no other date),
    # unless it states platform rules: then the missing date is itself the finding.
    due += [r for r in problems if r.missing or (r.reviewed and r.is_stale(today, days))]
    due.sort(key=lambda r: (not r.rule_dependent, r.reviewed or dt.date.min, r.kind, r.id))
    return due
