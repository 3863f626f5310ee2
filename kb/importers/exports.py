"""Bookmark and read-later exports -> one Draft per entry (URL, title, tags, saved date, status).

Formats: Pocket CSV (title,url,time_added,tags,status), Netscape bookmark HTML (browsers,
Linkding, Karakeep, Pinboard), Wallabag JSON (entries carry the article HTML) and Karakeep JSON
({"bookmarks": [...]}, link or text bookmarks). ``detect_format`` tells them apart, and single
files (HTML page, Markdown, text) from them, by name and content.
"""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

from kb.importers import limits
from kb.importers.draft import Draft
from kb.importers.extract import bound_body, one_line
from kb.importers.messages import Message, msg
from kb.importers.textutil import clean_tags, decode_text, to_date

EXPORT_FORMATS = ("pocket", "netscape", "wallabag", "karakeep")
FILE_FORMATS = ("html", "markdown", "text")
FORMATS = ("auto", *EXPORT_FORMATS, *FILE_FORMATS)


class ExportError(ValueError):
    """The file is not the export it claims to be; ``message`` says what is wrong."""

    def __init__(self, code: str, **params: object):
        self.message = msg(code, **params)
        super().__init__(str(self.message))


def _status(value: object) -> str:
    text = str(value or "").strip().lower()
    if text in ("archive", "archived", "1", "true", "read"):
        return "archived" if text != "read" else "read"
    return "unread"


def detect_format(name: str, data: bytes) -> str:
    """The format of an uploaded file, from its extension and its first bytes."""
    lower = (name or "").lower()
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    head_text = head.decode("utf-8", "ignore").lower()
    if "netscape-bookmark-file" in head_text:
        return "netscape"
    if lower.endswith(".json") or head[:1] in (b"[", b"{"):
        try:
            parsed = json.loads(decode_text(data))
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("bookmarks"), list):
            return "karakeep"
        if isinstance(parsed, list):
            return "wallabag"
    first_line = head_text.split("\n", 1)[0]
    if lower.endswith(".csv") or (
        "url" in first_line and "title" in first_line and "," in first_line
    ):
        return "pocket"
    if lower.endswith((".md", ".markdown")) or head_text.startswith("---"):
        return "markdown"
    if lower.endswith((".html", ".htm", ".xhtml")) or head_text.startswith(("<!doctype", "<html")):
        return "html"
    return "text"


def _bounded(drafts: list[Draft], notes: list[Message]) -> list[Draft]:
    if len(drafts) > limits.MAX_ENTRIES:
        rest = len(drafts) - limits.MAX_ENTRIES
        notes.append(msg("export.too_many_entries", limit=limits.MAX_ENTRIES, rest=rest))
    return drafts[: limits.MAX_ENTRIES]


def parse_pocket(data: bytes, notes: list[Message]) -> list[Draft]:
    reader = csv.DictReader(io.StringIO(decode_text(data)))
    fields = {f.strip().lower() for f in reader.fieldnames or []}
    if "url" not in fields:
        raise ExportError("export.not_pocket")
    drafts = []
    for row in reader:
        row = {(k or "").strip().lower(): (v or "") for k, v in row.items()}
        url = row.get("url", "").strip()
        if not url:
            continue
        drafts.append(
            Draft(
                label=url,
                url=url,
                title=one_line(row.get("title", "")),
                tags=clean_tags(row.get("tags", "")),
                saved=to_date(row.get("time_added")),
                status=_status(row.get("status")),
            )
        )
        if len(drafts) > limits.MAX_ENTRIES:
            break
    return _bounded(drafts, notes)


