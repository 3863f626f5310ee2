"""A compact list of documents (title link + kind badge + summary)."""

from __future__ import annotations

import streamlit as st

from ui import nav
from ui.components.badges import draft_badge, kind_badge


def show(docs, key: str, limit: int | None = None, compact: bool = False) -> None:
    """``docs``: objects with id, kind, title and optionally summary (Document or Hit).
    ``compact``: one link per line with the kind as a caption (for narrow side columns)."""
    items = list(docs)[:limit] if limit else list(docs)
    with st.container(key=key):
        for doc in items:
            if compact:
                nav.doc_link(doc.id, doc.title, doc.kind)
                continue
            cols = st.columns([5, 1])
            with cols[0]:
                nav.doc_link(doc.id, doc.title, doc.kind)
            cols[1].markdown(f"{kind_badge(doc.kind)} {draft_badge(doc)}".strip())
            summary = getattr(doc, "summary", "")
            if summary:
                st.caption(summary)
