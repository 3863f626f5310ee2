"""The one save path under real concurrency: two OS processes, same document, same moment.

Issue 15 reproduced 58 lost edits in 60 rounds with threads out of the picture: both processes
were told "saved". Here every round starts both saves at a barrier; exactly one may win, the other
must get ConflictError carrying the winner's text, and the file must hold the winner's text.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import stat
import time

import pytest

from conftest import write_doc
from kb.config import load_config
from kb.documents import (
    ConflictError,
    Document,
    read_document,
    save_document,
)
from kb.store import StoreError, clean_stale_temp

ROUNDS = 15


def _worker(root: str, name: str, barrier, commands, results) -> None:
    config = load_config(root)
    while True:
        cmd = commands.get()
        if cmd is None:
            return
        action, doc_id, sha = cmd
        if action == "edit":
            doc = read_document(config.root / "cases" / f"{doc_id}.md")
        else:
            doc = Document(id=doc_id, kind="case", title="新", created=dt.date(2026, 3, 1))
        doc.body = f"edit by {name} in {doc_id} {sha}"
        barrier.wait()
        try:
            save_document(config, doc, expected_sha=sha)
            results.put((name, "saved", doc.body, None))
        except ConflictError as exc:
            results.put((name, exc.code, exc.mine, exc.theirs))


@pytest.fixture
def workers(root):
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    queues = [ctx.Queue(), ctx.Queue()]
    procs = [
        ctx.Process(target=_worker, args=(str(root), n, barrier, q, results), daemon=True)
        for n, q in zip(("a", "b"), queues, strict=True)
    ]
    for p in procs:
        p.start()

    def run(action: str, doc_id: str, sha: str | None):
        for q in queues:
            q.put((action, doc_id, sha))
        return sorted([results.get(timeout=60), results.get(timeout=60)])

    yield run
    for q in queues:
        q.put(None)
    for p in procs:
        p.join(timeout=10)
        if p.is_alive():
            p.kill()


def _outcome(pair):
    saved = [r for r in pair if r[1] == "saved"]
    lost = [r for r in pair if r[1] != "saved"]
    return saved, lost


def test_two_processes_editing_from_the_same_version_lose_no_edit(root, workers):
    path = write_doc(root, "case", "race", "竞争", body="原文")
    for _ in range(ROUNDS):
        sha = read_document(path).sha
        pair = workers("edit", "race", sha)
        saved, lost = _outcome(pair)
        assert len(saved) == 1 and len(lost) == 1, pair
        winner_body = saved[0][2]
        code, mine, theirs = lost[0][1:]
        assert code == "changed"
        assert read_document(path).body.strip() == winner_body  # the winner's edit is on disk
        assert winner_body in theirs and f"edit by {lost[0][0]}" in mine  # both versions shown


def test_two_processes_creating_the_same_id_one_wins(root, workers):
    for i in range(ROUNDS):
        pair = workers("create", f"new-{i}", None)
        saved, lost = _outcome(pair)
        assert len(saved) == 1 and len(lost) == 1, pair
        assert lost[0][1] == "exists"
        on_disk = read_document(root / "cases" / f"new-{i}.md").body.strip()
        assert on_disk == saved[0][2]
        assert saved[0][2] in lost[0][3]


def test_an_id_taken_by_another_kind_is_refused(config):
    write_doc(config.root, "playbook", "shared-id", "手册")
    doc = Document(id="shared-id", kind="case", title="案例", created=dt.date(2026, 3, 1))
    with pytest.raises(ConflictError, match="playbooks/shared-id.md") as info:
        save_document(config, doc)
    assert info.value.code == "exists_elsewhere"
    assert not (config.root / "cases" / "shared-id.md").exists()


def test_save_keeps_the_file_mode_and_new_files_get_the_umask_default(config):
    path = write_doc(config.root, "case", "mode", "权限")
    os.chmod(path, 0o640)
    doc = read_document(path)
    doc.body = "改"
    save_document(config, doc, expected_sha=doc.sha)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    old = os.umask(0o022)
    try:
        new = save_document(
            config, Document(id="fresh", kind="case", title="新", created=dt.date(2026, 3, 1))
        )
    finally:
        os.umask(old)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644


def test_stale_temp_files_are_ignored_and_cleaned_by_the_next_save(config):
    folder = config.root / "cases"
    stale = folder / ".x.md.k3j4h5.tmp"
    fresh = folder / ".y.md.a1b2c3.tmp"
    for tmp in (stale, fresh):
        tmp.write_text("half a file", encoding="utf-8")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    from kb.documents import iter_document_paths

    assert list(iter_document_paths(config)) == []
    save_document(config, Document(id="z", kind="case", title="新", created=dt.date(2026, 3, 1)))
    assert not stale.exists()
    assert fresh.exists()  # may belong to a save in progress
    assert clean_stale_temp(folder, max_age=0) == 1


def test_loading_the_collection_also_cleans_and_leaves_other_hidden_files(config):
    from kb.documents import load_collection

    folder = config.root / "cases"
    stale = folder / ".x.md.k3j4h5aa.tmp"
    mine = folder / ".notes.tmp"  # not a name a save makes
    for path in (stale, mine):
        path.write_text("x", encoding="utf-8")
        os.utime(path, (time.time() - 3600,) * 2)
    load_collection(config)
    assert not stale.exists() and mine.exists()


def test_temp_files_are_git_ignored():
    import subprocess
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        ["git", "check-ignore", "cases/.case-x.md.ab12cd34.tmp"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, "temp files of interrupted saves must be git-ignored"


def test_state_folder_blocked_by_a_file_gives_a_clear_error(config):
    (config.root / ".opskb").write_text("not a folder", encoding="utf-8")
    doc = Document(id="q", kind="case", title="新", created=dt.date(2026, 3, 1))
    with pytest.raises(StoreError, match=r"\.opskb is a file"):
        save_document(config, doc)
    (config.root / ".opskb").unlink()
    (config.root / ".opskb" / "save.lock").mkdir(parents=True)
    with pytest.raises(StoreError, match="is a folder"):
        save_document(config, doc)
    assert not (config.root / "cases" / "q.md").exists()
