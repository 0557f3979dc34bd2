"""The run history: every run's team snapshot, events and recording, in one sqlite file.

* stdlib ``sqlite3`` in WAL mode: the window's History panel reads while a run writes, and
  several processes (the window, a CLI run) may write one after another (``busy_timeout``).
* The schema's version is ``PRAGMA user_version``; :data:`MIGRATIONS` lists, in order, the
  statements that take a store from one version to the next. A store from a newer version
  is refused with a clear message rather than misread.
* A run is written as it goes, in batches (:class:`RunWriter`), and marked ``running`` until
  its end. A process that dies mid-run leaves it ``running``: the next open marks it
  ``interrupted`` (its pid is gone). sqlite's journal keeps the file itself consistent.
* Events are stored as the JSON dicts they already are; the recording of model calls and tool
  results as JSON too (never pickles: a shared recording must not run code when read).
* Nothing secret is written: events arrive masked, and every text passes :func:`redact`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import socket
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence, TypeVar

from .masking import redact, redact_data
from .paths import data_dir
from .run_data import StoredRun
from .run_schema import MIGRATIONS, SCHEMA_VERSION, Call, StoreError, insert_calls, insert_events, plain_error
from .run_writer import RunWriter

__all__ = ["SCHEMA_VERSION", "Call", "RunStore", "RunWriter", "StoreError", "default_store_path"]

log = logging.getLogger(__name__)
_F = TypeVar("_F", bound=Callable[..., Any])

STORE_NAME = "runs.sqlite3"
#: The columns a list shows: never the snapshot, events or recording (the list scales with rows shown).
_LIST_COLUMNS = (
    "id, team, team_path, task, started_at, reason, detail, messages, prompt_tokens, completion_tokens, duration, "
    "cost, currency, saved_tokens, saved_cost, title, starred, origin, parent, changes, cost_by_agent, tokens_by_agent"
)
#: Store-wide settings (the window and the CLI share them): recording on/off and retention.
DEFAULT_SETTINGS = {"record": "on", "keep_runs": "200", "keep_days": "0"}


def default_store_path() -> Path:
    return data_dir() / STORE_NAME


def _guarded(what: str) -> Callable[[_F], _F]:
    """sqlite's errors (a page damaged after the open, a full disk, a lock held too long) as a
    StoreError saying what could not be done: callers show one line, never a traceback."""

    def wrap(method: _F) -> _F:
        @functools.wraps(method)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except sqlite3.Error as exc:
                raise StoreError(f"the run history {what}: {plain_error(exc)}") from None

        return guarded  # type: ignore[return-value]

    return wrap


class RunStore:
    """One open run history, safe to share between threads. Writes go through one connection
    (one writer at a time, each in a short transaction); reads through another, so a window's
    History panel never waits behind a run's writes (WAL lets readers read while one writes)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self._lock = threading.RLock()
        self._read_lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"the run history {self.path} cannot be opened: {exc}") from None
        try:
            self._open_retrying()
            self._reader = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(f"the run history {self.path} cannot be used: {plain_error(exc)}") from None

    def _open_retrying(self) -> None:
        # Two programs creating the file at once (the window and a CLI run on a first start):
        # switching to WAL takes a lock the busy timeout does not wait for. The loser waits its turn.
        for attempt in range(40):
            try:
                self._open()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 39:
                    raise
                time.sleep(0.05 + 0.01 * attempt)

    def _open(self) -> None:
        db = self._db
        self._check_version(db.execute("PRAGMA user_version").fetchone()[0])
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints, never corrupt
        if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            with self._transaction():
                version = db.execute("PRAGMA user_version").fetchone()[0]  # again, under the write lock
                self._check_version(version)
                for step in MIGRATIONS[version:]:
                    for statement in step:
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._mark_interrupted()

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            self._db.close()
            raise StoreError(
                f"the run history {self.path} was written by a newer Team Designer (schema {version}, this one "
                f"reads up to {SCHEMA_VERSION}); update Team Designer, or move the file away to start a new history"
            )

    def close(self) -> None:
        with self._lock, self._read_lock:
            self._db.close()
            self._reader.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    class _Tx:
        def __init__(self, store: RunStore) -> None:
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            self.store._lock.acquire()
            try:
                self.store._db.execute("BEGIN IMMEDIATE")
            except BaseException:  # locked too long, closed: the lock must not stay taken
                self.store._lock.release()
                raise
            return self.store._db

        def __exit__(self, kind: object, *rest: object) -> None:
            try:
                self.store._db.execute("ROLLBACK" if kind else "COMMIT")
            finally:
                self.store._lock.release()

    def _transaction(self) -> RunStore._Tx:
        return RunStore._Tx(self)

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._read_lock:
            yield self._reader

    def _mark_interrupted(self) -> None:
        """Runs left ``running`` by a process that is gone (a crash, a kill) end as interrupted."""
        from .safefile import pid_alive

        host = socket.gethostname()
        rows = self._db.execute("SELECT id, pid, host FROM runs WHERE status = 'running'").fetchall()
        dead = [r[0] for r in rows if r[2] != host or r[1] is None or not pid_alive(int(r[1]))]
        if dead:
            with self._transaction() as db:
                db.executemany(
                    "UPDATE runs SET status = 'done', reason = 'interrupted', "
                    "detail = 'the program running it ended before the run did' WHERE id = ?",
                    [(run_id,) for run_id in dead],
                )

    # --- settings --------------------------------------------------------------------

    @_guarded("cannot be read")
    def setting(self, key: str) -> str:
        with self._read() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else DEFAULT_SETTINGS[key]

    @_guarded("cannot keep the setting")
    def set_setting(self, key: str, value: str) -> None:
        if key not in DEFAULT_SETTINGS:
            raise KeyError(key)
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @property
    def recording(self) -> bool:
        return self.setting("record") != "off"

    # --- reading -----------------------------------------------------------------------

    @_guarded("cannot be read")
    def count(self, team_path: str | None = None) -> int:
        where, args = _team_filter(team_path)
        with self._read() as db:
            return int(db.execute(f"SELECT COUNT(*) FROM runs {where}", args).fetchone()[0])

    @_guarded("cannot be read")
    def list_runs(self, team_path: str | None = None, *, limit: int = 100, offset: int = 0) -> list[StoredRun]:
        """Newest first, without snapshots or events (see :meth:`load`)."""
        where, args = _team_filter(team_path)
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_LIST_COLUMNS} FROM runs {where} ORDER BY started_at DESC LIMIT ? OFFSET ?",
                (*args, limit, offset),
            ).fetchall()
        return [_row(r) for r in rows]

    @_guarded("cannot be read")
    def resolve(self, ref: str) -> str:
        """The full id of a run from an unambiguous prefix (like git); StoreError otherwise."""
        ref = ref.strip().lower()
        if not ref or any(c not in "0123456789abcdef" for c in ref):
            raise StoreError(f"{ref!r} is not a run id (run ids are hex, like 3f9a2c1; see 'runs list')")
        with self._read() as db:
            rows = [r[0] for r in db.execute("SELECT id FROM runs WHERE id >= ? AND id < ? LIMIT 3", (ref, ref + "g"))]
        if ref in rows:  # a whole id wins over the longer ids it starts
            return ref
        if not rows:
            raise StoreError(f"no run {ref!r} in the history (see 'runs list')")
        if len(rows) > 1:
            raise StoreError(f"run id {ref!r} is ambiguous: it starts {', '.join(r[:10] for r in rows)}…; give more characters")
        return str(rows[0])

    @_guarded("cannot be read")
    def load(self, ref: str, *, events: bool = True) -> StoredRun:
        run_id = self.resolve(ref)
        with self._read() as db:
            row = db.execute(f"SELECT {_LIST_COLUMNS}, snapshot, settings, inputs FROM runs WHERE id = ?",
                             (run_id,)).fetchone()
            run = _row(row[:-3])
            run.snapshot = row[-3]
            run.overrides = _overrides(row[-2])
            run.inputs = _inputs(row[-1])
            if events:
                run.events = [json.loads(d) for (d,) in db.execute(
                    "SELECT data FROM events WHERE run_id = ? ORDER BY n", (run_id,))]
        return run

    @_guarded("cannot be read")
    def calls(self, ref: str) -> list[Call]:
        run_id = self.resolve(ref)
        with self._read() as db:
            rows = db.execute(
                "SELECT n, agent, kind, key, request, response FROM calls WHERE run_id = ? ORDER BY n", (run_id,)
            ).fetchall()
        return [Call(n, agent, kind, key, json.loads(req), json.loads(resp)) for n, agent, kind, key, req, resp in rows]

    @_guarded("cannot be read")
    def previous(self, team_path: str | None, before: float) -> StoredRun | None:
        """The run of the same team file just before ``before`` (with its snapshot)."""
        if team_path is None:
            return None
        with self._read() as db:
            row = db.execute(
                "SELECT id FROM runs WHERE team_path = ? AND started_at < ? ORDER BY started_at DESC LIMIT 1",
                (team_path, before),
            ).fetchone()
        return self.load(row[0], events=False) if row else None

    # --- changing ----------------------------------------------------------------------

    def rename(self, ref: str, title: str) -> None:
        self._update(ref, "title = ?", title.strip())

    def star(self, ref: str, starred: bool = True) -> None:
        self._update(ref, "starred = ?", int(starred))

    @_guarded("cannot be changed")
    def _update(self, ref: str, assignment: str, value: object) -> None:
        run_id = self.resolve(ref)
        with self._transaction() as db:
            db.execute(f"UPDATE runs SET {assignment} WHERE id = ?", (value, run_id))

    @_guarded("cannot be changed")
    def delete(self, refs: Sequence[str]) -> list[str]:
        ids = [self.resolve(ref) for ref in refs]  # all resolved first: a bad one deletes nothing
        with self._transaction() as db:
            _delete(db, ids)
        return ids

    @_guarded("cannot be pruned")
    def apply_retention(self, team_path: str | None = None, *, every_team: bool = False, now: float | None = None) -> int:
        """Delete what the retention settings say to, never a starred, renamed or unfinished run; how many
        went. The run count is kept per team file (``team_path``; None: the runs of unsaved
        designs), or for each team file at once with ``every_team``. An evaluation's runs do not count
        here (one evaluation may make hundreds): they go with their evaluation (core/eval_store.py)."""
        keep_runs, keep_days = int(self.setting("keep_runs") or 0), float(self.setting("keep_days") or 0)
        doomed: set[str] = set()
        with self._read() as db:
            if keep_runs > 0:
                scope, args = ("", ()) if every_team else ("AND team_path IS ?", (team_path,))
                doomed.update(r[0] for r in db.execute(
                    "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY team_path ORDER BY started_at DESC) AS n "
                    "FROM runs WHERE starred = 0 AND title = '' AND status = 'done' AND origin != 'eval' "
                    f"{scope}) WHERE n > ?", (*args, keep_runs)))
            if keep_days > 0:
                cutoff = (now or time.time()) - keep_days * 86400
                doomed.update(r[0] for r in db.execute(
                    "SELECT id FROM runs WHERE starred = 0 AND title = '' AND status = 'done' AND started_at < ?", (cutoff,)))
        if doomed:
            with self._transaction() as db:
                _delete(db, sorted(doomed))
        return len(doomed)

    @_guarded("cannot record this run")
    def begin(self, run: StoredRun, *, inputs: dict[str, str] | None = None, settings: dict[str, Any] | None = None) -> RunWriter:
        """Start recording ``run`` (its id, team, snapshot, task, started_at, origin, parent)."""
        previous = self.previous(run.team_path, run.started_at)
        if previous is not None and not run.changes:
            from .team_diff import change_summary

            try:
                run.changes = change_summary(previous.snapshot, run.snapshot)
            except Exception:  # a summary is a courtesy: an odd old snapshot must not stop a run
                log.debug("no change summary for run %s", run.id, exc_info=True)
        with self._transaction() as db:
            db.execute(
                "INSERT INTO runs (id, team, team_path, snapshot, task, inputs, settings, started_at, origin, parent, "
                "changes, pid, host) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run.id, run.team, run.team_path, redact(run.snapshot), redact(run.task),
                 json.dumps(redact_data(inputs or {})), json.dumps(redact_data(settings or {})), run.started_at,
                 run.origin, run.parent, run.changes, os.getpid(), socket.gethostname()),
            )
        return RunWriter(self, run.id, run.team_path)

    @_guarded("cannot take the run")
    def import_run(self, run: StoredRun, calls: Sequence[Call]) -> None:
        """Add a finished run (from a bundle) as it is; never over a run already kept."""
        with self._read() as db:
            if db.execute("SELECT 1 FROM runs WHERE id = ?", (run.id,)).fetchone():
                raise StoreError(f"run {run.short_id} is already in the history (delete it there first to import "
                                 "this file again)")
        with self._transaction() as db:
            insert_run(db, run, calls)


