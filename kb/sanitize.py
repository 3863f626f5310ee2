"""Sanitising HTML and Markdown: every document body the app shows passes through here.

Documents come from imports (web pages, exports) and from people editing files, so their HTML,
including raw HTML inside Markdown, is untrusted. ``render_markdown`` is the one way the app turns
a body into HTML; ``clean_markdown`` neutralises raw HTML and unsafe links in Markdown before an
import stores it, so the files stay harmless in any other viewer too.
"""

from __future__ import annotations

import re

import markdown
import nh3

MAX_INPUT_CHARS = 2_000_000
TRUNCATED_NOTE = "\n\n…（内容过长，已截断 / truncated）"

TAGS = {
    *(f"h{i}" for i in range(1, 7)),
    *("p", "br", "hr", "div", "span", "ul", "ol", "li", "dl", "dt", "dd"),
    *("a", "img", "figure", "figcaption", "blockquote", "pre", "code", "kbd", "samp"),
    *("em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup", "abbr"),
    *("table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col"),
}
# Removed together with everything inside them (not just the tag).
DROP_WITH_CONTENT = {
    *("script", "style", "iframe", "object", "embed", "form", "noscript", "template"),
    *("textarea", "select", "button", "svg", "math", "title", "frame", "frameset", "applet"),
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"colspan", "rowspan", "align"},
    "td": {"colspan", "rowspan", "align"},
    "ol": {"start"},
    "code": {"class"},
}
LINK_REL = "noopener noreferrer nofollow"
_LINK_OK = re.compile(r"^(?:https?://|mailto:|#)", re.IGNORECASE)
_IMG_OK = re.compile(r"^https?://", re.IGNORECASE)
_CODE_CLASS = re.compile(r"^language-[\w+#.-]{1,40}$")


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """Second gate after nh3's scheme check: only absolute web links, no relative tricks."""
    if tag == "a" and attr == "href":
        return value if _LINK_OK.match(value.strip()) else None
    if tag == "img" and attr == "src":
        return value if _IMG_OK.match(value.strip()) else None
    if tag == "code" and attr == "class":
        return value if _CODE_CLASS.match(value) else None
    return value


def _bound(text: str) -> str:
    return text if len(text) <= MAX_INPUT_CHARS else text[:MAX_INPUT_CHARS] + TRUNCATED_NOTE


def clean_html(html: str) -> str:
    """Article-safe HTML: text structure, web links and images only; no script in any form."""
    return nh3.clean(
        _bound(html or ""),
        tags=TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(md: str) -> str:
    """Markdown (with tables and fenced code) to sanitised HTML, raw HTML included."""
    html = markdown.markdown(
        _bound(md or ""), extensions=["tables", "fenced_code", "sane_lists"], output_format="html"
    )
    return clean_html(html)


# --- Markdown before it is stored -------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.*?[^`])?\1(?!`)")
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^<>\s]*>", re.IGNORECASE)
_TAG_START = re.compile(r"\\?<(?=[A-Za-z/!?])")  # also "\<" as some converters write it
# [text](dest) / ![alt](dest) with a destination that has a scheme other than http(s)/mailto.
_BAD_INLINE_LINK = re.compile(
    r"(!?)\[([^\]]*)\]\(\s*<?(?!(?:https?|mailto):)[A-Za-z][A-Za-z0-9+.\-]*:(?:[^()]|\([^()]*\))*\)"
)
_BAD_REF_DEF = re.compile(
    r"^( {0,3}\[[^\]]+\]:\s*)<?(?!(?:https?|mailto):)[A-Za-z][A-Za-z0-9+.\-]*:\S*.*$"
)


def _clean_text(segment: str) -> str:
    segment = _BAD_INLINE_LINK.sub(lambda m: "" if m.group(1) else m.group(2), segment)
    parts = []
    last = 0
    for m in _AUTOLINK.finditer(segment):
        parts.append(_TAG_START.sub("&lt;", segment[last : m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(_TAG_START.sub("&lt;", segment[last:]))
    return "".join(parts)


def _clean_line(line: str) -> str:
    if _BAD_REF_DEF.match(line):
        return _BAD_REF_DEF.sub(lambda m: m.group(1) + "#", line)
    out, last = [], 0
    for m in _CODE_SPAN.finditer(line):
        out.append(_clean_text(line[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_clean_text(line[last:]))
    return "".join(out)


def clean_markdown(md: str) -> str:
    """Markdown with raw HTML shown as text and non-web links removed; code is left alone.

    Imported bodies are stored this way so that a file holds no live HTML at all; tag-like text
    such as ``<script>`` still reads the same when rendered.
    """
    lines = _bound(md or "").split("\n")
    out, fence = [], None
    for line in lines:
        m = _FENCE.match(line)
        if fence:
            out.append(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            continue
        out.append(_clean_line(line))
    return "\n".join(out)
