"""Changes to articles already imported: fetch a link-only page now, save accepted suggestions."""

from __future__ import annotations

from kb.documents import (
    ConflictError,
    Document,
    DocumentError,
    FieldError,
    document_path,
    read_document,
    save_document,
    validate_links,
)
from kb.importers.draft import Draft
from kb.importers.extract import one_line
from kb.importers.messages import msg
from kb.importers.report import ImportReport
from kb.importers.service import Importer
from kb.importers.suggest import suggest
from kb.importers.textutil import clean_tags
from kb.workspace import Workspace


def refetch(workspace: Workspace, doc_id: str, **options) -> ImportReport:
    """Fetch a link-only article's page now and fill in its body (the file is updated)."""
    importer = Importer(workspace, **options)
    try:
        doc = read_document(document_path(workspace.config, "article", doc_id))
    except (DocumentError, OSError) as exc:
        error = f"{exc.__class__.__name__}: {exc}"
        return ImportReport(failed=[(doc_id, msg("import.article_not_found", error=error))])
    if not doc.source.startswith(("http://", "https://")):
        return ImportReport(failed=[(doc_id, msg("import.no_source_url"))])
    draft = importer._fill(Draft(label=doc_id, url=doc.source), fetch_pages=True)
    if draft.link_only:
        return ImportReport(failed=[(doc_id, draft.link_reason)])
    sha = doc.sha
    doc.body = draft.body
    doc.meta.pop("link_only", None)
    for key, value in (("site", draft.site), ("published", draft.published)):
        if value and not doc.meta.get(key):
            doc.meta[key] = value
    if draft.author and not doc.meta.get("author"):
        doc.meta["author"] = draft.author
    doc.summary = doc.summary or one_line(draft.summary, 300)
    try:
        save_document(workspace.config, doc, expected_sha=sha)
    except (ConflictError, DocumentError) as exc:
        return ImportReport(failed=[(doc_id, msg("import.save_failed", error=str(exc)))])
    found = suggest(f"{doc.title}\n{doc.body}", workspace.taxonomy, importer.vocabulary)
    return ImportReport(imported=[doc_id], suggestions={doc_id: found}, documents={doc_id: doc})


def apply_choices(
    workspace: Workspace,
    doc_id: str,
    *,
    problems: list[str] | None = None,
    metrics: list[str] | None = None,
    tags: list[str] | None = None,
    kind: str = "article",
) -> Document:
    """Save the problem types, metrics and tags the user accepted (or changed) for a document.

    Unknown problem ids or metric names are refused with the field named (DocumentError);
    a file changed on disk meanwhile raises ConflictError instead of losing that edit.
    """
    doc = read_document(document_path(workspace.config, kind, doc_id))
    sha = doc.sha
    if problems is not None:
        doc.problems = list(dict.fromkeys(problems))
    if metrics is not None:
        doc.metrics = list(dict.fromkeys(metrics))
    if tags is not None:
        doc.tags = clean_tags(tags)
    errors: list[FieldError] = [
        e
        for e in validate_links(doc, workspace.taxonomy, workspace.metrics)
        if e.field in ("problems", "metrics")
    ]
    if errors:
        raise DocumentError(errors)
    save_document(workspace.config, doc, expected_sha=sha)
    return doc
