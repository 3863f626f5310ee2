"""Steps 5–6: ranked hypotheses with checks, actions and documents; report and case draft."""

from __future__ import annotations

import streamlit as st

from kb.diagnosis.report import case_draft, markdown_report
from kb.documents import ConflictError, DocumentError, save_document
from kb.sanitize import markdown_cell
from ui import nav, services
from ui.components import author, doc_list
from ui.components.badges import problem_name
from ui.diagnosis import service
from ui.diagnosis.state import state
from ui.i18n import lang, t

VERDICT_COLORS = {"supported": "green", "untested": "orange", "contradicted": "gray"}
TEST_ICONS = {"pass": "✅", "fail": "❌", "untested": "❔"}
SHOWN = 8


class _Doc:
    """A linked document (a dict from the engine) with the attributes doc_list expects."""

    def __init__(self, d: dict):
        self.id, self.kind, self.title = d["id"], d["kind"], d["title"]
        self.summary = d.get("summary", "")


def _outcome():
    """(matches, hypotheses, documents) for either mode."""
    s = state()
    if s["mode"] == "nodata":
        return s["nodata"] or ([], [], [])
    d = s["result"]
    return d.matches, d.hypotheses, d.documents


def step_hypotheses() -> None:
    st.subheader(t("dx.step5"))
    matches, hyps, docs = _outcome()
    if not matches:
        st.warning(t("dx.no_match"))
        return
    lang_ = lang()
    diag = state()["result"] if state()["mode"] != "nodata" else None
    if diag is not None:
        _context(diag, lang_)
    good = [m for m in matches if m.verdict != "contradicted"]
    st.markdown(f"**{t('dx.problem_types')}**")
    cols = st.columns(max(1, min(3, len(good))))
    for col, m in zip(cols, good[:3], strict=False):
        with col:
            nav.link(
                "problems",
                f"{problem_name(m.problem.id)} · {m.score:.2f}",
                icon=":material/label:",
                problem=m.problem.id,
            )
    ruled_out = [m for m in matches if m.verdict == "contradicted"]
    if ruled_out:
        with st.expander(t("reasoning.contradicted_types")):
            for m in ruled_out:
                reason = markdown_cell(m.reason.get(lang_))
                st.markdown(f":gray[~~{problem_name(m.problem.id)}~~ — {reason}]")
    st.markdown(f"**{t('dx.hypotheses')}**")
    shown = [h for h in hyps if h.verdict != "contradicted"][:SHOWN]
    shown += [h for h in hyps if h.verdict == "contradicted"]
    for i, h in enumerate(shown, start=1):
        _hypothesis(i, h, lang_)
    if diag is not None:
        _events(diag, lang_)
        _similar(diag)
    if docs:
        st.markdown(f"**{t('dx.documents')}**")
        doc_list.show([_Doc(d) for d in docs[:SHOWN]], key="dx_docs")


def _hypothesis(i: int, h, lang_: str) -> None:
    """One hypothesis: verdict badge and reason; contradicted ones greyed, collapsed."""
    color = VERDICT_COLORS.get(h.verdict, "gray")
    badge = f":{color}-badge[{t(f'reasoning.verdict_{h.verdict}')}]"
    text = markdown_cell(h.text.get(lang_))  # segment values and log titles come from files
    title = f"{i}. {text}" if h.verdict != "contradicted" else f"{i}. ~~{text}~~"
    with st.expander(title, expanded=i <= 2 and h.verdict == "supported"):
        source = t("reasoning.events") if h.problem == "event" else problem_name(h.problem)
        st.markdown(f"{badge} :gray[{source}]")
        reason = markdown_cell(h.reason.get(lang_)) if h.tests or h.verdict != "untested" else ""
        if reason:
            st.markdown(f":gray[{reason}]" if h.verdict == "contradicted" else reason)
        if len(h.tests) > 1:
            st.caption(
                " · ".join(
                    f"{TEST_ICONS.get(x.result, '')} {markdown_cell(x.reason.get(lang_))}"
                    for x in h.tests
                )
            )
        st.markdown(f"**{t('problems.check')}** {h.check.get(lang_)}")
        if h.actions:
            st.markdown(f"**{t('problems.actions')}**")
            st.markdown("\n".join(f"- {a.get(lang_)}" for a in h.actions))
        if h.data_needed:
            st.caption(t("dx.data_needed", cols=", ".join(h.data_needed)))


