"""One search result: title link, kind badge, highlighted snippet, problem tags."""

from __future__ import annotations

import streamlit as st

from ui import nav
from ui.components.badges import kind_badge, problem_name, tags_line


def show(hit, key: str) -> None:
    with st.container(border=True, key=key):
        head = st.columns([6, 1])
        with head[0]:
            nav.doc_link(hit.id, hit.title, hit.kind)
        head[1].markdown(kind_badge(hit.kind))
        if hit.snippet_html:
            # Safe: the engine escapes the text and adds only <mark> around matched words.
            st.markdown(hit.snippet_html, unsafe_allow_html=True)
        elif hit.summary:
            st.caption(hit.summary)
        labels = [f"[{problem_name(p)}](problems?problem={p})" for p in hit.problems]
        line = " · ".join(labels)
        if hit.tags:
            line = f"{line}  {tags_line(hit.tags)}" if line else tags_line(hit.tags)
        if line:
            st.markdown(line)
