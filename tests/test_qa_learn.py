"""QA finding on the learning path: on the English page the words to learn carry their
English names (跳出率 (Bounce rate)); the Chinese page shows the team's word alone."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import REPO  # noqa: E402


def _learn(monkeypatch, tmp_path, lang: str) -> str:
    monkeypatch.setenv("OPSKB_INDEX", str(tmp_path / "index"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    at.query_params["lang"] = lang
    at.switch_page("ui/learn.py").run()
    assert not at.exception, at.exception
    return "\n".join(m.value for m in at.markdown)


def test_english_page_gives_words_to_learn_their_english_names(monkeypatch, tmp_path):
    text = _learn(monkeypatch, tmp_path, "en")
    assert "Words to know" in text
    assert "跳出率 (Bounce rate)" in text
    assert "UV (Unique visitors)" in text


def test_chinese_page_keeps_the_teams_words(monkeypatch, tmp_path):
    text = _learn(monkeypatch, tmp_path, "zh")
    words = [line for line in text.splitlines() if line.startswith("要掌握的词")]
    assert any(":blue-badge[跳出率]" in line for line in words)
    assert not any("Bounce" in line for line in words)