def _context(diag, lang_: str) -> None:
    """Shape in words, warnings about the compared periods, mix effects."""
    if diag.shape is not None:
        st.markdown(f"**{t('reasoning.shape')}:** {diag.shape.sentence().get(lang_)}")
    warnings = diag.warnings()
    if warnings:
        st.warning(
            "\n\n".join(markdown_cell(w.get(lang_)) for w in warnings), icon=":material/event:"
        )
    suggested = diag.timeline.suggested_baseline if diag.timeline else None
    if suggested and suggested != state().get("baseline"):
        label = t("reasoning.use_baseline", baseline=suggested)
        if st.button(label, icon=":material/compare_arrows:", key="dx_like_for_like"):
            from ui.diagnosis.inputs import rerun_with_answers

            state()["baseline"] = suggested
            if rerun_with_answers():
                st.rerun()
    for m in diag.mix:
        st.info(f"**{t('reasoning.mix')}** — {markdown_cell(m.sentence().get(lang_))}")


def _events(diag, lang_: str) -> None:
    """The log and calendar around the change, and a link to log what is missing."""
    with st.expander(t("reasoning.events"), expanded=False):
        events = diag.timeline.events if diag.timeline else None
        if events is None:
            st.caption(t("reasoning.no_journal"))
        elif not events:
            st.caption(t("reasoning.no_events"))
        for e in (events or [])[:10]:
            seg = " / ".join(e.segment.values()) or t("reasoning.match_global")
            st.markdown(
                f"- {e.day:%m-%d} · {markdown_cell(seg)} · {markdown_cell(e.title.get(lang_))} "
                f":gray[({t(f'reasoning.match_{e.segment_match}')})]"
            )
        params = {"date": f"{diag.timeline.day:%Y-%m-%d}"} if diag.timeline else {}
        params.update({k: v for k, v in (diag.shape.segment or {}).items()} if diag.shape else {})
        nav.link("log", t("reasoning.add_log"), icon=":material/add:", **params)


def _similar(diag) -> None:
    if not diag.similar:
        return
    st.markdown(f"**{t('reasoning.similar')}**")
    for c in diag.similar:
        nav.doc_link(c["id"], c["title"], "case")


def step_report() -> None:
    s = state()
    st.subheader(t("dx.step6"))
    if s["mode"] == "nodata":
        _, hyps, _ = _outcome()
        md = service.checklist_markdown(s["answers"], hyps)
        st.download_button(
            t("dx.download_checklist"),
            md,
            "opskb-checklist.md",
            mime="text/markdown",
            icon=":material/download:",
            key="dx_dl",
        )
        st.caption(t("dx.nodata_report"))
        return
    diag = s["result"]
    vocab = service.vocabulary()
    report = markdown_report(diag, vocab, lang())
    st.download_button(
        t("dx.download_report"),
        report,
        "opskb-diagnosis.md",
        mime="text/markdown",
        icon=":material/download:",
        key="dx_dl",
    )
    with st.expander(t("dx.preview_report")):
        st.markdown(report)
    st.markdown(f"**{t('dx.case_draft')}**")
    st.caption(t("dx.case_draft_help"))
    if s["saved"]:
        st.success(t("dx.saved", id=s["saved"]))
        nav.link("add", t("dx.edit_draft"), icon=":material/edit:", edit=s["saved"])
        return
    draft = case_draft(diag, vocab)
    doc_id = st.text_input(t("add.id"), value=draft.id, key="dx_case_id")
    title = st.text_input(t("add.title_field"), value=draft.title, key="dx_case_title")
    matched = [m.problem.id for m in diag.matches if m.verdict != "contradicted"][:5]
    confirmed = (
        st.multiselect(  # none by default: the draft is tagged only with what the user confirms
            t("save.dx_problems"),
            matched,
            format_func=problem_name,
            key="dx_case_problems",
            select_all=False,
        )
    )
    if st.button(t("dx.save_case"), type="primary", icon=":material/save:", key="dx_save"):
        draft.id, draft.title = doc_id.strip(), title.strip()
        draft.problems = list(confirmed)
        try:
            save_document(
                services.workspace().config, draft, expected_sha=None, author=author.current()
            )
        except DocumentError as exc:
            for err in exc.errors:
                st.error(f"{err.field}: {err.message}" if err.field else err.message)
            return
        except ConflictError:
            st.error(t("dx.case_exists", id=draft.id))
            return
        except OSError as exc:  # kb.store.StoreError: the save lock cannot be used
            st.error(t("save.store_error", msg=exc))
            return
        services.sync_index()
        s["saved"] = draft.id
        st.rerun()
