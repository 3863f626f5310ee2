"""``python -m kb import (URL | FILE ...)``: import pages, files and exports; print the summary.

The lead wires ``add_arguments`` and ``run`` into ``python -m kb``. Exit code 0 when nothing
failed, 1 when some item failed (the summary names each with its reason).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from kb.importers import limits
from kb.importers.exports import FORMATS
from kb.importers.later import refetch
from kb.importers.messages import LANGS, msg
from kb.importers.report import ImportReport
from kb.importers.service import import_file, import_url
from kb.workspace import Workspace

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources", nargs="*", metavar="URL|FILE", help="web page URLs, files or export files"
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="auto", help="file format (default: detect)"
    )
    parser.add_argument(
        "--no-fetch",
        action="store_true",
        help="exports: do not fetch the pages; save link-only articles to fetch later",
    )
    parser.add_argument(
        "--tag", action="append", default=[], metavar="T", help="add this tag to every article"
    )
    parser.add_argument(
        "--accept-suggestions",
        action="store_true",
        help="write the suggested problem types, metrics and tags into the articles",
    )
    parser.add_argument(
        "--refetch", action="append", default=[], metavar="ID", help="fetch a link-only article now"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    if "--lang" not in parser._option_string_actions:  # kb.cli may give every command --lang
        parser.add_argument(
            "--lang", choices=LANGS, default="zh", help="language of the messages (default zh)"
        )


def _problem_name(workspace: Workspace, problem_id: str, lang: str) -> str:
    problem = workspace.taxonomy.problems.get(problem_id)
    return f"{problem.name.get(lang)} ({problem_id})" if problem else problem_id


def _print_progress(done: int, total: int, item: str) -> None:
    if total >= 20 and (done % 50 == 0 or done == total):
        print(f"  {done}/{total}", file=sys.stderr)


def _one(
    source: str, args: argparse.Namespace, workspace: Workspace, options: dict
) -> ImportReport:
    if _SCHEME.match(source):  # also ftp:// or file://: refused with a reason, not "no such file"
        return import_url(workspace, source, **options)
    path = Path(source)
    if not path.is_file():
        return ImportReport(failed=[(source, msg("file.no_such_file"))])
    if path.stat().st_size > limits.MAX_FILE_BYTES:
        return ImportReport(
            failed=[(source, msg("file.too_large", mb=limits.MAX_FILE_BYTES // 1_000_000))]
        )
    return import_file(
        workspace,
        path.name,
        path.read_bytes(),
        format=args.format,
        fetch=not args.no_fetch,
        **options,
    )


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    lang = getattr(args, "lang", None) or "zh"
    if not args.sources and not args.refetch:
        print(msg("import.give_source").get(lang), file=sys.stderr)
        return 2
    options = {
        "tags": list(args.tag),
        "accept_suggestions": args.accept_suggestions,
        "on_progress": None if args.json else _print_progress,
    }
    report = ImportReport()
    for source in args.sources:
        report.extend(_one(source, args, workspace, options))
    for doc_id in args.refetch:
        report.extend(refetch(workspace, doc_id, **options))
    if args.json:
        print(json.dumps(report.as_dict(lang), ensure_ascii=False, indent=2))
    else:
        print(report.summary().get(lang))
        for doc_id in report.imported:
            mark = (
                f" ({msg('import.link_only_mark').get(lang)})" if doc_id in report.link_only else ""
            )
            names = [
                _problem_name(workspace, s.value, lang)
                for s in report.suggestions[doc_id].problems[:3]
            ]
            hint = (
                f"  {msg('import.suggested', problems=', '.join(names)).get(lang)}" if names else ""
            )
            print(f"  + {doc_id}{mark}{hint}")
        for item, reason in report.skipped:
            print(f"  = {item}: {reason.get(lang)}")
        for item, reason in report.failed:
            print(f"  ! {item}: {reason.get(lang)}")
        for note in report.notes:
            print(f"  i {note.get(lang)}")
    return 1 if report.failed else 0