def insert_run(db: sqlite3.Connection, run: StoredRun, calls: Sequence[Call], *, inputs: dict[str, Any] | None = None,
               settings: dict[str, Any] | None = None) -> None:
    """A finished run, its events and its calls, in the caller's transaction."""
    db.execute(
        "INSERT INTO runs (id, team, team_path, snapshot, task, started_at, status, reason, detail, "
        "messages, prompt_tokens, completion_tokens, duration, cost, currency, saved_tokens, saved_cost, "
        "cost_by_agent, tokens_by_agent, title, starred, origin, parent, changes, settings, inputs) "
        "VALUES (?, ?, ?, ?, ?, ?, 'done', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (run.id, run.team, run.team_path, redact(run.snapshot), redact(run.task), run.started_at, run.reason,
         run.detail, run.messages, run.prompt_tokens, run.completion_tokens, run.duration, run.cost,
         run.currency, run.saved_tokens, run.saved_cost, json.dumps(run.cost_by_agent),
         json.dumps(run.tokens_by_agent), run.title, int(run.starred), run.origin, run.parent, run.changes,
         json.dumps(redact_data({**(settings or {}), "overrides": run.overrides})), json.dumps(redact_data(inputs or {}))),
    )
    insert_events(db, run.id, 0, run.events)
    insert_calls(db, run.id, calls)


