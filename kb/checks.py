"""`kb check`: every problem in the content and data files, found in one pass."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb import calendar, caselib, freshness, glossary, journal, learning
from kb.documents import load_collection
from kb.metrics import unit_errors
from kb.workspace import Workspace
from kb.yamlfile import DataError


@dataclass
class CheckReport:
    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _load(ws: Workspace, name: str, errors: list[str]):
    """A workspace data file, or None with its problems added to ``errors``."""
    try:
        return getattr(ws, name)
    except DataError as exc:
        errors.extend(str(exc).splitlines())
        return None


def check_metric_units(metrics) -> list[str]:
    """A ratio whose unit does not follow from its inputs (元 ÷ 人 labelled %) is an error."""
    return unit_errors(metrics)


def run_checks(ws: Workspace) -> CheckReport:
    report = CheckReport()
    metrics = _load(ws, "metrics", report.errors)
    if metrics is not None:
        report.errors.extend(check_metric_units(metrics))
    taxonomy = _load(ws, "taxonomy", report.errors) if metrics is not None else None
    collection = load_collection(ws.config, taxonomy, metrics)
    report.errors.extend(str(e) for e in collection.errors)
    for doc in collection.docs.values():
        report.errors.extend(freshness.document_errors(doc))
    for doc in collection.docs.values():
        report.counts[doc.kind] = report.counts.get(doc.kind, 0) + 1
    report.errors.extend(_case_errors(ws, collection))
    if taxonomy is not None:
        report.counts["problem types"] = len(taxonomy)
        report.errors.extend(check_reasoning(ws, taxonomy, metrics, collection))
    report.errors.extend(journal.check_workspace(ws, collection))
    report.errors.extend(calendar.check_workspace(ws))
    # Learning path and glossary refer to the documents next to them: check them only where the
    # root has its own data/ (a bare folder of documents borrows the bundled data).
    if ws.config.data_dir == ws.config.root / "data":
        for check in (glossary.check_workspace, learning.check_workspace):
            report.errors.extend(check(ws, set(collection.docs)))
        report.errors.extend(freshness.problem_errors(ws))
    return report


def check_reasoning(ws: Workspace, taxonomy, metrics, collection) -> list[str]:
    """The diagnosis's editable data: evidence blocks in problems.yaml (metrics, classes, event
    kinds), value classes in dimensions.yaml, and case signatures."""
    from kb import similar
    from kb.diagnosis.dimensions import load_vocabulary
    from kb.diagnosis.evidence import check_taxonomy

    errors: list[str] = []
    try:
        vocab = load_vocabulary(ws.config.data_file("dimensions.yaml"))
    except (DataError, OSError) as exc:
        errors.extend(str(exc).splitlines())
        vocab = None
    errors.extend(check_taxonomy(taxonomy, metrics, vocab))
    for doc in collection.docs.values():
        if doc.kind == "case":
            errors.extend(similar.check(doc.meta.get("signature"), str(doc.path or doc.id)))
    return errors


def _case_errors(ws: Workspace, collection) -> list[str]:
    """The case library's fields: known industries, platforms, tactics; sourced numbers."""
    try:
        library = caselib.workspace_library(ws)
    except DataError as exc:
        return [str(exc)]
    out = []
    for doc in collection.docs.values():
        if doc.kind == "case":
            out.extend(str(e) for e in caselib.check_case(doc, library, collection.docs))
    return out
