"""`kb check`: every problem in the content and data files, found in one pass."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from kb.workspace import Workspace
from kb.yamlfile import DataError


@dataclass
class CheckReport:
    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


# Optional data checks contributed by feature modules: (module, function) taking a Workspace and
# a set of known document ids, returning a list of error strings.
EXTRA_CHECKS = [
    ("kb.glossary", "check_workspace"),
    ("kb.learning", "check_workspace"),
]


def run_checks(ws: Workspace) -> CheckReport:
    report = CheckReport()
    for name in ("metrics", "taxonomy"):
        try:
            getattr(ws, name)
        except DataError as exc:
            report.errors.extend(str(exc).splitlines())
    taxonomy = ws.__dict__.get("taxonomy")
    metrics = ws.__dict__.get("metrics")
    from kb.documents import load_collection

    collection = load_collection(ws.config, taxonomy, metrics)
    report.errors.extend(str(e) for e in collection.errors)
    for doc in collection.docs.values():
        report.counts[doc.kind] = report.counts.get(doc.kind, 0) + 1
    if taxonomy is not None:
        report.counts["problem types"] = len(taxonomy)
    # Learning path and glossary refer to the documents next to them: check them only where the
    # root has its own data/ (a bare folder of documents borrows the bundled data).
    own_data = ws.config.data_dir == ws.config.root / "data"
    for module_name, func_name in EXTRA_CHECKS if own_data else ():
        try:
            func = getattr(importlib.import_module(module_name), func_name)
        except (ImportError, AttributeError):
            continue
        report.errors.extend(func(ws, set(collection.docs)))
    return report
