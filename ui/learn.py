"""Learn: the new-hire path with progress, the glossary, and practice drills."""

from __future__ import annotations

import streamlit as st

from kb.glossary import workspace_glossary
from kb.learning import grade, workspace_drills, workspace_learning
from ui import nav, services
from ui.components import progress_store
from ui.components.badges import problem_name
from ui.diagnosis import service as dx_service
from ui.diagnosis.state import go as dx_go
from ui.diagnosis.state import load_file
from ui.i18n import labels, lang, t, text

DONE = "learn_done"  # set of finished step ids (per browser session)
LEARNER = "learner"  # query parameter and session key: who is learning, kept across reloads
GLOSSARY_SHOWN = 40


def _learner() -> None:
    """Optional name: progress is then also kept in a local file.

    The name is remembered in the URL (``?learner=``) and for the session, so a reload or a
    bookmark comes back to the same progress without typing the name again."""
    if "learn_name" not in st.session_state:
        remembered = st.query_params.get(LEARNER) or st.session_state.get(LEARNER, "")
        if remembered:
            st.session_state["learn_name"] = remembered[:40]
    name = st.text_input(
        t("learn.name"), key="learn_name", help=t("learn.name_help"), max_chars=40
    ).strip()
    st.session_state[LEARNER] = name
    if name and st.query_params.get(LEARNER) != name:
        st.query_params[LEARNER] = name
    elif not name and LEARNER in st.query_params:
        del st.query_params[LEARNER]
    if name and st.session_state.get("learn_loaded") != name:
        root = services.workspace().config.root
        done = progress_store.load(root, name) | st.session_state.get(DONE, set())
        st.session_state[DONE] = done
        st.session_state["learn_loaded"] = name
        for step_id in done:  # tick the boxes (drawn below in this run)
            st.session_state[f"learn_{step_id}"] = True


def _path() -> None:
    ws = services.workspace()
    path = workspace_learning(ws)
    _learner()
    done: set = st.session_state.setdefault(DONE, set())
    steps = list(path.steps())
    st.progress(
        len(done & {s.id for s in steps}) / max(len(steps), 1),
        text=t("learn.progress", done=len(done), total=len(steps)),
    )
    for week in path.weeks:
        finished = sum(s.id in done for s in week.steps)
        with st.expander(
            f"{text(week.title)} · {finished}/{len(week.steps)}",
            expanded=finished < len(week.steps),
        ):
            st.caption(text(week.goal))
            for step in week.steps:
                _step(step, done)


def _toggle(step_id: str) -> None:
    done: set = st.session_state.setdefault(DONE, set())
    done.symmetric_difference_update({step_id})
    name = st.session_state.get("learn_name")
    if name:
        progress_store.save(services.workspace().config.root, name, done)


def _step(step, done: set) -> None:
    with st.container(border=True):
        st.checkbox(
            f"**{text(step.title)}**",
            value=step.id in done,
            key=f"learn_{step.id}",
            on_change=_toggle,
            args=(step.id,),
        )
        st.caption(text(step.why))
        if step.glossary:
            st.markdown(
                t("learn.words") + " " + " ".join(f":blue-badge[{g}]" for g in step.glossary)
            )
        for doc_id in step.docs:
            doc = services.collection().docs.get(doc_id)
            if doc:
                nav.doc_link(doc.id, doc.title, doc.kind)
        for pid in step.problems:
            nav.link("problems", problem_name(pid), icon=":material/label:", problem=pid)
        if step.drills:
            st.caption(t("learn.drills_here", n=len(step.drills)))


def _glossary() -> None:
    glossary = workspace_glossary(services.workspace())
    query = st.text_input(
        t("learn.glossary_search"),
        key="gq",
        bind="query-params",
        placeholder=t("learn.glossary_placeholder"),
    )
    terms = glossary.search(query or "")
    st.caption(t("learn.glossary_count", n=len(terms)))
    for term in terms[:GLOSSARY_SHOWN]:
        names = " / ".join(n for n in term.names() if n != term.label(lang()))
        with st.container(border=True):
            st.markdown(f"**{term.label(lang())}**  :gray[{names}]")
            st.write(text(term.definition))
            if term.formula:
                st.code(term.formula, language=None)
            if term.problems:
                st.markdown(
                    " · ".join(f"[{problem_name(p)}](problems?problem={p})" for p in term.problems)
                )


def _open_sample(name: str) -> None:
    load_file(f"{name}.csv", dx_service.sample_bytes(name), "sample")
    dx_go(2)


def _drills() -> None:
    drills = workspace_drills(services.workspace())
    if not drills:
        st.info(t("learn.no_drills"))
        return
    ids = list(drills)
    wanted = st.query_params.get("drill")
    if wanted in drills and "learn_drill" not in st.session_state:
        st.session_state["learn_drill"] = wanted  # ?drill=ID, e.g. from a problem page
    drill_id = st.selectbox(
        t("learn.drill"),
        ids,
        format_func=labels(ids, lambda d: text(drills[d].title)),
        key="learn_drill",
    )
    drill = drills[drill_id]
    st.write(text(drill.scenario))
    with st.form(f"drill_{drill.id}"):
        choice = st.radio(
            text(drill.question),
            list(drill.options),
            index=None,
            format_func=labels(drill.options, problem_name),
            key=f"drill_choice_{drill.id}",
        )
        checked = st.form_submit_button(t("learn.check"), type="primary")
    if checked and choice is None:
        st.warning(t("learn.pick_one"))
    elif checked:
        right, why = grade(drill, choice)
        (st.success if right else st.error)(
            t("learn.right" if right else "learn.wrong", answer=problem_name(drill.answer))
        )
        st.markdown(text(why))
        st.markdown(f"**{t('learn.next_checks')}** {text(drill.checks)}")
    if (
        drill.sample
        and drill.sample in dx_service.samples()
        and st.button(
            t("learn.open_sample"), icon=":material/troubleshoot:", key=f"drill_sample_{drill.id}"
        )
    ):
        _open_sample(drill.sample)
        nav.go("diagnose")


def render() -> None:
    st.title(t("learn.title"))
    labels = [t("learn.tab_path"), t("learn.tab_glossary"), t("learn.tab_drills")]
    # ?drill=ID opens the drills, ?gq=word the glossary (shareable links from other pages)
    default = labels[2] if st.query_params.get("drill") else None
    default = labels[1] if st.query_params.get("gq") else default
    path, glossary, drills = st.tabs(labels, default=default)
    with path:
        _path()
    with glossary:
        _glossary()
    with drills:
        _drills()


if __name__ == "__main__":
    render()
