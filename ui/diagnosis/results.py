"""Steps 5–6: ranked hypotheses with checks, actions and documents; report and case draft."""

from __future__ import annotations

import streamlit as st

from kb.diagnosis.report import case_draft, markdown_report
from kb.documents import ConflictError, DocumentError, save_document
from ui import nav, services
from ui.components import author, doc_list
from ui.components.badges import problem_name
from ui.diagnosis import service
from ui.diagnosis.state import state
from ui.i18n import t

EVIDENCE_COLORS = {
    "supported": "green",
    "weakened": "gray",
    "consistent": "blue",
    "unknown": "orange",
}
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
    st.markdown(f"**{t('dx.problem_types')}**")
    cols = st.columns(min(3, len(matches)))
    for col, m in zip(cols, matches[:3], strict=False):
        with col:
            nav.link(
                "problems",
                f"{problem_name(m.problem.id)} · {m.score:.2f}",
                icon=":material/label:",
                problem=m.problem.id,
            )
    st.markdown(f"**{t('dx.hypotheses')}**")
    for i, h in enumerate(hyps[:SHOWN], start=1):
        color = EVIDENCE_COLORS.get(h.evidence, "gray")
        badge = f":{color}-badge[{t(f'dx.evidence_{h.evidence}')}]"
        with st.expander(f"{i}. {h.text}", expanded=i <= 2):
            st.markdown(f"{badge} :gray[{problem_name(h.problem)}]")
            st.markdown(f"**{t('problems.check')}** {h.check}")
            if h.actions:
                st.markdown(f"**{t('problems.actions')}**")
                st.markdown("\n".join(f"- {a}" for a in h.actions))
            if h.data_needed:
                st.caption(t("dx.data_needed", cols=", ".join(h.data_needed)))
    if docs:
        st.markdown(f"**{t('dx.documents')}**")
        doc_list.show([_Doc(d) for d in docs[:SHOWN]], key="dx_docs")


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
    report = markdown_report(diag, vocab)
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
    matched = [m.problem.id for m in diag.matches[:5]]
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
