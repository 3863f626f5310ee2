"""Read one document (?doc=ID): sanitised body, problem types, metrics, related documents,
its edit history; a draft shows its badge and the publish step."""

from __future__ import annotations

import streamlit as st

from kb.documents import ConflictError, DocumentError, read_document, save_document
from kb.sanitize import render_markdown
from ui import nav, services
from ui.components import (
    author,
    case_panel,
    conflict,
    doc_list,
    freshness,
    history_panel,
    log_fields,
)
from ui.components.badges import draft_badge, kind_badge, problem_links, tags_line
from ui.i18n import lang, t

RELATED = 6


def related_documents(coll, idx, doc) -> list:
    """Same problem type first, then similar text; without the document itself or repeats."""
    seen = {doc.id}
    out = []
    for pid in doc.problems:
        for other in coll.by_problem(pid):
            if other.id not in seen:
                seen.add(other.id)
                out.append(other)
    for hit in idx.similar(doc.id, limit=RELATED):
        if hit.id not in seen and not coll.is_draft(hit.id):
            seen.add(hit.id)
            out.append(hit)
    return out[: RELATED * 2]


def _metric_label(ws, name: str) -> str:
    canonical = ws.metrics.resolve(name)
    return ws.metrics[canonical].label(lang()) if canonical else name


def render() -> None:
    doc_id = st.query_params.get("doc", "")
    coll = services.collection()
    doc = coll.docs.get(doc_id)
    if doc is None:
        st.title(t("read.title"))
        if doc_id:
            st.warning(t("read.not_found", id=doc_id))
        nav.link("search", t("read.browse"), icon=":material/search:")
        return
    ws = services.workspace()
    st.title(doc.title)
    meta = [kind_badge(doc.kind), draft_badge(doc)]
    if doc.created:
        meta.append(f":gray[{t('read.created')} {doc.created.isoformat()}]")
    if doc.tags:
        meta.append(tags_line(doc.tags))
    st.markdown(" ".join(m for m in meta if m))
    freshness.show(doc)
    if doc.kind == "log":
        log_fields.show(doc)
    if doc.is_draft:
        _draft_bar(doc)
    published = st.session_state.pop("read_published", None)
    if published:
        st.success(t("save.published", id=published))
    if doc.summary:
        st.info(doc.summary)
    if doc.source.startswith(("http://", "https://")):
        st.markdown(f"{t('read.source')}: [{doc.source}]({doc.source})")
    elif doc.source:
        st.caption(f"{t('read.source')}: {doc.source}")

    body, side = st.columns([5, 2], gap="large")
    with body:
        # render_markdown sanitises: no script, no event handlers, only web links.
        known = coll.docs.keys() - {doc.id}  # ids in the text link to those documents
        st.markdown(render_markdown(doc.body, known, nav.carry()), unsafe_allow_html=True)
    with side:
        if st.button(t("read.edit"), icon=":material/edit:", key="read_edit"):
            nav.go("log" if doc.kind == "log" else "add", edit=doc.id)
        if doc.problems:
            st.subheader(t("read.problems"))
            problem_links(doc.problems, key="read_problems", vertical=True)
        if doc.metrics:
            st.subheader(t("read.metrics"))
            for name in doc.metrics:
                nav.link("search", _metric_label(ws, name), icon=":material/query_stats:", q=name)
        case_panel.show(doc)
        history_panel.show(doc, key="read_history")
        related = related_documents(coll, services.index(), doc)
        if related:
            st.subheader(t("read.related"))
            doc_list.show(related, key="read_related", compact=True)


def _draft_bar(doc) -> None:
    """A draft says so, and can be published here once it has been completed."""
    cols = st.columns([4, 1])
    cols[0].warning(t("save.draft_info"), icon=":material/edit_document:")
    if cols[1].button(
        t("save.publish"),
        key="read_publish",
        icon=":material/publish:",
        help=t("save.publish_help"),
    ):
        try:
            fresh = read_document(doc.path)  # the text on disk now, with its hash
            fresh.meta["state"] = "published"
            save_document(
                services.workspace().config, fresh, expected_sha=fresh.sha, author=author.current()
            )
        except ConflictError as exc:
            st.error(conflict.message(exc))
            return
        except (DocumentError, OSError) as exc:
            st.error(str(exc))
            return
        services.sync_index()
        st.session_state["read_published"] = doc.id
        st.rerun()


if __name__ == "__main__":
    render()
