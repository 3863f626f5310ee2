"""Problems: the taxonomy by area; ?problem=ID shows signature, causes, and linked documents."""

from __future__ import annotations

import streamlit as st

from kb.config import KINDS
from kb.glossary import workspace_glossary
from kb.learning import drills_for_problem, workspace_drills
from ui import nav, services
from ui.components import doc_list, freshness
from ui.i18n import lang, t, text

ARROWS = {"up": "↑", "down": "↓", "flat": "→"}


def _signature_rows(ws, problem) -> list[dict]:
    rows = []
    for key, moves in problem.signature.items():
        if key in ws.metrics:
            name = ws.metrics[key].label(lang())
            shown = " / ".join(f"{ARROWS.get(m, '')} {t(f'moves.{m}')}" for m in moves)
        else:  # concentration / dimension
            name = t(f"signature.{key}")
            shown = " / ".join(t(f"signature.{m}") for m in moves)
        rows.append({t("problems.metric"): name, t("problems.movement"): shown})
    return rows


def show_problem(problem_id: str) -> None:
    ws = services.workspace()
    problem = ws.taxonomy.get(problem_id)
    nav.link("problems", t("problems.back"), icon=":material/arrow_back:")
    if problem is None:
        st.warning(t("problems.not_found", id=problem_id))
        return
    area = ws.taxonomy.areas.get(problem.area)
    st.title(text(problem.name))
    st.caption(f"{text(area.name) if area else problem.area} · `{problem.id}`")
    freshness.show_problem(ws, problem.id)
    if text(problem.summary):
        st.write(text(problem.summary))
    st.subheader(t("problems.signature"))
    st.dataframe(_signature_rows(ws, problem), hide_index=True)
    st.subheader(t("problems.causes"))
    for i, cause in enumerate(problem.causes, start=1):
        with st.expander(f"{i}. {text(cause.text)}", expanded=i == 1):
            st.markdown(f"**{t('problems.check')}** {text(cause.check)}")
            if cause.actions:
                st.markdown(f"**{t('problems.actions')}**")
                st.markdown("\n".join(f"- {text(a)}" for a in cause.actions))
    st.subheader(t("problems.documents"))
    drafts = st.toggle(t("save.show_drafts"), key="problems_drafts")
    docs = services.collection().by_problem(problem.id, drafts=drafts)
    if not docs:
        st.caption(t("problems.no_documents"))
    for kind in KINDS:
        group = [d for d in docs if d.kind == kind]
        if group:
            st.markdown(f"**{t(f'kinds.{kind}s')}**")
            doc_list.show(group, key=f"problem_docs_{kind}")
    _words_and_drills(problem.id)
    related = [ws.taxonomy.get(r) for r in problem.related if ws.taxonomy.get(r)]
    if related:
        st.subheader(t("problems.related"))
        for other in related:
            nav.link("problems", text(other.name), problem=other.id)


def _words_and_drills(problem_id: str) -> None:
    """Glossary terms to know for this problem, and drills that practise it."""
    ws = services.workspace()
    terms = workspace_glossary(ws).for_problem(problem_id)
    if terms:
        st.subheader(t("problems.words"))
        st.markdown(" ".join(f":blue-badge[{term.label(lang())}]" for term in terms))
    drills = drills_for_problem(workspace_drills(ws), problem_id)
    if drills:
        st.subheader(t("problems.practice"))
        for drill in drills:
            nav.link("learn", text(drill.title), icon=":material/quiz:", drill=drill.id)


def render() -> None:
    problem_id = st.query_params.get("problem", "")
    if problem_id:
        show_problem(problem_id)
        return
    ws = services.workspace()
    st.title(t("problems.title"))
    st.caption(t("problems.intro"))
    coll = services.collection()
    tabs = st.tabs([text(a.name) for a in ws.taxonomy.areas.values()])
    for tab, area in zip(tabs, ws.taxonomy.areas.values(), strict=True):
        with tab:
            for problem in ws.taxonomy.by_area(area.id):
                n = len(coll.by_problem(problem.id))
                cols = st.columns([3, 4, 1])
                with cols[0]:
                    nav.link("problems", text(problem.name), problem=problem.id)
                cols[1].caption(text(problem.summary))
                cols[2].caption(t("problems.n_docs", n=n))


if __name__ == "__main__":
    render()
