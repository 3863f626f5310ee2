"""Who is saving: the signed-in user where st.login is configured, else the name the user gives.

Streamlit 1.67 cannot write cookies, so the name lives in the address (``?author=``, a widget
bound to the query parameter): a reload or a bookmark keeps it, and it follows page switches.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t

KEY = "author"  # the widget key is also the query parameter's name


def signed_in_name() -> str | None:
    """The OIDC user's name (or e-mail) when st.login is configured and the user signed in."""
    try:
        user = st.user
        if user.get("is_logged_in"):
            return str(user.get("name") or user.get("email") or "").strip() or None
    except Exception:  # no auth section in secrets.toml, or no script context
        return None
    return None


def auth_configured() -> bool:
    """st.login needs an [auth] section in .streamlit/secrets.toml (an OIDC provider)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current() -> str | None:
    """The name to record with a save (None: the history's default author)."""
    name = signed_in_name() or str(st.session_state.get(KEY) or st.query_params.get(KEY) or "")
    return name.strip() or None


def show() -> str | None:
    """The name field (or who is signed in); returns the name to record."""
    name = signed_in_name()
    if name:
        st.caption(t("save.signed_in_as", name=name))
        return name
    if auth_configured() and st.button(
        t("save.sign_in"), key="author_login", icon=":material/login:"
    ):
        st.login()
    st.text_input(
        t("save.author"),
        key=KEY,
        bind="query-params",
        max_chars=80,
        help=t("save.author_help"),
        icon=":material/person:",
    )
    return current()
