"""The page list and links between pages.

Each page is a module of ui/ run as a script (``if __name__ == "__main__": render()``), so
AppTest can switch to it by file. A page is identified by its url path (Streamlit hashes it),
so a link builds a fresh ``st.Page`` with the same path instead of passing page objects around.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.i18n import PARAM as LANG_PARAM
from ui.i18n import browser_hint, lang, t

UI_DIR = Path(__file__).resolve().parent
# name -> (module under ui/, icon, shown in the menu)
PAGES = {
    "home": ("home", ":material/home:", True),
    "daily": ("daily", ":material/today:", True),
    "search": ("search", ":material/search:", True),
    "problems": ("problems", ":material/account_tree:", True),
    "cases": ("cases", ":material/cases:", True),
    "diagnose": ("diagnose", ":material/troubleshoot:", True),
    "add": ("add", ":material/edit_note:", True),
    "learn": ("learn", ":material/school:", True),
    "log": ("log", ":material/event_note:", True),
    "read": ("read", ":material/article:", False),
    "stale": ("stale", ":material/history:", True),
}


def page(name: str) -> st.Page:
    module, icon, visible = PAGES[name]
    return st.Page(
        UI_DIR / f"{module}.py",
        title=t(f"nav.{name}"),
        icon=icon,
        url_path=name,
        default=name == "home",
        visibility="visible" if visible else "hidden",
    )


def pages() -> list[st.Page]:
    return [page(name) for name in PAGES]


def carry() -> dict[str, str]:
    """Query parameters every link keeps: the language, when it is not the browser's."""
    current = lang()
    return {LANG_PARAM: current} if current != browser_hint() else {}


def link(name: str, label: str, icon: str | None = None, **params: str) -> None:
    """A link to another page, with query parameters (a shareable URL)."""
    params = {**carry(), **params}
    st.page_link(page(name), label=label, icon=icon, query_params=params or None)


def go(name: str, **params: str) -> None:
    params = {**carry(), **params}
    st.switch_page(page(name), query_params=params or None)


def doc_link(doc_id: str, title: str, kind: str | None = None) -> None:
    icon = KIND_ICONS.get(kind or "", ":material/description:")
    link("read", title, icon=icon, doc=doc_id)


KIND_ICONS = {
    "playbook": ":material/checklist:",
    "case": ":material/cases:",
    "article": ":material/newspaper:",
    "log": ":material/event_note:",
}
