"""Main text and metadata from a web page, as Markdown, with trafilatura.

trafilatura finds the article body (dropping navigation, footers, scripts) and the title,
author, date and site name; it copes with Chinese pages. When it finds nothing useful the page
is sanitised and converted whole (``<title>`` + body text). Either way the Markdown is passed
through ``clean_markdown`` so no live HTML or script link is stored.
"""

from __future__ import annotations

import datetime as dt
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


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _drop_title_heading(body: str, title: str) -> str:
    lines = body.lstrip().split("\n", 1)
    if title and lines[0].lstrip("# ").strip() == title and lines[0].startswith("#"):
        return lines[1].lstrip("\n") if len(lines) > 1 else ""
    return body


def _fallback_body(html: str) -> str:
    from markdownify import markdownify

    body = re.split(r"<body[^>]*>", html, maxsplit=1, flags=re.I)[-1]
    return markdownify(clean_html(body), heading_style="ATX", strip=["img"])


def extract_html(html: str | bytes, url: str = "", charset: str | None = None) -> Extracted:
    """The article in a page: title, author, date, site, and the body as clean Markdown."""
    import trafilatura  # slow to import: only when a page is actually extracted

    if isinstance(html, bytes):
        html = decode_html(html, charset)
    html = _XML_DECL.sub("", html[: limits.MAX_PAGE_BYTES])
    if not html.strip():
        return Extracted()
    meta = trafilatura.extract_metadata(html, default_url=url or None)
    body = trafilatura.extract(
        html,
        url=url or None,
        output_format="markdown",
        include_links=True,
        include_tables=True,
        include_images=False,
        include_comments=False,
        favor_recall=True,
        with_metadata=False,
    )
    if not body or len(body.strip()) < MIN_TEXT_CHARS:
        body = _fallback_body(html)
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
        published=_date(meta.date if meta else None),
        description=one_line((meta.description if meta else "") or "", 300),
    )


def extract_text(text: str, name: str = "") -> Extracted:
    """Plain text: the first non-empty line is the title; the text is kept as it is."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    title = one_line(first.lstrip("# ")) or one_line(name)
    return Extracted(title=title, body=bound_body(text))
