"""Not importing the same thing twice: the same URL (normalised) or the same text.

URLs are compared after dropping what does not change the page: scheme/host case, the default
port, the fragment, a trailing slash, tracking parameters (utm_*, spm, fbclid, gclid, from,
share_type...) and the order of the query. Texts are compared by a hash of their words with
whitespace and case normalised, so a re-saved copy of an article is caught too.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from kb.documents import Document
from kb.importers.messages import Message, msg

TRACKING = {
    *("spm", "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid"),
    *("from", "share_type", "sharetype", "share_source", "share_from", "share_medium"),
    *("scene", "srcid", "isappinstalled", "clicktime", "enterid", "ref_src", "sessionid"),
    *("vd_source", "share_token", "xhsshare", "appuid", "apptime"),
    # WeChat article links carry these per share; __biz/mid/idx/sn identify the article
    *("sharer_sharetime", "sharer_shareid", "exportkey", "pass_ticket", "ascene", "devicetype"),
    *("nettype", "abtest_cookie", "wx_header"),
}
TRACKING_PREFIXES = ("utm_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci", "pk_", "mtm_")
DEFAULT_PORTS = {"http": 80, "https": 443}
MIN_FINGERPRINT_CHARS = 30  # shorter texts (a title, a link-only note) are not compared
_WS = re.compile(r"\s+")


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING or key.startswith(TRACKING_PREFIXES)


def normalise_url(url: str) -> str:
    """The form two URLs share when they point to the same page; '' if it is not a web URL."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("http", "https") or not host:
        return ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~").rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True))
    query = [(k, v) for k, v in query if not _is_tracking(k)]
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def strip_tracking(url: str) -> str:
    """The URL as given minus tracking parameters: what is stored as the article's source."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return (url or "").strip()
    if not parts.query:
        return parts.geturl()
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def url_key(url: str) -> str:
    """Like normalise_url but http and https count as the same page."""
    norm = normalise_url(url)
    return norm.split("://", 1)[1] if norm else ""


def fingerprint(text: str) -> str:
    """Hash of the text without whitespace, case-folded; '' if too short to compare."""
    norm = _WS.sub("", text or "").casefold()  # no spaces at all: Chinese has none to keep
    if len(norm) < MIN_FINGERPRINT_CHARS:
        return ""
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()


@dataclass
class Seen:
    """What is already in the knowledge base (and in this import so far), by URL and by text."""

    urls: dict[str, str] = field(default_factory=dict)  # url_key -> doc id
    texts: dict[str, str] = field(default_factory=dict)  # fingerprint -> doc id

    @classmethod
    def from_documents(cls, docs: list[Document]) -> Seen:
        seen = cls()
        for doc in docs:
            seen.add(doc.id, doc.source, "" if doc.meta.get("link_only") else doc.body)
        return seen

    def duplicate_of(self, url: str = "", text: str = "") -> Message | None:
        """Why this would be a duplicate, or None."""
        key = url_key(url)
        if key and key in self.urls:
            return msg("dedupe.url", id=self.urls[key])
        fp = fingerprint(text)
        if fp and fp in self.texts:
            return msg("dedupe.text", id=self.texts[fp])
        return None

    def add(self, doc_id: str, url: str = "", text: str = "") -> None:
        key = url_key(url)
        if key:
            self.urls.setdefault(key, doc_id)
        fp = fingerprint(text)
        if fp:
            self.texts.setdefault(fp, doc_id)
