"""Safe document ids (and so file names) from titles that come from anywhere.

Latin text becomes a lowercase slug (accents folded), Chinese characters are kept, everything
else (path separators, dots, emoji, punctuation) goes. The result always matches
kb.documents.ID_RE, is at most ID_MAX characters and gets a numeric suffix when taken.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import urlsplit

from kb.documents import ID_MAX, ID_RE

_NOT_ALLOWED = re.compile(r"[^a-z0-9\u4e00-\u9fff]+")
# File names Windows will not create, whatever the extension.
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


def slugify(text: str) -> str:
    """'抖音 ROI 复盘: Q1/2026' -> '抖音-roi-复盘-q1-2026'; '' when nothing usable is left."""
    text = unicodedata.normalize("NFKC", text or "")  # full-width letters/digits -> ASCII
    folded = []
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff":
            folded.append(ch)
        else:  # é -> e, ü -> u; what has no ASCII form becomes a separator
            folded.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode())
            if not folded[-1]:
                folded[-1] = " "
    slug = _NOT_ALLOWED.sub("-", "".join(folded).lower()).strip("-")
    return _trim(slug, ID_MAX)


def _trim(slug: str, limit: int) -> str:
    if len(slug) <= limit:
        return slug
    cut = slug[:limit]
    if "-" in cut[limit // 2 :] and slug[limit] != "-":
        cut = cut[: cut.rfind("-")]  # end on a word boundary when one is near
    return cut.strip("-")


def url_slug(url: str) -> str:
    """A readable fallback from a URL: host and last path segment."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return ""
    host = (parts.hostname or "").removeprefix("www.")
    last = [p for p in parts.path.split("/") if p][-1:] or [""]
    return slugify(f"{host} {last[0]}")


def make_id(
    title: str,
    taken: Callable[[str], bool] = lambda _id: False,
    *,
    fallback: str = "",
    default: str = "article",
) -> str:
    """A free, valid id for this title (or the fallback text, or ``default``)."""
    base = slugify(title) or slugify(fallback) or default
    if not ID_RE.match(base):  # cannot happen with the rules above; never trust a slug blindly
        base = default
    if base in _RESERVED:
        base = f"{default}-{base}"
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        suffix = f"-{n}"
        candidate = _trim(base, ID_MAX - len(suffix)) + suffix
    return candidate
