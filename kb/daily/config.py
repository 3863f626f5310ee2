"""daily.yaml in the content root: the data source, roles, targets and the chat robot.

One file the team edits (in the app or by hand). It holds no secrets: the database URL and the
webhook URL/secret are read from environment variables whose names it gives.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.sources import SourceSpec, parse_source
from kb.yamlfile import DataError, load_yaml

CONFIG_NAME = "daily.yaml"
SPLITS = ("weekday", "even")
EXPECT = ("latest", "yesterday")
NOTIFY_KINDS = ("wecom", "dingtalk", "feishu")
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


@dataclass(frozen=True)
class Target:
    metric: str
    start: dt.date
    end: dt.date  # inclusive
    value: float
    split: str = "weekday"  # how a month/week target is spread over its days
    label: str = ""  # as written: 2026-12 or 2026-W49

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Notify:
    kind: str
    url_env: str
    secret_env: str = ""


@dataclass(frozen=True)
class DailyConfig:
    source: SourceSpec
    roles: dict[str, list[str]]
    targets: list[Target] = field(default_factory=list)
    expect: str = "latest"  # latest: the last day with data; yesterday: must have yesterday
    notify: Notify | None = None
    path: Path | None = None


def config_path(root: Path) -> Path:
    return Path(root) / CONFIG_NAME


def default_roles(data_file: Path) -> dict[str, list[str]]:
    data = load_yaml(data_file) or {}
    roles = data.get("roles") if isinstance(data, dict) else None
    if not isinstance(roles, dict):
        raise DataError(f"{data_file}: expected 'roles:' mapping role -> [metrics]")
    return {str(k): [str(m) for m in v or []] for k, v in roles.items()}


def load_daily_config(ws) -> DailyConfig:
    """The root's daily.yaml, validated against the metric tree; DataError names the field."""
    path = config_path(ws.config.root)
    if not path.exists():
        raise DataError(
            f"{path}: no daily.yaml: add one (see the README, section 每日复盘) to connect a source"
        )
    return parse_daily_config(load_yaml(path), ws, str(path))


def save_daily_text(ws, text: str, expected_sha: str | None) -> None:
    """Validate and save daily.yaml from the app: compare-and-swap under the content root's
    save lock (two people saving settings at once: one wins, the other gets ConflictError and
    keeps their text), atomic write, the old file kept on any failure."""
    from kb.documents import ConflictError, atomic_write, text_sha
    from kb.store import save_lock

    parse_daily_text(text, ws)
    path = config_path(ws.config.root)
    with save_lock(ws.config.root):
        current = text_sha(path.read_text(encoding="utf-8")) if path.exists() else None
        if current != expected_sha:
            raise ConflictError(f"{path}: changed since you opened it; your text was not saved")
        atomic_write(path, text)


def parse_daily_text(text: str, ws, where: str = CONFIG_NAME) -> DailyConfig:
    """Validate text typed in the app before it is saved."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise DataError(f"{where}:{line}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse_daily_config(data, ws, where)


def parse_daily_config(data: object, ws, where: str) -> DailyConfig:
    if not isinstance(data, dict):
        raise DataError(f"{where}: expected a mapping with source:, targets:, roles:")
    unknown = set(data) - {"source", "roles", "targets", "expect", "notify"}
    if unknown:
        raise DataError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    metrics = ws.metrics
    source = parse_source(data.get("source"), f"{where}: source")
    for name in source.measures:
        _metric(metrics, name, f"{where}: source.measures")
    roles = default_roles(ws.config.data_file("roles.yaml"))
    for role, names in (data.get("roles") or {}).items():
        if not isinstance(names, list):
            raise DataError(f"{where}: roles.{role}: expected a list of metrics")
        roles[str(role)] = [_metric(metrics, str(n), f"{where}: roles.{role}") for n in names]
    targets = [
        _target(raw, metrics, f"{where}: targets[{i}]")
        for i, raw in enumerate(data.get("targets") or [])
    ]
    expect = str(data.get("expect") or "latest")
    if expect not in EXPECT:
        raise DataError(f"{where}: expect must be one of {', '.join(EXPECT)}, not {expect!r}")
    return DailyConfig(
        source=source,
        roles=roles,
        targets=targets,
        expect=expect,
        notify=_notify(data.get("notify"), f"{where}: notify"),
        path=Path(where) if where.endswith(".yaml") else None,
    )


def _metric(metrics, name: str, where: str) -> str:
    resolved = metrics.resolve(name)
    if resolved is None:
        near = difflib.get_close_matches(name, list(metrics.all_words()), n=3)
        # Two swapped letters (GVM for GMV) beat a one-letter change (GPM): anagrams first.
        near.sort(key=lambda word: sorted(word.casefold()) != sorted(name.casefold()))
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise DataError(f"{where}: unknown metric {name!r}{hint}; see data/metrics.yaml")
    return resolved


def _target(raw: object, metrics, where: str) -> Target:
    if not isinstance(raw, dict) or "metric" not in raw or "value" not in raw:
        raise DataError(f"{where}: write {{metric: GMV, month: 2026-12, value: 3000000}}")
    name = _metric(metrics, str(raw["metric"]), where)
    try:
        value = float(raw["value"])
    except (TypeError, ValueError):
        raise DataError(f"{where}: value {raw['value']!r} is not a number") from None
    split = str(raw.get("split") or "weekday")
    if split not in SPLITS:
        raise DataError(f"{where}: split must be one of {', '.join(SPLITS)}")
    if "month" in raw:
        label = str(raw["month"])
        try:
            first = dt.date.fromisoformat(label + "-01")
        except ValueError:
            raise DataError(f"{where}: month {label!r} is not YYYY-MM") from None
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    elif "week" in raw:
        label = str(raw["week"])
        match = _WEEK.match(label)
        if not match:
            raise DataError(f"{where}: week {label!r} is not YYYY-Www (e.g. 2026-W49)")
        try:
            first = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise DataError(f"{where}: week {label!r} does not exist") from None
        last = first + dt.timedelta(days=6)
    else:
        raise DataError(f"{where}: give the period as month: YYYY-MM or week: YYYY-Www")
    return Target(name, first, last, value, split, label)


def _notify(raw: object, where: str) -> Notify | None:
    if raw in (None, {}):
        return None
    if not isinstance(raw, dict) or raw.get("kind") not in NOTIFY_KINDS or not raw.get("url_env"):
        raise DataError(
            f"{where}: write {{kind: wecom | dingtalk | feishu, url_env: NAME_OF_ENV_VAR, "
            "secret_env: NAME (dingtalk/feishu signing)}}"
        )
    return Notify(str(raw["kind"]), str(raw["url_env"]), str(raw.get("secret_env") or ""))
