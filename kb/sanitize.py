"""Sanitising HTML and Markdown: every document body the app shows passes through here.

Documents come from imports (web pages, exports) and from people editing files, so their HTML,
including raw HTML inside Markdown, is untrusted. ``render_markdown`` is the one way the app turns
a body into HTML; ``clean_markdown`` neutralises raw HTML and unsafe links in Markdown before an
import stores it, so the files stay harmless in any other viewer too.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from html import escape as html_escape
from html import unescape as html_unescape
from urllib.parse import quote, urlencode

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


def render_markdown(
    md: str, known_ids: Collection[str] = (), link_params: Mapping[str, str] | None = None
) -> str:
    """Markdown (with tables and fenced code) to sanitised HTML, raw HTML included.

    With ``known_ids``, a document id written as plain text (``pb-refund-review``) becomes a
    link to that document (``read?doc=…`` plus ``link_params``, e.g. the language), added
    after sanitising so the links are ours and nothing else gets through.
    """
    html = markdown.markdown(
        _defuse(_bound(md or "")),
        extensions=["tables", "fenced_code", "sane_lists"],
        output_format="html",
    )
    html = clean_html(html)
    return link_ids(html, known_ids, link_params) if known_ids else html


MAX_MARKUP_PER_BLOCK = 200
_FULL_WIDTH = str.maketrans("[]()<>", "［］（）＜＞")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _defuse(md: str, limit: int = MAX_MARKUP_PER_BLOCK) -> str:
    """Paragraphs with more than ``limit`` link or tag openers are shown as plain text.

    python-markdown's inline patterns rescan the rest of a paragraph at every ``[``, ``](`` and
    ``<`` that does not close: 10,000 nested ``[`` take ~30 s to render, 3,000 ``[a](b`` or
    5,000 ``<http://a`` ~5 s, so a hostile document would hang the read page (escaping does
    not help: each escape is stashed and costs the same). No real paragraph has hundreds of
    them; in such a paragraph the brackets, parentheses and angle brackets become their
    full-width forms, which read the same and are plain text to Markdown. Fenced code is kept.
    Linear in the length of the text."""
    if md.count("[") + md.count("<") <= limit:
        return md
    out: list[str] = []
    fence = None
    block: list[str] = []

    def flush() -> None:
        if block:
            text = "\n".join(block)
            busy = text.count("[") + text.count("<")
            out.append(text.translate(_FULL_WIDTH) if busy > limit else text)
            block.clear()

    for line in md.split("\n"):
        m = _FENCE.match(line)
        if fence or m:
            flush()
            out.append(line)
            if fence is None:
                fence = m.group(1)
            elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if not line.strip():
            flush()
            out.append(line)
            continue
        block.append(line)
    flush()
    return "\n".join(out)


# --- Document ids in text become links ----------------------------------------------------------

_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>")
_ID_EDGE = "A-Za-z0-9_\\-"


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation shaped as a trie: fast with thousands of ids, longest match first."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return build(trie)


@lru_cache(maxsize=8)
def _id_regex(ids: frozenset[str]) -> re.Pattern | None:
    linkable = [i for i in ids if "-" in i and _LINKABLE_ID.match(i)]
    if not linkable:
        return None
    return re.compile(f"(?<![{_ID_EDGE}])(?:{_trie_pattern(linkable)})(?![{_ID_EDGE}])")


# Ids as kb.documents.ID_RE allows them; only ids with a hyphen are linked (a one-word id such
# as "复购率" would turn ordinary words into links).
_LINKABLE_ID = re.compile(r"^[a-z0-9\u4e00-\u9fff]+(?:-[a-z0-9\u4e00-\u9fff]+)+$")


def link_ids(
    html: str, known_ids: Collection[str], link_params: Mapping[str, str] | None = None
) -> str:
    """Sanitised HTML with known document ids turned into links to the read page.

    Plain text outside links, code and pre blocks is searched for ids standing alone (not part
    of a longer word or id); an inline ``<code>`` holding exactly one known id (how the content
    writes "see `pb-channel-check`") becomes a link too. The link is built here from the id
    alone, percent-encoded, so nothing from the document reaches an attribute.
    """
    ids = frozenset(known_ids)
    pattern = _id_regex(ids)
    if pattern is None:
        return html
    query = urlencode({k: v for k, v in (link_params or {}).items() if k != "doc"})
    suffix = f"&amp;{html_escape(query)}" if query else ""

    def anchor(doc_id: str, inner: str) -> str:
        return f'<a href="read?doc={quote(doc_id, safe="")}{suffix}" class="doc-link">{inner}</a>'

    def link(m: re.Match) -> str:
        return anchor(m.group(0), m.group(0))

    out: list[str] = []
    open_tags = {"a": 0, "code": 0, "pre": 0}
    last = 0
    for tag in _HTML_TAG.finditer(html):
        if tag.start() < last:  # inside a code element already emitted whole
            continue
        text = html[last : tag.start()]
        out.append(pattern.sub(link, text) if not any(open_tags.values()) and text else text)
        name, closing = tag.group(2).lower(), bool(tag.group(1))
        if name == "code" and not closing and not any(open_tags.values()):
            whole = _CODE_ID.match(html, tag.end())
            if whole and whole.group(1) in ids and _LINKABLE_ID.match(whole.group(1)):
                out.append(anchor(whole.group(1), tag.group(0) + whole.group(0)))
                last = whole.end()
                continue
        out.append(tag.group(0))
        if name in open_tags:
            open_tags[name] = max(0, open_tags[name] + (-1 if closing else 1))
        last = tag.end()
    tail = html[last:]
    out.append(pattern.sub(link, tail) if not any(open_tags.values()) else tail)
    return "".join(out)


_CODE_ID = re.compile(r"([a-z0-9\u4e00-\u9fff-]{1,80})</code>")


# --- Markdown before it is stored -------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^<>\s]*>", re.IGNORECASE)
_TAG_START = re.compile(r"\\?<(?=[A-Za-z/!?])")  # also "\<" as some converters write it
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]+")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
SAFE_SCHEMES = {"http", "https", "mailto"}
# After "](": the destination (<...> or bare, one level of parentheses), an optional title, ")".
_DEST = re.compile(r"[ \t]*\n?[ \t]*(<[^<>\n]{0,4000}>|(?:[^\s()<>]|\([^\s()]{0,4000}\)){0,4000})")
_TITLE_CLOSE = re.compile(
    r"""(?:\s+(?:"[^"]{0,4000}"|'[^']{0,4000}'|\([^()]{0,4000}\)))?[ \t]*\n?[ \t]*\)"""
)
_REF_DEF = re.compile(r"^( {0,3}\[(?:[^\]\\]|\\.)+\]:[ \t]*)(<[^<>\n]*>|\S+)(.*)$")
_HOLE = "\x00"


def safe_url(url: str) -> bool:
    """True for http(s), mailto and relative links; decided the way a browser would read it.

    Entities are decoded first (``&#106;avascript:``, ``javascript&colon;``), Markdown escapes
    dropped and the characters browsers ignore inside a scheme (tabs, newlines, controls)
    removed, so no spelling of ``javascript:`` or ``data:`` passes as "relative".
    """
    text = url.strip().strip("<>")
    for _ in range(3):  # a renderer decodes once; decoding more often only makes us stricter
        decoded = html_unescape(text)
        if decoded == text:
            break
        text = decoded
    text = _INVISIBLE.sub("", _MD_ESCAPE.sub(r"\1", text))
    m = _SCHEME.match(text)
    return m is None or m.group(1).lower() in SAFE_SCHEMES


def _brackets(text: str) -> dict[int, int]:
    """Index of each "[" -> index of its matching "]" (backslash escapes respected), in O(n)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            stack.append(i)
        elif c == "]" and stack:
            pairs[stack.pop()] = i
        i += 1
    return pairs


def _clean_links(text: str) -> str:
    """Inline links and images whose destination is not safe lose their destination.

    A link keeps its text (``[a [b] c](javascript:x)`` -> ``a [b] c``), an image goes; a
    ``](unsafe`` that does not close like a link gets ``#`` as destination, just in case.
    """
    if "](" not in text:
        return text
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    closes = {close: open_ for open_, close in _brackets(text).items()}
    pos = text.find("](")
    while pos != -1:
        dest_m = _DEST.match(text, pos + 2)
        dest = dest_m.group(1) if dest_m else ""
        if not safe_url(dest):
            end_m = _TITLE_CLOSE.match(text, dest_m.end())
            open_ = closes.get(pos)
            if end_m is None or open_ is None:
                edits.append((dest_m.start(1), dest_m.end(1), "#"))
            elif open_ > 0 and text[open_ - 1] == "!" and (open_ < 2 or text[open_ - 2] != "\\"):
                edits.append((open_ - 1, end_m.end(), ""))
            else:
                edits.append((open_, open_ + 1, ""))
                edits.append((pos, end_m.end(), ""))
        pos = text.find("](", pos + 2)
    out, cursor = [], 0
    for start, end, repl in sorted(edits):
        if start < cursor:  # inside a removed image: already gone
            continue
        out.append(text[cursor:start])
        out.append(repl)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each code span: a run of backticks closed by a run of the same length."""
    spans: list[tuple[int, int]] = []
    runs = [(m.start(), m.end()) for m in re.finditer(r"`+", text)]
    k = 0
    while k < len(runs):
        start, end = runs[k]
        width = end - start
        for j in range(k + 1, len(runs)):
            s2, e2 = runs[j]
            if e2 - s2 == width:
                if not re.search(r"\n[ \t]*\n", text[end:s2]):
                    spans.append((start, e2))
                    k = j
                break
            if j - k > 200:  # bound the search: a stray backtick run stays literal
                break
        k += 1
    return spans


def _clean_block(block: str) -> str:
    """One run of lines outside fenced code: ref definitions, links, raw HTML."""
    lines = []
    for line in block.split("\n"):
        m = _REF_DEF.match(line)
        if m and not safe_url(m.group(2)):
            line = m.group(1) + "#" + m.group(3)
        lines.append(line)
    text = "\n".join(lines).replace(_HOLE, "")
    kept: list[str] = []  # code spans and web autolinks, left exactly as they are

    def hole(segment: str) -> str:
        kept.append(segment)
        return f"{_HOLE}{len(kept) - 1}{_HOLE}"

    parts, last = [], 0
    for start, end in _code_spans(text):
        parts.append(text[last:start])
        parts.append(hole(text[start:end]))
        last = end
    parts.append(text[last:])
    text = "".join(parts)
    text = _AUTOLINK.sub(lambda m: hole(m.group(0)), text)
    text = _TAG_START.sub("&lt;", _clean_links(text))
    return re.sub(f"{_HOLE}(\\d+){_HOLE}", lambda m: kept[int(m.group(1))], text)


def clean_markdown(md: str) -> str:
    """Markdown with raw HTML shown as text and non-web links removed; code is left alone.

    Imported bodies are stored this way so that a file holds no live HTML at all; tag-like text
    such as ``<script>`` still reads the same when rendered. Links keep only http(s), mailto and
    relative destinations, however the scheme is spelled (entities, escapes, nested brackets).
    """
    lines = _bound(md or "").split("\n")
    out, block, fence = [], [], None

    def flush() -> None:
        if block:
            out.append(_clean_block("\n".join(block)))
            block.clear()

    for line in lines:
        m = _FENCE.match(line)
        if fence:
            out.append(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            flush()
            fence = m.group(1)
            out.append(line)
            continue
        block.append(line)
    flush()
    return "\n".join(out)


# --- Text from data files written into Markdown -------------------------------------------------

_CELL_ESCAPE = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "|": "\\|",
        "[": "\\[",
        "]": "\\]",
        "`": "\\`",
        "\\": "\\\\",
        "\r": " ",
        "\n": " ",
    }
)


def markdown_cell(value: object) -> str:
    """A value from a data file (a CSV cell, a segment name) as inert Markdown text.

    Safe inside a table cell or a line of prose: no HTML, no link, no table break, one line.
    """
    return str(value).translate(_CELL_ESCAPE)
