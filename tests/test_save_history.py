"""Edit history: every save is a git commit of that one file, with its author (issue 13)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest

from conftest import write_doc
from kb import history
from kb.config import load_config
from kb.documents import (
    ConflictError,
    Document,
    delete_document,
    read_document,
    restore_revision,
    save_document,
)


def git(root, *args) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True
    ).stdout


def _new(config, body="第一版", author="张三") -> Document:
    doc = Document(id="hist", kind="case", title="历史", created=dt.date(2026, 3, 1), body=body)
    save_document(config, doc, author=author)
    return doc


def test_each_save_is_a_commit_with_its_author_and_a_diff(config):
    doc = _new(config)
    doc.body = "第二版"
    save_document(config, doc, expected_sha=doc.sha, author="李四")
    revs = history.log(config, doc.path)
    assert [r.author for r in revs] == ["李四", "张三"]
    assert revs[0].message == "Save hist" and revs[0].when.startswith(str(dt.date.today().year))
    old = history.text_at(config, doc.path, revs[1].rev)
    new = history.text_at(config, doc.path, revs[0].rev)
    patch = history.diff(old, new)
    assert "-第一版" in patch and "+第二版" in patch
    assert (config.root / ".gitignore").read_text().count(".opskb/") == 1  # index not committed
    assert git(config.root, "status", "--porcelain", "--", "cases") == ""


def test_an_edit_made_outside_the_app_is_kept_before_the_next_save(config):
    doc = _new(config)
    doc.path.write_text(doc.path.read_text(encoding="utf-8") + "外部编辑\n", encoding="utf-8")
    fresh = read_document(doc.path)
    fresh.body = "应用里的修改"
    save_document(config, fresh, expected_sha=fresh.sha, author="王五")
    revs = history.log(config, doc.path)
    assert [r.author for r in revs] == ["王五", "OpsKB", "张三"]
    assert "外部编辑" in history.text_at(config, doc.path, revs[1].rev)


def test_delete_keeps_the_history_and_restore_brings_it_back(config):
    doc = _new(config)
    delete_document(config, doc, expected_sha=doc.sha, author="张三")
    assert not doc.path.exists()
    revs = history.log(config, doc.path)
    assert revs[0].message == "Delete hist" and len(revs) == 2
    restored = restore_revision(
        config, "case", "hist", revs[1].rev, expected_sha=None, author="李四"
    )
    assert restored.body.strip() == "第一版" and doc.path.exists()
    assert history.log(config, doc.path)[0].message.startswith("Restore hist to ")


def test_restore_goes_through_the_conflict_check(config):
    doc = _new(config)
    first = history.log(config, doc.path)[0].rev
    doc.body = "第二版"
    save_document(config, doc, expected_sha=doc.sha)
    with pytest.raises(ConflictError):
        restore_revision(config, "case", "hist", first, expected_sha="stale")
    restore_revision(config, "case", "hist", first, expected_sha=doc.sha)
    assert read_document(doc.path).body.strip() == "第一版"
    assert len(history.log(config, doc.path)) == 3


def test_in_a_code_repository_only_the_saved_file_is_committed(tmp_path):
    repo = tmp_path / "repo"
    (repo / "content" / "cases").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "app.py").write_text("print(1)\n")
    git(repo, "add", "app.py")  # someone's staged work
    (repo / "notes.txt").write_text("untracked\n")
    config = load_config(repo / "content")
    doc = _new(config)
    committed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert committed == ["content/cases/hist.md"]
    status = git(repo, "status", "--porcelain")
    assert "A  app.py" in status and "?? notes.txt" in status  # still staged / untracked
    assert not (repo / "content" / ".gitignore").exists()  # the repository's own ignores apply
    assert history.log(config, doc.path)[0].author == "张三"


def test_history_can_be_switched_off(config, monkeypatch):
    monkeypatch.setenv("OPSKB_HISTORY", "off")
    _new(config)
    assert not (config.root / ".git").exists()


def test_a_git_failure_does_not_undo_the_save(config, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise history.HistoryError("git commit: index.lock exists")

    monkeypatch.setattr(history, "record", refuse)
    doc = _new(config)
    assert doc.path.exists() and "not committed" in caplog.text


def test_author_names_cannot_forge_an_email_or_break_the_command(config):
    doc = _new(config, author="Eve <eve@evil> --amend\n")
    (rev,) = history.log(config, doc.path)
    assert rev.author == "Eve eve@evil --amend"


@pytest.fixture(autouse=True)
def _history_on(monkeypatch):
    monkeypatch.delenv("OPSKB_HISTORY", raising=False)


def test_a_file_written_by_hand_is_committed_before_its_first_save(config):
    """Files written by hand (outside the app) are committed on their first save."""
    path = write_doc(config.root, "case", "hand", "手写", body="手写原文")
    doc = read_document(path)
    doc.body = "改过"
    save_document(config, doc, expected_sha=doc.sha, author="张三")
    revs = history.log(config, path)
    assert [r.author for r in revs] == ["张三", "OpsKB"]
    assert "手写原文" in history.text_at(config, path, revs[1].rev)


def test_a_batch_of_saves_is_one_commit_of_exactly_those_files(config):
    _new(config)  # the repository exists, with one commit
    (config.root / "stray.txt").write_text("not ours\n")
    git(config.root, "add", "stray.txt")
    with history.batch(config, author="导入", message="Import 3 documents"):
        for i in range(3):
            save_document(
                config,
                Document(id=f"b-{i}", kind="article", title="t", created=dt.date(2026, 3, 1)),
            )
        assert len(git(config.root, "log", "--format=%H").split()) == 1  # nothing yet
    assert git(config.root, "log", "-1", "--format=%an|%s").strip() == "导入|Import 3 documents"
    files = git(config.root, "show", "--name-only", "--format=", "HEAD").split()
    assert files == [f"articles/b-{i}.md" for i in range(3)]
    assert "A  stray.txt" in git(config.root, "status", "--porcelain")


def test_cli_lists_diffs_and_restores_a_deleted_document(config, capsys):
    from kb.cli import main

    doc = _new(config)
    doc.body = "第二版"
    save_document(config, doc, expected_sha=doc.sha, author="李四")
    delete_document(config, doc, expected_sha=doc.sha)
    root = str(config.root)
    assert main(["history", "hist", "--root", root, "--json"]) == 0
    revs = json.loads(capsys.readouterr().out)
    assert [r["message"] for r in revs] == ["Delete hist", "Save hist", "Save hist"]
    first = revs[2]["rev"][:8]
    assert main(["history", "hist", "--root", root, "--show", first]) == 0
    assert "第一版" in capsys.readouterr().out
    assert main(["history", "hist", "--root", root, "--restore", first, "--author", "王五"]) == 0
    assert read_document(doc.path).body.strip() == "第一版"
    assert history.log(config, doc.path)[0].author == "王五"
    assert main(["history", "nothing-here", "--root", root]) == 1
