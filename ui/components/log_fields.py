"""A log entry's own fields (date, kind, segment, status, owner) on the read page."""

from __future__ import annotations

import streamlit as st

from kb import journal
from ui import nav, services
from ui.i18n import lang, t


def show(doc) -> None:
    entry = journal.entry_from_document(doc)
    vocab = journal._vocabulary(services.workspace())
    segment = ", ".join(f"{vocab.label(k, lang())}={v}" for k, v in entry.segment.items())
    when = f"{entry.date} ~ {entry.end}" if entry.end else str(entry.date)
    badge = "orange" if entry.status == "open" else "green"
    st.markdown(
        f"{when} · :violet-badge[{t(f'log.actions.{entry.action}')}] · "
        f":{badge}-badge[{t(f'log.statuses.{entry.status}')}]"
    )
    st.text(f"{segment or t('log.whole_shop')}" + (f" · {entry.owner}" if entry.owner else ""))
    params = {"date": entry.date.isoformat(), **entry.segment}
    nav.link("log", t("log.calendar"), icon=":material/calendar_month:", **params)
