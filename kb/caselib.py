"""The case library: marketing cases from outside and our own post-mortems, by facet.

A case's library fields (front matter) are ``brand``, ``industry``, ``platforms``,
``objectives``, ``tactics``, ``budget``, ``results`` (metric, before, after, unit, source) and
``source_article`` (the article it was written from). Industries, platforms, objectives, tactics
and budget bands come from ``data/case_library.yaml`` so the facets stay clean and typos are
caught by ``kb check``. Here: load those lists, read and validate a case's fields, filter and
count by facet, find similar cases (same industry or tactic) and the playbooks for a case's
tactics, and pre-fill a case from an article (suggestions the user confirms).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kb.documents import Document, FieldError
from kb.yamlfile import DataError, load_yaml

FACETS = ("industries", "platforms", "objectives", "tactics", "budget_bands")
# front-matter field -> the list its values come from
FIELD_FACET = {
    "industry": "industries",
    "platforms": "platforms",
    "objectives": "objectives",
    "tactics": "tactics",
    "budget": "budget_bands",
}
LIST_FIELDS = ("platforms", "objectives", "tactics")


@dataclass(frozen=True)
class Term:
    name: str
    en: str
    aliases: tuple[str, ...] = ()
    playbooks: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" and self.en else self.name


@dataclass
class Library:
    lists: dict[str, dict[str, Term]]

    def terms(self, facet: str) -> list[Term]:
        return list(self.lists.get(facet, {}).values())

    def resolve(self, facet: str, word: str) -> str | None:
        """The list's own spelling for a name or alias (case-insensitive); None if unknown."""
        key = str(word).strip().casefold()
        for term in self.lists.get(facet, {}).values():
            if key == term.name.casefold() or key in (a.casefold() for a in term.aliases):
                return term.name
        return None

    def label(self, facet: str, name: str, lang: str = "zh") -> str:
        term = self.lists.get(facet, {}).get(name)
        return term.label(lang) if term else name


def parse_library(data: object, source: str = "case_library.yaml") -> Library:
    if not isinstance(data, dict):
        raise DataError(f"{source}: expected the lists {', '.join(FACETS)}")
    lists: dict[str, dict[str, Term]] = {}
    for facet in FACETS:
        items = data.get(facet) or []
        if not isinstance(items, list):
            raise DataError(f"{source}: {facet}: expected a list")
        terms: dict[str, Term] = {}
        for i, raw in enumerate(items, 1):
            if not isinstance(raw, dict) or not raw.get("name"):
                raise DataError(f"{source}: {facet} #{i}: needs at least 'name'")
            name = str(raw["name"])
            if name in terms:
                raise DataError(f"{source}: {facet}: '{name}' is listed twice")
            terms[name] = Term(
                name=name,
                en=str(raw.get("en") or name),
                aliases=tuple(str(a) for a in raw.get("aliases") or ()),
                playbooks=tuple(str(p) for p in raw.get("playbooks") or ()),
            )
        lists[facet] = terms
    return Library(lists)


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime_ns: int) -> Library:
    return parse_library(load_yaml(Path(path)), source=path)


def load_library(path: Path) -> Library:
    path = Path(path)
    return _load_cached(str(path), path.stat().st_mtime_ns)


def workspace_library(ws) -> Library:
    return load_library(ws.config.data_file("case_library.yaml"))


@dataclass(frozen=True)
class Result:
    metric: str
    before: float | None = None
    after: float | None = None
    unit: str = ""
    source: str = ""

    @property
    def change_pct(self) -> float | None:
        if self.before in (None, 0) or self.after is None:
            return None
        return (self.after / self.before - 1) * 100


@dataclass
class CaseInfo:
    """A case's library fields, typed (missing ones empty)."""

    doc: Document
    brand: str = ""
    industry: str = ""
    platforms: list[str] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    tactics: list[str] = field(default_factory=list)
    budget: str = ""
    results: list[Result] = field(default_factory=list)
    illustrative: bool = False
    source_article: str = ""

    @property
    def id(self) -> str:
        return self.doc.id

    @property
    def real(self) -> bool:
        """Real and sourced (not illustrative)."""
        return not self.illustrative

    @property
    def draft(self) -> bool:
        return self.doc.meta.get("state") == "draft"


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    return []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def case_info(doc: Document) -> CaseInfo:
    meta = doc.meta
    results = []
    for raw in meta.get("results") or []:
        if isinstance(raw, dict) and raw.get("metric"):
            results.append(
                Result(
                    metric=str(raw["metric"]),
                    before=_number(raw.get("before")),
                    after=_number(raw.get("after")),
                    unit=str(raw.get("unit") or ""),
                    source=str(raw.get("source") or ""),
                )
            )
    return CaseInfo(
        doc=doc,
        brand=str(meta.get("brand") or ""),
        industry=str(meta.get("industry") or ""),
        platforms=_list(meta.get("platforms")),
        objectives=_list(meta.get("objectives")),
        tactics=_list(meta.get("tactics")),
        budget=str(meta.get("budget") or ""),
        results=results,
        illustrative=bool(meta.get("illustrative")),
        source_article=str(meta.get("source_article") or ""),
    )


