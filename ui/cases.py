"""案例库: cases by industry, platform, objective, tactic, real vs illustrative and problem type
(?industry=&platform=&objective=&tactic=&real=&problem= keep the view shareable), and the form
that turns an imported article into a case (?from_article=ID)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kb import caselib
from kb.documents import ConflictError, DocumentError, save_document
from kb.importers.ids import make_id
from ui import nav, services
from ui.components.badges import problem_name
from ui.components.case_panel import result_lines
from ui.i18n import labels, lang, t

FACETS = (  # query parameter, caselib facet list, CaseInfo-facing filter keyword
    ("industry", "industries", "industry"),
    ("platform", "platforms", "platform"),
    ("objective", "objectives", "objective"),
    ("tactic", "tactics", "tactic"),
)
REALS = ("all", "real", "illustrative")


def _param_list(name: str) -> list[str]:
    value = st.query_params.get(name, "")
    return [v for v in value.split(",") if v]


def _set_param(name: str, values) -> None:
    value = ",".join(values) if isinstance(values, list) else values
    if value:
        st.query_params[name] = value
    elif name in st.query_params:
        del st.query_params[name]


def _filters(library, counts) -> dict:
    chosen: dict = {}
    cols = st.columns(4)
    for col, (param, facet, key) in zip(cols, FACETS, strict=True):
        options = [x.name for x in library.terms(facet) if counts[key].get(x.name)]
        wanted = [v for v in _param_list(param) if v in options]
        picked = col.multiselect(
            t(f"caselib.{param}"),
            options,
            default=wanted,
            format_func=labels(
                options, lambda n, f=facet, k=key: f"{library.label(f, n, lang())} ({counts[k][n]})"
            ),
            key=f"cases_{param}",
            placeholder=t("caselib.any"),
        )
        _set_param(param, picked)
        chosen[key] = picked
    cols = st.columns([2, 2, 3])
    real = st.query_params.get("real", "all")
    picked_real = (
        cols[0].segmented_control(
            t("caselib.numbers"),
            REALS,
            default=real if real in REALS else "all",
            format_func=labels(REALS, lambda r: t(f"caselib.real_{r}")),
            key="cases_real",
        )
        or "all"
    )
    _set_param("real", "" if picked_real == "all" else picked_real)
    chosen["real"] = None if picked_real == "all" else picked_real
    problems = ["", *sorted(counts["problem"], key=lambda p: -counts["problem"][p])]
    wanted = st.query_params.get("problem", "")
    problem = cols[1].selectbox(
        t("caselib.problem"),
        problems,
        index=problems.index(wanted) if wanted in problems else 0,
        format_func=labels(
            problems,
            lambda p: t("caselib.any") if not p else f"{problem_name(p)} ({counts['problem'][p]})",
        ),
        key="cases_problem",
    )
    _set_param("problem", problem)
    chosen["problem"] = problem or None
    return chosen


def _card(library, case: caselib.CaseInfo) -> None:
    with st.container(border=True):
        cols = st.columns([5, 1])
        with cols[0]:
            nav.doc_link(case.id, case.doc.title, "case")
        badge = ":green-badge[{}]" if case.real else ":gray-badge[{}]"
        cols[1].markdown(
            badge.format(t("caselib.badge_real" if case.real else "caselib.badge_illustrative"))
        )
        facts = [case.brand] if case.brand else []
        if case.industry:
            facts.append(library.label("industries", case.industry, lang()))
        facts += [library.label("platforms", p, lang()) for p in case.platforms]
        facts += [library.label("tactics", x, lang()) for x in case.tactics]
        if case.doc.meta.get("period"):
            facts.append(str(case.doc.meta["period"]))
        if facts:
            st.caption(" · ".join(facts))
        for line in result_lines(case)[:3]:
            st.markdown(f"- {line}")
        if case.doc.summary:
            st.caption(case.doc.summary)


def library_view() -> None:
    ws = services.workspace()
    library = caselib.workspace_library(ws)
    cases = caselib.infos(services.collection())
    st.title(t("caselib.title"))
    st.caption(t("caselib.intro"))
    counts = caselib.facet_counts(cases)
    chosen = _filters(library, counts)
    found = caselib.filter_cases(cases, **chosen)
    # newest first, then real (sourced) cases before illustrative ones
    found.sort(key=lambda c: str(c.doc.meta.get("period") or c.doc.created), reverse=True)
    found.sort(key=lambda c: not c.real)
    st.markdown(t("caselib.count", n=len(found), total=len(cases)))
    if not found:
        st.info(t("caselib.none"))
    cols = st.columns(2)
    for i, case in enumerate(found):
        with cols[i % 2]:
            _card(library, case)


def _result_rows(hint, source: str) -> pd.DataFrame:
    rows = []
    for n in hint.numbers:
        value, unit = caselib.parse_hint_value(n.value)
        rows.append(
            {"use": False, "metric": n.metric, "before": None, "after": value, "unit": unit,
             "source": source, "text": n.text}
        )  # fmt: skip
    if not rows:
        rows.append(
            {
                "use": False,
                "metric": "",
                "before": None,
                "after": None,
                "unit": "",
                "source": source,
                "text": "",
            }
        )
    return pd.DataFrame(rows)


def article_form(article_id: str) -> None:
    ws = services.workspace()
    coll = services.collection()
    article = coll.docs.get(article_id)
    st.title(t("caselib.form_title"))
    if article is None or article.kind != "article":
        st.warning(t("caselib.no_article", id=article_id))
        nav.link("cases", t("caselib.back"), icon=":material/arrow_back:")
        return
    library = caselib.workspace_library(ws)
    hint = caselib.suggest_from_article(article, library)
    st.caption(t("caselib.form_intro"))
    nav.doc_link(article.id, article.title, "article")
    names = {f: [x.name for x in library.terms(f)] for f in caselib.FACETS}
    with st.form("case_from_article"):
        title = st.text_input(t("caselib.f_title"), hint.title, key="cf_title")
        c1, c2, c3 = st.columns(3)
        brand = c1.text_input(t("caselib.f_brand"), hint.brand, key="cf_brand")
        industries = ["", *names["industries"]]
        industry = c2.selectbox(
            t("caselib.industry"),
            industries,
            index=industries.index(hint.industry) if hint.industry in industries else 0,
            key="cf_industry",
        )
        period = c3.text_input(t("caselib.f_period"), hint.period, key="cf_period")
        c1, c2, c3 = st.columns(3)
        platforms = c1.multiselect(
            t("caselib.platform"), names["platforms"], default=hint.platforms, key="cf_platforms"
        )
        tactics = c2.multiselect(
            t("caselib.tactic"), names["tactics"], default=hint.tactics, key="cf_tactics"
        )
        objectives = c3.multiselect(
            t("caselib.objective"), names["objectives"], key="cf_objectives"
        )
        c1, c2 = st.columns(2)
        budgets = ["", *names["budget_bands"]]
        budget = c1.selectbox(t("caselib.f_budget"), budgets, key="cf_budget")
        problems = c2.multiselect(
            t("caselib.problem"),
            [p.id for p in ws.taxonomy],
            format_func=labels([p.id for p in ws.taxonomy], problem_name),
            key="cf_problems",
        )
        st.markdown(t("caselib.f_results"))
        table = st.data_editor(
            _result_rows(hint, article.source),
            num_rows="dynamic",
            hide_index=True,
            column_config={
                "use": st.column_config.CheckboxColumn(t("caselib.f_use")),
                "metric": st.column_config.TextColumn(t("caselib.f_metric")),
                "before": st.column_config.NumberColumn(t("caselib.f_before")),
                "after": st.column_config.NumberColumn(t("caselib.f_after")),
                "unit": st.column_config.TextColumn(t("caselib.f_unit")),
                "source": st.column_config.TextColumn(t("caselib.f_source")),
                "text": st.column_config.TextColumn(t("caselib.f_text"), disabled=True),
            },
            key="cf_results",
        )
        illustrative = st.checkbox(t("caselib.f_illustrative"), key="cf_illustrative")
        draft = st.checkbox(t("caselib.f_draft"), key="cf_draft")
        submitted = st.form_submit_button(t("caselib.f_save"), type="primary")
    if not submitted:
        return
    results = [
        {
            k: (None if pd.isna(row[k]) else row[k])
            for k in ("metric", "before", "after", "unit", "source")
        }
        for _, row in table.iterrows()
        if row.get("use") and str(row.get("metric") or "").strip()
    ]
    case_id = make_id(title, lambda i: i in coll.docs, default="case")
    if not case_id.startswith("case-"):
        case_id = make_id(f"case {title}", lambda i: i in coll.docs, default="case")
    doc = caselib.case_from_article(
        article,
        case_id,
        title,
        {
            "brand": brand, "industry": industry, "platforms": platforms, "objectives": objectives,
            "tactics": tactics, "budget": budget, "period": period, "problems": problems,
            "results": results, "illustrative": illustrative, "state": "draft" if draft else None,
        },
        lang=lang(),
        created=dt.date.today(),
    )  # fmt: skip
    problems_found = [str(e) for e in caselib.check_case(doc, library, coll.docs)]
    if problems_found:
        for msg in problems_found:
            st.error(msg)
        return
    try:
        save_document(ws.config, doc)
    except DocumentError as exc:
        st.error(exc.get(lang()))
        return
    except ConflictError as exc:
        st.error(str(exc))
        return
    services.sync_index()
    nav.go("read", doc=doc.id)


def render() -> None:
    article_id = st.query_params.get("from_article")
    if article_id:
        article_form(article_id)
    else:
        library_view()


if __name__ == "__main__":
    render()
