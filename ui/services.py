"""The engine objects the pages use, created once per process (st.cache_resource).

Keyed on the content root and index folder, so tests (and a second root) get their own. The
search index is thread-safe and shared by every session; each query calls ``ensure()``, which
looks at the content folders and data files only (saves sync at once; a background re-check
catches edits made in place by other tools).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from kb.config import load_config
from kb.documents import Collection, iter_document_paths
from kb.workspace import Workspace

if TYPE_CHECKING:
    from kb.search import SearchIndex


def _keys() -> tuple[str, str]:
    config = load_config()
    return str(config.root), str(config.index_dir)


@st.cache_resource(show_spinner=False)
def _workspace(root: str) -> Workspace:
    return Workspace.open(root)


@st.cache_resource(show_spinner=False)
def _index(root: str, index_dir: str) -> SearchIndex:
    from kb.search import SearchIndex  # imported on first search: keeps the home page fast

    idx = SearchIndex(_workspace(root).config)
    idx.ensure()  # open, or build on first run: done once per process, under the spinner
    return idx


def workspace() -> Workspace:
    return _workspace(_keys()[0])


def index() -> SearchIndex:
    """The shared search index, brought up to date with the files (cheap when nothing changed).

    An index folder that cannot be used (``.opskb`` is a file, the lock is a folder) stops the
    page with the engine's message: a person has to move something, no rebuild can help."""
    from kb.search import IndexUnavailable

    try:
        with st.spinner(_label("services.indexing")):
            idx = _index(*_keys())
        idx.ensure()
    except IndexUnavailable as exc:
        from ui.i18n import text

        st.error(text(exc.message))
        st.stop()
    return idx


def _label(key: str) -> str:
    from ui.i18n import t

    return t(key)


def sync_index():
    """Bring the index up to date right after a save/import; returns kb.search.SyncStats."""
    with st.spinner(_label("services.indexing")):
        return _index(*_keys()).sync()


def _fingerprint(ws: Workspace) -> tuple:
    out = []
    for path in iter_document_paths(ws.config):
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(out)


@st.cache_resource(show_spinner=False, max_entries=4)
def _collection(root: str, fingerprint: tuple) -> Collection:
    return _workspace(root).collection()


def collection() -> Collection:
    """All documents, re-read only when a file was added, changed or removed."""
    ws = workspace()
    return _collection(str(ws.config.root), _fingerprint(ws))
