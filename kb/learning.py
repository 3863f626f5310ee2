"""The new-hire learning path (data/learning.yaml) and practice drills (data/drills.yaml).

The path is an ordered list of weeks, each with steps that link glossary terms, playbooks,
problem types (read the problem and its cases) and drills. A drill shows what moved in the
numbers and asks which problem type it is; `grade` says whether the pick was right and why.
Every link is validated, so a renamed playbook or problem id shows up in `kb check`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from kb.config import REPO_ROOT
from kb.problems import Taxonomy, Text
from kb.yamlfile import DataError, load_yaml

LEARNING_FILE = "learning.yaml"
DRILLS_FILE = "drills.yaml"
SAMPLES_DIR = REPO_ROOT / "samples"
MIN_OPTIONS, MAX_OPTIONS = 3, 4


@dataclass(frozen=True)
class Drill:
    id: str
    title: Text
    scenario: Text
    question: Text
    options: tuple[str, ...]  # problem ids
    answer: str  # one of the options
    explanation: Text
    checks: Text
    sample: str | None = None  # a bundled sample name (samples/<name>.csv)


@dataclass(frozen=True)
class Step:
    id: str
    title: Text
    why: Text
    glossary: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # read the problem and the cases linked to it
    drills: tuple[str, ...] = ()


@dataclass(frozen=True)
class Week:
    id: str
    title: Text
    goal: Text
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class LearningPath:
    weeks: tuple[Week, ...]

    def steps(self) -> Iterator[Step]:
        for week in self.weeks:
            yield from week.steps

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps() if s.id == step_id), None)


def grade(drill: Drill, chosen_problem_id: str) -> tuple[bool, Text]:
    """Whether the learner's pick is right, with the drill's explanation (right or wrong).

    A pick that is not one of the drill's options is a caller error, not a wrong answer.
    """
    if chosen_problem_id not in drill.options:
        raise ValueError(
            f"drill '{drill.id}': '{chosen_problem_id}' is not one of its options {list(drill.options)}"
        )
    return chosen_problem_id == drill.answer, drill.explanation


# ---- parsing ---------------------------------------------------------------------------------


def _text(raw: object, where: str, errors: list[str]) -> Text:
    if isinstance(raw, dict) and raw.get("zh"):
        return Text(str(raw["zh"]), str(raw.get("en") or ""))
    errors.append(f"{where}: needs a text with 'zh' (and 'en')")
    return Text("", "")


def _ids(raw: object, where: str, errors: list[str]) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errors.append(f"{where}: must be a list, e.g. [a, b]")
        return ()
    return tuple(str(v) for v in raw if v is not None)


def parse_drills(
    data: object,
    taxonomy: Taxonomy | None = None,
    samples: Collection[str] | None = None,
    source: str = DRILLS_FILE,
) -> dict[str, Drill]:
    """Validated drills by id; `samples` = known sample names (None: not checked)."""
    if not isinstance(data, dict) or not isinstance(data.get("drills"), list):
        raise DataError(f"{source}: expected a top-level 'drills:' list")
    errors: list[str] = []
    drills: dict[str, Drill] = {}
    for i, raw in enumerate(data["drills"], 1):
        did = str(raw.get("id") or "") if isinstance(raw, dict) else ""
        if not did:
            errors.append(f"{source}: drill #{i}: missing 'id'")
            continue
        where = f"{source}: drill '{did}'"
        if did in drills:
            errors.append(f"{where}: duplicate id")
            continue
        options = _ids(raw.get("options"), f"{where}: options", errors)
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            errors.append(f"{where}: needs {MIN_OPTIONS}-{MAX_OPTIONS} options, has {len(options)}")
        if len(set(options)) != len(options):
            errors.append(f"{where}: options repeat a problem id")
        answer = str(raw.get("answer") or "")
        if answer not in options:
            errors.append(f"{where}: answer '{answer}' is not one of the options")
        if taxonomy is not None:
            for pid in options:
                if pid not in taxonomy:
                    errors.append(f"{where}: option '{pid}' is not a problem id in the taxonomy")
        sample = raw.get("sample")
        if sample is not None:
            sample = str(sample)
            if samples is not None and sample not in samples:
                errors.append(f"{where}: sample '{sample}' is not one of {sorted(samples)}")
        drills[did] = Drill(
            id=did,
            title=_text(raw.get("title"), f"{where}: title", errors),
            scenario=_text(raw.get("scenario"), f"{where}: scenario", errors),
            question=_text(raw.get("question"), f"{where}: question", errors),
            options=options,
            answer=answer,
            explanation=_text(raw.get("explanation"), f"{where}: explanation", errors),
            checks=_text(raw.get("checks"), f"{where}: checks", errors),
            sample=sample,
        )
    if errors:
        raise DataError("\n".join(errors))
    return drills


def parse_learning(
    data: object,
    glossary=None,
    drills: Collection[str] | None = None,
    taxonomy: Taxonomy | None = None,
    doc_ids: Collection[str] | None = None,
    source: str = LEARNING_FILE,
) -> LearningPath:
    """Validated learning path. Each reference kind is checked when its known set is given:
    `glossary` (a Glossary or a set of terms), `drills` (drill ids), `taxonomy`, `doc_ids`.
    """
    if not isinstance(data, dict) or not isinstance(data.get("weeks"), list):
        raise DataError(f"{source}: expected a top-level 'weeks:' list")
    errors: list[str] = []
    weeks: list[Week] = []
    step_ids: set[str] = set()

    def check(where: str, kind: str, refs: tuple[str, ...], known) -> None:
        if known is None:
            return
        for ref in refs:
            if ref not in known:
                errors.append(f"{where}: {kind} '{ref}' does not exist")

    for wi, rw in enumerate(data["weeks"], 1):
        if not isinstance(rw, dict):
            errors.append(f"{source}: week #{wi}: must be a mapping with id, title, steps")
            continue
        wid = str(rw.get("id") or f"#{wi}")
        wwhere = f"{source}: week '{wid}'"
        steps: list[Step] = []
        raw_steps = rw.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            errors.append(f"{wwhere}: needs a non-empty 'steps' list")
            raw_steps = []
        for si, rs in enumerate(raw_steps, 1):
            sid = str(rs.get("id") or "") if isinstance(rs, dict) else ""
            if not sid:
                errors.append(f"{wwhere}: step #{si}: missing 'id'")
                continue
            where = f"{source}: step '{sid}'"
            if sid in step_ids:
                errors.append(f"{where}: duplicate step id")
            step_ids.add(sid)
            step = Step(
                id=sid,
                title=_text(rs.get("title"), f"{where}: title", errors),
                why=_text(rs.get("why"), f"{where}: why", errors),
                glossary=_ids(rs.get("glossary"), f"{where}: glossary", errors),
                docs=_ids(rs.get("docs"), f"{where}: docs", errors),
                problems=_ids(rs.get("problems"), f"{where}: problems", errors),
                drills=_ids(rs.get("drills"), f"{where}: drills", errors),
            )
            check(where, "glossary term", step.glossary, glossary)
            check(where, "document", step.docs, doc_ids)
            check(where, "problem id", step.problems, taxonomy)
            check(where, "drill", step.drills, drills)
            steps.append(step)
        weeks.append(
            Week(
                id=wid,
                title=_text(rw.get("title"), f"{wwhere}: title", errors),
                goal=_text(rw.get("goal"), f"{wwhere}: goal", errors),
                steps=tuple(steps),
            )
        )
    if errors:
        raise DataError("\n".join(errors))
    return LearningPath(tuple(weeks))


# ---- loading ---------------------------------------------------------------------------------


def bundled_samples(folder: Path = SAMPLES_DIR) -> set[str] | None:
    """Names of the sample CSVs shipped with the app; None while there are none to check."""
    names = {p.stem for p in Path(folder).glob("*.csv")} if Path(folder).is_dir() else set()
    return names or None


def load_drills(
    path: Path, taxonomy: Taxonomy | None = None, samples: Collection[str] | None = None
) -> dict[str, Drill]:
    return parse_drills(load_yaml(Path(path)), taxonomy, samples, source=str(path))


def load_learning(
    path: Path,
    glossary=None,
    drills: Collection[str] | None = None,
    taxonomy: Taxonomy | None = None,
    doc_ids: Collection[str] | None = None,
) -> LearningPath:
    return parse_learning(load_yaml(Path(path)), glossary, drills, taxonomy, doc_ids, str(path))


def drills_for_problem(drills: dict[str, Drill], problem_id: str) -> list[Drill]:
    """Drills whose answer is this problem type: 'practise it' on the problem page."""
    return [d for d in drills.values() if d.answer == problem_id]


def workspace_drills(ws) -> dict[str, Drill]:
    """The drills of a Workspace's content root, validated against its taxonomy."""
    return load_drills(ws.config.data_file(DRILLS_FILE), ws.taxonomy, bundled_samples())


