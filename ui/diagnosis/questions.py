"""Step 4: the questions the data could not settle (or, without data, an interview)."""

from __future__ import annotations

import streamlit as st

from ui import services
from ui.diagnosis import service
from ui.diagnosis.inputs import rerun_with_answers
from ui.diagnosis.state import go, prev_step, state
from ui.i18n import labels, lang, t, text

MAX_QUESTIONS = 8


def _ask(question, key: str, current=None) -> str:
    values = [o["value"] for o in question.options]
    labels = {o["value"]: o["label"] for o in question.options}
    return st.radio(
        question.text,
        values,
        index=values.index(current) if current in values else None,
        format_func=lambda v: labels.get(v, str(v)),
        help=question.hint or None,
        horizontal=True,
        key=key,
    )


def _with_data() -> None:
    s = state()
    diag = s["result"]
    if not diag.questions:
        st.success(t("dx.no_questions"))
    with st.form("dx_questions", border=False):
        answers = {}
        for i, q in enumerate(diag.questions):
            answers[q.key] = _ask(q, f"dx_q_{i}", s["answers"].get(q.key))
        back, nxt, _ = st.columns([1, 2, 5])
        went_back = back.form_submit_button(t("dx.back"))
        submitted = nxt.form_submit_button(t("dx.show_hypotheses"), type="primary")
    if went_back:
        prev_step()
        st.rerun()
    if submitted:
        s["answers"] = {k: v for k, v in answers.items() if v}
        if rerun_with_answers():
            go(5)
            st.rerun()


def _candidates(interview) -> None:
    ranked = interview.posterior()[:5]
    if ranked:
        st.markdown(f"**{t('dx.candidates')}**")
        for problem, prob in ranked:
            st.progress(min(1.0, prob), text=f"{text(problem.name)} · {prob:.0%}")


def _without_data() -> None:
    s = state()
    ws = services.workspace()
    areas = [None, *ws.taxonomy.areas]
    area = st.selectbox(
        t("dx.area"),
        areas,
        index=areas.index(s["area"]) if s["area"] in areas else 0,
        format_func=labels(
            areas, lambda a: t("dx.any_area") if a is None else text(ws.taxonomy.areas[a].name)
        ),
        key="dx_area",
    )
    if area != s["area"]:
        s.update(area=area, answers={})
    interview = service.interview(s["answers"], area)
    for key, value in s["answers"].items():
        st.caption(f"✓ {_key_label(key)}: {_answer_label(value)}")
    question = interview.next_question(lang())
    if question is not None and len(s["answers"]) < MAX_QUESTIONS:
        with st.form("dx_interview", border=True):
            choice = _ask(question, f"dx_iq_{len(s['answers'])}")
            if st.form_submit_button(t("dx.answer"), type="primary"):
                s["answers"][question.key] = choice or "unknown"
                st.rerun()
    else:
        st.success(t("dx.interview_done"))
    _candidates(interview)
    back, reset, nxt = st.columns([1, 1, 4])
    if back.button(t("dx.back"), key="dx_back4"):
        prev_step()
        st.rerun()
    if reset.button(t("dx.restart_questions"), key="dx_reset4"):
        s["answers"] = {}
        st.rerun()
    if nxt.button(
        t("dx.show_hypotheses"), type="primary", key="dx_next4", disabled=not s["answers"]
    ):
        s["nodata"] = service.diagnose_answers(s["answers"], lang())
        go(5)
        st.rerun()


def _key_label(key: str) -> str:
    metrics = services.workspace().metrics
    if key in metrics:
        return metrics[key].label(lang())
    return t(f"signature.{key}")


def _answer_label(value) -> str:
    if value in ("up", "down", "flat"):
        return t(f"moves.{value}")
    if value == "unknown":
        return t("dx.unknown")
    return t(f"signature.{value}")


def step_questions() -> None:
    st.subheader(t("dx.step4"))
    if state()["mode"] == "nodata":
        st.caption(t("dx.interview_help"))
        _without_data()
    else:
        if state()["result"].questions:
            st.caption(t("dx.questions_help"))
        _with_data()
