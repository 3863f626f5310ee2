"""Main text and metadata from a web page, as Markdown, with trafilatura.

trafilatura finds the article body (dropping navigation, footers, scripts) and the title,
author, date and site name; it copes with Chinese pages. When it finds nothing useful the page
is sanitised and converted whole (``<title>`` + body text). Either way the Markdown is passed
through ``clean_markdown`` so no live HTML or script link is stored.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from dataclasses import dataclass

from kb.importers import limits
from kb.sanitize import clean_html, clean_markdown

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_META_TAG = re.compile(r"<meta\s[^>]*>", re.I)
_ATTR = re.compile(r"""([a-zA-Z:_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
MIN_TEXT_CHARS = 20


@dataclass
class Extracted:
    title: str = ""
    body: str = ""  # Markdown, cleaned
    author: str = ""
    site: str = ""
    published: dt.date | None = None
    description: str = ""


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Bytes to text: the declared charset, the page's <meta charset>, UTF-8, then GB18030."""
    candidates = [declared]
    m = _META_CHARSET.search(data[:4096])
    if m:
        candidates.append(m.group(1).decode("ascii", "ignore"))
    candidates += ["utf-8", "gb18030"]
    for name in candidates:
        if not name:
            continue
        name = {"gb2312": "gb18030", "gbk": "gb18030"}.get(name.lower(), name)
        try:
            return data.decode(name).lstrip("\ufeff")
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


def one_line(text: str, limit: int = limits.MAX_TITLE_CHARS) -> str:
    """Titles and names from outside: one line, no control characters, bounded."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text or "")
    return re.sub(r"\s+", " ", text).strip()[:limit]


def bound_body(md: str) -> str:
    md = clean_markdown(md or "").strip()
    if len(md) > limits.MAX_BODY_CHARS:
        md = md[: limits.MAX_BODY_CHARS] + "\n\n…（正文过长，已截断 / truncated）"
    return md


def _meta_fallback(html: str) -> dict[str, str]:
    """A few <meta> values trafilatura may leave out (author, site), read without parsing."""
    out: dict[str, str] = {}
    for tag in _META_TAG.findall(html[:200_000]):
        attrs = {k.lower(): (a or b or c) for k, a, b, c in _ATTR.findall(tag)}
        key = (attrs.get("name") or attrs.get("property") or "").lower()
        if key and "content" in attrs:
            out.setdefault(key, attrs["content"])
    return out


_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "published_time",
    "publishdate",
    "pubdate",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "date",
)
_DROP = ("nav", "header", "footer", "aside", "script", "style", "noscript", "form", "template")
MAX_FALLBACK_HTML = 1_000_000  # characters of main content converted when trafilatura falls short
SHORT_CHARS = 3000  # below this, a structure-less extraction is checked against the page itself


def _date(value: object) -> dt.date | None:
    """A publication date from a metadata value; None when it is not a plausible date."""
    m = _DATE.search(str(value or "")[:64])
    if not m:
        return None
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return day if 1990 <= day.year <= dt.date.today().year + 1 else None


def _json_ld_dates(data: object, depth: int = 0) -> list[object]:
    if depth > 8:
        return []
    if isinstance(data, list):
        return [v for item in data[:50] for v in _json_ld_dates(item, depth + 1)]
    if isinstance(data, dict):
        found = [data["datePublished"]] if "datePublished" in data else []
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "article"):
            if key in data:
                found += _json_ld_dates(data[key], depth + 1)
        return found
    return []


def published_date(tree) -> dt.date | None:
    """When the page says it was published: its metadata only, never a "© 2026" footer.

    In order: <meta> (article:published_time, og:…, pubdate, DC), JSON-LD ``datePublished``,
    then a ``<time datetime>`` in the content (not in navigation, header, footer or sidebars).
    Unknown stays None.
    """
    if tree is None:
        return None
    metas = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key and el.get("content"):
            metas.setdefault(key, el.get("content"))
    for el in tree.iter():
        if el.get("itemprop", "").lower() == "datepublished":
            metas.setdefault("datepublished", el.get("content") or el.get("datetime") or "")
    for key in _DATE_META:
        day = _date(metas.get(key))
        if day:
            return day
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads((script.text or "")[:200_000])
        except ValueError:
            continue
        for value in _json_ld_dates(data):
            day = _date(value)
            if day:
                return day
    for el in tree.iter("time"):
        if el.get("datetime") and not any(a.tag in _DROP for a in el.iterancestors()):
            day = _date(el.get("datetime"))
            if day:
                return day
    return None


def _parse(html: str):
    import lxml.html

    try:
        return lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None


def _drop_title_heading(body: str, title: str) -> str:
    lines = body.lstrip().split("\n", 1)
    if title and lines[0].lstrip("# ").strip() == title and lines[0].startswith("#"):
        return lines[1].lstrip("\n") if len(lines) > 1 else ""
    return body


def _main_markdown(tree) -> str:
    """The page's main content (``<main>``, ``<article>`` or the body without navigation,
    header, footer and sidebars), sanitised and converted to Markdown with its structure."""
    import lxml.html
    from markdownify import markdownify

    if tree is None:
        return ""
    tree = copy.deepcopy(tree)
    for el in list(tree.iter(*_DROP)):
        if el.getparent() is not None:
            el.drop_tree()
    for el in list(tree.iter()):
        if el.get("role") in ("navigation", "banner", "contentinfo") and el.getparent() is not None:
            el.drop_tree()
    main = next(iter(tree.iter("main", "article", "body")), tree)
    for tag in ("main", "article"):  # the most specific container the page marks up
        found = next(iter(tree.iter(tag)), None)
        if found is not None:
            main = found
            break
    html = lxml.html.tostring(main, encoding="unicode")[:MAX_FALLBACK_HTML]
    md = markdownify(clean_html(html), heading_style="ATX", strip=["img"], bullets="-")
    return re.sub(r"\n{3,}", "\n\n", md).strip()


_STRUCTURE = re.compile(r"^(?:#{1,6}\s|\s*(?:[-*+]|\d+[.)])\s)|\]\(", re.M)


def _structure(md: str) -> int:
    """Headings, list items and links in a Markdown text."""
    return len(_STRUCTURE.findall(md or ""))


def _html_structure(tree) -> int:
    """Headings, list items and links in the page's main content (what Markdown could keep)."""
    if tree is None:
        return 0
    root = next(iter(tree.iter("main")), None)
    root = root if root is not None else next(iter(tree.iter("article")), tree)
    count = 0
    for el in root.iter("h1", "h2", "h3", "h4", "h5", "h6", "li", "a"):
        if el.tag == "a" and not el.get("href"):
            continue
        if not any(a.tag in _DROP for a in el.iterancestors()):
            count += 1
    return count


def _best_body(extracted: str | None, tree) -> str:
    """trafilatura's text, unless it lost the page's structure (short pages: headings, numbered
    lists and links flattened to lines) or found nothing: then the page's main content."""
    extracted = (extracted or "").strip()
    if len(extracted) >= SHORT_CHARS and _structure(extracted):
        return extracted
    if len(extracted) >= MIN_TEXT_CHARS and _structure(extracted) >= _html_structure(tree):
        return extracted  # nothing was lost: no need to convert the page a second time
    fallback = _main_markdown(tree)
    if len(extracted) < MIN_TEXT_CHARS:
        return fallback or extracted
    if _structure(fallback) > _structure(extracted) and len(fallback) <= 2 * len(extracted) + 500:
        return fallback
    return extracted


def extract_html(html: str | bytes, url: str = "", charset: str | None = None) -> Extracted:
    """The article in a page: title, author, date, site, and the body as clean Markdown."""
    import trafilatura  # slow to import: only when a page is actually extracted

    if isinstance(html, bytes):
        html = decode_html(html, charset)
    html = _XML_DECL.sub("", html[: limits.MAX_PAGE_BYTES])
    if not html.strip():
        return Extracted()
    tree = _parse(html)
    meta = trafilatura.extract_metadata(html, default_url=url or None)
    extracted = trafilatura.extract(
        html,
        url=url or None,
        output_format="markdown",
        include_links=True,
        include_formatting=True,
        include_tables=True,
        include_images=False,
        include_comments=False,
        favor_recall=True,
        with_metadata=False,
    )
    body = _best_body(extracted, tree)
    extra = _meta_fallback(html)
    title_tag = _TITLE.search(html)
    title = one_line(
        (meta.title if meta else "")
        or (re.sub(r"<[^>]*>", "", title_tag.group(1)) if title_tag else "")
        or extra.get("og:title", "")
    )
    return Extracted(
        title=title,
        body=bound_body(_drop_title_heading(body, title)),
        author=one_line((meta.author if meta else "") or extra.get("author", ""), 100),
        site=one_line((meta.sitename if meta else "") or extra.get("og:site_name", ""), 100),
        published=published_date(tree),
        description=one_line((meta.description if meta else "") or "", 300),
    )


def extract_text(text: str, name: str = "") -> Extracted:
    """Plain text: the first non-empty line is the title; the text is kept as it is."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    title = one_line(first.lstrip("# ")) or one_line(name)
    return Extracted(title=title, body=bound_body(text))
