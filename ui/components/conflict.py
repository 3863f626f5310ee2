"""The conflict screen: a save found the file changed since it was read (issues 13 and 15).

Both versions side by side with their differences, and three ways out: keep mine (save over
theirs, checked against *their* hash, so a third edit is still caught), keep theirs (reload), or
merge by hand in a text area that holds both. State lives under one session key, so the screen
survives reruns until the user chooses.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

import streamlit as st

from kb import history
from kb.documents import ConflictError, Document, DocumentError, parse_document, save_document
from ui import services
from ui.components import author
from ui.i18n import lang, t

STATE = "save_conflict"
MARKERS = ("<<<<<<< ", ">>>>>>> ")


def remember(exc: ConflictError) -> None:
    """Keep what the conflict screen needs from a failed save."""
    st.session_state[STATE] = {
        "mine": exc.mine or "",
        "theirs": exc.theirs or "",
        "theirs_sha": exc.theirs_sha,
        "path": str(exc.path or ""),
        "merged": None,
    }


def message(exc: ConflictError) -> str:
    """The user's-language sentence for a refused save."""
    if exc.code == "exists":
        return t("add.exists", id=exc.path.stem if exc.path else "")
    if exc.code == "exists_elsewhere":
        other = exc.other
        where = f"{other.parent.name}/{other.name}" if other else ""
        return t("save.exists_elsewhere", id=exc.path.stem if exc.path else "", other=where)
    if exc.code == "deleted":
        return t("save.deleted")
    return t("save.conflict.title")


def active() -> bool:
    return bool(st.session_state.get(STATE))


def clear() -> None:
    st.session_state.pop(STATE, None)
    st.session_state.pop(f"{STATE}_text", None)


def merge_text(theirs: str, mine: str) -> str:
    """Both texts in one, differing runs of lines marked like git's conflict markers."""
    a, b = theirs.splitlines(), mine.splitlines()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += a[i1:i2]
        else:
            out += [f"<<<<<<< {t('save.conflict.theirs')}", *a[i1:i2], "======="]
            out += [*b[j1:j2], f">>>>>>> {t('save.conflict.mine')}"]
    return "\n".join(out) + "\n"


def _save(text: str, on_saved: Callable[[Document], None]) -> None:
    c = st.session_state[STATE]
    try:
        doc = parse_document(text, c["path"] or "<text>")
        save_document(
            services.workspace().config, doc, expected_sha=c["theirs_sha"], author=author.current()
        )
    except ConflictError as exc:  # changed once more meanwhile: show the newest version
        remember(exc)
        st.rerun()
    except DocumentError as exc:
        for err in exc.errors:
            st.error(f"{err.field}: {err.get(lang())}" if err.field else err.get(lang()))
        return
    except OSError as exc:  # StoreError: the lock cannot be used; a full disk
        st.error(t("save.store_error", msg=exc))
        return
    clear()
    services.sync_index()
    on_saved(doc)


def show(
    on_saved: Callable[[Document], None], on_reload: Callable[[], None], key: str = "conflict"
) -> bool:
    """Draw the screen if a conflict is pending; True when drawn (the caller hides its form)."""
    c = st.session_state.get(STATE)
    if not c:
        return False
    st.error(t("save.conflict.title"), icon=":material/call_split:")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('save.conflict.theirs')}**")
        st.code(c["theirs"], language="markdown", height=320)
    with right:
        st.markdown(f"**{t('save.conflict.mine')}**")
        st.code(c["mine"], language="markdown", height=320)
    with st.expander(t("save.conflict.diff"), expanded=True):
        st.code(history.diff(c["theirs"], c["mine"], "theirs", "mine"), language="diff")
    cols = st.columns(3)
    if cols[0].button(t("save.conflict.keep_mine"), key=f"{key}_mine", icon=":material/person:"):
        _save(c["mine"], on_saved)
    if cols[1].button(t("save.conflict.keep_theirs"), key=f"{key}_theirs", icon=":material/undo:"):
        clear()
        on_reload()
        return True
    if cols[2].button(t("save.conflict.merge"), key=f"{key}_merge", icon=":material/merge:"):
        st.session_state[f"{STATE}_text"] = merge_text(c["theirs"], c["mine"])
    if f"{STATE}_text" in st.session_state:
        st.caption(t("save.conflict.merge_help"))
        text = st.text_area(t("save.conflict.merge"), key=f"{STATE}_text", height=360)
        if st.button(t("save.conflict.save_merge"), key=f"{key}_save_merge", type="primary"):
            if any(line.startswith(MARKERS) for line in text.splitlines()):
                st.warning(t("save.conflict.markers_left"))
            else:
                _save(text, on_saved)
    return True
