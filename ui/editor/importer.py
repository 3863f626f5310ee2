"""Import panel: upload Markdown / HTML / text files or read-later exports, or one URL.

The outcome of the last import stays in session state, so the user can review each imported
article's suggested problem types, metrics and tags (shown by name) and accept or change them;
accepting saves them with ``kb.importers.later.apply_choices`` (the one save path).
"""

from __future__ import annotations

from pathlib import PurePath

import streamlit as st

from kb.documents import ConflictError, DocumentError
from kb.importers.later import apply_choices
from kb.importers.limits import MAX_FILE_BYTES
from kb.importers.service import import_file, import_url
from ui import nav, services
from ui.components.badges import problem_name
from ui.i18n import labels, lang, t, text

TYPES = ("md", "markdown", "txt", "html", "htm", "json", "csv")
SHOWN_SUGGESTIONS = {"problems": 3, "metrics": 5, "tags": 3}


def _check(name: str, data: bytes) -> str | None:
    """A message for a file we refuse before importing it, or None."""
    if PurePath(name).suffix.lower().lstrip(".") not in TYPES:
        return t("imp.bad_type", name=name, types=", ".join(TYPES))
    if len(data) > MAX_FILE_BYTES:
        return t("imp.too_large", name=name, mb=MAX_FILE_BYTES // 1_000_000)
    if not data.strip():
        return t("imp.empty", name=name)
    return None


def _state(key: str) -> dict:
    """What the last import did, kept across reruns: reports, refusals, accepted documents."""
    return st.session_state.setdefault(
        f"{key}_outcome", {"reports": [], "errors": [], "accepted": set()}
    )


def _metric_label(name: str) -> str:
    metric = services.workspace().metrics.metrics.get(name)
    return metric.label(lang()) if metric is not None else name


def _accept_form(key: str, doc, sugg) -> None:
    """Suggested problem types, metrics and tags by name; the user keeps, drops or adds."""
    ws = services.workspace()
    suggested = {
        name: [s.value for s in getattr(sugg, name)[:n]] for name, n in SHOWN_SUGGESTIONS.items()
    }
    problems = list(dict.fromkeys([*doc.problems, *suggested["problems"]]))
    metrics = list(dict.fromkeys([*doc.metrics, *suggested["metrics"]]))
    tags = list(dict.fromkeys([*doc.tags, *suggested["tags"]]))
    all_problems = list(dict.fromkeys([*problems, *(p.id for p in ws.taxonomy)]))
    all_metrics = list(dict.fromkeys([*metrics, *ws.metrics.metrics]))
    with st.form(f"{key}_accept_{doc.id}", border=False):
        chosen_problems = st.multiselect(
            t("importer.problems"),
            all_problems,
            default=problems,
            format_func=labels(all_problems, problem_name),
            key=f"{key}_problems_{doc.id}",
            select_all=False,
        )
        chosen_metrics = st.multiselect(
            t("importer.metrics"),
            all_metrics,
            default=metrics,
            format_func=labels(all_metrics, _metric_label),
            key=f"{key}_metrics_{doc.id}",
            select_all=False,
        )
        chosen_tags = st.multiselect(
            t("importer.tags"),
            tags,
            default=tags,
            key=f"{key}_tags_{doc.id}",
            accept_new_options=True,
            select_all=False,
        )
        if st.form_submit_button(t("importer.accept"), icon=":material/check:"):
            try:
                apply_choices(
                    ws,
                    doc.id,
                    problems=chosen_problems,
                    metrics=chosen_metrics,
                    tags=chosen_tags,
                    kind=doc.kind,
                )
            except ConflictError:
                st.error(t("importer.conflict", id=doc.id))
                return
            except (DocumentError, OSError) as exc:
                st.error(t("importer.accept_failed", id=doc.id, error=str(exc)))
                return
            _state(key)["accepted"].add(doc.id)
            services.sync_index()
            st.rerun()


def _suggestions(key: str, doc_id: str, doc, sugg) -> None:
    if doc is None or sugg is None:
        return
    if doc_id in _state(key)["accepted"]:
        st.success(t("importer.accepted"), icon=":material/check:")
        return
    names = [problem_name(s.value) for s in sugg.problems[: SHOWN_SUGGESTIONS["problems"]]]
    if not (names or sugg.metrics or sugg.tags):
        return
    if names:
        st.caption(t("imp.suggested", problems=("、" if lang() == "zh" else ", ").join(names)))
    with st.expander(t("importer.review"), expanded=bool(names)):
        _accept_form(key, doc, sugg)


def _report(key: str, report) -> None:
    st.info(text(report.summary()))
    for doc_id in report.imported:
        doc = report.documents.get(doc_id)
        nav.doc_link(doc_id, doc.title if doc else doc_id, doc.kind if doc else "article")
        _suggestions(key, doc_id, doc, report.suggestions.get(doc_id))
    for item, reason in report.skipped:
        st.warning(f"{item}: {text(reason)}")
    for item, reason in report.failed:
        st.error(f"{item}: {text(reason)}")
    for note in report.notes:
        st.caption(text(note))


def _outcome(key: str) -> None:
    state = _state(key)
    for error in state["errors"]:
        st.error(error)
    for report in state["reports"]:
        _report(key, report)


def _import_files(key: str, files, fetch: bool) -> None:
    state = {"reports": [], "errors": [], "accepted": set()}
    bar = st.progress(0.0, text=t("imp.working"))
    imported = 0
    for i, up in enumerate(files):
        data = up.getvalue()
        problem = _check(up.name, data)
        if problem:
            state["errors"].append(problem)
            continue
        try:
            report = import_file(
                services.workspace(),
                up.name,
                data,
                fetch=fetch,
                on_progress=lambda done, total, item: bar.progress(
                    min(1.0, done / max(total, 1)), text=f"{item[:60]}"
                ),
            )
        except Exception as exc:  # noqa: BLE001 - a broken file must not break the page
            state["errors"].append(t("imp.failed", name=up.name, msg=type(exc).__name__))
            continue
        imported += len(report.imported)
        state["reports"].append(report)
        bar.progress((i + 1) / len(files), text=t("imp.working"))
    if imported:
        services.sync_index()
    bar.empty()
    st.session_state[f"{key}_outcome"] = state


def show(key: str = "import") -> None:
    st.caption(t("imp.help"))
    files = st.file_uploader(t("imp.files"), accept_multiple_files=True, key=f"{key}_files")
    fetch = st.checkbox(t("imp.fetch"), value=False, key=f"{key}_fetch")
    if st.button(t("imp.run"), type="primary", key=f"{key}_run", disabled=not files):
        _import_files(key, files, fetch)
    url = st.text_input(t("imp.url"), key=f"{key}_url", placeholder="https://…")
    if st.button(t("imp.run_url"), key=f"{key}_run_url", disabled=not url.strip()):
        with st.spinner(t("imp.fetching")):
            report = import_url(services.workspace(), url.strip())
        if report.imported:
            services.sync_index()
        st.session_state[f"{key}_outcome"] = {"reports": [report], "errors": [], "accepted": set()}
    st.divider()
    _outcome(key)
