"""AppTest: the language and the learner survive a reload (URL), ids in text link to documents."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from conftest import write_doc  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")


@pytest.fixture
def env(content, monkeypatch) -> Path:
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    return content


def fresh(**params: str) -> AppTest:
    """A new browser session opened on a URL with these query parameters (a reload)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_language_choice_is_kept_in_the_url_and_across_pages(env):
    at = fresh()
    assert at.title[0].value.startswith("OpsKB 运营知识库") and "lang" not in at.query_params
    at.sidebar.segmented_control(key="lang").set_value("en").run()
    assert at.query_params["lang"] == "en" and at.title[0].value.startswith("OpsKB — operations")
    at.button[[b.label for b in at.button].index("Start a diagnosis")].click().run()  # switch_page
    assert not at.exception and at.title[0].value == "Diagnose"
    assert at.query_params["lang"] == "en"
    at.switch_page("ui/learn.py").run()
    links = [e.proto.query_string for e in at.get("page_link")]
    assert links and all("lang=en" in q for q in links)  # a link opened in a new tab keeps it
    reload = fresh(**dict(at.query_params))  # the same query, new session (a reload)
    assert reload.title[0].value.startswith("OpsKB — operations")
    assert reload.sidebar.segmented_control(key="lang").value == "en"
    reload.switch_page("ui/diagnose.py").run()
    assert reload.title[0].value == "Diagnose" and reload.query_params["lang"] == "en"
    reload.sidebar.segmented_control(key="lang").set_value("zh").run()
    assert "lang" not in reload.query_params and reload.title[0].value == "诊断向导"


def test_an_unknown_language_in_the_url_falls_back_to_chinese(env):
    at = fresh(lang="fr")
    assert at.title[0].value.startswith("OpsKB 运营知识库")


def test_the_learner_is_remembered_across_a_reload(env):
    at = fresh()
    at.switch_page("ui/learn.py").run()
    at.text_input(key="learn_name").set_value("小王").run()
    at.checkbox[0].check().run()
    assert at.query_params["learner"] == "小王"
    reload = fresh(**dict(at.query_params))
    reload.switch_page("ui/learn.py").run()
    assert reload.text_input(key="learn_name").value == "小王"
    assert reload.checkbox[0].value is True
    assert "已完成 1 /" in reload.get("progress")[0].proto.text
    reload.text_input(key="learn_name").set_value("").run()
    assert "learner" not in reload.query_params


def test_document_ids_in_the_text_link_to_the_documents(env):
    write_doc(
        env,
        "playbook",
        "pb-linking-test",
        "链接测试",
        "先看 pb-channel-check，再转 `pb-gmv-decomposition`；代码块里的不算：\n\n"
        "```\npb-campaign-plan\n```\n\n[外链](https://example.com/pb-campaign-review)\n",
    )
    at = fresh(doc="pb-linking-test")
    at.switch_page("ui/read.py").run()
    html = "\n".join(m.value for m in at.markdown)
    assert '<a href="read?doc=pb-channel-check" class="doc-link">pb-channel-check</a>' in html
    assert 'href="read?doc=pb-gmv-decomposition"' in html
    assert "read?doc=pb-campaign-plan" not in html and "read?doc=pb-campaign-review" not in html
