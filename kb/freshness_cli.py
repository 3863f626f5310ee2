"""`python -m kb stale`: knowledge due for review (the CLI side of ui/stale.py).

Lists documents and problem types not reviewed for a year (or ``--days``), and rule-dependent
ones without sources or a review date. Exit code 1 when something is due, so a scheduled job
can remind the team.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from kb.freshness import STALE_AFTER_DAYS, needs_review
from kb.workspace import Workspace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--days", type=int, default=STALE_AFTER_DAYS, help="review age limit in days (365)"
    )
    parser.add_argument("--today", type=dt.date.fromisoformat, help="pretend today is YYYY-MM-DD")
    parser.add_argument("--json", action="store_true")


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    today = args.today or dt.date.today()
    due = needs_review(workspace, workspace.collection().docs.values(), today, args.days)
    rows = [
        {
            "kind": r.kind,
            "id": r.id,
            "title": r.title.zh,
            "reviewed": r.reviewed.isoformat() if r.reviewed else None,
            "age_days": r.age_days(today),
            "rule_dependent": r.rule_dependent,
            "missing": list(r.missing),
            "sources": list(r.sources),
        }
        for r in due
    ]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif not rows:
        print(f"OK: nothing older than {args.days} days, every rule claim has sources")
    else:
        for row in rows:
            when = row["reviewed"] or "never"
            flags = ["rules"] if row["rule_dependent"] else []
            flags += [f"missing {m}" for m in row["missing"]]
            print(
                f"[{row['kind']}] {row['title']} ({row['id']}) reviewed {when}  {' '.join(flags)}"
            )
        print(f"{len(rows)} item(s) due for review", file=sys.stderr)
    return 1 if rows else 0