def check_case(doc: Document, library: Library, docs: dict[str, Document] | None = None):
    """Problems with a case's library fields, each naming the file and the field."""
    where = str(doc.path or doc.id)
    meta = doc.meta
    errors: list[FieldError] = []
    for name, facet in FIELD_FACET.items():
        value = meta.get(name)
        if value in (None, "", []):
            continue
        if name in LIST_FIELDS:
            if not isinstance(value, (list, str)):
                errors.append(
                    FieldError(
                        where,
                        name,
                        "must be a list of names, e.g. [抖音, 小红书]",
                        "要写成名称列表, 例如 [抖音, 小红书]",
                    )
                )
                continue
            values = _list(value)
        elif not isinstance(value, str):
            errors.append(FieldError(where, name, "must be one name", "只能写一个名称"))
            continue
        else:
            values = [value]
        for v in values:
            if v in library.lists[facet]:
                continue
            known = library.resolve(facet, v)
            hint = f"write '{known}'" if known else f"add it to data/case_library.yaml ({facet})"
            zh_hint = (
                f"请写成 '{known}'" if known else f"先把它加到 data/case_library.yaml ({facet})"
            )
            errors.append(
                FieldError(
                    where,
                    name,
                    f"'{v}' is not in the {facet} list: {hint}",
                    f"'{v}' 不在列表中: {zh_hint}",
                )
            )
    raw_results = meta.get("results")
    if raw_results is not None:
        if not isinstance(raw_results, list):
            errors.append(
                FieldError(
                    where,
                    "results",
                    "must be a list of {metric, before, after, unit, source}",
                    "要写成列表: {metric, before, after, unit, source}",
                )
            )
        else:
            for i, raw in enumerate(raw_results, 1):
                errors += _check_result(raw, i, where, illustrative=bool(meta.get("illustrative")))
    article = meta.get("source_article")
    if article and docs is not None:
        target = docs.get(str(article))
        if target is None or target.kind != "article":
            errors.append(
                FieldError(
                    where,
                    "source_article",
                    f"'{article}' is not an article in the knowledge base",
                    f"知识库里没有文章 '{article}'",
                )
            )
    return errors


def _check_result(raw: Any, i: int, where: str, illustrative: bool) -> list[FieldError]:
    name = f"results[{i}]"
    if not isinstance(raw, dict):
        return [
            FieldError(
                where,
                name,
                "must be a mapping {metric, before, after, unit, source}",
                "要写成 {metric, before, after, unit, source}",
            )
        ]
    out = []
    unknown = set(raw) - {"metric", "before", "after", "unit", "source"}
    if unknown:
        out.append(
            FieldError(
                where,
                name,
                f"unknown key(s) {', '.join(sorted(unknown))}",
                f"未知的键 {', '.join(sorted(unknown))}",
            )
        )
    if not raw.get("metric") or not isinstance(raw.get("metric"), str):
        out.append(
            FieldError(
                where, name, "needs 'metric' (what was measured)", "缺少 metric (衡量的是什么)"
            )
        )
    for key in ("before", "after"):
        value = raw.get(key)
        if value is not None and _number(value) is None:
            out.append(
                FieldError(
                    where, f"{name}.{key}", f"{value!r} is not a number", f"{value!r} 不是数字"
                )
            )
    if raw.get("before") is None and raw.get("after") is None:
        out.append(
            FieldError(
                where,
                name,
                "give 'after' (and 'before' where known)",
                "请填写 after (知道的话也填 before)",
            )
        )
    if not illustrative and not str(raw.get("source") or "").strip():
        out.append(
            FieldError(
                where,
                f"{name}.source",
                "a real case names the source of each number (a link); or mark the case "
                "illustrative: true",
                "真实案例的每个数字都要注明出处 (链接); 否则请标记为示意案例 (illustrative: true)",
            )
        )
    return out


