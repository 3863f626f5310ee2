"""`python -m kb diagnose FILE …`: the diagnosis from the command line.

The lead wires `add_arguments` and `run` into kb/__main__.py. Bad input prints a message that
names the column or row on stderr and exits with 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kb.diagnosis.dimensions import load_vocabulary
from kb.diagnosis.engine import diagnose
from kb.diagnosis.load import DiagnosisInputError, load_table
from kb.diagnosis.report import WORDS, markdown_report, summary
from kb.yamlfile import DataError

EXIT_BAD_INPUT = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="metrics CSV or Excel file (UTF-8, UTF-8-BOM or GBK)")
    parser.add_argument(
        "--current", help="current period A:B (YYYY-MM-DD:YYYY-MM-DD); default the last 7 days"
    )
    parser.add_argument(
        "--baseline",
        default="previous",
        help="previous (环比, default) | yoy (同比) | an explicit range A:B",
    )
    parser.add_argument("--kpi", help="headline metric (default: GMV, or the first available)")
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="a target for a metric; repeatable",
    )
    parser.add_argument("--json", action="store_true", help="print the diagnosis as JSON")
    parser.add_argument("--report", metavar="OUT.md", help="write the Markdown report here")
    parser.add_argument("--lang", default="zh", choices=("zh", "en"))
    parser.add_argument(
        "--dims",
        default="",
        metavar="A,B",
        help="columns that are dimensions although they hold numbers (省份ID, cdn …)",
    )
    parser.add_argument(
        "--measures", default="", metavar="X,Y", help="columns that are measures (numbers to sum)"
    )


def _names(text: str) -> list[str]:
    return [x.strip() for x in str(text or "").replace("，", ",").split(",") if x.strip()]


def _targets(items: list[str]) -> dict[str, float]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            out[name.strip()] = float(value.replace(",", ""))
        except ValueError:
            sep = ""
        if not sep:
            raise DiagnosisInputError(f"--target {item}: 请写成 指标=数值 (write METRIC=VALUE)")
    return out


def run(args: argparse.Namespace, workspace) -> int:
    """Exit 0 with the diagnosis; exit 2 with a message on stderr for any file it cannot
    diagnose, never a traceback (the same errors the UI turns into a message)."""
    lang = getattr(args, "lang", "zh")
    try:
        table = load_table(
            args.file,
            workspace.metrics,
            load_vocabulary(workspace.config.data_file("dimensions.yaml")),
            dims=_names(getattr(args, "dims", "")),
            measures=_names(getattr(args, "measures", "")),
        )
        result = diagnose(
            table,
            workspace,
            kpi=args.kpi,
            current=args.current,
            baseline=args.baseline,
            targets=_targets(args.target),
            lang=args.lang,
        )
    except DiagnosisInputError as exc:
        print(f"error: {exc.message(lang)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - never a traceback for a file
        # a file shape the checks above did not foresee: still a message, with what to send us
        what = f"{type(exc).__name__}: {exc}"
        print(
            f"error: {args.file}: 无法诊断这个文件 ({what}); 请检查日期和数字列, 或把文件发给维护者"
            if lang == "zh"
            else f"error: {args.file}: cannot diagnose this file ({what}); check the date and "
            "number columns, or send the file to the maintainers",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    for w in result.table.warnings:  # cells accepted with doubts: said, not hidden
        print(f"warning: {w.text.get(lang)}", file=sys.stderr)
    vocab = result.vocab  # headers and values as the file wrote them (流量来源=手淘推荐)
    if args.report:
        Path(args.report).write_text(markdown_report(result, vocab, args.lang), encoding="utf-8")
    if args.json:
        print(json.dumps(result.to_json(args.lang), ensure_ascii=False, indent=2))
    else:
        print(summary(result, vocab, args.lang))
        words = WORDS[args.lang]
        for h in [h for h in result.hypotheses if h.verdict != "contradicted"][:5]:
            reason = h.reason.get(args.lang)
            print(
                f"- [{words[h.verdict]}] {h.text.get(args.lang)}"
                + (f": {reason}" if reason else "")
            )
            print(f"  {words['check']}: {h.check.get(args.lang)}")
        # what the numbers rule out is half the answer: say so, with the reason
        for h in [h for h in result.hypotheses if h.verdict == "contradicted"][:5]:
            print(f"- [{words['contradicted']}] {h.text.get(args.lang)}: {h.reason.get(args.lang)}")
        if args.report:
            print(f"report: {args.report}")
    return 0
