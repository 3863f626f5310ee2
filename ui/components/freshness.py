"""How fresh a document is: a badge when it was not reviewed for a year, and its sources.

Used on the read page; the list of everything due for review is ui/stale.py.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kb.freshness import KNOWLEDGE_KINDS, STALE_AFTER_DAYS, document_review, problem_reviews
from ui.i18n import t


def show(doc, today: dt.date | None = None) -> None:
    """Badge (stale / missing sources) and the sources list, under the document's title."""
    if doc.kind not in KNOWLEDGE_KINDS:
        return
    review = document_review(doc)
    today = today or dt.date.today()
    if review.missing:
        st.warning(t("knowledge.missing", fields=", ".join(review.missing)), icon=":material/rule:")
    elif review.is_stale(today, STALE_AFTER_DAYS):
        when = review.reviewed.isoformat() if review.reviewed else t("knowledge.never")
        st.warning(t("knowledge.stale_badge", date=when), icon=":material/history:")
    elif review.rule_dependent and review.reviewed:
        st.caption(t("knowledge.reviewed_on", date=review.reviewed.isoformat()))
    if review.sources:
        with st.expander(t("knowledge.sources", n=len(review.sources))):
            # Plain text, one per line: sources are untrusted text, never rendered as HTML.
            for source in review.sources:
                st.text(source)


def show_problem(ws, problem_id: str, today: dt.date | None = None) -> None:
    """On a problem page: when its platform rules were reviewed, and where they come from."""
    review = next((r for r in problem_reviews(ws) if r.id == problem_id), None)
    if review is None or not (review.rule_dependent or review.reviewed):
        return
    today = today or dt.date.today()
    if review.missing or (review.reviewed and review.is_stale(today, STALE_AFTER_DAYS)):
        when = review.reviewed.isoformat() if review.reviewed else t("knowledge.never")
        st.warning(t("knowledge.stale_badge", date=when), icon=":material/history:")
    elif review.reviewed:
        st.caption(t("knowledge.reviewed_on", date=review.reviewed.isoformat()))
    if review.sources:
        with st.expander(t("knowledge.sources", n=len(review.sources))):
            for source in review.sources:
                st.text(source)
