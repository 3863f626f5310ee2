"""Small inline labels: document kind, problem types, tags."""

from __future__ import annotations

import streamlit as st

from ui import nav, services
from ui.i18n import t, text

KIND_COLORS = {"playbook": "blue", "case": "orange", "article": "green", "log": "violet"}


def kind_label(kind: str) -> str:
    return t(f"kinds.{kind}")


def kind_badge(kind: str) -> str:
    """Markdown for a coloured kind badge (st.markdown renders it)."""
    return f":{KIND_COLORS.get(kind, 'gray')}-badge[{kind_label(kind)}]"


def draft_badge(doc) -> str:
    """Markdown for the draft badge ('' for published documents and search hits without state)."""
    return f":violet-badge[:material/edit_document: {t('save.draft')}]" if is_draft(doc) else ""


def is_draft(doc) -> bool:
    return bool(getattr(doc, "is_draft", False))


def problem_name(problem_id: str) -> str:
    problem = services.workspace().taxonomy.get(problem_id)
    return text(problem.name) if problem else problem_id


def problem_links(problem_ids, key: str, vertical: bool = False) -> None:
    """Problem types as links to their pages, in a row (or one per line)."""
    ids = [p for p in problem_ids if p]
    if not ids:
        return
    if vertical:
        for pid in ids:
            nav.link("problems", problem_name(pid), icon=":material/label:", problem=pid)
        return
    cols = st.columns(min(len(ids), 4))
    for i, pid in enumerate(ids):
        with cols[i % len(cols)]:
            nav.link("problems", problem_name(pid), icon=":material/label:", problem=pid)


def tags_line(tags) -> str:
    return " ".join(f":gray-badge[{tag}]" for tag in tags)
