"""Write a new document or edit one: form, live preview, validation, conflict-safe save."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kb.config import KINDS
from kb.documents import (
    ConflictError,
    Document,
    DocumentError,
    dump_document,
    parse_document,
    read_document,
    save_document,
    validate_links,
)
from kb.sanitize import render_markdown
from kb.store import StoreError
from ui import nav, services
from ui.components import author, conflict
from ui.components.badges import kind_label, problem_name
from ui.i18n import labels, lang, t

ORIGINAL = "ed_original"  # {"id", "kind", "sha", "meta"} of the document being edited
FLASH = "ed_flash"  # message for the run after the conflict screen closed
FIELDS = ("ed_kind", "ed_id", "ed_title", "ed_summary", "ed_problems", "ed_metrics", "ed_tags",
          "ed_created", "ed_source", "ed_body")  # fmt: skip


def _load(doc_id: str) -> bool:
    """Put an existing document into the form (once per id), with the hash read from disk."""
    current = st.session_state.get(ORIGINAL)
    if current and current["id"] == doc_id:
        return True
    doc = services.collection().docs.get(doc_id)
    if doc is None or doc.path is None:
        return False
    try:
        doc = read_document(doc.path)  # fresh text and hash, not the cached copy
    except (DocumentError, OSError):
        return False
    _fill(doc)
    return True


def _fill(doc: Document) -> None:
    """The form shows ``doc`` as saved on disk (its hash is what the next save expects)."""
    st.session_state[ORIGINAL] = {"id": doc.id, "kind": doc.kind, "sha": doc.sha, "meta": doc.meta}
    st.session_state.update(
        ed_kind=doc.kind,
        ed_id=doc.id,
        ed_title=doc.title,
        ed_summary=doc.summary,
        ed_problems=list(doc.problems),
        ed_metrics=[services.workspace().metrics.resolve(m) or m for m in doc.metrics],
        ed_tags=", ".join(doc.tags),
        ed_created=doc.created or dt.date.today(),
        ed_source=doc.source,
        ed_body=doc.body,
    )


def start_new() -> None:
    st.session_state.pop(ORIGINAL, None)
    for key in FIELDS:
        st.session_state.pop(key, None)


def _document() -> Document:
    s = st.session_state
    original = s.get(ORIGINAL) or {}
    tags = [x.strip() for x in (s.get("ed_tags") or "").replace("，", ",").split(",") if x.strip()]
    meta = dict(original.get("meta") or {})
    return Document(
        id=(s.get("ed_id") or "").strip(),
        kind=s.get("ed_kind") or "playbook",
        title=(s.get("ed_title") or "").strip(),
        body=s.get("ed_body") or "",
        problems=list(s.get("ed_problems") or []),
        metrics=list(s.get("ed_metrics") or []),
        tags=tags,
        created=s.get("ed_created"),
        summary=(s.get("ed_summary") or "").strip(),
        source=(s.get("ed_source") or "").strip(),
        meta=meta,
    )


def problems_of(doc: Document) -> list[str]:
    """Every validation message for the document as it would be written."""
    ws = services.workspace()
    try:
        parsed = parse_document(dump_document(doc), f"{doc.id or '?'}.md")
    except DocumentError as exc:
        return [_message(e) for e in exc.errors]
    parsed.path = None
    return [_message(e) for e in validate_links(parsed, ws.taxonomy, ws.metrics)]


def _message(err) -> str:
    """A field error in the page's language (the engine writes both where it can)."""
    text = err.get(lang()) if hasattr(err, "get") else err.message
    return f"{err.field}: {text}" if err.field else text


