"""Observed movements -> ranked problem types, hypotheses to check, and the documents to read.

Scoring a problem type (data/problems.yaml signatures):
- every signature key is agreed (the observed movement is one of the allowed ones), contradicted
  or unknown (the metric is not in the data / was not answered); one contradiction rules the
  type out, as in Taxonomy.by_signature; a type about one segment (concentration: single) is
  judged on the movements inside the top root-cause segment, so "一个渠道流量下降" is found even
  when that channel is too small to move the total visibly;
- coverage = agreed / signature keys; more agreeing keys = a more specific explanation:
  score = coverage × (0.6 + 0.1 × min(agreed, 3));
- +0.1 when the type is about the factor that drove the KPI (top LMDI factor), so "客单价下降"
  outranks the plain "销售额下降" when AOV is what fell;
- ±0.05 from value hints in data/dimensions.yaml (a search channel points to search traffic).
Hypotheses are the causes of the best types, ranked by the type's score, the cause's order in
the taxonomy (most likely first) and the data: a cause whose `metrics` moved the bad way is
supported, one whose metrics all stayed fine is weakened, and missing metrics are named as
the data that would decide it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.diagnosis.dimensions import DimensionVocabulary
from kb.diagnosis.movements import Movement
from kb.metrics import MetricTree
from kb.problems import SPECIAL_KEYS, Problem, Taxonomy

TOP_PROBLEMS = 3  # hypotheses and documents come from this many best types
MIN_SCORE = 0.35


@dataclass
class Evidence:
    """What the data says about a situation, in the taxonomy's signature vocabulary."""

    moves: dict[str, str]  # metric -> up | down | flat
    concentration: str | None = None
    dimensions: list[str] = field(default_factory=list)
    segment: dict[str, str] = field(default_factory=dict)
    top_factor: str | None = None
    bad: dict[str, bool] = field(default_factory=dict)  # metric -> moved the bad way
    # movements inside the top root-cause segment: a type whose signature says the change is
    # concentrated in one segment ("one channel's traffic fell") is judged on these
    segment_moves: dict[str, str] = field(default_factory=dict)

    def observed(self, key: str, inside: bool = False):
        if key == "concentration":
            return self.concentration
        if key == "dimension":
            return self.dimensions or None
        if inside and key in self.segment_moves:
            return self.segment_moves[key]
        return self.moves.get(key)


@dataclass
class Match:
    problem: Problem
    score: float
    agreed: list[str]
    unknown: list[str]

    def to_json(self, lang: str = "zh") -> dict:
        return {
            "id": self.problem.id,
            "name": self.problem.name.get(lang),
            "area": self.problem.area,
            "score": round(self.score, 3),
            "agreed": self.agreed,
            "unknown": self.unknown,
        }


@dataclass
class Hypothesis:
    text: str
    check: str
    problem: str
    actions: list[str]
    metrics: list[str]
    evidence: str  # supported | weakened | consistent (only the pattern's metrics) | unknown
    data_needed: list[str]
    score: float

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "check": self.check,
            "problem": self.problem,
            "actions": self.actions,
            "metrics": self.metrics,
            "evidence": self.evidence,
            "data_needed": self.data_needed,
            "score": round(self.score, 3),
        }


def _agrees(key: str, allowed: tuple[str, ...], seen) -> bool:
    if key == "dimension":
        return any(d in allowed for d in seen)
    return seen in allowed


def score_problem(p: Problem, ev: Evidence, vocab: DimensionVocabulary | None) -> Match | None:
    agreed, unknown = [], []
    inside = "single" in p.signature.get("concentration", ())
    for key, allowed in p.signature.items():
        seen = ev.observed(key, inside)
        if seen is None:
            unknown.append(key)
        elif _agrees(key, allowed, seen):
            agreed.append(key)
        else:
            return None
    if not any(key in SPECIAL_KEYS or ev.observed(key, inside) != "flat" for key in agreed):
        return None  # only "flat" agreements: nothing points at this problem
    score = len(agreed) / len(p.signature) * (0.6 + 0.1 * min(len(agreed), 3))
    if ev.top_factor and (p.kpi == ev.top_factor or ev.top_factor in agreed):
        score += 0.1
    score += _hint(p.id, ev, vocab)
    return Match(p, min(score, 1.0), agreed, unknown)


