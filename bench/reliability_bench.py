"""Reliability: edits lost in two-process save races, and what hostile files cost.

    python bench/reliability_bench.py [--rounds 200]

Part 1 starts two OS processes that, every round, read the same document (or pick the same new
id) and save at the same moment (a barrier). A round loses an edit when both are told "saved", or
when the file does not hold the winner's text. Part 2 parses hostile files, each in a fresh child
process, and reports the outcome, wall time and the child's peak memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kb.config import KIND_DIRS, load_config  # noqa: E402
from kb.documents import ConflictError, Document, read_document, save_document  # noqa: E402


def _worker(root, name, barrier, commands, results):
    config = load_config(root)
    while (cmd := commands.get()) is not None:
        action, doc_id, sha = cmd
        if action == "edit":
            doc = read_document(config.root / "cases" / f"{doc_id}.md")
        else:
            doc = Document(id=doc_id, kind="case", title="新", created=dt.date(2026, 3, 1))
        doc.body = f"{name} {doc_id} {sha}"
        barrier.wait()
        try:
            save_document(config, doc, expected_sha=sha, author=name)
            results.put((name, "saved", doc.body))
        except ConflictError as exc:
            results.put((name, exc.code, exc.theirs or ""))


def race(rounds: int) -> dict:
    root = Path(tempfile.mkdtemp(prefix="opskb-race-"))
    for folder in KIND_DIRS.values():
        (root / folder).mkdir()
    config = load_config(root)
    doc = Document(id="race", kind="case", title="竞争", created=dt.date(2026, 3, 1), body="0")
    path = save_document(config, doc)
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    queues = [ctx.Queue(), ctx.Queue()]
    procs = [
        ctx.Process(target=_worker, args=(str(root), n, barrier, q, results))
        for n, q in zip("ab", queues, strict=True)
    ]
    for p in procs:
        p.start()
    out = {"edit rounds": 0, "create rounds": 0, "edits lost": 0, "conflicts": 0}
    start = time.perf_counter()
    for i in range(rounds):
        action = "edit" if i % 2 == 0 else "create"
        doc_id = "race" if action == "edit" else f"new-{i}"
        sha = read_document(path).sha if action == "edit" else None
        for q in queues:
            q.put((action, doc_id, sha))
        pair = [results.get(timeout=60), results.get(timeout=60)]
        saved = [r for r in pair if r[1] == "saved"]
        on_disk = read_document(root / "cases" / f"{doc_id}.md").body.strip()
        out[f"{action} rounds"] += 1
        out["conflicts"] += sum(r[1] != "saved" for r in pair)
        if len(saved) != 1 or on_disk != saved[0][2]:
            out["edits lost"] += 1
    out["seconds per round"] = round((time.perf_counter() - start) / rounds, 4)
    for q in queues:
        q.put(None)
    for p in procs:
        p.join()
    return out


def nested(depth: int) -> str:
    return (
        f"---\nid: deep\nkind: case\ntitle: {'[' * depth}{']' * depth}\ncreated: 2026-03-01\n---\n"
    )


BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


BAD_FILES = {
    "front matter nested [ 100,000 deep (200 KB)": nested(100_000),
    "front matter nested [ 45,000 deep (90 KB)": nested(45_000),
    "front matter nested [ 3,000 deep": nested(3_000),
    f"billion laughs ({len(BOMB)} bytes)": "---\nid: b\nkind: case\ntitle: t\n" + BOMB + "---\n",
    "50,000-digit number": f"---\nid: n\nkind: case\ntitle: t\ncreated: {'9' * 50_000}\n---\n",
    "front matter of 1 MB": "---\nid: s\nkind: case\ntitle: " + "x" * 1_000_000 + "\n---\n",
}

CHILD = textwrap.dedent(
    """
    import resource, sys, time
    from kb.documents import DocumentError, read_document
    start = time.perf_counter()
    try:
        read_document(sys.argv[1]); outcome = "parsed"
    except DocumentError as exc:
        outcome = str(exc.errors[0].message)[:70]
    took = time.perf_counter() - start
    print(f"{took:.4f}\\t{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}\\t{outcome}")
    """
)


def bad_files() -> list[tuple[str, str, str, str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = subprocess.run(
            [sys.executable, "-c", "import resource, kb.documents; "
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"],
            cwd=REPO, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        rows.append(("(baseline: import kb.documents)", "-", base, "-"))
        for name, text in BAD_FILES.items():
            path = Path(tmp) / "x.md"
            path.write_text(text, encoding="utf-8")
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(path)],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if out.returncode != 0:
                rows.append((name, "-", "-", f"CRASH rc={out.returncode}"))
                continue
            took, rss, outcome = out.stdout.strip().split("\t")
            rows.append((name, f"{float(took) * 1000:.1f} ms", rss, outcome))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    print(race(args.rounds))
    print("| file | parse time | peak RSS (MB) | outcome |\n|---|---:|---:|---|")
    for row in bad_files():
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
