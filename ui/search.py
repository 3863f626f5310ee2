"""Search: one box bound to ?q=, facet filters with counts, paging, suggestions.

The filter widgets show labels with counts, but the URL carries ids (``?kind=case&problem=
traffic-drop``): Streamlit's ``bind="query-params"`` would write the formatted label (with
its count, in the current language), so a shared link would open an empty page. They are
synced by hand instead: the URL seeds a widget on a fresh load, a change writes its id back.
"""

from __future__ import annotations

import streamlit as st

from kb.config import KINDS
from kb.query import MAX_QUERY_CHARS
from ui import nav, services
from ui.components import hit_card
from ui.components.badges import kind_label, problem_name
from ui.i18n import labels, t, text

PER_PAGE = 10
FILTERS = ("kind", "problem", "tag")
DRAFTS = "drafts"  # ?drafts=1 shows drafts too


def _reset_page() -> None:
    st.session_state.pop("page", None)  # back to the first page (the widget's default)


def _filter_changed(name: str) -> None:
    """Write the filter's id (never its label) to the URL."""
    value = st.session_state.get(name)
    if value:
        st.query_params[name] = "1" if value is True else str(value)
    elif name in st.query_params:
        del st.query_params[name]
    _reset_page()


def _seed_from_url(choices: dict[str, list[str]]) -> None:
    """On a fresh load (a shared link), the filter widgets start from the URL's ids; an id
    that is not a choice (an old link) is dropped from the URL."""
    for name in FILTERS:
        if name in st.session_state:
            continue
        value = st.query_params.get(name)
        if value and value in choices[name]:
            st.session_state[name] = value
        elif value is not None:
            del st.query_params[name]
    if DRAFTS not in st.session_state:
        st.session_state[DRAFTS] = st.query_params.get(DRAFTS) == "1"


def _use_suggestion(word: str) -> None:
    st.session_state["q"] = word
    _reset_page()


def _facet_label(name: str, counts: dict[str, int], label: str) -> str:
    n = counts.get(name)
    return f"{label} · {n}" if n is not None else label


def _filters(facets: dict[str, dict[str, int]], choices: dict[str, list[str]]) -> None:
    cols = st.columns([2, 2, 2])
    with cols[0]:
        st.segmented_control(
            t("search.kind"),
            KINDS,
            format_func=labels(
                KINDS, lambda k: _facet_label(k, facets.get("kind", {}), kind_label(k))
            ),
            key="kind",
            on_change=_filter_changed,
            args=("kind",),
        )
    with cols[1]:
        problems = choices["problem"]
        st.selectbox(
            t("search.problem"),
            problems,
            index=None,
            placeholder=t("search.any"),
            format_func=labels(
                problems, lambda p: _facet_label(p, facets.get("problem", {}), problem_name(p))
            ),
            key="problem",
            on_change=_filter_changed,
            args=("problem",),
        )
    with cols[2]:
        tags = choices["tag"]
        st.selectbox(
            t("search.tag"),
            tags,
            index=None,
            placeholder=t("search.any"),
            format_func=labels(tags, lambda g: _facet_label(g, facets.get("tag", {}), g)),
            key="tag",
            on_change=_filter_changed,
            args=("tag",),
        )
    st.toggle(
        t("search_ui.show_drafts"),
        key=DRAFTS,
        help=t("search_ui.show_drafts_help"),
        on_change=_filter_changed,
        args=(DRAFTS,),
    )


def _param(name: str) -> str | None:
    """A filter's id (its widget's state, seeded from the URL on a fresh load; the widgets are
    drawn after the search, because they show the result counts)."""
    return st.session_state.get(name) or None


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
    from kb.search import IndexUnavailable

    st.title(t("search.title"))
    st.text_input(
        t("search.box"),
        key="q",
        bind="query-params",
        placeholder=t("search.placeholder"),
        help=t("search.help"),
        on_change=_reset_page,
        type="search",
        max_chars=MAX_QUERY_CHARS,
    )
    query = (st.session_state.get("q") or "").strip()
    choices = {
        "kind": list(KINDS),
        "problem": [p.id for p in services.workspace().taxonomy],
        "tag": _all_tags(),
    }
    _seed_from_url(choices)
    try:
        idx = services.index()
        results = idx.search(
            query,
            kind=_param("kind"),
            problem=_param("problem"),
            tag=_param("tag"),
            page=_current_page(),
            per_page=PER_PAGE,
            include_drafts=bool(st.session_state.get(DRAFTS)),
        )
    except IndexUnavailable as exc:
        st.error(text(exc.message))
        return
    for notice in results.notices:  # e.g. the index was damaged and has been rebuilt
        st.info(text(notice), icon=":material/build:")
    _filters(results.facets, choices)
    for err in results.errors:
        st.warning(text(err))
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
