"""Loading team-edited YAML files with errors that name the file and the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# libyaml's C parser where available (problems.yaml parses ~10x faster: it is on the app's
# start-up path); the same safe subset either way.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DataError(ValueError):
    """A data file (YAML/CSV/Markdown) is malformed; the message says where and what to do."""


def load_yaml(path: Path) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason}); save it as UTF-8") from None
    try:
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(f"{path}:{where}: invalid YAML: {problem}") from None
