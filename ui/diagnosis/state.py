"""The wizard's state, kept under one session key so back/next never lose it.

Widget values vanish when a widget is not drawn, so every step copies what it needs (file
bytes, mapping, periods, answers, result) into this dict.
"""

from __future__ import annotations

import streamlit as st

KEY = "dx"
STEPS = (1, 2, 3, 4, 5, 6)
NO_DATA_STEPS = (1, 4, 5, 6)


def state() -> dict:
    if KEY not in st.session_state:
        reset()
    return st.session_state[KEY]


def reset() -> None:
    st.session_state[KEY] = {
        "step": 1,
        "mode": None,  # upload | sample | nodata
        "name": None,
        "data": None,  # file bytes
        "mapping": (),  # ((header, target), ...) when the user changed the detected names
        "kpi": None,
        "current": None,  # (start, end) dates, None = the engine's default
        "baseline": "previous",
        "answers": {},
        "area": None,
        "result": None,  # kb.diagnosis.engine.Diagnosis
        "nodata": None,  # (matches, hypotheses, documents) in no-data mode
        "saved": None,  # id of the case draft once saved
    }


def load_file(name: str, data: bytes, mode: str) -> None:
    """A new file for the wizard: what was derived from the previous one is dropped."""
    s = state()
    if (s["name"], s["data"]) != (name, data):
        s.update(
            name=name,
            data=data,
            mode=mode,
            mapping=(),
            kpi=None,
            current=None,
            answers={},
            result=None,
            saved=None,
        )


def steps() -> tuple[int, ...]:
    return NO_DATA_STEPS if state()["mode"] == "nodata" else STEPS


def go(step: int) -> None:
    state()["step"] = step


def next_step() -> None:
    s = state()
    order = steps()
    i = order.index(s["step"]) if s["step"] in order else 0
    s["step"] = order[min(i + 1, len(order) - 1)]


def prev_step() -> None:
    s = state()
    order = steps()
    i = order.index(s["step"]) if s["step"] in order else 0
    s["step"] = order[max(i - 1, 0)]
