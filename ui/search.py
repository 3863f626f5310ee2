"""Search: one box bound to ?q=, facet filters with counts, paging, suggestions."""

from __future__ import annotations

import streamlit as st

from kb.config import KINDS
from ui import nav, services
from ui.components import hit_card
from ui.components.badges import kind_label, problem_name
from ui.i18n import labels, t

PER_PAGE = 10
FILTERS = ("kind", "problem", "tag")


def _reset_page() -> None:
    st.session_state.pop("page", None)  # back to the first page (the widget's default)


def _use_suggestion(word: str) -> None:
    st.session_state["q"] = word
    _reset_page()


def _facet_label(name: str, counts: dict[str, int], label: str) -> str:
    n = counts.get(name)
    return f"{label} · {n}" if n is not None else label


def _filters(facets: dict[str, dict[str, int]], tags: list[str]) -> None:
    cols = st.columns([2, 2, 2])
    with cols[0]:
        st.segmented_control(
            t("search.kind"),
            KINDS,
            format_func=labels(
                KINDS, lambda k: _facet_label(k, facets.get("kind", {}), kind_label(k))
            ),
            key="kind",
            bind="query-params",
            on_change=_reset_page,
        )
    with cols[1]:
        problems = [p.id for p in services.workspace().taxonomy]
        st.selectbox(
            t("search.problem"),
            problems,
            index=None,
            placeholder=t("search.any"),
            format_func=labels(
                problems, lambda p: _facet_label(p, facets.get("problem", {}), problem_name(p))
            ),
            key="problem",
            bind="query-params",
            on_change=_reset_page,
        )
    with cols[2]:
        st.selectbox(
            t("search.tag"),
            tags,
            index=None,
            placeholder=t("search.any"),
            format_func=labels(tags, lambda g: _facet_label(g, facets.get("tag", {}), g)),
            key="tag",
            bind="query-params",
            on_change=_reset_page,
        )


def _param(name: str) -> str | None:
    """A filter's value: its widget's state, or the URL on a fresh load (the filter widgets are
    drawn after the search, because they show the result counts)."""
    if name in st.session_state:
        return st.session_state[name] or None
    return st.query_params.get(name) or None


def _current_page() -> int:
    """The page number: the widget's value, or ?page= on a fresh load (drawn only later)."""
    value = st.session_state.get("page") or st.query_params.get("page") or 1
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def _all_tags() -> list[str]:
    tags = {tag for doc in services.collection().docs.values() for tag in doc.tags}
    return sorted(tags)


def render() -> None:
    st.title(t("search.title"))
    st.text_input(
        t("search.box"),
        key="q",
        bind="query-params",
        placeholder=t("search.placeholder"),
        help=t("search.help"),
        on_change=_reset_page,
        type="search",
    )
    query = (st.session_state.get("q") or "").strip()
    idx = services.index()
    page = _current_page()
    results = idx.search(
        query,
        kind=_param("kind"),
        problem=_param("problem"),
        tag=_param("tag"),
        page=page,
        per_page=PER_PAGE,
    )
    _filters(results.facets, _all_tags())
    for err in results.errors:
        st.warning(err)
    if not results.total:
        st.info(t("search.no_results", q=query))
        if results.suggestions:
            st.write(t("search.try_instead"))
            cols = st.columns(min(len(results.suggestions), 4))
            for i, word in enumerate(results.suggestions):
                cols[i % len(cols)].button(
                    word, key=f"suggest_{i}", on_click=_use_suggestion, args=(word,)
                )
        else:
            st.caption(t("search.no_suggestions"))
        nav.link("problems", t("search.browse_problems"), icon=":material/account_tree:")
        return
    key = "search.count" if query else "search.count_all"
    st.caption(t(key, n=results.total))
    for i, hit in enumerate(results.hits):
        hit_card.show(hit, key=f"hit_{i}")
    if results.pages > 1:
        st.pagination(results.pages, key="page", bind="query-params")


if __name__ == "__main__":
    render()
