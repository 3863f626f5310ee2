"""No-data mode: narrow down the problem type by asking how metrics moved.

Each candidate problem type predicts the answer to a question through its signature: a type
with {UV: down} predicts "down" for 访客数; a type whose signature does not mention UV predicts
nothing (every answer equally likely). With a uniform prior over the types, the posterior after
some answers is proportional to the product of these likelihoods, and a contradicted type
drops out. The next question is the one with the largest expected information gain (entropy
of the candidates now minus expected entropy after the answer), i.e. the question whose answers
split the remaining candidates most evenly. "不知道" (unknown) is always allowed and simply
removes the question. Question texts live in data/questions.yaml.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kb.metrics import MetricTree
from kb.problems import SPECIAL_KEYS, Problem, Taxonomy
from kb.signatures import agrees
from kb.yamlfile import load_yaml

UNKNOWN = "unknown"
MOVE_OPTIONS = ("up", "flat", "down")
ANSWER_WORDS = {
    "上升": "up", "升": "up", "涨": "up", "增加": "up", "up": "up",
    "持平": "flat", "平": "flat", "不变": "flat", "flat": "flat",
    "下降": "down", "降": "down", "跌": "down", "减少": "down", "down": "down",
    "不知道": UNKNOWN, "未知": UNKNOWN, "unknown": UNKNOWN, "?": UNKNOWN,
    "集中在一处": "single", "single": "single", "各处都在变": "spread", "spread": "spread",
}  # fmt: skip


@dataclass
class Question:
    key: str  # signature key: a metric name, "concentration" or "dimension"
    text: str
    hint: str
    options: list[dict]  # {value, label}
    gain: float  # expected information gain, bits

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "text": self.text,
            "hint": self.hint,
            "options": self.options,
            "gain": round(self.gain, 4),
        }


def normalise_answer(value) -> str:
    if isinstance(value, list):
        return value[0] if value else UNKNOWN
    text = str(value).strip()
    return ANSWER_WORDS.get(text, ANSWER_WORDS.get(text.lower(), text))


def options_for(key: str) -> tuple[str, ...]:
    return SPECIAL_KEYS.get(key, MOVE_OPTIONS)


def likelihood(problem: Problem, key: str, answer) -> float:
    """P(answer | problem) from the signature; uninformative when the key is not in it."""
    allowed = problem.signature.get(key)
    if allowed is None:
        return 1.0 / len(options_for(key))
    return 1.0 / len(allowed) if agrees(allowed, answer) else 0.0


@dataclass
class Interview:
    """The state of a question-driven diagnosis: answers so far -> candidates, next question."""

    taxonomy: Taxonomy
    metrics: MetricTree
    answers: dict[str, object] = field(default_factory=dict)
    area: str | None = None  # restrict to one area (content, user, promotion, store)
    only: frozenset[str] | None = None  # restrict to these problem ids (e.g. the data's matches)

    def _pool(self) -> list[Problem]:
        return [
            p
            for p in self.taxonomy
            if p.signature
            and (self.area is None or p.area == self.area)
            and (self.only is None or p.id in self.only)
        ]

    def _known(self) -> dict[str, object]:
        return {k: v for k, v in self.answers.items() if v not in (None, UNKNOWN)}

    def posterior(self, extra: dict | None = None) -> list[tuple[Problem, float]]:
        """Candidates with their probability, best first (contradicted ones left out)."""
        known = {**self._known(), **(extra or {})}
        weights = []
        for p in self._pool():
            w = 1.0
            for key, answer in known.items():
                w *= likelihood(p, key, answer)
            # a type is only a candidate once something points at it, or nothing is known yet
            if w > 0:
                weights.append((p, w))
        total = sum(w for _, w in weights)
        if not total:
            return []
        ranked = [(p, w / total) for p, w in weights]
        ranked.sort(key=lambda pw: (-pw[1], -len(pw[0].signature), pw[0].id))
        return ranked

    def next_question(self, lang: str = "zh", skip=()) -> Question | None:
        """The unanswered signature key whose answer is expected to tell the candidates apart
        best; None when no question would change the ranking."""
        ranked = self.posterior()
        if len(ranked) < 2:
            return None
        h0 = _entropy([w for _, w in ranked])
        keys = {k for p, _ in ranked for k in p.signature} - set(self.answers) - set(skip)
        best = None
        for key in sorted(keys):
            gain = h0
            for answer in options_for(key):
                probs = [w * likelihood(p, key, answer) for p, w in ranked]
                pa = sum(probs)
                if pa > 0:
                    gain -= pa * _entropy([x / pa for x in probs])
            spread = sum(1 for p, _ in ranked if key in p.signature)
            cand = (round(gain, 9), spread, key)
            if best is None or cand[:2] > best[:2]:
                best = cand
        if best is None or best[0] <= 1e-6:
            return None
        return make_question(best[2], self.metrics, lang, best[0])

    def answer(self, key: str, value) -> None:
        self.answers[key] = normalise_answer(value)


def _entropy(probs) -> float:
    return -sum(p * math.log2(p) for p in probs if p > 0)


@lru_cache(maxsize=2)
def _texts(path: str) -> dict:
    return load_yaml(Path(path)) or {}


def question_texts() -> dict:
    from kb.config import BUNDLED_DATA

    return _texts(str(BUNDLED_DATA / "questions.yaml"))


def make_question(key: str, metrics: MetricTree, lang: str = "zh", gain: float = 0.0) -> Question:
    texts = question_texts()
    if key in SPECIAL_KEYS:
        spec = texts["special"][key]
        text = spec["text"][lang]
    else:
        spec = texts["metric"]
        m = metrics.metrics.get(key)
        label = m.zh if m else key
        label_en = m.en if m else key
        text = spec["text"][lang].format(label=label, label_en=label_en)
    options = [{"value": o["value"], "label": o[lang]} for o in spec["options"]]
    return Question(key, text, spec.get("hint", {}).get(lang, ""), options, gain)
