"""AppTest: the diagnosis wizard from a sample to hypotheses, a report and a case draft;
bad uploads give a message, never a traceback; the no-data interview."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")
SAMPLE = REPO / "samples" / "channel-collapse.csv"


@pytest.fixture
def wizard(content, monkeypatch) -> AppTest:
    monkeypatch.setenv("OPSKB_ROOT", str(content))
    monkeypatch.setenv("OPSKB_INDEX", str(content / ".index"))
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.switch_page("ui/diagnose.py").run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="dx_mode").set_value("upload").run()
    at.file_uploader(key="dx_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception
    return at


def headings(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


@pytest.mark.skipif(not SAMPLE.exists(), reason="bundled sample channel-collapse.csv missing")
def test_sample_goes_to_hypotheses_report_and_case_draft(wizard, content):
    at = wizard
    at.selectbox(key="dx_sample").set_value("channel-collapse").run()
    at.button(key="dx_next1").click().run()
    assert headings(at) == ["第 2 步：确认字段映射和对比时期"]
    at.button(key="dx_next2").click().run()
    assert not at.exception and not at.error
    assert headings(at) == ["第 3 步：发生了什么变化"]
    assert [m.label for m in at.metric][:2] == ["销售额", "访客数"]
    assert at.metric[1].delta.startswith("-")  # visitors fell
    assert len(at.get("vega_lite_chart")) >= 3  # trend, waterfall, drill-down
    drill = at.dataframe[0].value
    assert "抖音" in drill.iloc[0, 0]  # the collapsed channel is the top segment
    at.button(key="dx_next_3").click().run()
    assert headings(at) == ["第 4 步：回答数据没能回答的问题"]
    at.button[-1].click().run()  # the form's "show likely causes" (no answers needed)
    assert headings(at) == ["第 5 步：可能的原因（按可能性排序）"]
    links = [e.proto.label for e in at.get("page_link")]
    assert links[0].startswith("单一渠道流量下降")
    assert len(at.expander) >= 3  # hypotheses with checks and actions
    assert "怎么核查" in "\n".join(m.value for m in at.markdown)
    at.button(key="dx_next_5").click().run()
    assert headings(at) == ["第 6 步：下载报告、保存为案例草稿"]
    assert at.get("download_button")
    case_id = at.text_input(key="dx_case_id").value
    at.button(key="dx_save").click().run()
    assert not at.exception
    saved = content / "cases" / f"{case_id}.md"
    assert saved.exists()
    assert "## 现象" in saved.read_text(encoding="utf-8")


def test_back_keeps_the_chosen_data(wizard):
    at = wizard
    at.selectbox(key="dx_sample").set_value("coupon-aov").run()
    at.button(key="dx_next1").click().run()
    at.button(key="dx_back2").click().run()
    assert headings(at) == ["第 1 步：选择数据"]
    assert at.selectbox(key="dx_sample").value == "coupon-aov"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.exe", b"MZ\x90\x00binary", "不支持这种文件类型"),
        ("broken.csv", b"\xff\xfe\x00\xd8\x00\xdc" * 50, "无法使用这个文件"),
        ("empty.csv", b"", "文件是空的"),
    ],
)
def test_unusable_upload_gives_a_clear_message(wizard, name, data, message):
    at = upload(wizard, name, data)
    errors = " ".join(e.value for e in at.error)
    assert message in errors
    assert at.button(key="dx_next1").disabled


def test_file_without_metrics_is_explained_and_can_be_remapped(wizard):
    at = upload(wizard, "words.csv", "日期,备注\n2026-03-01,好\n2026-03-02,差\n".encode())
    assert any("没有可识别的指标列" in e.value for e in at.error)
    at.button(key="dx_next1").click().run()
    assert not at.exception
    assert any("没有可识别的指标列" in e.value for e in at.error)  # still said in step 2
    assert not [b for b in at.button if b.key == "dx_next2"]  # nothing to analyse yet


def test_unknown_headers_can_be_mapped_to_metrics(wizard):
    csv = "日期,来客,成交单,营收\n" + "".join(
        f"2026-03-{d:02d},{1000 + d},{50 + d},{5000 + 10 * d}\n" for d in range(1, 29)
    )
    at = upload(wizard, "own-names.csv", csv.encode())
    at.button(key="dx_next1").click().run()
    assert at.selectbox(key="dx_kpi").value == "来客"  # nothing recognised: a custom column
    # the edit a user makes in the mapping table: 来客 -> UV, 成交单 -> 订单数, 营收 -> GMV
    at.session_state["dx_mapping_editor"] = {
        "edited_rows": {1: {"target": "UV"}, 2: {"target": "订单数"}, 3: {"target": "GMV"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.error
    assert at.selectbox(key="dx_kpi").value == "GMV"
    at.button(key="dx_next2").click().run()
    assert [s.value for s in at.subheader] == ["第 3 步：发生了什么变化"]
    assert [m.label for m in at.metric][:2] == ["销售额", "访客数"]


def test_too_large_upload_is_refused(wizard, monkeypatch):
    import ui.diagnosis.service as service

    monkeypatch.setattr(service, "MAX_UPLOAD_MB", 0.0001)
    at = upload(wizard, "big.csv", b"date,UV\n" + b"2026-03-01,1\n" * 50)
    assert any("文件太大" in e.value for e in at.error)


def test_no_data_interview_leads_to_hypotheses(wizard):
    at = wizard
    at.radio(key="dx_mode").set_value("nodata").run()
    at.button(key="dx_next1").click().run()
    assert headings(at) == ["第 4 步：回答数据没能回答的问题"]
    for _ in range(3):
        radios = [r for r in at.radio if r.key.startswith("dx_iq_")]
        if not radios:
            break
        radio = radios[0]
        # AppTest sees the labels; "下降" (down) exists for metrics, else take the first one
        radio.set_value("下降" if "下降" in radio.options else radio.options[0])
        at.button[[b.label for b in at.button].index("回答")].click().run()
        assert not at.exception
    at.button(key="dx_next4").click().run()
    assert headings(at) == ["第 5 步：可能的原因（按可能性排序）"]
    assert at.expander, "hypotheses are listed"


@pytest.mark.skipif(not SAMPLE.exists(), reason="bundled sample channel-collapse.csv missing")
def test_wizard_speaks_english_after_the_switch(wizard):
    from kb.workspace import Workspace

    metrics = Workspace.open().metrics
    at = wizard
    at.button_group(key="lang").set_value("en").run()
    assert headings(at) == ["Step 1: choose the data"]
    at.radio(key="dx_mode").set_value("sample")  # re-set: its label changed language
    at.button(key="dx_next1").click().run()
    at.button(key="dx_next2").click().run()
    assert headings(at) == ["Step 3: what changed"]
    assert [m.label for m in at.metric][:2] == [metrics["GMV"].en, metrics["UV"].en]
