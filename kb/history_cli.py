"""``python -m kb history ID``: a document's revisions; show, diff or restore one.

Works for deleted documents too (their history stays in git): ``--restore REV`` brings the text
of that revision back as a new revision, through the one save path.
"""

from __future__ import annotations

import argparse
import json
import sys

from kb import history
from kb.config import KINDS
from kb.documents import (
    ConflictError,
    DocumentError,
    document_path,
    restore_revision,
    text_sha,
)
from kb.workspace import Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="document id")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--show", metavar="REV", help="print the document as it was in REV")
    action.add_argument("--diff", metavar="REV", help="differences between REV and the file now")
    action.add_argument("--restore", metavar="REV", help="save REV as the newest revision")
    parser.add_argument("--author", help="who restores (recorded in the history)")
    parser.add_argument("--json", action="store_true", help="revisions as JSON")


def _find(ws: Workspace, doc_id: str):
    """(kind, path) of the document, existing or deleted (the kind whose path has history)."""
    paths = [(kind, document_path(ws.config, kind, doc_id)) for kind in KINDS]
    for kind, path in paths:
        if path.exists():
            return kind, path
    for kind, path in paths:
        if history.log(ws.config, path, limit=1):
            return kind, path
    return None, None


def _full(revs, rev: str) -> str | None:
    found = [r.rev for r in revs if r.rev.startswith(rev.lower())] if len(rev) >= 4 else []
    return found[0] if len(found) == 1 else None


def run(args: argparse.Namespace, ws: Workspace) -> int:
    try:
        kind, path = _find(ws, args.id)
    except DocumentError as exc:
        print(exc, file=sys.stderr)
        return 2
    if path is None:
        print(f"{args.id}: no such document and no history", file=sys.stderr)
        return 1
    revs = history.log(ws.config, path)
    wanted = args.show or args.diff or args.restore
    if wanted:
        rev = _full(revs, wanted)
        if rev is None:
            print(f"{args.id}: no single revision starts with {wanted!r}", file=sys.stderr)
            return 1
        current = path.read_text(encoding="utf-8-sig") if path.exists() else None
        if args.show:
            sys.stdout.write(history.text_at(ws.config, path, rev) or "")
        elif args.diff:
            sys.stdout.write(history.diff(history.text_at(ws.config, path, rev) or "",
                                          current or "", rev[:8], "current"))  # fmt: skip
        else:
            try:
                restore_revision(ws.config, kind, args.id, rev, author=args.author,
                                 expected_sha=text_sha(current) if current is not None else None)  # fmt: skip
            except (ConflictError, DocumentError, OSError) as exc:
                print(exc, file=sys.stderr)
                return 1
            print(f"{args.id}: restored {rev[:8]}")
        return 0
    if args.json:
        json.dump([r.__dict__ for r in revs], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for r in revs:
            print(f"{r.short}  {r.when[:16].replace('T', ' ')}  {r.author}  {r.message}")
    return 0
