"""Placeholder page (being built)."""

import streamlit as st

from ui.i18n import t


def render() -> None:
    st.title(t("nav.diagnose"))


if __name__ == "__main__":
    render()