def _fields(editing: bool) -> None:
    ws = services.workspace()
    cols = st.columns(2)
    # new log entries have their own short form (ui/log.py); an existing one can be edited here
    kinds = KINDS if editing else tuple(k for k in KINDS if k != "log")
    cols[0].selectbox(
        t("add.kind"), kinds, format_func=labels(kinds, kind_label), key="ed_kind", disabled=editing
    )
    cols[1].text_input(t("add.id"), key="ed_id", disabled=editing, help=t("add.id_help"))
    st.text_input(t("add.title_field"), key="ed_title")
    st.text_input(t("add.summary"), key="ed_summary")
    ids = [p.id for p in ws.taxonomy]
    # select_all=False: Enter adds the first match, not "Select N matches" (issue 13: a typed
    # word plus Enter linked a playbook to five problem types).
    st.multiselect(
        t("add.problems"),
        ids,
        format_func=labels(ids, problem_name),
        key="ed_problems",
        select_all=False,
    )
    st.multiselect(
        t("add.metrics"),
        list(ws.metrics.metrics),
        format_func=labels(ws.metrics.metrics, lambda m: ws.metrics[m].label(lang())),
        key="ed_metrics",
        select_all=False,
    )
    cols = st.columns([2, 1])
    cols[0].text_input(t("add.tags"), key="ed_tags", help=t("add.tags_help"))
    if "ed_created" not in st.session_state:
        st.session_state["ed_created"] = dt.date.today()
    cols[1].date_input(t("add.created"), key="ed_created")
    st.text_input(t("add.source"), key="ed_source")
    st.text_area(t("add.body"), key="ed_body", height=360, help=t("add.body_help"))


def _save(doc: Document, publish: bool = False) -> None:
    original = st.session_state.get(ORIGINAL)
    if publish:
        doc.meta["state"] = "published"
    try:
        save_document(
            services.workspace().config,
            doc,
            expected_sha=original["sha"] if original else None,
            author=author.current(),
        )
    except ConflictError as exc:
        if exc.code == "changed":
            conflict.remember(exc)  # the conflict screen replaces the form on the next run
            st.rerun()
        st.error(conflict.message(exc))
        return
    except DocumentError as exc:
        for err in exc.errors:
            st.error(_message(err))
        return
    except StoreError as exc:
        st.error(t("save.store_error", msg=exc))
        return
    _saved(doc)


def _saved(doc: Document) -> None:
    stats = services.sync_index()
    st.session_state[ORIGINAL] = {
        "id": doc.id,
        "kind": doc.kind,
        "sha": doc.sha,
        "meta": doc.front_matter(),
    }
    st.query_params["edit"] = doc.id  # keep editing this document; the URL can be shared
    st.success(t("add.saved", id=doc.id, n=stats.changed))
    nav.doc_link(doc.id, t("add.open_saved"), doc.kind)


def _resolved(doc: Document) -> None:
    """Saved from the conflict screen: the form shows what is now on disk."""
    _fill(doc)
    st.session_state[FLASH] = doc.id
    st.rerun()


def _reload() -> None:
    edit_id = st.session_state.get(ORIGINAL, {}).get("id") or st.query_params.get("edit", "")
    start_new()
    _load(edit_id)
    st.session_state[FLASH] = ""
    st.rerun()


def show(key: str = "editor") -> None:
    if conflict.show(_resolved, _reload, key=f"{key}_conflict"):
        return
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(t("save.conflict.resolved", id=flash))
    elif flash == "":
        st.info(t("save.conflict.reloaded"))
    edit_id = st.query_params.get("edit", "")
    editing = bool(edit_id) and _load(edit_id)
    if edit_id and not editing:
        st.warning(t("add.not_found", id=edit_id))
    if editing:
        st.info(t("add.editing", id=edit_id))
    elif st.session_state.get(ORIGINAL):
        start_new()  # left an edit: an empty form again
    draft = (st.session_state.get(ORIGINAL) or {}).get("meta", {}).get("state") == "draft"
    if draft:
        st.warning(t("save.draft_info"), icon=":material/edit_document:")
    form, preview = st.columns(2, gap="large")
    with form:
        _fields(editing)
    doc = _document()
    with preview:
        st.markdown(f"**{t('add.preview')}**")
        with st.container(border=True, key=f"{key}_preview"):
            st.markdown(f"### {doc.title or t('add.untitled')}")
            st.markdown(render_markdown(doc.body), unsafe_allow_html=True)
        messages = problems_of(doc)
        if not (doc.id or doc.title or doc.body.strip()):
            st.caption(t("add.start_hint"))
        elif messages:
            st.markdown(f"**{t('add.to_fix')}**")
            for msg in messages:
                st.warning(msg)
        else:
            st.success(t("add.valid"))
    author.show()
    cols = st.columns([1, 1, 3]) if draft else [st.container()]
    if cols[0].button(t("add.save"), type="primary", icon=":material/save:", key=f"{key}_save"):
        _save(doc)
    if draft and cols[1].button(
        t("save.publish"),
        icon=":material/publish:",
        key=f"{key}_publish",
        help=t("save.publish_help"),
    ):
        _save(doc, publish=True)
