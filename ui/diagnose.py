"""Diagnose: a guided wizard from a metrics file (or a few answers) to causes worth checking."""

from __future__ import annotations

import streamlit as st

from ui.diagnosis import changes, inputs, questions, results
from ui.diagnosis.state import next_step, prev_step, reset, state, steps
from ui.i18n import t

RENDER = {
    1: inputs.step_source,
    2: inputs.step_mapping,
    3: changes.step_changes,
    4: questions.step_questions,
    5: results.step_hypotheses,
    6: results.step_report,
}
OWN_BUTTONS = {1, 2, 4}  # steps that draw their own back/next (they validate first)


def _progress() -> None:
    s = state()
    order = steps()
    labels = [t(f"dx.short{n}") for n in order]
    pos = order.index(s["step"]) if s["step"] in order else 0
    st.progress(
        (pos + 1) / len(order),
        text=" → ".join(f"**{label}**" if i == pos else label for i, label in enumerate(labels)),
    )


def _nav_buttons() -> None:
    s = state()
    last = s["step"] == steps()[-1]
    cols = st.columns([1, 1, 4])
    if cols[0].button(t("dx.back"), key=f"dx_back_{s['step']}"):
        prev_step()
        st.rerun()
    if not last and cols[1].button(t("dx.next"), type="primary", key=f"dx_next_{s['step']}"):
        next_step()
        st.rerun()


def render() -> None:
    st.title(t("dx.title"))
    head = st.columns([5, 1])
    head[0].caption(t("dx.intro"))
    if head[1].button(t("dx.restart"), icon=":material/restart_alt:", key="dx_restart"):
        reset()
        st.rerun()
    _progress()
    s = state()
    if s["step"] in (3, 4, 5, 6) and s["mode"] != "nodata" and s["result"] is None:
        s["step"] = 1  # a result is needed; e.g. after a restart of the server
    RENDER[s["step"]]()
    if s["step"] not in OWN_BUTTONS:
        _nav_buttons()


if __name__ == "__main__":
    render()
