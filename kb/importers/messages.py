"""What an import says to people, as a code with parameters; the UI or CLI picks the language.

The texts live in ``messages.yaml`` beside this file (both languages for every code), so the
engine never chooses a language (design: language rule). ``Message.get(lang)`` has the same shape
as ``kb.problems.Text.get``, so the UI's ``text()`` helper renders either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).with_name("messages.yaml")
LANGS = ("zh", "en")


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")) or {}
    for code, texts in data.items():
        if not isinstance(texts, dict) or set(texts) != set(LANGS):
            raise ValueError(f"{CATALOGUE}: message '{code}' needs exactly zh and en")
    return data


@dataclass(frozen=True, eq=False)
class Message:
    code: str
    params: dict = field(default_factory=dict)

    def get(self, lang: str = "zh") -> str:
        """The message in ``lang`` (zh or en); parameters that are messages follow it."""
        texts = catalogue().get(self.code)
        if texts is None:
            return self.code
        values = {k: v.get(lang) if isinstance(v, Message) else v for k, v in self.params.items()}
        try:
            return texts.get(lang, texts["zh"]).format(**values)
        except (KeyError, IndexError, ValueError):  # a parameter missing: still say something
            return texts.get(lang, texts["zh"])

    @property
    def zh(self) -> str:
        return self.get("zh")

    @property
    def en(self) -> str:
        return self.get("en")

    def __str__(self) -> str:  # logs and exceptions: Chinese first, as the CLI's default
        return self.zh

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.code, self.params) == (other.code, other.params)

    def as_dict(self, lang: str = "zh") -> dict:
        params = {
            k: v.as_dict(lang) if isinstance(v, Message) else v for k, v in self.params.items()
        }
        return {"code": self.code, "params": params, "text": self.get(lang)}


def msg(code: str, **params: object) -> Message:
    if code not in catalogue():
        raise KeyError(f"unknown import message code {code!r} (add it to {CATALOGUE.name})")
    return Message(code, params)
