"""Home: what OpsKB holds, the problem areas, recent documents, start a diagnosis."""

from __future__ import annotations

import streamlit as st

from kb.config import KINDS
from kb.query import MAX_QUERY_CHARS
from ui import nav, services
from ui.components import doc_list
from ui.i18n import t, text

RECENT = 8


def _recent(docs):
    dated = sorted(docs, key=lambda d: (d.created is not None, d.created, d.id), reverse=True)
    return dated[:RECENT]


def render() -> None:
    st.title(t("home.title"))
    st.caption(t("home.tagline"))
    ws = services.workspace()
    coll = services.collection()
    counts = {kind: 0 for kind in KINDS}
    for doc in coll.docs.values():
        counts[doc.kind] = counts.get(doc.kind, 0) + 1
    cols = st.columns(4)
    for col, kind in zip(cols, ("playbook", "case", "article"), strict=False):
        col.metric(t(f"kinds.{kind}s"), counts.get(kind, 0), border=True)
    cols[3].metric(t("home.problem_types"), len(ws.taxonomy), border=True)

    with st.form("home_search", border=False):
        left, right = st.columns([5, 1], vertical_alignment="bottom")
        query = left.text_input(
            t("search.box"), placeholder=t("search.placeholder"), max_chars=MAX_QUERY_CHARS
        )
        if right.form_submit_button(t("search.button"), icon=":material/search:"):
            nav.go("search", q=query.strip()) if query.strip() else nav.go("search")

    if st.button(t("home.start_diagnosis"), type="primary", icon=":material/troubleshoot:"):
        nav.go("diagnose")

    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader(t("home.areas"))
        for area in ws.taxonomy.areas.values():
            problems = ws.taxonomy.by_area(area.id)
            with st.expander(f"{text(area.name)} · {len(problems)}"):
                for problem in problems:
                    nav.link("problems", text(problem.name), problem=problem.id)
    with right:
        st.subheader(t("home.recent"))
        doc_list.show(_recent(coll.docs.values()), key="home_recent")
    if coll.errors:
        with st.expander(t("home.content_errors", n=len(coll.errors))):
            for err in coll.errors:
                st.text(str(err))


if __name__ == "__main__":
    render()
