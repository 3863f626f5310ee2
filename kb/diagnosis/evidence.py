"""Hypotheses tested against the data: the `evidence:` notation of data/problems.yaml.

A cause (or a whole problem type) may carry machine-checkable evidence. Every test passes,
fails or cannot be run with this file, and says why in one line drawn from the numbers:

    evidence:
      applies: [paid]                  # the changed segment must be of one of these classes
                                       # (data/dimensions.yaml); otherwise the cause is not
                                       # proposed (a budget cut needs a paid channel)
      data:                            # how metrics moved, and where
        - metric: UV                   # a metric of data/metrics.yaml
          in: {class: direct}          # all (default) | segment | rest | {class: X} | {dim: value}
          move: up                     # up | down | flat | bad | good, or a list of them
          pass: {zh: 流量流向了未知来源, en: "traffic moved to unknown sources"}
          fail: {zh: 流量没有流向未知来源, en: "traffic did not move to unknown sources"}
      shape: [step]                    # the change's shape (step | slide | spike); another clear
                                       # shape contradicts
      events: [budget, bid]            # a log entry of these kinds near the change, on the
                                       # changed segment or above it, supports; none is untested
      calendar: [campaign, holiday]    # a calendar entry (or a logged campaign) in the baseline or
                                       # current period supports; none contradicts
      mix: [转化率]                     # the ratio moved because the segment mix moved while each
                                       # segment's own rate held (kb.diagnosis.mix); rates that
                                       # moved inside the segments contradict

Verdict: any failed test -> contradicted (the first failure is the reason); else any passed
test -> supported; else untested. "数据支持" (supported) is only ever shown when a test passed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import pandas as pd

from kb.diagnosis.movements import Movement, compute_movements
from kb.diagnosis.shape import WORDS as SHAPE_WORDS
from kb.diagnosis.shape import Shape
from kb.problems import Text

MOVE_WORDS = ("up", "down", "flat", "bad", "good")
SHAPES = ("step", "slide", "spike")
EVENT_KINDS = (
    "budget", "bid", "price", "listing", "launch", "campaign", "release", "tracking",
    "platform-rule", "outside", "other", "holiday", "workday",
)  # fmt: skip
KEYS = ("applies", "data", "shape", "events", "calendar", "mix")
NEAR_BEFORE, NEAR_AFTER = 7, 1
LEAN_PCT = 5.0  # a non-significant move this large the expected way is "cannot tell", not "no"  # days around the change start an event may explain it
# ranking weight of a passed test, by kind
WEIGHTS = {"data": 0.5, "shape": 0.2, "events": 1.0, "calendar": 0.5, "applies": 0.1, "mix": 0.8}

VERB = {
    "up": Text("上升", "up"),
    "down": Text("下降", "down"),
    "flat": Text("持平", "flat"),
    "bad": Text("变差", "worse"),
    "good": Text("变好", "better"),
}
KIND_WORDS = {
    "budget": Text("预算", "budget"), "bid": Text("出价", "bid"), "price": Text("价格", "price"),
    "listing": Text("标题/主图/上下架", "listing"), "launch": Text("上新", "launch"),
    "campaign": Text("活动", "campaign"), "release": Text("发版", "release"),
    "tracking": Text("埋点/口径", "tracking"), "platform-rule": Text("平台规则", "platform rule"),
    "outside": Text("外部事件", "outside event"), "other": Text("其他", "other"),
    "holiday": Text("节假日", "holiday"), "workday": Text("调休", "make-up workday"),
}  # fmt: skip


# ---- the notation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    metric: str
    scope: object  # "all" | "segment" | "rest" | {"class": X} | {dim: value}
    moves: tuple[str, ...]
    passed: Text | None = None
    failed: Text | None = None


@dataclass(frozen=True)
class Spec:
    applies: tuple[str, ...] = ()
    data: tuple[Condition, ...] = ()
    shape: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    calendar: tuple[str, ...] = ()
    mix: tuple[str, ...] = ()


def _list(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def _text(value, where: str, errors: list[str]) -> Text | None:
    if value is None:
        return None
    if isinstance(value, dict) and value.get("zh"):
        return Text(str(value["zh"]), str(value.get("en", "")))
    errors.append(f"{where}: needs {{zh: …, en: …}}")
    return None


def parse_spec(raw, where: str, metrics=None, classes=None, dims=None) -> tuple[Spec, list[str]]:
    """The notation -> a Spec, with every problem found (for `kb check`)."""
    errors: list[str] = []
    if raw is None:
        return Spec(), errors
    if not isinstance(raw, dict):
        return Spec(), [f"{where}: evidence must be a mapping with {', '.join(KEYS)}"]
    for key in raw:
        if key not in KEYS:
            errors.append(f"{where}: unknown evidence key '{key}' (use {', '.join(KEYS)})")
    applies = _list(raw.get("applies"))
    if classes is not None:
        for c in applies:
            if c not in classes:
                errors.append(f"{where}: applies: unknown class '{c}' (data/dimensions.yaml)")
    conds = []
    for i, c in enumerate(raw.get("data") or [], 1):
        cw = f"{where}: data #{i}"
        if not isinstance(c, dict) or not c.get("metric"):
            errors.append(f"{cw}: needs 'metric' and 'move'")
            continue
        metric = str(c["metric"])
        if metrics is not None and metric not in metrics:
            errors.append(f"{cw}: unknown metric '{metric}'")
        moves = _list(c.get("move"))
        bad = [m for m in moves if m not in MOVE_WORDS]
        if not moves or bad:
            errors.append(f"{cw}: move must be one of {', '.join(MOVE_WORDS)}")
        scope = c.get("in", "all")
        if isinstance(scope, dict):
            if len(scope) != 1:
                errors.append(
                    f"{cw}: 'in' names one class or one dimension, e.g. {{class: direct}}"
                )
            else:
                ((k, v),) = scope.items()
                if k == "class" and classes is not None and str(v) not in classes:
                    errors.append(f"{cw}: unknown class '{v}' (data/dimensions.yaml)")
                elif k != "class" and dims is not None and k not in dims:
                    errors.append(f"{cw}: unknown dimension '{k}'")
            scope = {str(k): str(v) for k, v in scope.items()}
        elif scope not in ("all", "segment", "rest"):
            errors.append(
                f"{cw}: 'in' must be all | segment | rest | {{class: X}} | {{dim: value}}"
            )
        unknown = set(c) - {"metric", "in", "move", "pass", "fail"}
        if unknown:
            errors.append(f"{cw}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        conds.append(
            Condition(
                metric,
                scope,
                moves,
                _text(c.get("pass"), cw, errors),
                _text(c.get("fail"), cw, errors),
            )
        )
    shape = _list(raw.get("shape"))
    for s in shape:
        if s not in SHAPES:
            errors.append(f"{where}: shape must be one of {', '.join(SHAPES)}, not '{s}'")
    events, calendar = _list(raw.get("events")), _list(raw.get("calendar"))
    for k in (*events, *calendar):
        if k not in EVENT_KINDS:
            errors.append(f"{where}: unknown event kind '{k}' (use {', '.join(EVENT_KINDS)})")
    mix = _list(raw.get("mix"))
    for m in mix:
        if metrics is not None and m not in metrics:
            errors.append(f"{where}: mix: unknown metric '{m}'")
        elif metrics is not None and not metrics.metrics[m].is_ratio:
            errors.append(f"{where}: mix: '{m}' is not a ratio (mix needs a rate)")
    return Spec(applies, tuple(conds), shape, events, calendar, mix), errors


def check_taxonomy(taxonomy, metrics=None, vocab=None) -> list[str]:
    """Every evidence block of the taxonomy, validated (used by `kb check`)."""
    classes = vocab.class_names() if vocab is not None else None
    dims = set(vocab.dimensions) if vocab is not None else None
    errors: list[str] = []
    for p in taxonomy:
        where = f"data/problems.yaml: problem '{p.id}'"
        errors += parse_spec(p.evidence, f"{where} evidence", metrics, classes, dims)[1]
        for j, c in enumerate(p.causes, 1):
            errors += parse_spec(
                c.evidence, f"{where}: cause #{j} evidence", metrics, classes, dims
            )[1]
    return errors


# ---- evaluation -----------------------------------------------------------------------------


@dataclass
class Test:
    kind: str  # applies | data | shape | events | calendar
    result: str  # pass | fail | untested
    reason: Text
    weight: float = 0.0
    event: object | None = None  # the event that passed an events test
    data_needed: tuple[str, ...] = ()

    def to_json(self, lang: str = "zh") -> dict:
        return {"kind": self.kind, "result": self.result, "reason": self.reason.get(lang)}


@dataclass
class Verdict:
    verdict: str  # supported | contradicted | untested
    reason: Text
    tests: list[Test] = field(default_factory=list)
    applies: bool = True  # False: the cause does not fit the segment (not proposed)

    @property
    def strength(self) -> float:
        return sum(t.weight for t in self.tests if t.result == "pass")

    @property
    def events(self) -> list:
        return [t.event for t in self.tests if t.event is not None]


UNTESTED = Text(
    "没有可自动检验的证据: 按下面的检查步骤核实",
    "no automatic test for this cause: follow the check",
)


@dataclass
class Context:
    """What the tests look at: the file, the root-cause segment, the shape, the events."""

    table: object
    metrics: object
    comparison: object
    vocab: object
    moves: dict[str, Movement]
    segment: dict[str, str] = field(default_factory=dict)
    shape: Shape | None = None
    events: list | None = None  # log + calendar near the change (None: no journal available)
    period_events: list | None = None  # calendar + logged campaigns in baseline/current
    change_day: dt.date | None = None
    mix: list | None = None  # kb.diagnosis.mix effects found
    _cache: dict = field(default_factory=dict, repr=False)

    # -- scopes --
    def spell(self, dim: str, value) -> str:
        """A value as the file spells it (手淘推荐 stays 手淘推荐), for reasons people read."""
        table_label = getattr(self.table, "value_label", None)
        return str(table_label(dim, value)) if table_label else str(value)

    def segment_label(self) -> Text:
        vals = " / ".join(self.spell(d, v) for d, v in self.segment.items())
        return Text(vals, vals)

    def _mask(self, scope) -> tuple[pd.Series | None, Text, str]:
        """Rows of a scope, its label, and why it is empty (None mask = untestable)."""
        frame = self.table.frame
        if scope == "all":
            return pd.Series(True, index=frame.index), Text("全店", "whole file"), ""
        if scope in ("segment", "rest"):
            if not self.segment:
                return None, Text("", ""), "no-segment"
            mask = pd.Series(True, index=frame.index)
            for dim, value in self.segment.items():
                mask &= frame[dim] == value
            seg = self.segment_label()
            if scope == "segment":
                return mask, seg, ""
            return ~mask, Text(f"{seg.zh} 以外", f"outside {seg.en}"), ""
        ((key, value),) = scope.items()
        if key == "class":
            dims = list(self.segment) + [d for d in self.table.dimensions if d not in self.segment]
            for dim in dims:
                if dim not in self.table.dimensions or self.vocab is None:
                    continue
                d = self.vocab.get(dim)
                if d is None or not d.classes:
                    continue
                present = sorted(frame[dim].dropna().unique())
                values = d.values_with(value, present)
                if values:
                    shown = [self.spell(dim, v) for v in values]
                    return frame[dim].isin(values), Text("、".join(shown), ", ".join(shown)), ""
            return None, Text(value, value), f"no-class:{value}"
        if key not in self.table.dimensions:
            return None, Text(value, value), f"no-dim:{key}"
        return frame[key] == value, Text(value, value), ""

    def moves_in(self, scope) -> tuple[dict[str, Movement] | None, Text, str]:
        if scope == "all":
            return self.moves, Text("全店", "whole file"), ""
        key = repr(scope)
        if key not in self._cache:
            mask, label, why = self._mask(scope)
            if mask is None or not mask.any():
                self._cache[key] = (None, label, why or "empty")
            else:
                sub = replace(self.table, frame=self.table.frame[mask])
                self._cache[key] = (
                    compute_movements(sub, self.metrics, self.comparison),
                    label,
                    "",
                )
        return self._cache[key]


def _pct(m: Movement) -> str:
    if m.change_pct is None or not math.isfinite(m.change_pct):
        return f"{m.current:.4g} vs {m.baseline:.4g}"
    return f"{m.change_pct:+.1f} %".replace("-", "−")


def _matches(m: Movement, moves: tuple[str, ...]) -> bool:
    for want in moves:
        if want == "bad" and m.bad:
            return True
        if want == "good" and m.direction == m.better:
            return True
        if want == m.direction:
            return True
    return False


def _within_noise(m: Movement, moves: tuple[str, ...]) -> bool:
    """A 'flat' movement that still leans the expected way by more than 5 %."""
    if m.direction != "flat" or m.change_pct is None or not math.isfinite(m.change_pct):
        return False
    lean = "up" if m.change_pct > 0 else "down"
    wanted = {lean} | ({"bad"} if lean != m.better else {"good"})
    return abs(m.change_pct) >= LEAN_PCT and bool(wanted & set(moves))


def _metric_label(ctx: Context, name: str) -> Text:
    m = ctx.metrics.metrics.get(name)
    return Text(m.zh, m.en) if m else Text(name, name)


def _data_test(ctx: Context, c: Condition) -> Test:
    moves, label, why = ctx.moves_in(c.scope)
    ml = _metric_label(ctx, c.metric)
    if moves is None:
        if why.startswith("no-class:"):
            cls = why.split(":", 1)[1]
            reason = Text(f"文件里没有 {cls} 类的维度值, 无法检验", f"no {cls} values in the file")
        elif why == "no-segment":
            reason = Text("变化没有集中在某个细分, 无法检验", "the change is not in one segment")
        else:
            reason = Text(f"文件里没有 {label.zh}", f"{label.en} is not in the file")
        return Test("data", "untested", reason)
    m = moves.get(c.metric)
    if m is None:
        from kb.diagnosis.match import needed_inputs

        need = tuple(needed_inputs(ctx.metrics, c.metric))
        return Test(
            "data",
            "untested",
            Text(
                f"文件里没有 {ml.zh} (需要 {', '.join(need)})",
                f"no {ml.en} in the file (needs {', '.join(need)})",
            ),
            data_needed=need,
        )
    ok = _matches(m, c.moves)
    head = Text(f"{label.zh} {ml.zh} {_pct(m)}", f"{label.en} {ml.en} {_pct(m)}")
    if not ok and _within_noise(m, c.moves):
        # moved the expected way, but not beyond this segment's usual noise: no verdict
        return Test(
            "data",
            "untested",
            Text(f"{head.zh}: 在正常波动内, 无法判断", f"{head.en}: within normal variation"),
        )
    tail = c.passed if ok else c.failed
    if tail is None:
        want_zh = "或".join(VERB[w].zh for w in c.moves)
        want_en = " or ".join(VERB[w].en for w in c.moves)
        tail = (
            Text(f"符合预期 ({want_zh})", f"as expected ({want_en})")
            if ok
            else Text(
                f"预期{want_zh}, 实际{VERB.get(m.direction, VERB['flat']).zh}",
                f"expected {want_en}, was {VERB.get(m.direction, VERB['flat']).en}",
            )
        )
    reason = Text(f"{head.zh}: {tail.zh}", f"{head.en}: {tail.en or tail.zh}")
    return Test("data", "pass" if ok else "fail", reason, WEIGHTS["data"] if ok else 0.0)


def _shape_test(ctx: Context, want: tuple[str, ...]) -> Test:
    s = ctx.shape
    if s is None or s.kind not in SHAPES:
        word = SHAPE_WORDS.get(s.kind if s else "unclear", SHAPE_WORDS["unclear"])
        return Test("shape", "untested", Text(f"变化形态: {word.zh}", f"shape: {word.en}"))
    said = s.sentence()
    if s.kind in want:
        return Test(
            "shape",
            "pass",
            Text(f"{said.zh}: 符合此原因", f"{said.en}: fits this cause"),
            WEIGHTS["shape"],
        )
    zh = "或".join(SHAPE_WORDS[w].zh for w in want)
    en = " or ".join(SHAPE_WORDS[w].en for w in want)
    return Test(
        "shape",
        "fail",
        Text(f"{said.zh}: 此原因通常表现为{zh}", f"{said.en}: this cause usually shows as {en}"),
    )


def _event_line(e) -> Text:
    seg = " / ".join(e.segment.values()) if e.segment else ""
    src = Text("运营日志", "action log") if e.source == "log" else Text("日历", "calendar")
    when = e.day.strftime("%m-%d")
    d = e.days_from
    rel = (
        Text(f"变化前 {-d} 天", f"{-d} day(s) before the change")
        if d < 0
        else Text("变化当天", "on the day of the change")
        if d == 0
        else Text(f"变化后 {d} 天", f"{d} day(s) after the change")
    )
    seg_zh = f" {seg}" if seg else ""
    return Text(
        f"{src.zh} {when}{seg_zh}: {e.title.zh} ({rel.zh})",
        f"{src.en} {when}{' ' + seg if seg else ''}: {e.title.en or e.title.zh} ({rel.en})",
    )


RELEVANT = ("same", "parent", "child", "global")
CHILD_DAYS = 2
MATCH_WEIGHT = {"same": 1.5, "parent": 1.2, "global": 1.0, "child": 0.6, "unknown": 0.6}


def relation(e, dims=None) -> str:
    """The event's relation to the changed segment; "unknown" when the file cannot say (the
    event is on a channel and the file has no channel column)."""
    if dims is not None and any(d not in dims for d in e.segment):
        return "unknown"
    return e.segment_match


def relevant(e, segment: dict | None = None, dims=None) -> bool:
    """Near the change, on the changed segment or above it. An action on a part of it counts
    only when the change sits in one segment and the action is close: an action on 抖音 cannot
    explain a drop spread over the whole shop. An action on a dimension the file lacks is not
    evidence either way (listed as a lead that cannot be tested)."""
    if not -NEAR_BEFORE <= e.days_from <= NEAR_AFTER:
        return False
    rel = relation(e, dims)
    if rel not in RELEVANT:
        return False
    if rel == "child":
        return bool(segment) and e.days_from >= -CHILD_DAYS
    return True


def _event_weight(e, dims=None) -> float:
    """An action on the changed segment the day before weighs most; far, later or partial,
    less (something logged after the change rarely caused it)."""
    w = WEIGHTS["events"] * MATCH_WEIGHT.get(relation(e, dims), 0.0)
    if e.source != "log":
        w *= 0.5
    if e.days_from > 0:
        w *= 0.3
    return w / (1 + 0.1 * abs(e.days_from))


def _events_test(ctx: Context, kinds: tuple[str, ...]) -> Test:
    if ctx.events is None:
        return Test("events", "untested", Text("没有运营日志可查", "no action log to look at"))
    dims = ctx.table.dimensions
    hits = [e for e in ctx.events if e.kind in kinds and relevant(e, ctx.segment, dims)]
    if hits:
        best = max(hits, key=lambda e: _event_weight(e, dims))
        return Test("events", "pass", _event_line(best), _event_weight(best, dims), event=best)
    names = Text(
        "、".join(KIND_WORDS[k].zh for k in kinds), ", ".join(KIND_WORDS[k].en for k in kinds)
    )
    return Test(
        "events",
        "untested",
        Text(
            f"运营日志里变化前后没有 {names.zh} 记录",
            f"no {names.en} entry near the change in the log",
        ),
    )


def _calendar_test(ctx: Context, kinds: tuple[str, ...]) -> Test:
    if ctx.period_events is None:
        return Test("calendar", "untested", Text("没有日历可查", "no calendar to look at"))
    hits = [e for e in ctx.period_events if e.kind in kinds]
    if hits:
        e = hits[0]
        end = f"~{e.end:%m-%d}" if e.end and e.end != e.day else ""
        return Test(
            "calendar",
            "pass",
            Text(
                f"比较期内有 {e.title.zh} ({e.day:%m-%d}{end})",
                f"the compared periods hold {e.title.en or e.title.zh} ({e.day:%m-%d}{end})",
            ),
            WEIGHTS["calendar"],
            event=e,
        )
    names = Text(
        "、".join(KIND_WORDS[k].zh for k in kinds), ", ".join(KIND_WORDS[k].en for k in kinds)
    )
    b, c = ctx.comparison.baseline, ctx.comparison.current
    return Test(
        "calendar",
        "fail",
        Text(
            f"基线期 {b.label} 和当前期 {c.label} 都没有{names.zh}",
            f"neither the baseline {b.label} nor the current period {c.label} holds a {names.en}",
        ),
    )


CLASS_WORDS = {
    "free": Text("免费", "free"), "paid": Text("付费", "paid"), "search": Text("搜索", "search"),
    "recommendation": Text("推荐", "recommendation"), "content": Text("内容", "content"),
    "live": Text("直播", "live"), "private-domain": Text("私域", "private-domain"),
    "direct": Text("直接访问", "direct"), "external": Text("站外", "external"),
    "affiliate": Text("淘客", "affiliate"), "campaign": Text("活动", "campaign"),
}  # fmt: skip


def _classes(names) -> Text:
    words = [CLASS_WORDS.get(c, Text(c, c)) for c in names]
    return Text("/".join(w.zh for w in words), "/".join(w.en for w in words))


def _applies_test(ctx: Context, classes: tuple[str, ...]) -> Test:
    if not ctx.segment or ctx.vocab is None:
        return Test(
            "applies",
            "untested",
            Text("变化没有集中在某个细分", "the change is not in one segment"),
        )
    for dim, raw in ctx.segment.items():
        have = ctx.vocab.classes_of(dim, raw)
        if have is None:
            continue
        value = ctx.spell(dim, raw)
        have_w, want_w = _classes(have), _classes(classes)
        if any(c in have for c in classes):
            return Test(
                "applies",
                "pass",
                Text(f"{value} 属于{have_w.zh}渠道", f"{value} is {have_w.en}"),
                WEIGHTS["applies"],
            )
        return Test(
            "applies",
            "fail",
            Text(
                f"{value} 是{have_w.zh}渠道, 不是{want_w.zh}渠道",
                f"{value} is {have_w.en}, not {want_w.en}",
            ),
        )
    seg = "/".join(ctx.segment.values())
    return Test(
        "applies",
        "untested",
        Text(
            f"{seg} 没有在 dimensions.yaml 里登记类别", f"{seg} has no classes in dimensions.yaml"
        ),
    )


def _mix_test(ctx: Context, metric: str) -> Test:
    ml = _metric_label(ctx, metric)
    m = ctx.moves.get(metric)
    if m is None or ctx.mix is None or not ctx.table.dimensions:
        return Test(
            "mix", "untested", Text(f"无法拆分 {ml.zh} 的结构", f"cannot split {ml.en} by segment")
        )
    if m.direction == "flat":
        return Test("mix", "untested", Text(f"{ml.zh} 没有明显变化", f"{ml.en} did not move"))
    for eff in ctx.mix:
        if eff.metric == metric:
            return Test("mix", "pass", eff.sentence(), WEIGHTS["mix"])
    return Test(
        "mix",
        "fail",
        Text(
            f"{ml.zh} {_pct(m)}: 各细分自己的{ml.zh}也变了, 不只是结构变化",
            f"{ml.en} {_pct(m)}: the segments' own rates moved, not only the mix",
        ),
    )


def evaluate(spec: Spec, ctx: Context, own: tuple[str, ...] = ()) -> Verdict:
    """Run every test of a spec; contradictions win, then passes, else untested.

    ``own``: the metrics of the problem type's signature; a whole-file test on one of them
    restates the pattern that matched (退款率 rose in "退款率上升") and is no evidence."""
    if own:
        data = tuple(c for c in spec.data if not (c.scope == "all" and c.metric in own))
        spec = replace(spec, data=data)
    tests: list[Test] = []
    applies = True
    if spec.applies:
        t = _applies_test(ctx, spec.applies)
        applies = t.result != "fail"
        tests.append(t)
    tests += [_data_test(ctx, c) for c in spec.data]
    if spec.shape:
        tests.append(_shape_test(ctx, spec.shape))
    if spec.events:
        tests.append(_events_test(ctx, spec.events))
    if spec.calendar:
        tests.append(_calendar_test(ctx, spec.calendar))
    tests += [_mix_test(ctx, m) for m in spec.mix]
    # the numbers first: a data test's reason says more than a class or a shape
    fails = sorted((t for t in tests if t.result == "fail"), key=lambda t: t.kind != "data")
    passes = sorted((t for t in tests if t.result == "pass"), key=lambda t: -t.weight)
    if fails:
        return Verdict("contradicted", fails[0].reason, tests, applies)
    if passes:
        return Verdict("supported", passes[0].reason, tests, applies)
    reason = next((t.reason for t in tests), UNTESTED)
    return Verdict("untested", reason, tests, applies)


def evaluate_raw(raw, ctx: Context, own: tuple[str, ...] = ()) -> Verdict:
    spec, _ = parse_spec(raw, "evidence")
    return evaluate(spec, ctx, own)
