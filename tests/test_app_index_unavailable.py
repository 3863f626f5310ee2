"""AppTest: an index folder that cannot be used gives a message on every page that needs the
index (here the read page's related documents), never a traceback."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import REPO, write_doc  # noqa: E402


def test_read_page_says_what_to_move_when_the_index_folder_is_a_file(tmp_path, monkeypatch):
    write_doc(tmp_path, "playbook", "pb-x", "手册", body="正文 退款率")
    (tmp_path / "index-is-a-file").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("OPSKB_ROOT", str(tmp_path))
    monkeypatch.setenv("OPSKB_INDEX", str(tmp_path / "index-is-a-file"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    at.query_params["doc"] = "pb-x"
    at.switch_page("ui/read.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "手册"
    assert any("index-is-a-file" in e.value for e in at.error)
