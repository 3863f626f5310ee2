"""Past cases that looked the same: similarity of case signatures (one module for all of it).

A case may record its signature in the front matter (what the numbers did):

    signature: {moves: {UV: down, GMV: down, 转化率: flat}, dimension: channel, shape: step,
                classes: [paid, content]}

A case without one gets a derived signature: the signatures of its problem types merged (so
every bundled case takes part, less precisely). A diagnosis has the same shape of signature
(kb.diagnosis: its movements, the root-cause dimension, the shape, the segment's classes).
Similarity: metric moves that agree (+1) or disagree (−1) over the metrics either one names,
plus the same dimension (+0.3), shape (+0.2), class overlap (+0.2) and problem types in common
(+0.2 × Jaccard). Drafts (state: draft) never show.

The case library's neighbours (``by_library``: same industry, tactics, platforms, problem types)
live here too, so "similar cases" has one home whichever way it is asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MIN_SCORE = 0.6
LIMIT = 5


@dataclass
class Signature:
    moves: dict[str, str] = field(default_factory=dict)
    dimension: str | None = None
    shape: str | None = None
    classes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        out: dict = {"moves": dict(self.moves)}
        if self.dimension:
            out["dimension"] = self.dimension
        if self.shape:
            out["shape"] = self.shape
        if self.classes:
            out["classes"] = list(self.classes)
        return out


def parse(raw) -> Signature | None:
    """A case's `signature:` field; None when absent or not a mapping."""
    if not isinstance(raw, dict):
        return None
    moves = raw.get("moves") or {}
    return Signature(
        moves={str(k): str(v) for k, v in moves.items()} if isinstance(moves, dict) else {},
        dimension=str(raw["dimension"]) if raw.get("dimension") else None,
        shape=str(raw["shape"]) if raw.get("shape") else None,
        classes=tuple(map(str, raw.get("classes") or ())),
    )


def check(raw, where: str) -> list[str]:
    """Problems with a case's signature field (for `kb check`)."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        return [f"{where}: signature must be a mapping {{moves, dimension, shape, classes}}"]
    errors = []
    unknown = set(raw) - {"moves", "dimension", "shape", "classes"}
    if unknown:
        errors.append(f"{where}: signature: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    moves = raw.get("moves") or {}
    if not isinstance(moves, dict):
        errors.append(f"{where}: signature.moves must map metric -> up | down | flat")
    else:
        for k, v in moves.items():
            if v not in ("up", "down", "flat"):
                errors.append(f"{where}: signature.moves.{k} must be up | down | flat, not {v!r}")
    if raw.get("shape") not in (None, "step", "slide", "spike", "jump"):
        errors.append(f"{where}: signature.shape must be step | slide | spike | jump")
    return errors


def derived(doc, taxonomy) -> Signature:
    """A case's own signature, or one merged from its problem types' signatures."""
    own = parse(doc.meta.get("signature"))
    if own is not None:
        return own
    sig = Signature()
    for pid in doc.problems:
        p = taxonomy.get(pid) if taxonomy is not None else None
        if p is None:
            continue
        for key, allowed in p.signature.items():
            if key == "dimension":
                sig.dimension = sig.dimension or allowed[0]
            elif key != "concentration" and len(allowed) == 1:
                sig.moves.setdefault(key, allowed[0])
    return sig


def signature_of(ev, shape=None, vocab=None) -> Signature:
    """A diagnosis's signature: its movements (flat ones too), dimension, shape, classes."""
    classes: list[str] = []
    if vocab is not None:
        for dim, value in (ev.segment or {}).items():
            classes += list(vocab.classes_of(dim, value) or ())
    return Signature(
        moves=dict(ev.moves),
        dimension=ev.dimensions[0] if ev.dimensions else None,
        shape=getattr(shape, "kind", None),
        classes=tuple(classes),
    )


def similarity(a: Signature, b: Signature, problems_a=(), problems_b=()) -> float:
    keys = set(a.moves) & set(b.moves)
    named = set(b.moves)  # the case's own metrics: what it says happened
    score = 0.0
    if named:
        agree = sum(1 for k in keys if a.moves[k] == b.moves[k])
        against = sum(1 for k in keys if a.moves[k] != b.moves[k])
        score += (agree - against) / len(named)
    if a.dimension and a.dimension == b.dimension:
        score += 0.3
    if a.shape and a.shape == b.shape:
        score += 0.2
    if set(a.classes) & set(b.classes):
        score += 0.2
    pa, pb = set(problems_a), set(problems_b)
    if pa and pb:
        score += 0.2 * len(pa & pb) / len(pa | pb)
    return score


def similar_cases(collection, sig: Signature, problems=(), taxonomy=None, limit: int = LIMIT):
    """Published cases ranked by signature similarity: [{id, title, score, own}]."""
    taxonomy = taxonomy if taxonomy is not None else getattr(collection, "taxonomy", None)
    out = []
    for doc in collection.docs.values():
        if doc.kind != "case" or doc.meta.get("state") == "draft":
            continue
        own = parse(doc.meta.get("signature")) is not None
        score = similarity(sig, derived(doc, taxonomy), problems, doc.problems)
        if score >= MIN_SCORE:
            out.append({"id": doc.id, "title": doc.title, "score": round(score, 3), "own": own})
    out.sort(key=lambda r: (-r["score"], r["id"]))
    return out[:limit]


def by_library(case, cases, limit: int = LIMIT) -> list[tuple]:
    """Library cases (kb.caselib.CaseInfo) sharing the industry (+1), tactics (+0.6 each),
    platforms (+0.3 each) or problem types (+0.3 each); best first, drafts and the case itself
    left out."""
    scored = []
    for other in cases:
        if other.id == case.id or other.draft:
            continue
        score = 1.0 if case.industry and other.industry == case.industry else 0.0
        score += 0.6 * len(set(case.tactics) & set(other.tactics))
        score += 0.3 * len(set(case.platforms) & set(other.platforms))
        score += 0.3 * len(set(case.doc.problems) & set(other.doc.problems))
        if score >= 0.6:
            scored.append((other, round(score, 2)))
    scored.sort(key=lambda pair: (-pair[1], pair[0].id))
    return scored[:limit]
