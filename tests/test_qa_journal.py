"""QA finding: the action log's field errors were English only, so the Chinese log page (and
an import of a log entry) showed "missing: say what was done…"; each now has its Chinese."""

from __future__ import annotations

import datetime as dt

import pytest

from kb import journal
from kb.documents import DocumentError
from kb.workspace import Workspace


def test_log_field_errors_come_in_both_languages(tmp_path):
    ws = Workspace.open(tmp_path)
    with pytest.raises(DocumentError) as caught:
        journal.add_entry(
            ws, date=dt.date(2026, 3, 9), end=dt.date(2026, 3, 1), title="", action="budget"
        )
    zh = caught.value.get("zh")
    en = caught.value.get("en")
    assert "必填" in zh and "早于开始日期" in zh
    assert "missing" in en and "before the date" in en
    assert not list(tmp_path.glob("log/*.md"))
