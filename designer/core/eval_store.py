"""Evaluations in the run history: which runs an evaluation made, and what each one's checks said.

Every evaluated run is an ordinary run of the history (origin ``eval``), so it opens, compares,
exports and replays like any other. The ``evals`` and ``eval_runs`` tables (schema step 2 in
core/run_schema.py) add what ties them together: a replayed evaluation (``--replay strict``)
answers each of its runs from the run the last recorded evaluation of the same file made for
the same variant, task and repeat. Evaluations are kept per file (the last :data:`KEEP_EVALS`);
an older one goes with its runs, except the starred and renamed ones.
"""

from __future__ import annotations

import json
import time
from typing import Any, Sequence

from .eval_types import EvalSummary, JobResult
from .masking import redact, redact_data
from .run_data import StoredRun
from .run_schema import Call
from .run_store import RunStore, _delete, _guarded, insert_run

#: Evaluations kept per evaluation file (with their runs).
KEEP_EVALS = 10


class EvalStore:
    """The evaluation side of one RunStore (its connections, locks and errors)."""

    def __init__(self, store: RunStore) -> None:
        self.store = store

    @_guarded("cannot record the evaluation")
    def begin(self, eval_id: str, file: str, name: str, started_at: float | None = None) -> None:
        with self.store._transaction() as db:
            db.execute("INSERT INTO evals (id, file, name, started_at) VALUES (?, ?, ?, ?)",
                       (eval_id, file, name, started_at or time.time()))

    @_guarded("cannot record the evaluation's run")
    def add(self, eval_id: str, result: JobResult, run: StoredRun, calls: Sequence[Call], *,
            inputs: dict[str, Any] | None = None, settings: dict[str, Any] | None = None) -> None:
        """Keep one evaluated run (made by a worker, perhaps on another machine) and its checks, in
        one transaction (an evaluation writes hundreds)."""
        data = redact_data(result.to_dict())
        with self.store._transaction() as db:
            insert_run(db, run, calls, inputs=inputs, settings=settings)
            db.execute("INSERT OR REPLACE INTO eval_runs (eval_id, variant, task, rep, run_id, status, result) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (eval_id, result.variant, result.task_id, result.repeat, run.id, result.status,
                        redact(json.dumps(data, ensure_ascii=False))))

    @_guarded("cannot record the evaluation")
    def finish(self, summary: EvalSummary) -> int:
        """Write the evaluation's end, then drop the evaluations of its file past the last few; how many runs went."""
        brief = {"passed": summary.passed, "stopped": summary.stopped, "runs": summary.done_runs,
                 "total": summary.total_runs, "failed": summary.count("failed"), "errors": summary.count("error"),
                 "tokens": summary.tokens, "cost": summary.cost, "replay": summary.replay, "backend": summary.backend,
                 "workers": summary.workers, "variants": summary.variants, "tasks": summary.tasks}
        with self.store._transaction() as db:
            db.execute("UPDATE evals SET duration = ?, status = 'done', summary = ? WHERE id = ?",
                       (summary.duration, json.dumps(brief), summary.eval_id))
        return self._prune(summary.file)

    def _prune(self, file: str) -> int:
        # The runs a replay would answer from are kept, however many replays came after them.
        sources = set(self.recorded_runs(file).values())
        with self.store._read() as db:
            older = [r[0] for r in db.execute("SELECT id FROM evals WHERE file = ? ORDER BY started_at DESC", (file,))]
            old, doomed = [], []
            for eval_id in older[KEEP_EVALS:]:
                runs = [(r[0], bool(r[1])) for r in db.execute(
                    "SELECT r.id, r.starred = 0 AND r.title = '' FROM eval_runs e JOIN runs r ON r.id = e.run_id "
                    "WHERE e.eval_id = ?", (eval_id,))]
                if any(run_id in sources for run_id, _ in runs):
                    continue
                old.append(eval_id)
                doomed += [run_id for run_id, plain in runs if plain]
        if old:
            with self.store._transaction() as db:
                _delete(db, doomed)
                db.executemany("DELETE FROM eval_runs WHERE eval_id = ?", [(e,) for e in old])
                db.executemany("DELETE FROM evals WHERE id = ?", [(e,) for e in old])
        return len(doomed)

    @_guarded("cannot be read")
    def recorded_runs(self, file: str) -> dict[tuple[str, str, int], str]:
        """(variant, task, repeat) -> run id, from the last evaluation of ``file`` that made a live
        run for it that ended (passed or failed): the recording a replayed evaluation answers from.
        A replay's own runs never are: a replay that failed must not replace the golden recording."""
        out: dict[tuple[str, str, int], str] = {}
        with self.store._read() as db:
            rows = db.execute(
                "SELECT e.variant, e.task, e.rep, e.run_id FROM eval_runs e JOIN evals v ON v.id = e.eval_id "
                "JOIN runs r ON r.id = e.run_id WHERE v.file = ? AND r.origin = 'eval' AND r.parent IS NULL "
                "AND e.status != 'error' ORDER BY v.started_at DESC", (file,)).fetchall()
        for variant, task, rep, run_id in rows:
            out.setdefault((variant, task, int(rep)), run_id)
        return out
