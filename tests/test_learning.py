"""The learning path and drills: links resolve, bad links are reported, drills grade."""

from __future__ import annotations

import textwrap

import pytest

from kb.glossary import workspace_glossary
from kb.learning import (
    check_workspace,
    grade,
    load_drills,
    load_learning,
    parse_drills,
    parse_learning,
)
from kb.workspace import Workspace
from kb.yamlfile import DataError
from tests.conftest import REPO

PLAYBOOK_IDS = {
    "pb-morning-review-content",
    "pb-morning-review-user",
    "pb-morning-review-promotion",
    "pb-weekly-report",
    "pb-gmv-decomposition",
    "pb-channel-check",
    "pb-campaign-plan",
    "pb-campaign-review",
    "pb-new-store-setup",
    "pb-user-segmentation",
    "pb-priority-matrix-daily-plan",
    "pb-read-later-habit",
    "pb-tracking-plan-check",
    "pb-refund-review",
    "pb-ad-spend-review",
    "pb-conversion-rate-check",
    "pb-traffic-drop-triage",
    "pb-content-quality-review",
    # 2026 playbooks (issue 12) linked from the path
    "pb-store-morning-check",
    "pb-ads-daily-routine",
    "pb-live-session-review",
    "pb-note-video-review",
    "pb-inventory-replenishment",
    "pb-experience-score-check",
    "pb-price-control",
    "pb-big-promo-timeline",
    "pb-product-test-launch",
    "pb-private-domain-sop",
}
# The bundled samples and the problem type each one's story shows.
SAMPLE_STORIES = {
    "channel-collapse": "channel-traffic-drop",
    "new-user-conversion": "new-customer-conversion-drop",
    "coupon-aov": "aov-drop",
    "content-pv-down": "pv-down-uv-flat",
    "ad-roi-down": "ad-roi-down",
    "refunds-behind-gmv": "gmv-flat-profit-down",
}


@pytest.fixture(scope="module")
def ws():
    return Workspace.open(REPO)


@pytest.fixture(scope="module")
def drills(ws):
    return load_drills(REPO / "data" / "drills.yaml", ws.taxonomy, set(SAMPLE_STORIES))


@pytest.fixture(scope="module")
def path(ws, drills):
    return load_learning(
        REPO / "data" / "learning.yaml",
        workspace_glossary(ws),
        set(drills),
        ws.taxonomy,
        PLAYBOOK_IDS,
    )


def test_bundled_drills_are_enough_and_well_formed(drills):
    assert len(drills) >= 10
    for d in drills.values():
        assert 3 <= len(d.options) <= 4, d.id
        assert d.answer in d.options, d.id
        for text in (d.title, d.scenario, d.question, d.explanation, d.checks):
            assert text.zh and text.en, d.id


def test_each_sample_has_a_drill_whose_answer_is_its_story(drills):
    by_sample = {d.sample: d for d in drills.values() if d.sample}
    assert set(by_sample) == set(SAMPLE_STORIES)
    for sample, problem in SAMPLE_STORIES.items():
        assert by_sample[sample].answer == problem, sample


def test_bundled_path_is_ordered_weeks_linking_all_kinds(path, drills):
    assert [w.title.zh[:3] for w in path.weeks] == ["第1周", "第2周", "第3周", "第4周"]
    steps = list(path.steps())
    assert len({s.id for s in steps}) == len(steps)
    assert all(s.why.zh and s.why.en for s in steps)
    linked_drills = {d for s in steps for d in s.drills}
    assert linked_drills == set(drills), "every drill is reachable from the path"
    assert {doc for s in steps for doc in s.docs} <= PLAYBOOK_IDS
    assert sum(len(s.glossary) for s in steps) >= 40
    assert sum(len(s.problems) for s in steps) >= 20
    assert path.step("w1-sales-formula").docs == ("pb-gmv-decomposition",)


def test_grading_says_right_or_wrong_with_the_same_explanation(drills):
    drill = drills["drill-content-pv-down"]
    right, why = grade(drill, "pv-down-uv-flat")
    assert right and "跳出率" in why.zh + drill.checks.zh
    wrong, why_wrong = grade(drill, "traffic-drop")
    assert not wrong and why_wrong == why
    with pytest.raises(ValueError, match="drill-content-pv-down"):
        grade(drill, "gmv-drop")


