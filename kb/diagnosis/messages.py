"""Messages about a metrics file: the error that stops a diagnosis and the warnings that do
not, both in Chinese and English; rows are numbered as the file shows them in Excel."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from kb.problems import Text
from kb.yamlfile import DataError


class DiagnosisInputError(DataError):
    """The metrics file cannot be diagnosed as it is; the message says where and what to do.

    ``DiagnosisInputError(zh, en)`` keeps both languages (``.text``); the UI and the CLI pick
    one with ``message(lang)``. Older one-argument messages carry both languages inline."""

    def __init__(self, message: str, en: str | None = None):
        self.text = Text(message, en) if en is not None else None
        super().__init__(f"{message} ({en})" if en is not None else message)

    def message(self, lang: str = "zh") -> str:
        return self.text.get(lang) if self.text is not None else str(self)


@dataclass(frozen=True)
class InputWarning:
    """Something the loader accepted but a person should look at (code + both languages)."""

    code: str
    text: Text

    def to_json(self, lang: str = "zh") -> dict:
        return {"code": self.code, "message": self.text.get(lang)}


_HEADER_ROW: contextvars.ContextVar[int] = contextvars.ContextVar("header_row", default=1)


# each data row's number in the file, when the reader knew it (title lines, blank rows, totals)
_FILE_ROWS: contextvars.ContextVar = contextvars.ContextVar("file_rows", default=None)


def _row(i: int) -> int:
    """File row of data row i (0-based): the header is row 1, or lower after title lines."""
    rows = _FILE_ROWS.get()
    if rows is not None and 0 <= int(i) < len(rows):
        return int(rows[int(i)])
    return int(i) + 1 + _HEADER_ROW.get()


def _warn(code, name, column, i, value, zh, en, **params) -> InputWarning:
    return InputWarning(
        code,
        Text(
            f"{name}: 列 '{column}' 第 {_row(i)} 行: {value!r} " + zh.format(**params),
            f"{name}: column '{column}', row {_row(i)}: {value!r} " + en.format(**params),
        ),
    )