def infos(collection, include_drafts: bool = False) -> list[CaseInfo]:
    out = [case_info(d) for d in collection.docs.values() if d.kind == "case"]
    return [c for c in out if include_drafts or not c.draft]


def facet_counts(cases: list[CaseInfo]) -> dict[str, Counter]:
    counts = {
        "industry": Counter(),
        "platform": Counter(),
        "objective": Counter(),
        "tactic": Counter(),
    }
    counts["real"] = Counter()
    counts["problem"] = Counter()
    for c in cases:
        if c.industry:
            counts["industry"][c.industry] += 1
        counts["platform"].update(c.platforms)
        counts["objective"].update(c.objectives)
        counts["tactic"].update(c.tactics)
        counts["real"]["real" if c.real else "illustrative"] += 1
        counts["problem"].update(c.doc.problems)
    return counts


def filter_cases(
    cases: list[CaseInfo],
    industry: list[str] | None = None,
    platform: list[str] | None = None,
    objective: list[str] | None = None,
    tactic: list[str] | None = None,
    real: str | None = None,  # real | illustrative | None (both)
    problem: str | None = None,
) -> list[CaseInfo]:
    """Cases matching every given facet (any of the values within one facet)."""

    def keep(c: CaseInfo) -> bool:
        return (
            (not industry or c.industry in industry)
            and (not platform or set(platform) & set(c.platforms))
            and (not objective or set(objective) & set(c.objectives))
            and (not tactic or set(tactic) & set(c.tactics))
            and (real is None or (real == "real") == c.real)
            and (not problem or problem in c.doc.problems)
        )

    return [c for c in cases if keep(c)]


def playbooks_for(case: CaseInfo, library: Library, docs: dict[str, Document]) -> list[Document]:
    """The playbooks listed for the case's tactics, in tactic order, each once."""
    out: list[Document] = []
    for tactic in case.tactics:
        term = library.lists["tactics"].get(tactic)
        for pid in term.playbooks if term else ():
            doc = docs.get(pid)
            if doc is not None and doc.kind == "playbook" and doc not in out:
                out.append(doc)
    return out


def cases_from_article(article_id: str, cases: list[CaseInfo]) -> list[CaseInfo]:
    return [c for c in cases if c.source_article == article_id]


# ---- article -> case: suggestions the user confirms ---------------------------------------

_METRIC_WORDS = (
    "GMV|销售额|成交额|成交|销量|订单|曝光|播放|阅读|浏览|互动|点赞|收藏|评论|转发|粉丝|关注|"
    "会员|入会|复购|转化率|转化|ROI|投产|客单价|搜索|进店|加购|UV|访客|拉新|新客|声量|话题|"
    "热搜|观看|场观|GPM|增长|提升|同比|环比"
)
_NUMBER = r"\d+(?:[.,]\d+)*\s*(?:%|％|万|亿|倍|w|W|k|K)?"
_CLAUSE = re.compile(r"[^。！？!?；;\n]{0,40}?(?:" + _METRIC_WORDS + r")[^。！？!?；;\n]{0,40}")
_HAS_NUMBER = re.compile(_NUMBER)
_BRAND_SPLIT = re.compile(r"\s*(?:×|✕|x|X|丨|\||:|：|——|-|的)\s*")


@dataclass
class NumberHint:
    text: str  # the clause the number stands in
    metric: str  # the metric word found
    value: str  # the number as written (with 万/亿/%)


@dataclass
class CaseSuggestion:
    title: str
    brand: str
    industry: str | None
    platforms: list[str]
    tactics: list[str]
    objectives: list[str]
    numbers: list[NumberHint]
    period: str
    summary: str


def _hits(library: Library, facet: str, text: str) -> list[tuple[str, int]]:
    found = []
    low = text.casefold()
    for term in library.terms(facet):
        words = {term.name, *term.aliases}
        n = sum(low.count(w.casefold()) for w in words if len(w) >= 2)
        if n:
            found.append((term.name, n))
    found.sort(key=lambda pair: -pair[1])
    return found


_SCALE = {"万": 1e4, "w": 1e4, "W": 1e4, "亿": 1e8, "k": 1e3, "K": 1e3}


def parse_hint_value(value: str) -> tuple[float | None, str]:
    """'3亿' -> (300000000, ''); '15%' -> (15, '%'); '4.5倍' -> (4.5, '倍')."""
    match = re.match(r"^(\d+(?:[.,]\d+)*)\s*(%|％|万|亿|倍|w|W|k|K)?$", value.strip())
    if not match:
        return None, ""
    try:
        number = float(match[1].replace(",", ""))
    except ValueError:
        return None, ""
    suffix = match[2] or ""
    if suffix in _SCALE:
        return number * _SCALE[suffix], ""
    return number, "%" if suffix in ("%", "％") else suffix


