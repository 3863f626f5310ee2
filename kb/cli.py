"""Command line: python -m kb check | index | search | show | diagnose | import.

Every command takes --root DIR (or the OPSKB_ROOT environment variable) to work on another
content folder. Errors go to stderr with a non-zero exit code; --json output is an interface
other tools rely on (fields may be added, never renamed or dropped).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import traceback
from collections.abc import Callable

from kb.checks import run_checks
from kb.config import KINDS, load_config
from kb.search import IndexUnavailable, SearchIndex
from kb.workspace import Workspace
from kb.yamlfile import DataError

# Subcommands that live with their feature: module exposing add_arguments(parser) and
# run(args, workspace) -> int.
PLUGINS = {
    "diagnose": (
        "kb.diagnosis.cli",
        "diagnose a metrics CSV/Excel file: what changed, what to try",
    ),
    "import": ("kb.importers.cli", "import articles from URLs, files and read-later exports"),
    "history": ("kb.history_cli", "a document's revisions: list, show, diff, restore"),
    "stale": ("kb.freshness_cli", "knowledge due for review (old, or rules without sources)"),
    "daily": ("kb.daily.cli", "the morning review and brief from the connected data source"),
    "log": ("kb.journal_cli", "the action log (运营日志): add, list, done, near, calendar"),
}


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def cmd_check(args, ws: Workspace) -> int:
    report = run_checks(ws)
    for line in report.errors:
        print(line, file=sys.stderr)
    if args.json:
        _print_json({"ok": not report.errors, "errors": report.errors, "counts": report.counts})
    elif not report.errors:
        counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
        print(f"OK: {counts}")
    else:
        print(f"{len(report.errors)} problem(s) found", file=sys.stderr)
    return 1 if report.errors else 0


def cmd_index(args, ws: Workspace) -> int:
    index = SearchIndex(ws.config)
    stats = index.rebuild() if args.rebuild else index.sync(verify=True)
    for err in stats.errors:
        print(f"skipped: {err}", file=sys.stderr)
    summary = {
        "rebuilt": stats.rebuilt,
        "repaired": stats.repaired,
        "added": stats.added,
        "updated": stats.updated,
        "deleted": stats.deleted,
        "unchanged": stats.unchanged,
        "errors": stats.errors,
        "seconds": round(stats.seconds, 3),
        "index": str(ws.config.index_dir),
    }
    if args.json:
        _print_json(summary)
    else:
        what = (
            "repaired (it was damaged)"
            if stats.repaired
            else "rebuilt"
            if stats.rebuilt
            else "updated"
        )
        print(
            f"index {what} in {stats.seconds:.2f}s: {stats.added} added, {stats.updated} updated, "
            f"{stats.deleted} deleted, {stats.unchanged} unchanged ({ws.config.index_dir})"
        )
    return 0


def cmd_search(args, ws: Workspace) -> int:
    index = SearchIndex(ws.config)
    results = index.search(
        args.query,
        kind=args.kind,
        problem=args.problem,
        tag=args.tag,
        page=args.page,
        per_page=args.limit,
    )
    lang = getattr(args, "lang", None) or "zh"
    for msg in results.notices:
        print(f"note: {msg.get(lang)}", file=sys.stderr)
    for msg in results.errors:
        print(f"query: {msg.get(lang)}", file=sys.stderr)
    if args.json:
        _print_json([h.to_json() for h in results.hits])
        return 0
    if not results.hits:
        print(
            "no results"
            + (f"; try: {', '.join(results.suggestions)}" if results.suggestions else "")
        )
        return 0
    print(f"{results.total} result(s), page {results.page}/{results.pages}")
    for h in results.hits:
        print(f"[{h.kind}] {h.title}  ({h.id}, {h.score:.2f})")
        if h.snippet:
            print(f"    {h.snippet}")
    return 0


def cmd_show(args, ws: Workspace) -> int:
    doc = ws.collection().docs.get(args.id)
    if doc is None:
        print(f"no document with id '{args.id}' under {ws.config.root}", file=sys.stderr)
        return 1
    if args.json:
        _print_json({**doc.front_matter(), "path": str(doc.path), "body": doc.body})
    else:
        print(doc.path.read_text(encoding="utf-8-sig"))
    return 0


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Callable]]:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", help="content folder (default: $OPSKB_ROOT or the repository)")
    parser = argparse.ArgumentParser(prog="python -m kb", description="OpsKB 运营知识库与诊断台")
    sub = parser.add_subparsers(dest="command", required=True)
    handlers: dict[str, Callable] = {}

    p = sub.add_parser("check", parents=[common], help="validate all content and data files")
    p.add_argument("--json", action="store_true")
    handlers["check"] = cmd_check

    p = sub.add_parser("index", parents=[common], help="build or update the search index")
    p.add_argument("--rebuild", action="store_true", help="throw the index away and rebuild it")
    p.add_argument("--json", action="store_true")
    handlers["index"] = cmd_index

    p = sub.add_parser("search", parents=[common], help="full-text search (Chinese and English)")
    p.add_argument(
        "query", help='e.g. 转化率 下降 "详情页" -抖音 kind:case tag:投放 after:2026-01-01'
    )
    p.add_argument("--kind", choices=KINDS)
    p.add_argument("--problem", help="problem-type id")
    p.add_argument("--tag")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--json", action="store_true")
    handlers["search"] = cmd_search

    p = sub.add_parser("show", parents=[common], help="print one document")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    handlers["show"] = cmd_show

    for name, (module_name, help_text) in PLUGINS.items():
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:  # never silently: warn on every run, fail the command itself
            print(f"warning: command '{name}' is broken: {exc!r}", file=sys.stderr)
            p = sub.add_parser(name, parents=[common], help=f"{help_text} (BROKEN: {exc})")
            p.add_argument("rest", nargs=argparse.REMAINDER)
            handlers[name] = _broken(name, module_name, exc)
            continue
        p = sub.add_parser(name, parents=[common], help=help_text)
        module.add_arguments(p)
        handlers[name] = module.run
    return parser, handlers


def _broken(name: str, module_name: str, exc: ImportError) -> Callable:
    """The handler of a subcommand whose module does not import: the error, exit code 1."""

    def run(args, ws) -> int:
        traceback.print_exception(exc, file=sys.stderr)
        print(
            f"error: '{name}' cannot run: {module_name} failed to import ({exc})", file=sys.stderr
        )
        return 1

    return run


def main(argv: list[str] | None = None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    try:
        ws = Workspace(load_config(args.root))
        return handlers[args.command](args, ws)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except IndexUnavailable as exc:
        print(f"error: {exc.message.get(getattr(args, 'lang', None) or 'zh')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `python -m kb search … | head`: the reader left, not an error
        sys.stderr.close()
        return 0