LEARNING = textwrap.dedent(
    """\
    weeks:
      - id: week-1
        title: {zh: 第1周, en: "Week 1"}
        goal: {zh: 目标, en: "Goal"}
        steps:
          - id: s1
            title: {zh: 第一步, en: "Step one"}
            why: {zh: 原因, en: "Why"}
            glossary: [UV, 跳失率, 不存在的词]
            docs: [pb-real, pb-missing]
            problems: [traffic-drop, no-such-problem]
            drills: [drill-a, drill-missing]
          - id: s1
            title: {zh: 重复, en: "Duplicate"}
    """
)


def test_learning_reports_every_broken_link_by_step(tmp_path, ws):
    file = tmp_path / "learning.yaml"
    file.write_text(LEARNING, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_learning(file, workspace_glossary(ws), {"drill-a"}, ws.taxonomy, {"pb-real"})
    text = str(err.value)
    assert "step 's1': glossary term '不存在的词' does not exist" in text
    assert "跳失率" not in text  # an alias is a valid reference
    assert "step 's1': document 'pb-missing' does not exist" in text
    assert "pb-real" not in text
    assert "step 's1': problem id 'no-such-problem' does not exist" in text
    assert "step 's1': drill 'drill-missing' does not exist" in text
    assert "step 's1': duplicate step id" in text
    assert "step 's1': why: needs a text" in text
    assert all(str(file) in line for line in text.splitlines())


def test_document_links_are_only_checked_when_the_known_ids_are_given(ws):
    data = {
        "weeks": [
            {
                "id": "w",
                "title": {"zh": "周", "en": "W"},
                "goal": {"zh": "目标", "en": "Goal"},
                "steps": [
                    {
                        "id": "s",
                        "title": {"zh": "步", "en": "S"},
                        "why": {"zh": "因", "en": "Why"},
                        "docs": ["pb-being-written"],
                    }
                ],
            }
        ]
    }
    assert parse_learning(data, doc_ids=None).step("s").docs == ("pb-being-written",)
    with pytest.raises(DataError, match="pb-being-written"):
        parse_learning(data, doc_ids={"pb-other"})


def test_drill_errors_are_listed_together(ws):
    text = {"zh": "文", "en": "text"}
    base = dict(title=text, scenario=text, question=text, explanation=text, checks=text)
    data = {
        "drills": [
            {
                **base,
                "id": "d1",
                "options": ["traffic-drop", "gmv-drop", "ctr-down"],
                "answer": "cpc-up",
            },
            {**base, "id": "d2", "options": ["traffic-drop", "nope"], "answer": "traffic-drop"},
            {
                **base,
                "id": "d3",
                "sample": "no-sample",
                "options": ["traffic-drop", "gmv-drop", "ctr-down"],
                "answer": "ctr-down",
            },
            {**base, "id": "d1", "options": [], "answer": ""},
        ]
    }
    with pytest.raises(DataError) as err:
        parse_drills(data, ws.taxonomy, {"coupon-aov"}, source="drills.yaml")
    text = str(err.value)
    assert "drill 'd1': answer 'cpc-up' is not one of the options" in text
    assert "drill 'd2': needs 3-4 options, has 2" in text
    assert "drill 'd2': option 'nope' is not a problem id" in text
    assert "drill 'd3': sample 'no-sample'" in text
    assert "drill 'd1': duplicate id" in text


def test_kb_check_hook_accepts_the_bundled_files_and_flags_missing_playbooks(ws):
    assert check_workspace(ws, PLAYBOOK_IDS) == []
    errors = check_workspace(ws, PLAYBOOK_IDS - {"pb-weekly-report"})
    assert errors and all("pb-weekly-report" in e for e in errors)


def test_a_root_borrowing_the_bundled_path_is_not_held_to_its_playbooks(root):
    # A fresh folder of documents uses the bundled data/, whose path links bundled playbooks.
    assert check_workspace(Workspace.open(root), set()) == []
    (root / "data").mkdir()
    (root / "data" / "learning.yaml").write_text(LEARNING, encoding="utf-8")
    errors = check_workspace(Workspace.open(root), {"pb-real"})
    assert any("document 'pb-missing' does not exist" in e for e in errors)


def test_workspace_helpers_load_the_bundled_files(ws):
    from kb.learning import drills_for_problem, workspace_drills, workspace_learning

    drills = workspace_drills(ws)
    assert workspace_learning(ws, drills).step("w2-morning-user").drills
    assert [d.id for d in drills_for_problem(drills, "aov-drop")] == ["drill-coupon-aov"]
