"""`python -m kb daily`: the morning review and brief for a scheduled job.

Exit codes: 0 the brief was written (and posted with --post); 2 the configuration is wrong;
3 the source cannot be read (database down, folder missing); 4 the day has no data (the export
or sync has not arrived: no empty brief is ever written); 5 the chat robot refused the brief.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from kb.daily.brief import render, role_label
from kb.daily.config import load_daily_config
from kb.daily.notify import NotifyError, post
from kb.daily.review import MissingDay, review
from kb.sources import SourceError
from kb.yamlfile import DataError

EXIT_CONFIG, EXIT_SOURCE, EXIT_MISSING, EXIT_NOTIFY = 2, 3, 4, 5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--date", help="the day to review, YYYY-MM-DD (default: daily.yaml's expect)"
    )
    parser.add_argument(
        "--role", help="store | promotion | content | user (default: the first role)"
    )
    parser.add_argument(
        "--week", action="store_true", help="review the last 7 days against the week before"
    )
    parser.add_argument("--json", action="store_true", help="print the review as JSON")
    parser.add_argument("--post", action="store_true", help="post the brief to the chat robot")
    parser.add_argument("--lang", default="zh", choices=("zh", "en"))


def run(args: argparse.Namespace, workspace) -> int:
    lang = args.lang
    try:
        day = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"error: --date {args.date}: write YYYY-MM-DD", file=sys.stderr)
        return EXIT_CONFIG
    try:
        result = review(workspace, day=day, role=args.role, lang=lang, span=7 if args.week else 1)
    except MissingDay as exc:
        print(f"error: {exc.text.get(lang)}", file=sys.stderr)
        return EXIT_MISSING
    except SourceError as exc:
        print(f"error: {exc.text.get(lang)}", file=sys.stderr)
        return EXIT_SOURCE
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    text = render(workspace, result, lang)
    if args.post:
        notify = load_daily_config(workspace).notify
        if notify is None:
            print("error: daily.yaml has no notify: block (kind, url_env)", file=sys.stderr)
            return EXIT_CONFIG
        title = f"{role_label(workspace, result.role, lang)} {result.day}"
        try:
            post(notify, title, text)
        except NotifyError as exc:
            print(f"error: {exc.text.get(lang)}", file=sys.stderr)
            return EXIT_NOTIFY
    if args.json:
        print(json.dumps({**result.to_json(lang), "brief": text}, ensure_ascii=False, indent=2))
    else:
        print(text, end="")
    return 0
