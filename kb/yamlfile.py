"""Loading YAML (team data files and document front matter) within bounds.

One hostile file must not crash or exhaust the app: libyaml's composer recurses once per nesting
level (100,000 nested ``[`` segfault the process) and aliases let 475 bytes expand to gigabytes
when the result is walked. So before loading, the text's *event stream* is scanned with libyaml's
parser, which is a loop with its own stack (no recursion): nesting beyond ``MAX_DEPTH`` or any
anchor/alias is refused with the line where it happens. Our files never need anchors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# libyaml's C parser where available (problems.yaml parses ~10x faster: it is on the app's
# start-up path); the same safe subset either way.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 20  # nesting of lists/mappings; our deepest data file uses 7
MAX_DATA_BYTES = 5_000_000  # the largest bundled data file is 113 KB
_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class DataError(ValueError):
    """A data file (YAML/CSV/Markdown) is malformed; the message says where and what to do."""


class YamlLimitError(ValueError):
    """YAML text beyond what OpsKB accepts (too deep, aliases, too large); ``line`` is 1-based."""

    def __init__(self, problem: str, line: int | None = None, column: int | None = None):
        self.problem, self.line, self.column = problem, line, column
        super().__init__(problem)


def check_bounds(text: str, max_depth: int = MAX_DEPTH) -> None:
    """Refuse nesting deeper than ``max_depth`` and anchors/aliases, before anything is built.

    Invalid YAML raises yaml.YAMLError here as it would when loading.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, _OPEN):
            depth += 1
            if depth > max_depth:
                mark = event.start_mark
                raise YamlLimitError(
                    f"nested more than {max_depth} levels deep", mark.line + 1, mark.column + 1
                )
        elif isinstance(event, _CLOSE):
            depth -= 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise YamlLimitError(
                "anchors and aliases (&name, *name) are not accepted: write the value out",
                mark.line + 1,
                mark.column + 1,
            )


def bounded_load(text: str, loader: type = _LOADER, max_depth: int = MAX_DEPTH) -> Any:
    """``yaml.load`` with a safe loader, after ``check_bounds``."""
    check_bounds(text, max_depth)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader


def load_yaml(path: Path, max_bytes: int = MAX_DATA_BYTES) -> Any:
    try:
        size = Path(path).stat().st_size
        if size > max_bytes:
            raise DataError(f"{path}: {size} bytes, more than the {max_bytes} accepted")
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason}); save it as UTF-8") from None
    try:
        return bounded_load(text)
    except YamlLimitError as exc:
        raise DataError(f"{path}: line {exc.line}, column {exc.column}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(f"{path}:{where}: invalid YAML: {problem}") from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a 50,000-digit number
        raise DataError(f"{path}: a value cannot be read: {str(exc)[:120]}") from None
