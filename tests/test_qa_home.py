"""QA finding on the home page: "最近的文档" lists knowledge (playbooks, cases, articles), not
the day's action-log entries nor drafts, which pushed every playbook and case off the list."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import REPO, write_doc  # noqa: E402


def test_recent_documents_leave_out_log_entries_and_drafts(content, monkeypatch):
    for i in range(10):
        write_doc(
            content, "log", f"log-2030-01-0{i % 9 + 1}-qa-{i}", f"QA 日志 {i}",
            date=f"2030-01-0{i % 9 + 1}", action="budget", status="done", created="2030-01-01",
        )  # fmt: skip
    write_doc(content, "article", "qa-draft", "QA 草稿", created="2030-01-02", state="draft")
    write_doc(content, "case", "qa-case-new", "QA 最新案例", created="2030-01-01")
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    labels = [link.proto.label for link in at.get("page_link")]
    assert "QA 最新案例" in labels
    assert not any(label.startswith("QA 日志") for label in labels)
    assert "QA 草稿" not in labels
