"""Steps 1–2: choose the data (upload, bundled sample, no data), confirm mapping and periods."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kb.diagnosis.engine import DATE, DiagnosisInputError
from ui.diagnosis import service
from ui.diagnosis.state import go, load_file, state
from ui.i18n import labels, lang, t

FIRST_SAMPLE = "channel-collapse"


def _error(exc: Exception) -> None:
    """A clear message in the page, never a traceback."""
    if isinstance(exc, service.UploadError):
        st.error(
            t(f"dx.upload_{exc}", mb=service.MAX_UPLOAD_MB, types=", ".join(service.FILE_TYPES))
        )
    elif isinstance(exc, DiagnosisInputError):
        st.error(t("dx.bad_file", msg=exc.message(lang())))
    else:
        st.error(t("dx.unreadable", msg=type(exc).__name__))


def _accept(name: str, data: bytes, mode: str) -> bool:
    """Keep a file we can read. One whose columns were not all recognised is kept too (with
    the message): the mapping step is where the user can fix that."""
    try:
        service.check_upload(name, data)
        service.read_frame(data, name)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message
        _error(exc)
        return False
    try:
        service.load_table(data, name)
    except Exception as exc:  # noqa: BLE001
        _error(exc)
        st.caption(t("dx.fix_in_mapping"))
    load_file(name, data, mode)
    return True


def step_source() -> None:
    s = state()
    st.subheader(t("dx.step1"))
    modes = ["sample", "upload", "nodata"]
    mode = st.radio(
        t("dx.source"),
        modes,
        index=modes.index(s["mode"]) if s["mode"] in modes else 0,
        format_func=labels(modes, lambda m: t(f"dx.mode_{m}")),
        horizontal=True,
        key="dx_mode",
    )
    if mode == "sample":
        names = service.samples()
        if not names:
            st.info(t("dx.no_samples"))
            return
        wanted = st.query_params.get("sample")  # ?sample=NAME: a shareable link to a sample
        current = s["name"][:-4] if s["mode"] == "sample" and s["name"] else wanted
        name = st.selectbox(
            t("dx.sample"),
            names,
            index=names.index(current) if current in names else _first_sample(names),
            format_func=labels(names, _sample_label),
            key="dx_sample",
        )
        clicked = st.button(t("dx.next"), type="primary", key="dx_next1")
        if clicked and _accept(f"{name}.csv", service.sample_bytes(name), "sample"):
            go(2)
            st.rerun()
    elif mode == "upload":
        st.caption(t("dx.upload_help", mb=service.MAX_UPLOAD_MB))
        up = st.file_uploader(t("dx.upload"), key="dx_upload")
        if up is not None and _accept(up.name, up.getvalue(), "upload"):
            st.success(t("dx.loaded", name=up.name))
        ready = s["mode"] == "upload" and s["data"] is not None
        if st.button(t("dx.next"), type="primary", key="dx_next1", disabled=not ready):
            go(2)
            st.rerun()
    else:
        st.caption(t("dx.nodata_help"))
        if st.button(t("dx.next"), type="primary", key="dx_next1"):
            s.update(mode="nodata", name=None, data=None, answers={}, result=None, nodata=None)
            go(4)
            st.rerun()


def _sample_label(name: str) -> str:
    label = t(f"samples.{name}")
    return name if label == f"samples.{name}" else label


def _first_sample(names: list[str]) -> int:
    """The sample a new user sees first: the classic one-channel collapse, if bundled."""
    return names.index(FIRST_SAMPLE) if FIRST_SAMPLE in names else 0


def _detected(data: bytes, name: str) -> dict[str, str]:
    """Header -> name as the loader recognised it (empty when it could not load the file).
    A column it kept under its own name shows as "dimension" or "measure", so the user can
    flip a column of codes (省份ID) the loader took for numbers, or the other way round."""
    try:
        table = service.load_table(data, name)
    except Exception:  # noqa: BLE001 - the message was shown in step 1
        return {}
    out = {}
    for header, target in table.columns.items():
        if target == header and target not in service.mapping_targets():
            target = service.AS_DIMENSION if header in table.dimensions else service.AS_MEASURE
        out[header] = target
    return out


def _mapping_editor(headers: list[str], detected: dict, chosen: dict) -> tuple:
    """Editable header -> target table; returns the choices that differ from the detection.
    A header the loader did not recognise keeps its own name (the loader then decides)."""
    shown = {
        service.IGNORE: t("dx.ignore"),
        DATE: t("dx.date"),
        service.AS_DIMENSION: t("exports.as_dimension"),
        service.AS_MEASURE: t("exports.as_measure"),
    }
    back = {v: k for k, v in shown.items()}
    current = {h: chosen.get(h, detected.get(h, h)) for h in headers}
    targets = [shown.get(x, x) for x in service.mapping_targets()]
    targets = list(dict.fromkeys([*targets, *(shown.get(v, v) for v in current.values())]))
    rows = pd.DataFrame(
        {"header": headers, "target": [shown.get(current[h], current[h]) for h in headers]}
    )
    edited = st.data_editor(
        rows,
        hide_index=True,
        disabled=["header"],
        column_config={
            "header": st.column_config.TextColumn(t("dx.header")),
            "target": st.column_config.SelectboxColumn(
                t("dx.target"), options=targets, required=True
            ),
        },
        key="dx_mapping_editor",
    )
    pairs = (
        (str(h), back.get(str(v), str(v)))
        for h, v in zip(edited["header"], edited["target"], strict=True)
    )
    return tuple((h, v) for h, v in pairs if detected.get(h, h) != v)


def _back_button() -> None:
    if st.button(t("dx.back"), key="dx_back2"):
        go(1)
        st.rerun()


def step_mapping() -> None:
    s = state()
    st.subheader(t("dx.step2"))
    try:
        headers = [str(c) for c in service.read_frame(s["data"], s["name"]).columns]
    except Exception as exc:  # noqa: BLE001
        _error(exc)
        _back_button()
        return
    st.markdown(f"**{t('dx.mapping')}**")
    mapping = _mapping_editor(headers, _detected(s["data"], s["name"]), dict(s["mapping"]))
    try:
        table = service.load_table(s["data"], s["name"], mapping)
    except Exception as exc:  # noqa: BLE001 - fix the mapping above, or go back
        _error(exc)
        _back_button()
        return
    st.caption(
        t(
            "dx.file_summary",
            name=s["name"],
            rows=len(table.frame),
            dates=len(table.dates),
            dims=", ".join(table.dim_label(d) for d in table.dimensions) or "—",
        )
    )
    for note in table.notes:
        st.caption(f"ℹ️ {note}")
    for w in table.warnings:
        st.warning(w.text.get(lang()), icon="⚠️")
    dates = table.dates
    first, last = dates[0].date(), dates[-1].date()
    default_cur = _default_current(table)
    cols = st.columns(3)
    current = cols[0].date_input(
        t("dx.current_period"),
        value=s["current"] or default_cur,
        min_value=first,
        max_value=last,
        key="dx_current",
    )
    baselines = ["previous", "yoy"]
    baseline = cols[1].selectbox(
        t("dx.baseline_mode"),
        baselines,
        index=baselines.index(s["baseline"]) if s["baseline"] in baselines else 0,
        format_func=labels(baselines, lambda b: t(f"dx.baseline_{b}")),
        key="dx_baseline",
    )
    kpis = _kpi_options(table)
    kpi = cols[2].selectbox(
        t("dx.kpi"),
        kpis,
        index=kpis.index(s["kpi"]) if s["kpi"] in kpis else 0,
        format_func=labels(kpis, _metric_label),
        key="dx_kpi",
    )
    back, nxt, _ = st.columns([1, 2, 5])
    if back.button(t("dx.back"), key="dx_back2"):
        go(1)
        st.rerun()
    if nxt.button(t("dx.analyse"), type="primary", key="dx_next2"):
        period = tuple(current) if isinstance(current, (tuple, list)) else (current, current)
        if len(period) == 1:
            period = (period[0], period[0])
        s.update(mapping=mapping, current=period, baseline=baseline, kpi=kpi, answers={})
        if _analyse():
            go(3)
            st.rerun()


def _analyse() -> bool:
    s = state()
    try:
        with st.spinner(t("dx.analysing")):
            table = service.load_table(s["data"], s["name"], s["mapping"])
            s["result"] = service.run(
                table,
                kpi=s["kpi"],
                current=s["current"],
                baseline=s["baseline"],
                answers=s["answers"],
                lang=lang(),
            )
    except Exception as exc:  # noqa: BLE001
        _error(exc)
        return False
    return True


def rerun_with_answers() -> bool:
    return _analyse()


def _default_current(table) -> tuple[dt.date, dt.date]:
    from kb.diagnosis.periods import default_current

    period = default_current(table.dates, table.freq_days)
    return period.start.date(), min(period.end, table.dates[-1]).date()


def _kpi_options(table) -> list[str]:
    from kb.diagnosis.engine import pick_kpi
    from kb.diagnosis.movements import available_ratios
    from ui import services

    # as this file can compute them: 客单价 ÷ 订单数 when it has no 买家数
    metrics, _ = services.workspace().metrics.bind(table.measures)
    auto = pick_kpi(metrics, table, None)
    ratios = available_ratios(metrics, table.measures)
    return list(dict.fromkeys([auto, *table.measures, *ratios]))


def _metric_label(name: str) -> str:
    from ui import services

    metrics = services.workspace().metrics
    return metrics[name].label(lang()) if name in metrics else name
