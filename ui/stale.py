"""Knowledge due for review: documents and problem types not reviewed for a year, and
rule-dependent ones without sources or a review date (kb/freshness.py decides)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kb.freshness import STALE_AFTER_DAYS, needs_review
from ui import nav, services
from ui.i18n import t, text


def _label(kind: str) -> str:
    return t("knowledge.kind_problem") if kind == "problem" else t(f"kinds.{kind}")


def render() -> None:
    st.title(t("knowledge.title"))
    st.caption(t("knowledge.intro", days=STALE_AFTER_DAYS))
    today = dt.date.today()
    due = needs_review(services.workspace(), services.collection().docs.values(), today)
    if not due:
        st.success(t("knowledge.all_fresh"))
        return
    st.markdown(t("knowledge.count", n=len(due)))
    for item in due:
        cols = st.columns([4, 1, 2, 2])
        with cols[0]:
            if item.kind == "problem":
                nav.link("problems", text(item.title), icon=":material/label:", problem=item.id)
            else:
                nav.doc_link(item.id, item.title.zh, item.kind)
        cols[1].caption(_label(item.kind))
        when = item.reviewed.isoformat() if item.reviewed else t("knowledge.never")
        cols[2].caption(t("knowledge.last_reviewed", date=when))
        reasons = []
        if item.rule_dependent:
            reasons.append(t("knowledge.rule_dependent"))
        if item.missing:
            reasons.append(t("knowledge.missing_short", fields=", ".join(item.missing)))
        cols[3].caption(" · ".join(reasons))


if __name__ == "__main__":
    render()
