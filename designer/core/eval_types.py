"""An evaluation as plain data: the jobs it sends to workers and the results that come back.

Everything here is JSON-able dataclasses (and picklable), because jobs cross process
boundaries (a local worker process, a Ray task on another machine) and results are written to
the run history and the reports. Nothing here touches sqlite, Qt or AutoGen.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

#: How one run of a cell ended, as a report reads it.
Status = Literal["passed", "failed", "error"]
ReplayChoice = Literal["strict", "reuse"]


@dataclass
class ToolFile:
    """A file of the team's ``tools/`` folder, sent to a worker that may not share this disk (the
    worker hashes what it writes: trust is checked on that, never on what a job says)."""

    path: str  # relative to the team file's folder, with '/' separators
    text: str


@dataclass
class EvalJob:
    """One run of one variant on one task: everything a worker needs, and nothing more."""

    index: int  # the job's place in the evaluation (stable: variants x tasks x repeats, in order)
    variant: str
    task_id: str
    repeat: int  # 0-based
    team_text: str  # the variant's team file as YAML (secrets are references)
    team_file: str | None  # where the team file is on the submitting machine (tools/ beside it)
    task: str  # the task text, placeholders filled in
    inputs: dict[str, str]
    checks: list[dict[str, Any]]  # CheckSpec dumps, defaults first
    models: list[str]  # the model ids the run (and its judges) use: concurrency caps count them
    judges: dict[str, dict[str, Any]] = field(default_factory=dict)  # model id -> ModelSpec dump
    model_override: str | None = None  # the variant's "every agent on this model"
    timeout: float = 600.0  # after this many seconds the run fails its cell (a hang guard)
    #: The calls of the recorded run this job replays (Call dicts), or None for a live run.
    replay_calls: list[dict[str, Any]] | None = None
    replay_mode: ReplayChoice | None = None
    replay_source: str | None = None  # the recorded run's id
    replay_seconds: float | None = None  # how long the recorded run took (what time checks read in a strict replay)
    #: The user's trust decisions: the keys of the trusted items (core.trust_items.CodeItem.key) and,
    #: for a worker that keeps the files elsewhere, the sha256 of every file the user trusted.
    trusted_keys: list[str] = field(default_factory=list)
    trusted_hashes: list[str] = field(default_factory=list)
    #: Trusted team content digests (local code execution), see core.trust.team_content_digest.
    trusted_teams: list[str] = field(default_factory=list)
    tool_files: list[ToolFile] = field(default_factory=list)  # filled only for workers on other machines
    remote: bool = False  # runs on a machine that may not share this one's disk, keyring or environment
    #: Secret values for ``env:`` references, sent only when the user asked (``--send-env``).
    env: dict[str, str] = field(default_factory=dict)

    @property
    def cell(self) -> tuple[str, str]:
        return self.variant, self.task_id


@dataclass
class CheckResult:
    label: str  # how reports name the check ('contains "12"')
    type: str
    passed: bool
    detail: str = ""  # why it failed (or the judge's reason); "" when it passed plainly
    score: float | None = None  # llm-rubric's score (0-1)


@dataclass
class JobResult:
    """What came back from one job: the run (as the history keeps it) and its checks."""

    index: int
    variant: str
    task_id: str
    repeat: int
    status: Status
    checks: list[CheckResult] = field(default_factory=list)
    #: Why the run could not be checked: it crashed, hung, or failed to start ("" otherwise).
    error: str = ""
    run_id: str = ""  # the run in the history ("" when it was not recorded)
    answer: str = ""  # the final answer the checks read
    reason: str = ""  # the run's finish reason
    messages: int = 0
    tokens: int = 0
    cost: float | None = None
    currency: str | None = None
    seconds: float = 0.0
    replayed_calls: int = 0
    live_calls: int = 0
    #: The run as a bundle's fields (core.run_bundle): StoredRun fields, events and calls. The
    #: submitting process writes it into its history and drops it from the result.
    record: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("record", None)
        return data


@dataclass
class CellSummary:
    """One variant on one task, over its repeats."""

    variant: str
    task_id: str
    threshold: float
    runs: list[JobResult] = field(default_factory=list)
    expected: int = 1  # repeats

    @property
    def done(self) -> int:
        return len(self.runs)

    @property
    def passes(self) -> int:
        return sum(r.passed for r in self.runs)

    @property
    def complete(self) -> bool:
        return self.done >= self.expected

    @property
    def rate(self) -> float:
        return self.passes / self.expected if self.expected else 0.0

    @property
    def passed(self) -> bool:
        """Whether the share of passing runs reaches the threshold (counting runs not made as failed)."""
        return self.complete and self.rate + 1e-9 >= self.threshold

    @property
    def tokens(self) -> int:
        return sum(r.tokens for r in self.runs)

    @property
    def cost(self) -> float | None:
        costs = [r.cost for r in self.runs]
        return None if not costs or any(c is None for c in costs) else sum(c for c in costs if c is not None)

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.runs)


@dataclass
class EvalSummary:
    """A whole evaluation: its cells (variant x task) as they fill in, and how it went."""

    name: str
    file: str  # the evaluation file (absolute)
    eval_id: str  # its id in the run history ("" when not recorded)
    variants: list[str]
    tasks: list[str]
    cells: dict[tuple[str, str], CellSummary]
    started_at: float = 0.0  # epoch seconds
    duration: float = 0.0
    backend: str = "local"
    workers: int = 1
    replay: str | None = None  # strict | reuse | None (live)
    stopped: bool = False  # the user stopped it: cells not run count as failed

    @property
    def results(self) -> list[JobResult]:
        return sorted((r for c in self.cells.values() for r in c.runs), key=lambda r: r.index)

    @property
    def total_runs(self) -> int:
        return sum(c.expected for c in self.cells.values())

    @property
    def done_runs(self) -> int:
        return sum(c.done for c in self.cells.values())

    def count(self, status: Status) -> int:
        return sum(r.status == status for c in self.cells.values() for r in c.runs)

    @property
    def passed(self) -> bool:
        """Every cell reached its threshold (what the CLI's exit code 0 means)."""
        return bool(self.cells) and all(c.passed for c in self.cells.values())

    @property
    def tokens(self) -> int:
        return sum(c.tokens for c in self.cells.values())

    @property
    def cost(self) -> float | None:
        costs = [c.cost for c in self.cells.values() if c.runs]
        return None if any(c is None for c in costs) else sum(c for c in costs if c is not None)

    @property
    def currency(self) -> str | None:
        return next((r.currency for r in self.results if r.currency), None)
