"""The import orchestrator: items in, article documents saved, a report of what happened.

Every item goes the same way: URL refused or normalised -> duplicate URL? -> content (given,
extracted from HTML, or fetched; an export entry whose page cannot be fetched becomes a
link-only article) -> duplicate text? -> safe id -> saved atomically (never over an existing
file) -> suggestions. Pages are fetched in parallel; saving and progress stay on the caller's
thread, in input order, so ids and the report are deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import quote

from kb import history
from kb.config import KINDS
from kb.documents import (
    ID_MAX,
    ID_RE,
    ConflictError,
    Document,
    DocumentError,
    document_path,
    save_document,
)
from kb.importers import exports, files, limits
from kb.importers.dedupe import Seen, normalise_url, strip_tracking
from kb.importers.draft import Draft
from kb.importers.extract import decode_html, extract_html, extract_text, one_line
from kb.importers.fetch import FetchError, Page, fetch
from kb.importers.ids import make_id, url_slug
from kb.importers.messages import Message, msg
from kb.importers.report import ImportReport
from kb.importers.suggest import Suggestions, suggest, vocabulary_for
from kb.importers.textutil import clean_tags
from kb.sanitize import clean_markdown
from kb.workspace import Workspace

Progress = Callable[[int, int, str], None]
Fetcher = Callable[[str], Page]


def _link_body(draft: Draft) -> str:
    """The body of a link-only article; the note and URL come from outside, so it is cleaned."""
    url = quote(draft.url, safe=":/?#[]@!$&'()*+,;=%~")  # no <, >, spaces or quotes
    reason = draft.link_reason or msg("import.not_fetched")
    lines = [  # stored content, so both languages (the file does not change with the UI)
        f"> 仅链接：正文尚未抓取（{reason.zh}）。可以稍后重新抓取。",
        f"> Link only: not fetched yet ({reason.en}); refetch later.",
        "",
        f"<{url}>" if draft.url else "",
    ]
    if draft.note:
        lines += ["", f"备注：{draft.note}"]
    return clean_markdown("\n".join(lines))


@dataclass
class Importer:
    """One import run against a workspace; holds what is already there for deduplication."""

    workspace: Workspace
    fetch_page: Fetcher = fetch
    tags: list[str] = field(default_factory=list)  # added to every imported document
    accept_suggestions: bool = False  # put suggested problems/metrics/tags into the documents
    on_progress: Progress | None = None
    workers: int = limits.FETCH_WORKERS
    save: bool = True  # False: build documents (report.documents) without writing them

    def __post_init__(self) -> None:
        collection = self.workspace.collection()
        self.seen = Seen.from_documents(list(collection.docs.values()))
        self.reserved: set[str] = set(collection.docs)
        self.tags = clean_tags(self.tags)

    @cached_property
    def vocabulary(self):
        glossary = self.workspace.config.data_file("glossary.yaml")
        return vocabulary_for(self.workspace.taxonomy, self.workspace.metrics, glossary)

    # --- content -------------------------------------------------------------------------

    def _fill_from_html(self, draft: Draft, html: str | bytes, url: str, charset=None) -> None:
        found = extract_html(html, url=url, charset=charset)
        if found.title and (not draft.title or draft.title == draft.url):
            draft.title = found.title
        draft.body = found.body
        draft.author = draft.author or found.author
        draft.site = draft.site or found.site
        draft.published = draft.published or found.published
        draft.summary = draft.summary or found.description
        draft.html = ""

    def _fill(self, draft: Draft, fetch_pages: bool) -> Draft:
        """Give the draft its body (runs in a worker thread: no shared state is touched)."""
        try:
            if draft.html:
                self._fill_from_html(draft, draft.html, draft.url)
            elif draft.url and not draft.body and not draft.link_only:
                if not fetch_pages:
                    draft.link_only, draft.link_reason = True, msg("import.not_fetched")
                else:
                    page = self.fetch_page(draft.url)
                    if page.content_type.startswith("text/html") or "xhtml" in page.content_type:
                        self._fill_from_html(draft, page.body, page.url, page.charset)
                    else:
                        found = extract_text(decode_html(page.body, page.charset), draft.url)
                        draft.title, draft.body = draft.title or found.title, found.body
            if draft.url and not draft.link_only and not draft.body.strip():
                draft.link_only, draft.link_reason = True, msg("import.no_main_text")
        except FetchError as exc:
            draft.link_only, draft.link_reason = True, exc.message
        except Exception as exc:  # a broken page must not stop a bulk import
            draft.link_only = True
            draft.link_reason = msg("import.extract_failed", error=exc.__class__.__name__)
        return draft

    # --- documents -----------------------------------------------------------------------

    def _taken(self, doc_id: str) -> bool:
        if doc_id in self.reserved:
            return True
        try:
            return any(
                document_path(self.workspace.config, kind, doc_id).exists() for kind in KINDS
            )
        except DocumentError:
            return True

    def _new_id(self, draft: Draft) -> str:
        wished = draft.doc_id
        if wished and len(wished) <= ID_MAX and ID_RE.match(wished) and not self._taken(wished):
            return wished
        return make_id(draft.title, self._taken, fallback=url_slug(draft.url))

    def _document(self, draft: Draft) -> Document:
        title = draft.title or draft.url or files.file_title(draft.label) or "未命名文章"
        meta = dict(draft.extra)
        source = draft.url or str(meta.pop("source", "") or "")
        if draft.kind == "article":
            meta["status"] = draft.status
            if draft.site:
                meta["site"] = draft.site
            if draft.published:
                meta["published"] = draft.published
            if draft.link_only:
                meta["link_only"] = True
        if draft.author:
            meta["author"] = draft.author
        return Document(
            id=self._new_id(draft),
            kind=draft.kind,
            title=one_line(title),
            body=_link_body(draft) if draft.link_only else draft.body,
            problems=[str(p) for p in meta.pop("problems", [])],
            metrics=[str(m) for m in meta.pop("metrics", [])],
            tags=clean_tags([*draft.tags, *self.tags]),
            created=draft.saved or dt.date.today(),
            summary=one_line(draft.summary or draft.note, 300),
            source=source,
            meta=meta,
        )

    def _apply(self, doc: Document, found: Suggestions) -> None:
        for s in found.problems[:3]:
            if s.value not in doc.problems:
                doc.problems.append(s.value)
        for s in found.metrics[:5]:
            if s.value not in doc.metrics:
                doc.metrics.append(s.value)
        doc.tags = clean_tags([*doc.tags, *(s.value for s in found.tags[:3])])

    def _finish(self, draft: Draft, report: ImportReport) -> None:
        """Dedupe by text, save, suggest (caller's thread, input order)."""
        text = "" if draft.link_only else draft.body
        reason = self.seen.duplicate_of(text=text)
        if reason:
            report.skipped.append((draft.label, reason))
            return
        try:
            doc = self._document(draft)
            found = suggest(
                f"{doc.title}\n{doc.summary}\n{text}", self.workspace.taxonomy, self.vocabulary
            )
            if self.accept_suggestions:
                self._apply(doc, found)
            if self.save:
                try:
                    save_document(self.workspace.config, doc)
                except ConflictError:  # someone created that file meanwhile: next free id
                    doc.id = make_id(doc.title, self._taken, fallback=url_slug(draft.url))
                    save_document(self.workspace.config, doc)
        except (DocumentError, ConflictError, OSError) as exc:
            report.failed.append((draft.label, msg("import.save_failed", error=str(exc))))
            return
        self.reserved.add(doc.id)
        self.seen.add(doc.id, draft.url, text)
        report.imported.append(doc.id)
        report.documents[doc.id] = doc
        report.suggestions[doc.id] = found
        if draft.link_only:
            report.link_only.append(doc.id)

    # --- runs ----------------------------------------------------------------------------

    def run(self, drafts: Iterable[Draft], *, fetch_pages: bool = True) -> ImportReport:
        """Import drafts in order; duplicates by URL are skipped before anything is fetched."""
        report = ImportReport()
        todo: list[Draft] = []
        pending: set[str] = set()
        drafts = list(drafts)
        total, done = len(drafts), 0
        for draft in drafts:
            if draft.url:
                norm = normalise_url(draft.url)
                if not norm:
                    report.failed.append((draft.label, msg("import.not_web_url")))
                    done += 1
                    self._progress(done, total, draft.label)
                    continue
                reason = self.seen.duplicate_of(url=draft.url)
                key = norm.split("://", 1)[1]
                if reason or key in pending:
                    reason = reason or msg("dedupe.in_run")
                    report.skipped.append((draft.label, reason))
                    done += 1
                    self._progress(done, total, draft.label)
                    continue
                pending.add(key)
                draft.url = strip_tracking(draft.url)
            todo.append(draft)
        needs_work = [d for d in todo if d.html or (d.url and not d.body and fetch_pages)]
        with history.batch(self.workspace.config, message=f"Import {len(todo)} documents"):
            self._run(todo, needs_work, report, done, total, fetch_pages)
        return report

    def _run(self, todo, needs_work, report, done, total, fetch_pages) -> None:
        """Fill (fetch, extract) in parallel where useful; save in input order."""
        if len(needs_work) > 1 and self.workers > 1:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                filled = pool.map(lambda d: self._fill(d, fetch_pages), todo)
                for draft in filled:
                    self._finish(draft, report)
                    done += 1
                    self._progress(done, total, draft.label)
        else:
            for draft in todo:
                self._finish(self._fill(draft, fetch_pages), report)
                done += 1
                self._progress(done, total, draft.label)

    def _progress(self, done: int, total: int, item: str) -> None:
        if self.on_progress is not None:
            self.on_progress(done, total, item)


# --- entry points ----------------------------------------------------------------------------


def import_url(workspace: Workspace, url: str, **options) -> ImportReport:
    """One page by URL. A page that cannot be fetched is a failure here (the user is waiting)."""
    importer = Importer(workspace, **options)
    url = (url or "").strip()
    reason = importer.seen.duplicate_of(url=url)
    if reason:
        importer._progress(1, 1, url)
        return ImportReport(skipped=[(url, reason)])
    draft = importer._fill(Draft(label=url, url=strip_tracking(url)), fetch_pages=True)
    if draft.link_only:
        importer._progress(1, 1, url)
        return ImportReport(failed=[(url, draft.link_reason)])
    return importer.run([draft], fetch_pages=False)


def _too_large(name: str) -> ImportReport:
    """The one size rule for uploaded files and exports."""
    return ImportReport(
        failed=[(name, msg("file.too_large", mb=limits.MAX_FILE_BYTES // 1_000_000))]
    )


def import_file(
    workspace: Workspace,
    name: str,
    data: bytes,
    *,
    format: str = "auto",
    fetch: bool = True,
    **options,
) -> ImportReport:
    """An uploaded file: a single page/note, or an export (then see import_export)."""
    if len(data) > limits.MAX_FILE_BYTES:
        return _too_large(name)
    fmt = exports.detect_format(name, data) if format == "auto" else format
    if fmt in exports.EXPORT_FORMATS:
        return import_export(workspace, name, data, format=fmt, fetch=fetch, **options)
    importer = Importer(workspace, **options)
    report = ImportReport()
    if fmt == "markdown":
        draft, notes = files.from_markdown(name, data)
        report.notes.extend(msg("file.note", name=name, note=n) for n in notes)
    elif fmt == "html":
        draft = files.from_html(name, data)
    elif fmt == "text":
        draft = files.from_text(name, data)
    else:
        return ImportReport(failed=[(name, msg("file.unknown_format", format=fmt))])
    report.extend(importer.run([draft], fetch_pages=False))
    return report


def import_export(
    workspace: Workspace,
    name: str,
    data: bytes,
    *,
    format: str = "auto",
    fetch: bool = True,
    **options,
) -> ImportReport:
    """A bookmark or read-later export: every entry becomes an article (link-only if need be)."""
    if len(data) > limits.MAX_FILE_BYTES:
        return _too_large(name)
    fmt = exports.detect_format(name, data) if format == "auto" else format
    parser = exports.PARSERS.get(fmt)
    if parser is None:
        return ImportReport(failed=[(name, msg("file.not_export", format=fmt))])
    notes: list[Message] = []
    try:
        drafts = parser(data, notes)
    except exports.ExportError as exc:
        return ImportReport(failed=[(name, exc.message)])
    report = Importer(workspace, **options).run(drafts, fetch_pages=fetch)
    report.notes[:0] = [msg("file.note", name=name, note=n) for n in notes]
    return report
