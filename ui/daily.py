"""每日复盘: the morning review from the connected source, by role, with the brief to share."""

from __future__ import annotations

import datetime as dt
import math

import streamlit as st

from kb.daily.brief import number, role_label, segment_label
from kb.daily.brief import render as render_brief
from kb.daily.config import config_path, load_daily_config, save_daily_text
from kb.daily.notify import NotifyError, post
from kb.daily.review import MissingDay, Review, review
from kb.documents import ConflictError, text_sha
from kb.sources import SourceError
from kb.store import StoreError
from kb.yamlfile import DataError
from ui import nav, services
from ui.diagnosis.state import load_file, state
from ui.i18n import labels, lang, t


@st.cache_data(ttl=60, show_spinner=False, max_entries=16)
def _review(
    root: str,
    config_sha: str,
    day: dt.date | None,
    role: str | None,
    lang_: str,
    span: int,
    log_stamp: tuple = (),
) -> Review:
    """Cached a minute per day/role/config and state of the action log: a page rerun must not
    re-read the source, but an entry just logged or marked done shows at once."""
    return review(services.workspace(), day=day, role=role, lang=lang_, span=span)


def _log_stamp(ws) -> tuple:
    """How the action log folder stands (files, newest change): cheap, changes on every save."""
    folder = ws.config.root / "log"
    try:
        stats = [p.stat() for p in folder.glob("*.md")]
    except OSError:
        return ()
    return (len(stats), max((s.st_mtime_ns for s in stats), default=0))


def _config_text(ws) -> str:
    path = config_path(ws.config.root)
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _metric_label(ws, name: str) -> str:
    m = ws.metrics.metrics.get(name)
    return m.label(lang()) if m else name


def _kpi_cards(ws, r: Review, span: int = 1) -> None:
    cols = st.columns(min(4, max(1, len(r.kpis))))
    for i, k in enumerate(r.kpis):
        mv = k.movement
        pct = mv.change_pct
        with cols[i % len(cols)], st.container(border=True):
            st.metric(
                _metric_label(ws, mv.metric),
                number(mv.current, mv.unit),
                delta=None if pct is None or not math.isfinite(pct) else f"{pct:+.1f}%",
                delta_color="inverse" if mv.better == "down" else "normal",
            )
            verdict = t("daily.significant") if mv.significant else t("daily.noise")
            if mv.significant is None:
                verdict = t("daily.no_history")
            compared = "daily.vs_last_week" if span == 1 else "qa.daily.vs_previous_days"
            parts = [t(compared, verdict=verdict, n=span)]
            if k.normal_low is not None:
                parts.append(
                    t(
                        "daily.normal",
                        low=number(k.normal_low, mv.unit),
                        high=number(k.normal_high, mv.unit),
                    )
                    + (" ⚠" if k.outside_normal else "")
                )
            if k.last_year is not None:
                parts.append(t("daily.last_year", value=number(k.last_year, mv.unit)))
            if k.target is not None:
                target = "daily.day_target" if span == 1 else "qa.daily.period_target"
                parts.append(t(target, value=number(k.target, mv.unit)))
            st.caption(" · ".join(parts))


def _targets(ws, r: Review) -> None:
    if not r.targets:
        return
    st.subheader(t("daily.targets"))
    for p in r.targets:
        unit = ws.metrics[p.target.metric].unit if p.target.metric in ws.metrics else ""
        name = _metric_label(ws, p.target.metric)
        if p.kind == "level":
            line = t(
                "daily.target_level",
                metric=name,
                period=p.target.label,
                actual=number(p.actual, unit),
                target=number(p.target.value, unit),
            )
        else:
            line = t(
                "daily.target_sum",
                metric=name,
                period=p.target.label,
                done=f"{p.done_pct or 0:.1f}%",
                time=f"{p.time_pct * 100:.1f}%",
            )
            if p.remaining_days and p.needed_per_day is not None:
                line += t(
                    "daily.target_need", days=p.remaining_days, need=number(p.needed_per_day, unit)
                )
        icon = ":material/check_circle:" if p.on_track else ":orange[:material/warning:]"
        st.progress(min(1.0, max(0.0, (p.done_pct or 0) / 100)), text=f"{icon} {line}")


