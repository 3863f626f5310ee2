"""A link to the action log page with the form filled in: the diagnosis result uses it
("记一笔: 3/8 抖音做了什么?") so an operator can record the action the numbers point to."""

from __future__ import annotations

import datetime as dt

from ui import nav
from ui.i18n import t


def params(day: dt.date | str, segment: dict[str, str] | None = None, **extra: str) -> dict:
    """Query parameters of the log page: date, one per dimension, and action/title/… if given."""
    out = {"date": day.isoformat() if isinstance(day, dt.date) else str(day)}
    out.update({str(k): str(v) for k, v in (segment or {}).items() if v})
    out.update({k: str(v) for k, v in extra.items() if v})
    return out


def show(day: dt.date | str, segment: dict[str, str] | None = None, **extra: str) -> None:
    nav.link(
        "log", t("log.add_link"), icon=":material/edit_calendar:", **params(day, segment, **extra)
    )
