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
from kb.diagnosis.load import DiagnosisInputError
from kb.diagnosis.report import markdown_report, summary
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
    try:
        result = diagnose(
            args.file,
            workspace,
            kpi=args.kpi,
            current=args.current,
            baseline=args.baseline,
            targets=_targets(args.target),
            lang=args.lang,
        )
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    vocab = load_vocabulary(workspace.config.data_file("dimensions.yaml"))
    if args.report:
        Path(args.report).write_text(markdown_report(result, vocab, args.lang), encoding="utf-8")
    if args.json:
        print(json.dumps(result.to_json(args.lang), ensure_ascii=False, indent=2))
    else:
        print(summary(result, vocab, args.lang))
        check = "check" if args.lang == "en" else "检查"
        for h in [h for h in result.hypotheses if h.verdict != "contradicted"][:5]:
            reason = h.reason.get(args.lang)
            print(f"- {h.text.get(args.lang)}" + (f" [{reason}]" if reason else ""))
            print(f"  {check}: {h.check.get(args.lang)}")
        if args.report:
            print(f"report: {args.report}")
    return 0
