"""`python -m kb log add | list | done | near | calendar`: the action log from the command line.

Bad input (a date that is not YYYY-MM-DD, an unknown dimension or action, a missing title)
prints what is wrong, by field, on stderr and exits with 2; nothing is written then.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from kb import calendar, journal
from kb.config import BUNDLED_DATA
from kb.documents import ConflictError, DocumentError
from kb.yamlfile import DataError

EXIT_BAD_INPUT = 2


class InputError(ValueError):
    pass


def _dimension_names() -> list[str]:
    """Dimension flags (--channel 抖音 …) from the bundled vocabulary; --segment covers others."""
    try:
        from kb.diagnosis.dimensions import load_vocabulary

        return list(load_vocabulary(BUNDLED_DATA / "dimensions.yaml").dimensions)
    except (DataError, OSError):
        return []


def _segment_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--segment",
        action="append",
        default=[],
        metavar="DIM=VALUE",
        help="the segment, e.g. channel=抖音; repeatable",
    )
    for name in _dimension_names():
        parser.add_argument(f"--{name.replace('_', '-')}", dest=f"dim_{name}", metavar="VALUE")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # --root works before or after the sub-command (`log --root D list`, `log list --root D`)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=argparse.SUPPRESS, help="content folder")
    sub = parser.add_subparsers(dest="log_command", required=True)

    p = sub.add_parser("add", parents=[common], help="record an action or event")
    p.add_argument("--date", required=True, help="when it happened, YYYY-MM-DD")
    p.add_argument("--end", help="last day of a range, YYYY-MM-DD")
    p.add_argument("--action", required=True, help=" | ".join(journal.ACTIONS))
    p.add_argument("--title", required=True, help="what was done, in a few words")
    p.add_argument("--note", default="", help="details (Markdown)")
    p.add_argument("--owner", default="")
    p.add_argument("--status", default="done", help="open | done (default done)")
    p.add_argument("--tag", action="append", default=[], help="a tag; repeatable")
    _segment_arguments(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("list", parents=[common], help="list entries, newest first")
    p.add_argument("--from", dest="start", help="from YYYY-MM-DD")
    p.add_argument("--to", dest="end", help="to YYYY-MM-DD")
    p.add_argument("--action")
    p.add_argument("--status", help="open | done")
    p.add_argument("--global", dest="include_global", action="store_true",
                   help="with --segment: also whole-shop entries")  # fmt: skip
    _segment_arguments(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("done", parents=[common], help="mark an open action as done")
    p.add_argument("id")

    p = sub.add_parser(
        "near", parents=[common], help="log and calendar events near a date, best first"
    )
    p.add_argument("--date", required=True)
    p.add_argument("--before", type=int, default=7)
    p.add_argument("--after", type=int, default=2)
    _segment_arguments(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", default="zh", choices=("zh", "en"))

    p = sub.add_parser(
        "calendar", parents=[common], help="holidays, make-up workdays and campaigns in a period"
    )
    p.add_argument("--from", dest="start", required=True)
    p.add_argument("--to", dest="end", required=True)
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", default="zh", choices=("zh", "en"))


def _day(value: str | None, flag: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{flag}: {value!r} is not a date; write YYYY-MM-DD") from None


def _segment(args) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in args.segment:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InputError(f"--segment {item}: write DIMENSION=VALUE, e.g. channel=抖音")
        out[name.strip()] = value.strip()
    for key, value in vars(args).items():
        if key.startswith("dim_") and value:
            out[key[4:]] = value
    return out


def _checked_segment(args, ws) -> dict[str, str]:
    vocab = journal._vocabulary(ws)
    segment = journal.normalise_segment(_segment(args), vocab)
    errors = journal.check_segment(segment, vocab, "--segment")
    if errors:
        raise InputError("\n".join(f"{e.field}: {e.message}" for e in errors))
    return segment


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _segment_text(segment: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in segment.items()) or "whole shop"


def _add(args, ws) -> int:
    entry = journal.add_entry(
        ws,
        date=args.date,
        end=args.end,
        title=args.title,
        action=args.action,
        segment=_segment(args),
        status=args.status,
        owner=args.owner,
        note=args.note,
        tags=args.tag,
    )
    if args.json:
        _print_json({**entry.to_json(), "path": str(entry.doc.path)})
    else:
        print(f"saved {entry.doc.path}")
    return 0


def _list(args, ws) -> int:
    if args.status and args.status not in journal.STATUSES:
        raise InputError(f"--status: {args.status!r} is not one of open, done")
    if args.action and args.action not in journal.ACTIONS:
        raise InputError(f"--action: {args.action!r} is not one of {', '.join(journal.ACTIONS)}")
    entries = journal.list_entries(
        ws,
        start=_day(args.start, "--from"),
        end=_day(args.end, "--to"),
        segment=_checked_segment(args, ws) or None,
        action=args.action,
        status=args.status,
        include_global=args.include_global,
    )
    if args.json:
        _print_json([e.to_json() for e in entries])
        return 0
    for e in entries:
        when = f"{e.date}~{e.end}" if e.end else str(e.date)
        owner = f" @{e.owner}" if e.owner else ""
        print(f"{when}  [{e.action}] {e.title}  ({_segment_text(e.segment)}; {e.status}{owner})")
        print(f"    {e.id}")
    if not entries:
        print("no entries")
    return 0


def _done(args, ws) -> int:
    entry = journal.update_entry(ws, args.id, status="done")
    print(f"done: {entry.id}")
    return 0


def _near(args, ws) -> int:
    day = _day(args.date, "--date")
    events = journal.events_near(ws, day, _checked_segment(args, ws), args.before, args.after)
    if args.json:
        _print_json([e.to_json() for e in events])
        return 0
    for e in events:
        print(
            f"{e.days_from:+d}d  {e.day}  [{e.source}:{e.kind}] {e.title.get(args.lang)}  "
            f"({_segment_text(e.segment)}; {e.segment_match})"
        )
    if not events:
        print("no events")
    return 0


def _calendar(args, ws) -> int:
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    if end < start:
        raise InputError(f"--to {end} is before --from {start}")
    notes = calendar.period_notes(start, end, ws)
    if args.json:
        _print_json(notes.to_json())
        return 0
    print(notes.summary().get(args.lang))
    for e in notes.events:
        when = f"{e.day}~{e.end}" if e.end else str(e.day)
        print(f"  {when}  [{e.kind}] {e.title.get(args.lang)}")
    for note in notes.notes:
        print(f"note: {note.get(args.lang)}", file=sys.stderr)
    return 0


COMMANDS = {"add": _add, "list": _list, "done": _done, "near": _near, "calendar": _calendar}


def run(args: argparse.Namespace, workspace) -> int:
    try:
        return COMMANDS[args.log_command](args, workspace)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except DocumentError as exc:
        for err in exc.errors:
            print(f"error: {err.field}: {err.message}", file=sys.stderr)
    except ConflictError as exc:
        print(f"error: {exc}", file=sys.stderr)
    return EXIT_BAD_INPUT
