"""Single files: a saved HTML page, a Markdown note (front matter kept or added), plain text."""

from __future__ import annotations

from pathlib import PurePath

import frontmatter
import yaml

from kb.config import KINDS
from kb.documents import LIST_FIELDS, FrontMatterHandler, allowed_fields
from kb.importers.draft import STATUSES, Draft
from kb.importers.extract import bound_body, extract_text, one_line
from kb.importers.messages import Message, msg
from kb.importers.textutil import clean_tags, decode_text, to_date

# Fields a Draft carries itself; everything else allowed for the kind is kept as written.
_OWN = {"id", "kind", "title", "tags", "created", "source", "published", "author", "site"}
_OWN |= {"summary", "status", "link_only"}


def file_title(name: str) -> str:
    return one_line(PurePath(name or "").stem.replace("_", " "))


def from_html(name: str, data: bytes) -> Draft:
    """A saved page: extracted like a fetched one (title, author, date, main text)."""
    return Draft(label=name, html=decode_text(data))


def from_text(name: str, data: bytes) -> Draft:
    found = extract_text(decode_text(data), file_title(name))
    return Draft(label=name, title=found.title, body=found.body)


def _first_heading(body: str) -> str:
    for line in body.splitlines():
        if line.startswith("# "):
            return one_line(line[2:])
    return ""


def from_markdown(name: str, data: bytes) -> tuple[Draft, list[Message]]:
    """Markdown with its front matter kept where OpsKB knows the field; notes for the rest."""
    text = decode_text(data)
    notes: list[Message] = []
    try:
        post = frontmatter.loads(text, handler=FrontMatterHandler())  # bounded: depth, aliases
        meta, body = dict(post.metadata), post.content
    except (yaml.YAMLError, ValueError) as exc:
        notes.append(msg("file.frontmatter_unreadable", error=exc.__class__.__name__))
        meta, body = {}, text
    kind = meta.get("kind") if meta.get("kind") in KINDS else "article"
    allowed = allowed_fields(kind)
    dropped = sorted(str(k) for k in meta if k not in allowed)
    if dropped:
        notes.append(msg("file.unknown_fields", fields=", ".join(dropped)))
    extra = {k: v for k, v in meta.items() if k in allowed and k not in _OWN}
    for key in LIST_FIELDS:
        if key in extra:
            extra[key] = clean_tags(extra[key])
    title = one_line(str(meta.get("title") or "")) or _first_heading(body) or file_title(name)
    status = meta.get("status") if meta.get("status") in STATUSES else "unread"
    source = str(meta.get("source") or "")
    draft = Draft(
        label=name,
        title=title,
        body=bound_body(body),
        url=source if source.startswith(("http://", "https://")) else "",
        tags=clean_tags(meta.get("tags")),
        saved=to_date(meta.get("created")),
        published=to_date(meta.get("published")),
        author=one_line(str(meta.get("author") or ""), 100),
        site=one_line(str(meta.get("site") or ""), 100),
        summary=one_line(str(meta.get("summary") or ""), 300),
        status=status,
        link_only=meta.get("link_only") is True,
        doc_id=str(meta.get("id") or ""),
        kind=kind,
        extra=extra,
    )
    if source and not draft.url:
        draft.extra["source"] = one_line(source, 300)  # a description, not a link
    return draft, notes