def _overrides(settings: str | None) -> dict[str, Any]:
    data = json.loads(settings) if settings else {}
    found = data.get("overrides", {}) if isinstance(data, dict) else {}
    return dict(found) if isinstance(found, dict) else {}


def _team_filter(team_path: str | None) -> tuple[str, tuple[Any, ...]]:
    return ("WHERE team_path = ?", (team_path,)) if team_path is not None else ("", ())


def _delete(db: sqlite3.Connection, ids: Sequence[str]) -> None:
    rows = [(i,) for i in ids]
    for table, column in (("events", "run_id"), ("calls", "run_id"), ("eval_runs", "run_id"), ("runs", "id")):
        db.executemany(f"DELETE FROM {table} WHERE {column} = ?", rows)


def _inputs(text: str | None) -> dict[str, str]:
    """A run's recorded input values; a damaged or odd entry reads as none."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _row(r: Sequence[Any]) -> StoredRun:
    (run_id, team, team_path, task, started_at, reason, detail, messages, prompt, completion, duration, cost, currency,
     saved_tokens, saved_cost, title, starred, origin, parent, changes, cost_by_agent, tokens_by_agent) = r
    return StoredRun(
        id=run_id, team=team, team_path=team_path, snapshot="", task=task, started_at=started_at, reason=reason,
        detail=detail, messages=messages, prompt_tokens=prompt, completion_tokens=completion, duration=duration,
        cost=cost, currency=currency, saved_tokens=saved_tokens, saved_cost=saved_cost, title=title,
        starred=bool(starred), origin=origin, parent=parent, changes=changes,
        cost_by_agent=json.loads(cost_by_agent), tokens_by_agent=json.loads(tokens_by_agent),
    )