class _NetscapeParser(HTMLParser):
    """DL/DT/H3/A/DD structure; folders (except the toolbar/menu roots) become tags."""

    ROOT_FLAGS = ("personal_toolbar_folder", "unfiled_bookmarks_folder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.drafts: list[Draft] = []
        self.folders: list[str | None] = []
        self._pending_folder: str | None = None
        self._folder_text: list[str] | None = None
        self._folder_is_root = False
        self._link: dict[str, str] | None = None
        self._link_text: list[str] = []
        self._desc: list[str] | None = None

    def _end_desc(self) -> None:
        if self._desc is not None and self.drafts:
            self.drafts[-1].note = one_line("".join(self._desc), 1000)
        self._desc = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        if tag == "h3":
            self._end_desc()
            self._folder_text = []
            self._folder_is_root = any(a.get(f, "").lower() == "true" for f in self.ROOT_FLAGS)
        elif tag == "dl":
            self._end_desc()
            self.folders.append(self._pending_folder)
            self._pending_folder = None
        elif tag == "dt":
            self._end_desc()
        elif tag == "a":
            self._end_desc()
            self._link, self._link_text = a, []
        elif tag == "dd":
            self._desc = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3" and self._folder_text is not None:
            name = one_line("".join(self._folder_text), limits.MAX_TAG_CHARS)
            self._pending_folder = None if self._folder_is_root else name or None
            self._folder_text = None
        elif tag == "dl":
            self._end_desc()
            if self.folders:
                self.folders.pop()
        elif tag == "a" and self._link is not None:
            self._add_link()

    def handle_data(self, data: str) -> None:
        if self._folder_text is not None:
            self._folder_text.append(data)
        elif self._link is not None:
            self._link_text.append(data)
        elif self._desc is not None:
            self._desc.append(data)

    def _add_link(self) -> None:
        a, self._link = self._link or {}, None
        url = a.get("href", "").strip()
        if not url or len(self.drafts) > limits.MAX_ENTRIES:
            return
        folders = [f for f in self.folders if f]
        self.drafts.append(
            Draft(
                label=url,
                url=url,
                title=one_line("".join(self._link_text)),
                tags=clean_tags(clean_tags(a.get("tags", "")) + folders[-1:]),
                saved=to_date(a.get("add_date")),
            )
        )


def parse_netscape(data: bytes, notes: list[Message]) -> list[Draft]:
    parser = _NetscapeParser()
    parser.feed(decode_text(data))
    parser.close()
    return _bounded(parser.drafts, notes)


def _json(data: bytes, what: str) -> object:
    try:
        return json.loads(decode_text(data))
    except ValueError as exc:
        raise ExportError("export.bad_json", what=what, error=str(exc)) from None


def parse_wallabag(data: bytes, notes: list[Message]) -> list[Draft]:
    entries = _json(data, "Wallabag")
    if not isinstance(entries, list):
        raise ExportError("export.not_wallabag")
    drafts = []
    for entry in entries[: limits.MAX_ENTRIES + 1]:
        if not isinstance(entry, dict) or not (entry.get("url") or entry.get("content")):
            continue
        url = str(entry.get("url") or "").strip()
        authors = entry.get("published_by") or []
        drafts.append(
            Draft(
                label=url or one_line(str(entry.get("title") or "")),
                url=url,
                title=one_line(str(entry.get("title") or "")),
                html=str(entry.get("content") or ""),
                tags=clean_tags(entry.get("tags")),
                saved=to_date(entry.get("created_at")),
                published=to_date(entry.get("published_at")),
                author=one_line(", ".join(map(str, authors)) if isinstance(authors, list) else ""),
                site=one_line(str(entry.get("domain_name") or ""), 100),
                status="archived" if entry.get("is_archived") in (1, True, "1") else "unread",
            )
        )
    return _bounded(drafts, notes)


def parse_karakeep(data: bytes, notes: list[Message]) -> list[Draft]:
    root = _json(data, "Karakeep")
    items = root.get("bookmarks") if isinstance(root, dict) else None
    if not isinstance(items, list):
        raise ExportError("export.not_karakeep")
    drafts = []
    for item in items[: limits.MAX_ENTRIES + 1]:
        if not isinstance(item, dict):
            continue
        content = item.get("content") if isinstance(item.get("content"), dict) else {}
        title = one_line(str(item.get("title") or ""))
        common = dict(
            tags=clean_tags(item.get("tags")),
            saved=to_date(item.get("createdAt")),
            note=one_line(str(item.get("note") or ""), 1000),
            status="archived" if item.get("archived") is True else "unread",
        )
        if content.get("type") == "link" and content.get("url"):
            url = str(content["url"]).strip()
            drafts.append(Draft(label=url, url=url, title=title, **common))
        elif content.get("type") == "text" and content.get("text"):
            text = str(content["text"])
            first = one_line(text.strip().split("\n", 1)[0], 60)
            drafts.append(
                Draft(label=title or first, title=title or first, body=bound_body(text), **common)
            )
        else:
            kind = content.get("type") or "?"
            notes.append(msg("export.karakeep_skipped", title=title, kind=kind))
    return _bounded(drafts, notes)


PARSERS = {
    "pocket": parse_pocket,
    "netscape": parse_netscape,
    "wallabag": parse_wallabag,
    "karakeep": parse_karakeep,
}
