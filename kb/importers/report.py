"""What an import did, for people (summary line) and programs (as_dict / JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.documents import Document
from kb.importers.suggest import Suggestions


@dataclass
class ImportReport:
    """What an import did: ids imported, items skipped or failed with the reason each."""

    imported: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (item, reason)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (item, reason)
    link_only: list[str] = field(default_factory=list)  # imported ids still without a body
    notes: list[str] = field(default_factory=list)  # things worth knowing, not failures
    suggestions: dict[str, Suggestions] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)

    def extend(self, other: ImportReport) -> None:
        for name in ("imported", "skipped", "failed", "link_only", "notes"):
            getattr(self, name).extend(getattr(other, name))
        self.suggestions.update(other.suggestions)
        self.documents.update(other.documents)

    def summary(self) -> str:
        """One line for people, Chinese first."""
        lo = f"（其中 {len(self.link_only)} 篇仅链接）" if self.link_only else ""
        return (
            f"导入 {len(self.imported)} 篇{lo}，跳过 {len(self.skipped)} 篇（重复），"
            f"失败 {len(self.failed)} 篇 / imported {len(self.imported)}, "
            f"skipped {len(self.skipped)}, failed {len(self.failed)}"
        )

    def as_dict(self) -> dict:
        return {
            "imported": self.imported,
            "link_only": self.link_only,
            "skipped": [{"item": i, "reason": r} for i, r in self.skipped],
            "failed": [{"item": i, "reason": r} for i, r in self.failed],
            "notes": self.notes,
            "suggestions": {k: v.as_dict() for k, v in self.suggestions.items()},
        }