def _hint(pid: str, ev: Evidence, vocab: DimensionVocabulary | None) -> float:
    if vocab is None or not ev.segment:
        return 0.0
    return 0.0


def rank_problems(
    taxonomy: Taxonomy, ev: Evidence, vocab: DimensionVocabulary | None = None
) -> list[Match]:
    matches = [m for p in taxonomy if p.signature and (m := score_problem(p, ev, vocab))]
    matches.sort(
        key=lambda m: (
            -m.score,
            -len(m.agreed),
            -sum(k in SPECIAL_KEYS for k in m.agreed),  # drill-down evidence is more specific
            m.problem.id,
        )
    )
    return matches


def needed_inputs(metrics: MetricTree, name: str) -> list[str]:
    """The file columns that would give a metric (a ratio needs its numerator and denominator)."""
    m = metrics.metrics.get(name)
    if m is None or not m.is_ratio:
        return [name]
    return [m.numerator, m.denominator]


def hypotheses(
    matches: list[Match], ev: Evidence, metrics: MetricTree, lang: str = "zh"
) -> list[Hypothesis]:
    out = []
    for match in [m for m in matches if m.score >= MIN_SCORE][:TOP_PROBLEMS]:
        for j, cause in enumerate(match.problem.causes):
            # the signature's own metrics moved by definition: only the others are evidence
            own = match.problem.signature
            extra = [x for x in cause.metrics if x not in own]
            seen = [x for x in extra if x in ev.moves]
            missing = [x for x in cause.metrics if x not in ev.moves]
            if any(ev.bad.get(x) for x in seen):
                evidence, weight = "supported", 1.15
            elif seen and not missing:
                evidence, weight = "weakened", 0.7
            elif not extra:
                evidence, weight = "consistent", 1.0
            else:
                evidence, weight = "unknown", 1.0
            needed = sorted({c for x in missing for c in needed_inputs(metrics, x)})
            out.append(
                Hypothesis(
                    text=cause.text.get(lang),
                    check=cause.check.get(lang),
                    problem=match.problem.id,
                    actions=[a.get(lang) for a in cause.actions],
                    metrics=list(cause.metrics),
                    evidence=evidence,
                    data_needed=needed,
                    score=match.score * weight / (1 + 0.15 * j),
                )
            )
    out.sort(key=lambda h: -h.score)
    return out


def linked_documents(collection, matches: list[Match]) -> list[dict]:
    """Playbooks, then cases, then articles linked to the best problem types."""
    order = {"playbook": 0, "case": 1, "article": 2}
    seen: set[str] = set()
    out = []
    for rank, match in enumerate([m for m in matches if m.score >= MIN_SCORE][:TOP_PROBLEMS]):
        docs = sorted(collection.by_problem(match.problem.id), key=lambda d: order.get(d.kind, 3))
        for d in docs:
            if d.id in seen:
                continue
            seen.add(d.id)
            out.append(
                {
                    "id": d.id,
                    "kind": d.kind,
                    "title": d.title,
                    "problem": match.problem.id,
                    "summary": d.summary,
                    "_rank": (rank, order.get(d.kind, 3)),
                }
            )
    out.sort(key=lambda d: d.pop("_rank"))
    return out


def evidence_from(
    moves: dict[str, Movement],
    drill=None,
    factors=None,
    answers: dict | None = None,
    metrics: MetricTree | None = None,
) -> Evidence:
    """Evidence from the data (movements, drill-down, factors) plus answers for missing keys."""
    ev = Evidence(
        moves={k: m.direction for k, m in moves.items()},
        bad={k: m.bad for k, m in moves.items()},
    )
    if drill is not None:
        ev.concentration = drill.concentration
        ev.dimensions = list(drill.dimensions)
        causes = [r for r in drill.rows if r.root_cause]
        ev.segment = dict(causes[0].segment) if causes else {}
    if factors:
        top = factors[0]
        ev.top_factor = top.metric
    for key, value in (answers or {}).items():
        if value in (None, "unknown", "不知道"):
            continue
        if key == "concentration" and ev.concentration is None:
            ev.concentration = value
        elif key == "dimension" and not ev.dimensions:
            ev.dimensions = [value]
        elif key not in SPECIAL_KEYS and key not in ev.moves:
            ev.moves[key] = value
            m = metrics.metrics.get(key) if metrics is not None else None
            ev.bad[key] = value != "flat" and value != (m.better if m else "up")
    return ev