def numbers_in(text: str, limit: int = 12) -> list[NumberHint]:
    """Clauses that state a number about a metric ("曝光破 2 亿", "ROI 达到 4.5")."""
    out: list[NumberHint] = []
    seen: set[str] = set()
    for match in _CLAUSE.finditer(text):
        clause = match.group(0).strip(" ,，、")
        num = _HAS_NUMBER.search(clause)
        metric = re.search(_METRIC_WORDS, clause)
        if not num or not metric or clause in seen or re.fullmatch(r"\d{4}", num.group(0)):
            continue
        seen.add(clause)
        out.append(NumberHint(clause, metric.group(0), num.group(0).replace(" ", "")))
        if len(out) >= limit:
            break
    return out


def suggest_from_article(doc: Document, library: Library) -> CaseSuggestion:
    """What the article seems to say, for the user to confirm (never saved as is)."""
    text = f"{doc.title}\n{doc.summary}\n{doc.body}"
    first = _BRAND_SPLIT.split(doc.title.strip(), maxsplit=1)[0].strip("《》「」【】 ")
    brand = first if 1 < len(first) <= 12 and first != doc.title.strip() else ""
    industries = _hits(library, "industries", text)
    published = doc.meta.get("published") or doc.created
    period = f"{published:%Y-%m}" if hasattr(published, "strftime") else ""
    years = re.findall(r"20[2-3]\d年(?:\d{1,2}月)?", text)
    if years:
        y = re.match(r"(20\d\d)年(?:(\d{1,2})月)?", years[0])
        period = f"{y[1]}-{int(y[2]):02d}" if y[2] else y[1]
    return CaseSuggestion(
        title=doc.title,
        brand=brand,
        industry=industries[0][0] if industries else None,
        platforms=[n for n, _ in _hits(library, "platforms", text)][:4],
        tactics=[n for n, _ in _hits(library, "tactics", text)][:4],
        objectives=[],
        numbers=numbers_in(text),
        period=period,
        summary=doc.summary,
    )


CASE_BODY = {
    "zh": "## 背景\n\n{background}\n\n## 做法\n\n\n## 结果\n\n{results}\n\n## 复盘: 我们能学什么\n\n\n"
    "> 整理自文章 [{article}](/read?doc={article_id})。数字以原文为准。\n",
    "en": "## Background\n\n{background}\n\n## What they did\n\n\n## Results\n\n{results}\n\n"
    "## What we can learn\n\n\n> Summarised from the article [{article}](/read?doc={article_id}). "
    "The numbers are the source's.\n",
}


def case_from_article(
    article: Document,
    case_id: str,
    title: str,
    fields: dict[str, Any],
    lang: str = "zh",
    created=None,
) -> Document:
    """A new case document linked to its article (fields: brand, industry, platforms, ...).

    The body is a skeleton in our own structure with the article's summary as background; the
    user writes the rest in their own words."""
    import datetime as dt

    results = [r for r in fields.get("results") or [] if r.get("metric")]
    lines = []
    for r in results:
        before = "" if r.get("before") is None else f"{r['before']} → "
        lines.append(f"- {r['metric']}: {before}{r.get('after')} {r.get('unit') or ''}".rstrip())
    meta = {
        k: v
        for k, v in {
            "brand": fields.get("brand") or None,
            "industry": fields.get("industry") or None,
            "platforms": fields.get("platforms") or None,
            "objectives": fields.get("objectives") or None,
            "tactics": fields.get("tactics") or None,
            "budget": fields.get("budget") or None,
            "results": results or None,
            "period": fields.get("period") or None,
            "source_article": article.id,
            "illustrative": bool(fields.get("illustrative")) or None,
            "state": fields.get("state") or None,
        }.items()
        if v is not None
    }
    body = CASE_BODY[lang].format(
        background=article.summary or "",
        results="\n".join(lines),
        article=article.title,
        article_id=article.id,
    )
    return Document(
        id=case_id,
        kind="case",
        title=title,
        body=body,
        problems=list(fields.get("problems") or []),
        tags=list(fields.get("tags") or []),
        created=created or dt.date.today(),
        summary=fields.get("summary") or article.summary,
        source=article.source,
        meta=meta,
    )
