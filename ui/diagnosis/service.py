"""Calls into kb.diagnosis for the wizard, with the caching Streamlit needs.

Parsed files are cached on their bytes (st.cache_data), so back/next and reruns do not re-read
them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from kb.config import REPO_ROOT
from kb.diagnosis.consult import consult
from kb.diagnosis.dimensions import load_vocabulary
from kb.diagnosis.engine import DATE, diagnose, load
from kb.diagnosis.load import read_raw, remap_columns
from kb.diagnosis.questions import Interview
from kb.diagnosis.report import checklist_markdown as _checklist
from kb.importers import limits
from ui import services

SAMPLES_DIR = REPO_ROOT / "samples"
MAX_UPLOAD_MB = limits.MAX_FILE_BYTES // 1_000_000  # one size rule for every upload
FILE_TYPES = ("csv", "xlsx", "xlsm", "txt")
IGNORE = "__ignore__"
AS_DIMENSION = "__dimension__"  # keep the header, read the column as a dimension (省份ID)
AS_MEASURE = "__measure__"  # keep the header, read the column as numbers to sum


class UploadError(ValueError):
    """An upload we refuse before parsing (type, size); the message is for the page."""


def samples() -> list[str]:
    return sorted(p.stem for p in SAMPLES_DIR.glob("*.csv")) if SAMPLES_DIR.is_dir() else []


def sample_bytes(name: str) -> bytes:
    return (SAMPLES_DIR / f"{name}.csv").read_bytes()


def check_upload(name: str, data: bytes) -> None:
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in FILE_TYPES:
        raise UploadError("type")
    if len(data) > MAX_UPLOAD_MB * 1_000_000:
        raise UploadError("size")
    if not data.strip():
        raise UploadError("empty")


def vocabulary():
    return load_vocabulary(services.workspace().config.data_file("dimensions.yaml"))


@st.cache_data(show_spinner=False, max_entries=16)
def read_frame(data: bytes, name: str) -> pd.DataFrame:
    """The file as written (headers untouched), for the mapping step. Raises
    DiagnosisInputError with a message naming the problem."""
    ws = services.workspace()  # known headers find the header row below an export's title lines
    frame, _ = read_raw(_Named(data, name), None, ws.metrics, vocabulary())
    return frame


@st.cache_data(show_spinner=False, max_entries=16)
def load_table(data: bytes, name: str, mapping: tuple[tuple[str, str], ...] = ()):
    """The tidy table; ``mapping`` (header -> target) overrides the auto-detected names."""
    ws = services.workspace()
    kinds = {AS_DIMENSION: [], AS_MEASURE: []}
    renames = {}
    for header, target in mapping:
        if target in kinds:
            kinds[target].append(header)
        else:
            renames[header] = target
    dims, measures = kinds[AS_DIMENSION], kinds[AS_MEASURE]
    if not renames:
        return load(_Named(data, name), ws, dims=dims, measures=measures)
    frame = remap_columns(read_frame(data, name), renames, name, IGNORE)
    return load(frame, ws, dims=dims, measures=measures)


def mapping_targets() -> list[str]:
    """What a column can be mapped to: the date, metrics, dimensions, or ignored."""
    ws = services.workspace()
    return [DATE, AS_DIMENSION, AS_MEASURE, *ws.metrics.metrics, *vocabulary().dimensions, IGNORE]


def metric_label(name: str, fallback: str = "") -> str:
    """A metric's name in the current language (the engine's labels are Chinese)."""
    from ui.i18n import lang

    metrics = services.workspace().metrics
    return metrics[name].label(lang()) if name in metrics else (fallback or name)


def run(table, kpi=None, current=None, baseline="previous", answers=None, lang="zh"):
    return diagnose(
        table,
        services.workspace(),
        kpi=kpi,
        current=current,
        baseline=baseline,
        answers=answers or None,
        lang=lang,
        vocab=vocabulary(),
    )


def interview(answers: dict, area: str | None = None) -> Interview:
    ws = services.workspace()
    return Interview(ws.taxonomy, ws.metrics, dict(answers), area=area)


def diagnose_answers(answers: dict, lang: str = "zh"):
    """No-data mode: answers to the questions -> (matches, hypotheses, documents)."""
    result = consult(services.workspace(), answers, lang=lang)
    return result.matches, result.hypotheses, result.documents


class _Named:
    """Bytes with a name, as the engine's loader reads uploads (it sniffs Excel by name)."""

    def __init__(self, data: bytes, name: str):
        self._data, self.name = data, name

    def read(self) -> bytes:
        return self._data


def checklist_markdown(answers: dict, hyps) -> str:
    from ui.i18n import lang

    return _checklist(answers, hyps, services.workspace().metrics, lang())
