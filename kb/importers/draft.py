"""One item on its way in: what a parser found, before it becomes a saved Document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kb.importers.messages import Message

STATUSES = ("unread", "reading", "read", "archived")


@dataclass
class Draft:
    label: str  # how the item is named in the import summary (URL, file name, title)
    title: str = ""
    body: str = ""  # Markdown, already cleaned
    html: str = ""  # page content still to extract (saved HTML, Wallabag content)
    url: str = ""
    tags: list[str] = field(default_factory=list)
    saved: dt.date | None = None  # when it was saved to read later -> created
    published: dt.date | None = None
    author: str = ""
    site: str = ""
    summary: str = ""
    note: str = ""  # the user's own note from the export
    status: str = "unread"
    link_only: bool = False
    link_reason: Message | None = None  # why there is no body yet
    doc_id: str = ""  # id wished for (kept front matter), used when free and valid
    kind: str = "article"
    extra: dict[str, Any] = field(default_factory=dict)  # other front matter kept from a file