def _open_in_diagnosis(r: Review, change) -> None:
    """Hand the review's history (the segment's rows) to the diagnosis wizard, periods set."""
    frame = r.table.frame
    for dim, value in change.segment.items():
        frame = frame[frame[dim].astype(str) == value]
    frame = frame.drop(columns=list(change.segment))
    data = frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d")).to_csv(index=False)
    where = "-".join(change.segment.values()) or "all"
    load_file(f"daily-{r.day:%Y%m%d}-{where}.csv", data.encode("utf-8"), "upload")
    s = state()
    period = (r.period.start.date(), r.period.end.date())
    s.update(current=period, baseline="previous", kpi=change.metric, step=2)
    nav.go("diagnose")


def _changes(ws, r: Review) -> None:
    st.subheader(t("daily.changes"))
    if not r.changes:
        st.success(t("daily.no_changes"))
        return
    for i, c in enumerate(r.changes, 1):
        mv = c.movement
        with st.container(border=True):
            where = ""
            if c.segment:
                seg = segment_label(ws, c.segment, lang())
                share = f"{c.share * 100:.0f}%" if c.share is not None else "—"
                where = t("daily.where", segment=seg, share=share)
            arrow = "trending_down" if mv.direction == "down" else "trending_up"
            icon = f":{'red' if mv.bad else 'green'}[:material/{arrow}:]"
            st.markdown(
                f"{icon} **{i}. {_metric_label(ws, c.metric)} {t(f'moves.{mv.direction}')} "
                f"{mv.change_pct:+.1f}%** {where}"
            )
            if c.likely:
                st.markdown(f"{t('daily.likely')} {c.likely.get(lang())}")
            if c.check:
                st.caption(f"{t('daily.check')} {c.check.get(lang())}")
            if st.button(t("daily.diagnose"), key=f"daily_dx_{i}", icon=":material/troubleshoot:"):
                _open_in_diagnosis(r, c)


def _event_kind(e) -> str:
    """An event's kind by name: the log's action, or the calendar's holiday/workday/campaign."""
    key = f"log.kinds.{e.kind}" if e.source == "calendar" else f"log.actions.{e.kind}"
    name = t(key)
    return e.kind if name == key else name


def _side(r: Review) -> None:
    st.subheader(t("daily.events"))
    if not r.events:
        st.caption(t("daily.no_events"))
    for e in r.events:
        title = e.title.get(lang()) if hasattr(e.title, "get") else str(e.title)
        st.markdown(f"- {e.day:%m-%d} · {title} :gray-badge[{_event_kind(e)}]")
    st.subheader(t("daily.actions"))
    if not r.open_actions:
        st.caption(t("daily.no_actions"))
    for entry in r.open_actions:
        nav.doc_link(entry.id, f"{entry.date:%m-%d} {entry.title} · {entry.owner or '—'}", "log")
    for note in r.notes:
        st.info(note.get(lang()))


def _brief(ws, r: Review) -> None:
    text = render_brief(ws, r, lang())
    with st.expander(t("daily.brief"), expanded=False, icon=":material/campaign:"):
        st.code(text, language="markdown", wrap_lines=True)
        cols = st.columns([1, 1, 3])
        cols[0].download_button(
            t("daily.download"),
            text.encode("utf-8"),
            file_name=f"brief-{r.day}-{r.role}.md",
            mime="text/markdown",
            key="daily_download",
        )
        notify = load_daily_config(ws).notify
        if notify and cols[1].button(t("daily.post"), key="daily_post"):
            try:
                post(notify, f"{role_label(ws, r.role, lang())} {r.day}", text)
                st.success(t("daily.posted"))
            except NotifyError as exc:
                st.error(exc.text.get(lang()))


