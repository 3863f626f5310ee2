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
        return ImportReport(failed=[(source, "文件不存在 (no such file)")])
    if path.stat().st_size > limits.MAX_FILE_BYTES:
        return ImportReport(failed=[(source, f"文件太大 (超过 {limits.MAX_FILE_BYTES} 字节)")])
    return import_file(
        workspace,
        path.name,
        path.read_bytes(),
        format=args.format,
        fetch=not args.no_fetch,
        **options,
    )


def run(args: argparse.Namespace, workspace: Workspace) -> int:
    if not args.sources and not args.refetch:
        print("请给出网址或文件 (give a URL or a file)", file=sys.stderr)
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
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.summary())
        for doc_id in report.imported:
            mark = " (仅链接)" if doc_id in report.link_only else ""
            problems = [s.value for s in report.suggestions[doc_id].problems[:3]]
            hint = f"  建议问题类型: {', '.join(problems)}" if problems else ""
            print(f"  + {doc_id}{mark}{hint}")
        for item, reason in report.skipped:
            print(f"  = {item}: {reason}")
        for item, reason in report.failed:
            print(f"  ! {item}: {reason}")
        for note in report.notes:
            print(f"  i {note}")
    return 1 if report.failed else 0