def workspace_learning(ws, drills: Collection[str] | None = None) -> LearningPath:
    """The learning path of a Workspace, its glossary, drill and problem links validated.

    Document links are not checked here (the page shows which documents exist); `kb check`
    does that.
    """
    from kb.glossary import workspace_glossary

    known = set(drills) if drills is not None else set(workspace_drills(ws))
    return load_learning(
        ws.config.data_file(LEARNING_FILE), workspace_glossary(ws), known, ws.taxonomy
    )


def check_workspace(ws, doc_ids: set[str]) -> list[str]:
    """`kb check` hook: errors in drills.yaml and learning.yaml as lines."""
    from kb.glossary import loaded, workspace_glossary

    taxonomy = loaded(ws, "taxonomy")
    errors: list[str] = []
    drills: dict[str, Drill] | None = None
    drills_path = ws.config.data_file(DRILLS_FILE)
    if drills_path.exists():
        try:
            drills = load_drills(drills_path, taxonomy, bundled_samples())
        except DataError as exc:
            errors += str(exc).splitlines()
    learning_path = ws.config.data_file(LEARNING_FILE)
    if learning_path.exists():
        try:
            glossary = workspace_glossary(ws)
        except DataError:
            glossary = None  # reported by the glossary's own check
        # The bundled path links the bundled playbooks; a content root that borrows the bundled
        # data/ has its own documents, so only a root's own learning.yaml is held to its docs.
        own = learning_path.resolve().is_relative_to(ws.config.root.resolve())
        try:
            load_learning(learning_path, glossary, drills, taxonomy, doc_ids if own else None)
        except DataError as exc:
            errors += str(exc).splitlines()
    return errors
