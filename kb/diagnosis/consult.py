"""The no-data diagnosis: answers to questions -> candidate problem types, hypotheses, documents.

Same matching vocabulary as a file diagnosis (the taxonomy's signatures), driven by
kb.diagnosis.questions.Interview instead of measured movements.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.diagnosis.match import Hypothesis, Match, evidence_from, hypotheses, linked_documents
from kb.diagnosis.questions import Interview, Question


@dataclass
class Consultation:
    """The no-data diagnosis: answers so far -> candidates, hypotheses, next question."""

    interview: Interview
    matches: list[Match]
    hypotheses: list[Hypothesis]
    documents: list[dict]
    next_question: Question | None
    posterior: dict[str, float] = field(default_factory=dict)  # problem id -> probability

    def to_json(self, lang: str = "zh") -> dict:
        return {
            "answers": dict(self.interview.answers),
            "problems": [
                {**m.to_json(lang), "probability": round(self.posterior.get(m.problem.id, 0.0), 4)}
                for m in self.matches
            ],
            "hypotheses": [h.to_json(lang) for h in self.hypotheses],
            "documents": self.documents,
            "next_question": self.next_question.to_json() if self.next_question else None,
        }


def consult(workspace, answers: dict | None = None, area: str | None = None, lang: str = "zh"):
    """Diagnose from answers to questions ("访客数怎么变了? 下降"), without a data file.

    Problem scores are the candidates' posterior probabilities, rescaled so the best is 1;
    every hypothesis lists the data (file columns) that would decide it."""
    metrics = workspace.metrics
    interview = Interview(workspace.taxonomy, metrics, area=area)
    for key, value in (answers or {}).items():
        interview.answer(key, value)
    ranked = interview.posterior()
    top = ranked[0][1] if ranked else 1.0
    known = {k: v for k, v in interview.answers.items() if v != "unknown"}
    matches = []
    for problem, prob in ranked:
        agreed = [k for k in problem.signature if k in known]
        unknown = [k for k in problem.signature if k not in known]
        matches.append(Match(problem, prob / top, agreed, unknown))
    ev = evidence_from({}, answers=known, metrics=metrics)
    if not known:  # nothing answered yet: every type is equally likely, no hypotheses
        matches = []
    hyps = hypotheses(matches, ev, metrics, lang)
    try:
        docs = linked_documents(workspace.collection(), matches)
    except Exception:  # noqa: BLE001 - a broken document must not stop a diagnosis
        docs = []
    posterior = {p.id: prob for p, prob in ranked}
    return Consultation(interview, matches, hyps, docs, interview.next_question(lang), posterior)
