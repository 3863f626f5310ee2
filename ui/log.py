"""运营日志 / Action log: log an action (prefilled from ?date=&channel=… links), list and filter
entries, close open ones, and see the calendar around a date.

The page only calls kb.journal / kb.calendar; saving goes through the one save path.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kb import calendar, journal
from kb.documents import ConflictError, DocumentError
from ui import nav, services
from ui.i18n import labels, lang, t, text

LIMIT = 50  # entries drawn at once; the rest are one search away
FORM_PARAMS = ("edit", "date", "end", "action", "title", "note", "owner", "status", "tags")


def _vocab():
    return journal._vocabulary(services.workspace())


def _param_date(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(st.query_params.get(name, ""))
    except ValueError:
        return None


def _param_segment(vocab) -> dict[str, str]:
    raw = {name: st.query_params.get(name, "") for name in vocab.dimensions}
    return journal.normalise_segment({k: v for k, v in raw.items() if v.strip()}, vocab)


def action_label(action: str) -> str:
    return t(f"log.actions.{action}")


def status_label(status: str) -> str:
    return t(f"log.statuses.{status}")


def segment_text(segment: dict[str, str], vocab) -> str:
    if not segment:
        return t("log.whole_shop")
    return ", ".join(f"{vocab.label(k, lang())}={v}" for k, v in segment.items())


def _defaults(vocab) -> dict:
    """The form's starting values: the entry being edited (?edit=ID), else the link's params."""
    edit_id = st.query_params.get("edit", "")
    if edit_id:
        entry = journal.get_entry(services.workspace(), edit_id)
        if entry is not None:
            current = st.session_state.get("log_editing")
            if not current or current["id"] != entry.id:  # the hash as first read: an edit
                st.session_state["log_editing"] = {"id": entry.id, "sha": entry.doc.sha}
            return {
                "date": entry.date,
                "end": entry.end,
                "action": entry.action,
                "title": entry.title,
                "segment": entry.segment,
                "owner": entry.owner,
                "status": entry.status,
                "tags": ", ".join(entry.doc.tags),
                "note": entry.doc.body.strip(),
            }
        st.warning(t("log.not_found", id=edit_id))
    st.session_state.pop("log_editing", None)
    q = st.query_params
    return {
        "date": _param_date("date"),
        "end": _param_date("end"),
        "action": q.get("action", ""),
        "title": q.get("title", ""),
        "segment": _param_segment(vocab),
        "owner": q.get("owner", ""),
        "status": q.get("status", ""),
        "tags": q.get("tags", ""),
        "note": q.get("note", ""),
    }


def _add_form(vocab) -> None:
    values = _defaults(vocab)
    st.session_state["log_form_values"] = values  # the calendar beside it starts from them
    editing = st.session_state.get("log_editing")
    st.subheader(t("log.edit", id=editing["id"]) if editing else t("log.add"))
    if not editing and any(st.query_params.get(p) for p in ("date", *vocab.dimensions)):
        st.info(t("log.prefilled"), icon=":material/edit_calendar:")
    action, status = values["action"], values["status"]
    with st.form("log_add_form", border=True):
        cols = st.columns(3)
        cols[0].date_input(t("log.date"), value=values["date"] or "today", key="log_date")
        cols[1].date_input(t("log.end"), value=values["end"], key="log_end")
        cols[2].selectbox(
            t("log.action"),
            journal.ACTIONS,
            index=journal.ACTIONS.index(action) if action in journal.ACTIONS else 0,
            format_func=labels(journal.ACTIONS, action_label),
            key="log_action",
        )
        st.text_input(
            t("log.entry_title"),
            value=values["title"],
            placeholder=t("log.entry_title_placeholder"),
            key="log_title",
            max_chars=200,
        )
        st.markdown(f"**{t('log.segment')}**")
        dims = list(vocab.dimensions)
        cols = st.columns(4)
        for i, name in enumerate(dims):
            cols[i % 4].text_input(
                vocab.label(name, lang()),
                value=values["segment"].get(name, ""),
                placeholder=t("log.all"),
                key=f"log_dim_{name}",
                max_chars=100,
            )
        cols = st.columns(3)
        cols[0].text_input(t("log.owner"), value=values["owner"], key="log_owner", max_chars=50)
        cols[1].selectbox(
            t("log.status"),
            journal.STATUSES,
            index=journal.STATUSES.index(status) if status in journal.STATUSES else 1,
            format_func=labels(journal.STATUSES, status_label),
            key="log_status",
        )
        cols[2].text_input(
            t("log.tags"), value=values["tags"], help=t("log.tags_help"), key="log_tags"
        )
        st.text_area(t("log.note"), value=values["note"], key="log_note")
        submitted = st.form_submit_button(
            t("log.save"), type="primary", icon=":material/save:", key="log_save"
        )
    if submitted:
        _save(vocab, editing)


def _save(vocab, editing: dict | None) -> None:
    s = st.session_state
    segment = {n: s.get(f"log_dim_{n}", "").strip() for n in vocab.dimensions}
    tags = [x.strip() for x in (s.get("log_tags") or "").replace("，", ",").split(",")]
    fields = {
        "date": s.get("log_date"),
        "end": s.get("log_end"),
        "title": s.get("log_title", ""),
        "action": s.get("log_action"),
        "segment": {k: v for k, v in segment.items() if v},
        "status": s.get("log_status"),
        "owner": (s.get("log_owner") or "").strip(),
        "note": s.get("log_note") or "",
        "tags": [x for x in tags if x],
    }
    ws = services.workspace()
    try:
        if editing:
            entry = journal.update_entry(ws, editing["id"], editing["sha"], **fields)
            s["log_editing"] = {"id": entry.id, "sha": entry.doc.sha}
        else:
            entry = journal.add_entry(ws, **fields)
    except DocumentError as exc:
        st.error(t("log.not_saved"))
        for err in exc.errors:
            st.error(f"{err.field}: {err.get(lang())}" if err.field else err.get(lang()))
        return
    except ConflictError as exc:
        st.error(t("log.conflict"))
        st.caption(str(exc))
        return
    services.sync_index()
    st.success(t("log.saved", id=entry.id))
    nav.doc_link(entry.id, t("log.open_saved"), "log")


def _filters(vocab) -> dict:
    cols = st.columns([2, 1, 1, 1, 1])
    span = cols[0].date_input(t("log.from_to"), value=(), key="log_f_span")
    dims = list(vocab.dimensions)
    dim = cols[1].selectbox(
        t("log.filter_dimension"),
        dims,
        index=None,
        placeholder=t("log.any"),
        format_func=labels(dims, lambda d: vocab.label(d, lang())),
        key="log_f_dim",
    )
    value = cols[2].text_input(t("log.filter_value"), key="log_f_value", disabled=dim is None)
    action = cols[3].selectbox(
        t("log.action"),
        journal.ACTIONS,
        index=None,
        placeholder=t("log.any"),
        format_func=labels(journal.ACTIONS, action_label),
        key="log_f_action",
    )
    status = cols[4].selectbox(
        t("log.status"),
        journal.STATUSES,
        index=None,
        placeholder=t("log.any"),
        format_func=labels(journal.STATUSES, status_label),
        key="log_f_status",
    )
    include_global = st.checkbox(t("log.include_global"), key="log_f_global")
    segment = journal.normalise_segment({dim: value}, vocab) if dim and value.strip() else None
    span = tuple(span or ())
    return {
        "start": span[0] if span else None,
        "end": span[1] if len(span) > 1 else None,
        "segment": segment,
        "action": action,
        "status": status,
        "include_global": include_global,
    }


def _mark_done(entry) -> None:
    try:
        journal.update_entry(services.workspace(), entry.id, entry.doc.sha, status="done")
    except (ConflictError, DocumentError) as exc:
        st.session_state["log_flash"] = ("error", f"{t('log.conflict')} ({exc})")
        return
    services.sync_index()
    st.session_state["log_flash"] = ("success", t("log.marked_done", title=entry.title))


def _list(vocab) -> None:
    st.subheader(t("log.list"))
    entries = journal.list_entries(services.workspace(), **_filters(vocab))
    flash = st.session_state.pop("log_flash", None)
    if flash:
        getattr(st, flash[0])(flash[1])
    caption = t("log.count", n=len(entries))
    if len(entries) > LIMIT:
        caption += " · " + t("log.shown", n=LIMIT)
    st.caption(caption)
    if not entries:
        st.info(t("log.empty"))
    for entry in entries[:LIMIT]:
        with st.container(border=True, key=f"log_row_{entry.id}"):
            left, right = st.columns([6, 1], vertical_alignment="center")
            with left:
                nav.doc_link(entry.id, entry.title, "log")
                when = f"{entry.date} ~ {entry.end}" if entry.end else str(entry.date)
                badge = "orange" if entry.status == "open" else "green"
                owner = f" · {entry.owner}" if entry.owner else ""
                st.caption(
                    f"{when} · :violet-badge[{action_label(entry.action)}] · "
                    f":{badge}-badge[{status_label(entry.status)}]{_plain(owner)} · "
                    f"{_plain(segment_text(entry.segment, vocab))}"
                )
            if entry.status == "open":
                right.button(
                    t("log.mark_done"),
                    key=f"log_done_{entry.id}",
                    on_click=_mark_done,
                    args=(entry,),
                    icon=":material/task_alt:",
                )
    nav.link("search", t("log.search_all"), icon=":material/search:", q="kind:log")


def _plain(value: str) -> str:
    """User text inside a Markdown caption: no links, emphasis or badges of its own."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()<>#+-.!|:~$" else ch for ch in value)


