"""Import panel: upload Markdown / HTML / text files or read-later exports, or one URL."""

from __future__ import annotations

from pathlib import PurePath

import streamlit as st

from kb.importers.limits import MAX_FILE_BYTES
from kb.importers.service import import_file, import_url
from ui import nav, services
from ui.i18n import t

TYPES = ("md", "markdown", "txt", "html", "htm", "json", "csv")


def _check(name: str, data: bytes) -> str | None:
    """A message for a file we refuse before importing it, or None."""
    if PurePath(name).suffix.lower().lstrip(".") not in TYPES:
        return t("imp.bad_type", name=name, types=", ".join(TYPES))
    if len(data) > MAX_FILE_BYTES:
        return t("imp.too_large", name=name, mb=MAX_FILE_BYTES // 1_000_000)
    if not data.strip():
        return t("imp.empty", name=name)
    return None


def _report(report) -> None:
    st.info(report.summary())
    for doc_id in report.imported:
        doc = report.documents.get(doc_id)
        nav.doc_link(doc_id, doc.title if doc else doc_id, "article")
        sugg = report.suggestions.get(doc_id)
        if sugg and sugg.problems:
            names = ", ".join(s.value for s in sugg.problems[:3])
            st.caption(t("imp.suggested", problems=names))
    for item, reason in report.skipped:
        st.warning(f"{item}: {reason}")
    for item, reason in report.failed:
        st.error(f"{item}: {reason}")
    for note in report.notes:
        st.caption(note)


def show(key: str = "import") -> None:
    st.caption(t("imp.help"))
    files = st.file_uploader(t("imp.files"), accept_multiple_files=True, key=f"{key}_files")
    fetch = st.checkbox(t("imp.fetch"), value=False, key=f"{key}_fetch")
    if st.button(t("imp.run"), type="primary", key=f"{key}_run", disabled=not files):
        bar = st.progress(0.0, text=t("imp.working"))
        imported = 0
        for i, up in enumerate(files):
            data = up.getvalue()
            problem = _check(up.name, data)
            if problem:
                st.error(problem)
                continue
            try:
                report = import_file(
                    services.workspace(),
                    up.name,
                    data,
                    fetch=fetch,
                    on_progress=lambda done, total, item: bar.progress(
                        min(1.0, done / max(total, 1)), text=f"{item[:60]}"
                    ),
                )
            except Exception as exc:  # noqa: BLE001 - a broken file must not break the page
                st.error(t("imp.failed", name=up.name, msg=type(exc).__name__))
                continue
            imported += len(report.imported)
            _report(report)
            bar.progress((i + 1) / len(files), text=t("imp.working"))
        if imported:
            services.sync_index()
        bar.empty()
    st.divider()
    url = st.text_input(t("imp.url"), key=f"{key}_url", placeholder="https://…")
    if st.button(t("imp.run_url"), key=f"{key}_run_url", disabled=not url.strip()):
        with st.spinner(t("imp.fetching")):
            report = import_url(services.workspace(), url.strip())
        if report.imported:
            services.sync_index()
        _report(report)
