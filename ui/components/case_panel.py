"""The case library beside a document: a case's facets, similar cases, playbooks for its
tactics and its source article; an article's cases and the button to write one from it."""

from __future__ import annotations

import streamlit as st

from kb import caselib, similar
from ui import nav, services
from ui.i18n import lang, t


def _line(library, case: caselib.CaseInfo) -> str:
    parts = [case.brand] if case.brand else []
    if case.industry:
        parts.append(library.label("industries", case.industry, lang()))
    parts += [library.label("platforms", p, lang()) for p in case.platforms]
    parts += [library.label("tactics", x, lang()) for x in case.tactics]
    return " · ".join(parts)


def amount(value: float | None) -> str:
    """3.5 亿 / 8,000 万 in Chinese, 350M / 80M in English: how cases quote big numbers."""
    if value is None:
        return "—"
    big = abs(value)
    if lang() == "zh" and big >= 1e8:
        return f"{value / 1e8:,.2f}".rstrip("0").rstrip(".") + "亿"
    if lang() == "zh" and big >= 1e5:
        return f"{value / 1e4:,.1f}".rstrip("0").rstrip(".") + "万"
    if lang() != "zh" and big >= 1e9:
        return f"{value / 1e9:,.2f}".rstrip("0").rstrip(".") + "B"
    if lang() != "zh" and big >= 1e6:
        return f"{value / 1e6:,.1f}".rstrip("0").rstrip(".") + "M"
    return f"{value:,.0f}" if big >= 100 else f"{value:g}"


def result_lines(case: caselib.CaseInfo) -> list[str]:
    out = []
    for r in case.results:
        sep = "" if r.unit and amount(r.after).endswith(("亿", "万")) else " "
        before = f"{amount(r.before)} → " if r.before is not None else ""
        pct = f" ({r.change_pct:+.0f}%)" if r.change_pct is not None else ""
        if r.unit.strip() in ("%", "％") and r.before is not None and r.after is not None:
            pct = f" ({r.after - r.before:+.1f} pp)"  # a share moves in points, not percent
        out.append(f"{r.metric}: {before}{amount(r.after)}{sep}{r.unit}{pct}".strip())
    return out


def show(doc) -> None:
    if doc.kind not in ("case", "article"):
        return
    ws = services.workspace()
    coll = services.collection()
    library = caselib.workspace_library(ws)
    cases = caselib.infos(coll)
    if doc.kind == "article":
        made = caselib.cases_from_article(doc.id, cases)
        st.subheader(t("caselib.from_this_article"))
        for c in made:
            nav.doc_link(c.id, c.doc.title, "case")
        if st.button(t("caselib.make_case"), icon=":material/cases:", key="read_make_case"):
            nav.go("cases", from_article=doc.id)
        return
    case = caselib.case_info(doc)
    st.subheader(t("caselib.facts"))
    st.markdown(t("caselib.real") if case.real else t("caselib.illustrative"))
    line = _line(library, case)
    if line:
        st.caption(line)
    for text in result_lines(case):
        st.markdown(f"- {text}")
    if case.source_article and case.source_article in coll.docs:
        st.caption(t("caselib.written_from"))
        nav.doc_link(case.source_article, coll.docs[case.source_article].title, "article")
    books = caselib.playbooks_for(case, library, coll.docs)
    if books:
        st.subheader(t("caselib.playbooks"))
        for b in books:
            nav.doc_link(b.id, b.title, "playbook")
    near = similar.by_library(case, cases)
    if near:
        st.subheader(t("caselib.similar"))
        for other, _ in near:
            nav.doc_link(other.id, other.doc.title, "case")
