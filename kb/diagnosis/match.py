"""Observed movements -> ranked problem types, hypotheses tested on the data, and documents.

Scoring a problem type (data/problems.yaml signatures) goes through kb.signatures, the one
scorer shared with the questions and import suggestions:
- every signature key is agreed, against or unknown; one contradiction rules the type out; a
  type about one segment (concentration: single) is judged on the movements inside the top
  root-cause segment, so "一个渠道流量下降" is found even when that channel is small;
- score = coverage × (0.6 + 0.1 × min(agreed, 3)), +0.1 when the type is about the factor that
  drove the KPI (top LMDI factor), so "客单价下降" outranks the plain "销售额下降" when AOV fell;
- a type's own `evidence:` (kb.diagnosis.evidence) is then tested: a contradicted type (搜索流量下降
  when no search channel fell) keeps its reason and drops behind the others (score × 0.3).
Hypotheses are the causes of the best types. Each cause's evidence is tested on the data, the
shape of the change, the action log and the calendar: supported / contradicted / untested, with
a one-line reason. A cause whose `applies:` classes do not fit the changed segment (a budget cut
for a free channel) is not proposed. Ranking: the type's score × the cause's prior (its order;
quick sanity checks such as 口径 are listed first in the taxonomy but carry a lower prior) ×
(1 + strength of the passed tests); contradicted hypotheses go to the end, with their reason.
Logged actions near the change that no cause explains become hypotheses of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.diagnosis.dimensions import DimensionVocabulary
from kb.diagnosis.evidence import (
    CHILD_DAYS,
    UNTESTED,
    Context,
    Test,
    Verdict,
    _event_line,
    _event_weight,
    evaluate_raw,
    relation,
    relevant,
)
from kb.diagnosis.movements import Movement
from kb.metrics import MetricTree
from kb.problems import SPECIAL_KEYS, Problem, Taxonomy, Text
from kb.signatures import agreement

TOP_PROBLEMS = 3  # hypotheses and documents come from this many best types
MIN_SCORE = 0.35
CONTRADICTED_TYPE = 0.3  # score factor of a type its own evidence contradicts
QUICK_PRIOR_RANK = 3  # a quick check ranks like the 4th cause until a test passes
VERDICT_ORDER = {"supported": 0, "untested": 1, "contradicted": 2}
NO_REASON = Text("", "")
MAX_DECOYS = 3  # unrelated log entries listed (as ruled out) at most


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
    verdict: str = "untested"  # of the type's own evidence; untested when it has none
    reason: Text = NO_REASON
    tests: list[Test] = field(default_factory=list)

    def to_json(self, lang: str = "zh") -> dict:
        return {
            "id": self.problem.id,
            "name": self.problem.name.get(lang),
            "area": self.problem.area,
            "score": round(self.score, 3),
            "agreed": self.agreed,
            "unknown": self.unknown,
            "verdict": self.verdict,
            "reason": self.reason.get(lang),
        }


@dataclass
class Hypothesis:
    text: Text
    check: Text
    problem: str  # a problem id, or "event" for a logged action no cause explains
    actions: list[Text]
    metrics: list[str]
    evidence: str  # supported | weakened (contradicted) | consistent | unknown
    data_needed: list[str]
    score: float
    verdict: str = "untested"  # supported | contradicted | untested
    reason: Text = UNTESTED
    segment: dict[str, str] = field(default_factory=dict)
    tests: list[Test] = field(default_factory=list)
    events: list[str] = field(default_factory=list)  # ids of the events that support it

    def to_json(self, lang: str = "zh") -> dict:
        return {
            "text": self.text.get(lang),
            "check": self.check.get(lang),
            "problem": self.problem,
            "actions": [a.get(lang) for a in self.actions],
            "metrics": self.metrics,
            "evidence": self.evidence,
            "verdict": self.verdict,
            "reason": self.reason.get(lang),
            "segment": dict(self.segment),
            "tests": [t.to_json(lang) for t in self.tests],
            "events": self.events,
            "data_needed": self.data_needed,
            "score": round(self.score, 3),
        }


def score_problem(
    p: Problem, ev: Evidence, vocab: DimensionVocabulary | None = None
) -> Match | None:
    inside = "single" in p.signature.get("concentration", ())

    def seen(key):
        return ev.observed(key, inside)

    agree = agreement(p.signature, seen)
    if agree.contradicted or not agree.informative(seen):
        return None  # contradicted, or only "flat" agreements: nothing points at this problem
    score = agree.score()
    if ev.top_factor and (p.kpi == ev.top_factor or ev.top_factor in agree.agreed):
        score += 0.1
    return Match(p, min(score, 1.0), list(agree.agreed), list(agree.unknown))


def rank_problems(
    taxonomy: Taxonomy,
    ev: Evidence,
    vocab: DimensionVocabulary | None = None,
    ctx: Context | None = None,
) -> list[Match]:
    """Matching types, best first; with a data context their own evidence is tested and a
    contradicted type falls behind the others, keeping its reason."""
    matches = [m for p in taxonomy if p.signature and (m := score_problem(p, ev, vocab))]
    if ctx is not None:
        for m in matches:
            if m.problem.evidence:
                v = evaluate_raw(m.problem.evidence, ctx)
                m.verdict, m.reason, m.tests = v.verdict, v.reason, v.tests
                if v.verdict == "contradicted":
                    m.score *= CONTRADICTED_TYPE
    matches.sort(
        key=lambda m: (
            m.verdict == "contradicted",
            -m.score,
            -len(m.agreed),
            -sum(k in SPECIAL_KEYS for k in m.agreed),  # drill-down evidence is more specific
            m.problem.id,
        )
    )
    return matches


def _leading(matches: list[Match]) -> list[Match]:
    """The types hypotheses come from: the best non-contradicted ones."""
    good = [m for m in matches if m.score >= MIN_SCORE and m.verdict != "contradicted"]
    return good[:TOP_PROBLEMS]


def _segment_words(segment: dict[str, str], vocab) -> tuple[str, str]:
    vals = " / ".join(segment.values())
    return vals, vals


def hypotheses(
    matches: list[Match],
    ev: Evidence,
    metrics: MetricTree,
    lang: str = "zh",
    ctx: Context | None = None,
) -> list[Hypothesis]:
    """The causes of the leading types, each tested (with a context) and ranked."""
    out: list[Hypothesis] = []
    seen_text: set[str] = set()
    explained: set[str] = set()  # events a cause already cites
    for match in _leading(matches):
        prior_rank = 0
        for cause in match.problem.causes:
            if ctx is not None and cause.evidence:
                v = evaluate_raw(cause.evidence, ctx, tuple(match.problem.signature))
            else:
                v = Verdict("untested", UNTESTED)
            if not v.applies:
                continue  # e.g. a budget cut for a free channel: not proposed
            rank = QUICK_PRIOR_RANK + prior_rank if cause.quick else prior_rank
            if not cause.quick:
                prior_rank += 1
            single = "single" in match.problem.signature.get("concentration", ())
            segment = dict(ev.segment) if single or cause.template else {}
            zh = en = ctx.segment_label().zh if ctx is not None and ev.segment else ""
            if not zh and ev.segment:
                zh, en = _segment_words(ev.segment, None)
            text = cause.named(zh, en) if ev.segment else cause.text
            if text.zh in seen_text:
                continue
            seen_text.add(text.zh)
            missing = [x for x in cause.metrics if x not in ev.moves]
            needed = {c for x in missing for c in needed_inputs(metrics, x)}
            for t in v.tests:
                needed.update(t.data_needed)
            if v.verdict == "supported":
                code = "supported"
            elif v.verdict == "contradicted":
                code = "weakened"
            else:
                code = "unknown" if needed else "consistent"
            ids = [e.id for e in v.events]
            explained.update(ids)
            out.append(
                Hypothesis(
                    text=text,
                    check=cause.check,
                    problem=match.problem.id,
                    actions=list(cause.actions),
                    metrics=list(cause.metrics),
                    evidence=code,
                    data_needed=sorted(needed),
                    score=match.score / (1 + 0.15 * rank) * (1 + v.strength),
                    verdict=v.verdict,
                    reason=v.reason,
                    segment=segment,
                    tests=v.tests,
                    events=ids,
                )
            )
    if ctx is not None and ctx.events:
        top = max((h.score for h in out), default=1.0)
        out += _event_hypotheses(ctx, explained, top)
    out.sort(key=lambda h: (VERDICT_ORDER[h.verdict], -h.score))
    return out


def _event_hypotheses(ctx: Context, explained: set[str], top: float) -> list[Hypothesis]:
    """Logged actions near the change that no cause cites: hypotheses of their own."""
    out = []
    where = ctx.segment_label().zh
    others = 0
    dims = ctx.table.dimensions
    for e in ctx.events:
        if e.source != "log" or e.id in explained:
            continue
        line = _event_line(e)
        if relation(e, dims) == "unknown":
            if not -CHILD_DAYS <= e.days_from <= 0:
                continue  # on a dimension this file lacks, and not close: nothing to say
            missing = "、".join(d for d in e.segment if d not in dims)
            verdict = "untested"
            reason = Text(
                f"{line.zh}: 文件里没有 {missing} 维度, 无法判断是否相关",
                f"{line.en}: the file has no {missing} column to tell",
            )
        elif relation(e, dims) == "other":
            others += 1
            if others > MAX_DECOYS:
                continue  # the nearest few unrelated entries are enough to show they were seen
            seg = " / ".join(e.segment.values())
            verdict = "contradicted"
            reason = Text(
                f"记录在 {seg}, 变化在 {where}", f"logged for {seg}, the change is in {where}"
            )
        elif e.days_from > 0:
            verdict = "untested"
            reason = Text(f"{line.zh}: 记录在变化之后", f"{line.en}: logged after the change")
        elif relevant(e, ctx.segment, dims):
            verdict, reason = "supported", line
        else:
            verdict = "untested"
            reason = Text(f"{line.zh}: 时间或范围对不上", f"{line.en}: time or scope does not fit")
        # a lead, not a finding: an action on the very segment just before the change ranks
        # near the best cause; a whole-shop entry no cause explains ranks well below it
        score = top * 0.75 * _event_weight(e, dims) if verdict == "supported" else 0.1
        out.append(
            Hypothesis(
                text=Text(f"{line.zh}", f"{line.en}"),
                check=Text(
                    "找到这条记录的负责人, 确认改动内容和生效时间; 能回滚就先在一个计划上回滚验证",
                    "Ask the owner what exactly changed and when it took effect; where possible, "
                    "roll it back on one plan to confirm",
                ),
                problem="event",
                actions=[],
                metrics=[],
                evidence="supported" if verdict == "supported" else "unknown",
                data_needed=[],
                score=score,
                verdict=verdict,
                reason=reason,
                segment=dict(e.segment),
                events=[e.id],
            )
        )
    return out


def needed_inputs(metrics: MetricTree, name: str) -> list[str]:
    """The file columns that would give a metric (a ratio needs its numerator and denominator)."""
    m = metrics.metrics.get(name)
    if m is None or not m.is_ratio:
        return [name]
    return [m.numerator, m.denominator]


def linked_documents(collection, matches: list[Match]) -> list[dict]:
    """Playbooks, then cases, then articles linked to the best problem types."""
    order = {"playbook": 0, "case": 1, "article": 2}
    seen: set[str] = set()
    out = []
    for rank, match in enumerate(_leading(matches)):
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


def _one_with_offset(causes) -> bool:
    """One segment explains the whole change and the other causes moved the other way (抖音
    fell, 直接访问 rose by part of it): a single-segment change, not a spread one."""
    if len(causes) < 2 or causes[0].share is None or causes[0].share < 1.0:
        return False
    sign = causes[0].contribution > 0
    return all((r.contribution > 0) != sign for r in causes[1:])


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
        if _one_with_offset(causes):
            ev.concentration = "single"
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
