"""One scorer of problem signatures, for the diagnosis, the questions and import suggestions.

A problem type's signature (data/problems.yaml) says how metrics move when it is the problem:
``{UV: down, concentration: single, dimension: channel}``. Whatever observed the movements — a
metrics file, answers to questions, words in an imported article — each signature key is
*agreed* (the observation is one of the allowed values), *against* (observed, but not allowed:
the type is contradicted) or *unknown* (not observed). An observation may be one value or
several (an article saying "UV fell" and "UV rose"; a file explained by two dimensions): it
agrees when any of them is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kb.problems import SPECIAL_KEYS

MANY = (list, tuple, set, frozenset)


@dataclass(frozen=True)
class Agreement:
    agreed: tuple[str, ...]
    against: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def contradicted(self) -> bool:
        return bool(self.against)

    @property
    def coverage(self) -> float:
        n = len(self.agreed) + len(self.against) + len(self.unknown)
        return len(self.agreed) / n if n else 0.0

    def score(self) -> float:
        """Coverage, weighted up for more agreeing keys (a more specific explanation):
        coverage × (0.6 + 0.1 × min(agreed, 3)); 0 when contradicted."""
        if self.contradicted:
            return 0.0
        return self.coverage * (0.6 + 0.1 * min(len(self.agreed), 3))

    def informative(self, observed: Callable[[str], object]) -> bool:
        """True unless every agreement is a metric that stayed flat (nothing points here)."""
        return any(k in SPECIAL_KEYS or _values(observed(k)) != ["flat"] for k in self.agreed)


def _values(seen) -> list:
    if seen is None:
        return []
    return list(seen) if isinstance(seen, MANY) else [seen]


def agrees(allowed, seen) -> bool:
    """Does an observation (one value or several) agree with a signature key's allowed values?"""
    return any(v in allowed for v in _values(seen))


def agreement(signature: Mapping[str, tuple], observed) -> Agreement:
    """Each signature key agreed, against or unknown, given ``observed`` (a mapping or a
    function key -> observed value(s) or None)."""
    get = observed.get if isinstance(observed, Mapping) else observed
    agreed, against, unknown = [], [], []
    for key, allowed in signature.items():
        seen = get(key)
        if not _values(seen):
            unknown.append(key)
        elif agrees(allowed, seen):
            agreed.append(key)
        else:
            against.append(key)
    return Agreement(tuple(agreed), tuple(against), tuple(unknown))
