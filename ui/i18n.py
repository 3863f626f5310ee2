"""UI strings: one YAML catalogue per language, a ``t(key)`` helper, the chosen language.

Streamlit has no built-in i18n. Every label lives in ``ui/locales/<lang>.yaml`` plus one file per
feature in ``ui/locales/<lang>/*.yaml`` (nested keys, looked up as ``"search.title"``; a feature
file keeps its labels next to each other and out of everyone else's way). The language is the
``lang`` widget in app.py, defaulting to Chinese unless the browser asks for English
(``st.context.locale``). A choice that differs from the browser's is kept in the URL (``?lang=en``),
so a reload, a bookmark or a shared link opens in the same language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import streamlit as st
import yaml

LOCALES = Path(__file__).resolve().parent / "locales"
LANGS = ("zh", "en")
DEFAULT = "zh"
STATE_KEY = "lang"
PARAM = "lang"  # the query parameter that keeps the choice across reloads


def _flatten(data: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@lru_cache(maxsize=len(LANGS))
def catalogue(lang: str) -> dict[str, str]:
    """All strings of one language, flattened to dotted keys."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: faster
    files = [LOCALES / f"{lang}.yaml", *sorted((LOCALES / lang).glob("*.yaml"))]
    out: dict[str, str] = {}
    for path in files:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        for key, value in _flatten(data).items():
            if key in out:
                raise ValueError(f"{path}: label '{key}' is defined twice in the {lang} catalogue")
            out[key] = value
    return out


def browser_hint() -> str:
    """The browser's preferred language if we have it, else Chinese."""
    try:
        locale = (st.context.locale or "").lower()
    except Exception:  # no browser context (e.g. bare script runs)
        locale = ""
    return "en" if locale.startswith("en") else DEFAULT


def lang() -> str:
    value = st.session_state.get(STATE_KEY)
    return value if value in LANGS else browser_hint()


def t(key: str, **values: object) -> str:
    """The label for ``key`` in the current language (falls back to Chinese, then the key)."""
    text = catalogue(lang()).get(key) or catalogue(DEFAULT).get(key) or key
    return text.format(**values) if values else text


def text(value) -> str:
    """A bilingual engine value (kb.problems.Text) in the current language."""
    return value.get(lang()) if hasattr(value, "get") else str(value)


def labels(values, label) -> Callable[[object], str]:
    """A format_func whose labels are computed now, in the current language.

    Widgets may call format_func outside the script run (AppTest does); a lambda that looks
    the language up at call time would then label the options in the wrong language."""
    table = {value: label(value) for value in values}
    return lambda value: table.get(value, str(value))


def url_lang() -> str | None:
    """The language asked for in the URL (``?lang=en``), if it is one we have."""
    try:
        wanted = st.query_params.get(PARAM)
    except Exception:  # no script run context
        return None
    return wanted if wanted in LANGS else None


def _keep_in_url(current: str) -> None:
    """?lang= is in the URL exactly when the choice differs from what the browser would give."""
    if current != browser_hint():
        if st.query_params.get(PARAM) != current:
            st.query_params[PARAM] = current
    elif PARAM in st.query_params:
        del st.query_params[PARAM]


def language_picker() -> str:
    """The language switch (drawn once, in app.py, so it keeps its value across pages).

    A new session starts in the URL's language, else the browser's; every run writes the choice
    back into the URL, so it survives page switches that replace the query parameters.
    """
    if st.session_state.get(STATE_KEY) not in LANGS:
        st.session_state[STATE_KEY] = url_lang() or browser_hint()
    st.sidebar.segmented_control(
        t("app.language"),
        LANGS,
        format_func=lambda code: catalogue(code)["app.language_name"],
        key=STATE_KEY,
        required=True,
    )
    _keep_in_url(lang())
    return lang()
