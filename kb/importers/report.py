"""What an import did, for people (summary line) and programs (as_dict / JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.documents import Document
from kb.importers.messages import Message, msg
from kb.importers.suggest import Suggestions


@dataclass
class ImportReport:
    """What an import did: ids imported, items skipped or failed with the reason each."""

    imported: list[str] = field(default_factory=list)
    skipped: list[tuple[str, Message]] = field(default_factory=list)  # (item, reason)
    failed: list[tuple[str, Message]] = field(default_factory=list)  # (item, reason)
    link_only: list[str] = field(default_factory=list)  # imported ids still without a body
    notes: list[Message] = field(default_factory=list)  # things worth knowing, not failures
    suggestions: dict[str, Suggestions] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)

    def extend(self, other: ImportReport) -> None:
        for name in ("imported", "skipped", "failed", "link_only", "notes"):
            getattr(self, name).extend(getattr(other, name))
        self.suggestions.update(other.suggestions)
        self.documents.update(other.documents)

    def summary(self) -> Message:
        """One line for people; ``.get(lang)`` gives it in a language."""
        counts = {
            "imported": len(self.imported),
            "skipped": len(self.skipped),
            "failed": len(self.failed),
        }
        if self.link_only:
            return msg("report.summary_link_only", link_only=len(self.link_only), **counts)
        return msg("report.summary", **counts)

    def as_dict(self, lang: str = "zh") -> dict:
        """For programs: each reason as text in ``lang`` plus its code and parameters."""

        def reason(item: str, why: Message) -> dict:
            data = why.as_dict(lang)
            return {
                "item": item,
                "reason": data["text"],
                "code": why.code,
                "params": data["params"],
            }

        return {
            "imported": self.imported,
            "link_only": self.link_only,
            "skipped": [reason(i, r) for i, r in self.skipped],
            "failed": [reason(i, r) for i, r in self.failed],
            "notes": [n.get(lang) for n in self.notes],
            "suggestions": {k: v.as_dict() for k, v in self.suggestions.items()},
        }
