"""A document's edit history on its page: revisions, the diff to the current text, restore."""

from __future__ import annotations

import streamlit as st

from kb import history
from kb.documents import ConflictError, Document, DocumentError, restore_revision, text_sha
from ui import services
from ui.components import author, conflict
from ui.i18n import t


def _current_text(doc: Document) -> str | None:
    try:
        return doc.path.read_text(encoding="utf-8-sig") if doc.path else None
    except OSError:
        return None


def show(doc: Document, key: str = "history") -> None:
    config = services.workspace().config
    if doc.path is None:
        return
    done = st.session_state.pop(f"{key}_done", None)
    if done:
        st.success(t("save.history.restored", rev=done))
    revs = history.log(config, doc.path)
    with st.expander(t("save.history.title", n=len(revs)), icon=":material/history:"):
        if not revs:
            st.caption(t("save.history.empty"))
            return
        cols = [
            t(f"save.history.{c}") for c in ("col_rev", "col_author", "col_when", "col_message")
        ]
        rows = [(r.short, r.author, r.when[:16].replace("T", " "), r.message) for r in revs]
        st.dataframe([dict(zip(cols, row, strict=True)) for row in rows], hide_index=True)
        by_rev = {r.rev: r for r in revs}
        rev = st.selectbox(
            t("save.history.pick"),
            list(by_rev),
            format_func=lambda r: f"{by_rev[r].short} · {by_rev[r].author} · {by_rev[r].message}",
            key=f"{key}_rev",
        )
        against = st.selectbox(
            t("save.history.against"),
            ["", *by_rev],
            format_func=lambda r: t("save.history.current") if not r else by_rev[r].short,
            key=f"{key}_against",
        )
        old = history.text_at(config, doc.path, rev)
        current = _current_text(doc)
        if old is None:
            st.caption(t("save.history.gone"))
            return
        new = current or "" if not against else history.text_at(config, doc.path, against) or ""
        patch = history.diff(old, new, rev[:8], against[:8] or "current")
        st.markdown(f"**{t('save.history.diff')}**")
        if patch:
            st.code(patch, language="diff")
        else:
            st.caption(t("save.history.same"))
        if old == current:
            return  # restoring would change nothing
        if st.button(
            t("save.history.restore"),
            key=f"{key}_restore",
            icon=":material/restore:",
            help=t("save.history.restore_help"),
        ):
            try:
                restore_revision(
                    config,
                    doc.kind,
                    doc.id,
                    rev,
                    expected_sha=text_sha(current) if current is not None else None,
                    author=author.current(),
                )
            except ConflictError as exc:
                st.error(conflict.message(exc))
                return
            except (DocumentError, OSError) as exc:
                st.error(t("save.store_error", msg=exc))
                return
            services.sync_index()
            st.session_state[f"{key}_done"] = rev[:8]
            st.rerun()