def _config_editor(ws, expanded: bool) -> None:
    with st.expander(t("daily.config"), expanded=expanded, icon=":material/settings:"):
        st.caption(t("daily.config_help"))
        current = _config_text(ws)
        if "daily_config_text" not in st.session_state:  # what this person started editing from
            st.session_state["daily_config_base"] = text_sha(current) if current else None
        edited = st.text_area("daily.yaml", current, height=320, key="daily_config_text")
        if st.button(t("daily.save_config"), key="daily_save_config"):
            try:
                save_daily_text(ws, edited, st.session_state.get("daily_config_base"))
            except ConflictError:
                st.error(t("daily.config_conflict"))
                return
            except (DataError, StoreError) as exc:
                st.error(t("daily.config_invalid", msg=str(exc)))
                return
            st.session_state["daily_config_base"] = text_sha(edited)
            _review.clear()
            st.success(t("daily.config_saved"))


def _pick_day(where, shown: dt.date | None) -> None:
    """The date picker, also when the chosen day has no data (a link to an old or future
    date): without it the page offered no way back but editing the URL."""
    if shown is None:
        return
    picked = where.date_input(t("daily.date"), value=shown, key="daily_date")
    if picked != shown:
        st.query_params["date"] = f"{picked:%Y-%m-%d}"
        st.rerun()
    if "date" in st.query_params and where.button(
        t("qa.daily.latest"), key="daily_latest", icon=":material/today:"
    ):
        del st.query_params["date"]
        st.session_state.pop("daily_date", None)
        st.rerun()


def _to_url(param: str, key: str, default) -> None:
    """The chosen role / comparison in the URL (the page reads ?role= and ?span=), so a link
    sent to a colleague opens the same view; the default is left out."""
    value = st.session_state.get(key)
    if value is None or value == default:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = str(value)


def render() -> None:
    ws = services.workspace()
    st.title(t("daily.title"))
    st.caption(t("daily.intro"))
    text = _config_text(ws)
    if not text:
        st.info(t("daily.no_config"))
        _config_editor(ws, expanded=True)
        return
    try:
        cfg = load_daily_config(ws)
    except DataError as exc:
        st.error(t("daily.config_invalid", msg=str(exc)))
        _config_editor(ws, expanded=True)
        return
    roles = list(cfg.roles)
    wanted = st.query_params.get("role")
    role = (  # a row of its own: four role names do not fit beside the date (they got cut)
        st.segmented_control(
            t("daily.role"),
            roles,
            default=wanted if wanted in roles else roles[0],
            format_func=labels(roles, lambda r: role_label(ws, r, lang())),
            key="daily_role",
            on_change=_to_url,
            args=("role", "daily_role", roles[0]),
        )
        or roles[0]
    )
    cols = st.columns([2, 3])
    day_param = st.query_params.get("date")
    try:
        day = dt.date.fromisoformat(day_param) if day_param else None
    except ValueError:
        day = None
    spans = [1, 7]
    span = (
        cols[1].segmented_control(
            t("daily.span"),
            spans,
            default=7 if st.query_params.get("span") == "7" else 1,
            format_func=labels(spans, lambda n: t(f"daily.span_{n}")),
            key="daily_span",
            on_change=_to_url,
            args=("span", "daily_span", 1),
        )
        or 1
    )
    sha = text_sha(text)
    try:
        r = _review(str(ws.config.root), sha, day, role, lang(), span, _log_stamp(ws))
    except MissingDay as exc:
        st.warning(exc.text.get(lang()))
        _pick_day(cols[0], day)
        _config_editor(ws, expanded=False)
        return
    except SourceError as exc:
        st.error(t("daily.source_error", msg=exc.text.get(lang())))
        _pick_day(cols[0], day)
        _config_editor(ws, expanded=day is None)  # a bad ?date= is not the config's fault
        return
    except DataError as exc:
        st.error(t("daily.config_invalid", msg=str(exc)))
        _config_editor(ws, expanded=True)
        return
    _pick_day(cols[0], r.day)
    st.caption(t("daily.source", source=r.source, day=r.period.label))
    _kpi_cards(ws, r, span)
    main, side = st.columns([3, 2])
    with main:
        _changes(ws, r)
        _targets(ws, r)
    with side:
        _side(r)
    _brief(ws, r)
    _config_editor(ws, expanded=False)


if __name__ == "__main__":
    render()