def _calendar(vocab) -> None:
    st.subheader(t("log.calendar"))
    start = st.session_state.get("log_form_values") or {}
    day = st.date_input(t("log.around"), value=start.get("date") or "today", key="log_cal_day")
    segment = start.get("segment") or None
    st.caption(t("log.calendar_caption"))
    ws = services.workspace()
    events = journal.events_near(ws, day, segment, before=7, after=7)
    if not events:
        st.info(t("log.no_events"))
    else:
        rows = [
            {
                t("log.col_title"): text(e.title),
                t("log.col_days_from"): e.days_from,
                t("log.col_day"): f"{e.day} ~ {e.end}" if e.end else str(e.day),
                t("log.col_kind"): t(f"log.kinds.{e.kind}")
                if e.source == "calendar"
                else action_label(e.kind),
                t("log.col_match"): t(f"log.matches.{e.segment_match}"),
            }
            for e in events
        ]
        st.dataframe(rows, hide_index=True, width="stretch", key="log_cal_table")
    notes = calendar.period_notes(day - dt.timedelta(days=7), day + dt.timedelta(days=7), ws)
    for note in notes.notes:
        st.warning(text(note), icon=":material/info:")


def _reset_on_new_link(vocab) -> None:
    """A new ?date=&channel=… link (e.g. from a diagnosis) refills the form and the calendar."""
    params = tuple((k, st.query_params.get(k, "")) for k in (*FORM_PARAMS, *vocab.dimensions))
    if st.session_state.get("log_params") != params:
        st.session_state["log_params"] = params
        for key in [k for k in st.session_state if str(k).startswith(("log_dim_", "log_cal_"))]:
            del st.session_state[key]
        for key in ("log_date", "log_end", "log_action", "log_title", "log_owner", "log_status",
                    "log_tags", "log_note"):  # fmt: skip
            st.session_state.pop(key, None)


def render() -> None:
    st.title(t("log.title"))
    st.caption(t("log.caption"))
    vocab = _vocab()
    _reset_on_new_link(vocab)
    left, right = st.columns([1, 1], gap="large")
    with left:
        _add_form(vocab)
    with right:
        _calendar(vocab)
    _list(vocab)


if __name__ == "__main__":
    render()
