"""Add / import: write or edit a document (live preview, validation), or import files."""

from __future__ import annotations

import streamlit as st

from ui.editor import form, importer
from ui.i18n import t


def render() -> None:
    st.title(t("add.title"))
    write, upload = st.tabs([t("add.tab_write"), t("add.tab_import")])
    with write:
        form.show(key="editor")
    with upload:
        importer.show(key="import")


if __name__ == "__main__":
    render()
