"""The run history's sqlite schema, its migrations, and the rows it is made of.

``PRAGMA user_version`` is the schema's version; :data:`MIGRATIONS` lists, in order, the
statements that take a store from one version to the next (the first creates it). A new
version appends a step here and raises :data:`SCHEMA_VERSION`; never edit a step that shipped.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Sequence

from .masking import redact

SCHEMA_VERSION = 2
#: Version n-1 -> n, one list of statements per step (the first creates the store).
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE runs (
            id TEXT PRIMARY KEY, team TEXT NOT NULL, team_path TEXT, snapshot TEXT NOT NULL,
            task TEXT NOT NULL, inputs TEXT NOT NULL DEFAULT '{}', settings TEXT NOT NULL DEFAULT '{}',
            started_at REAL NOT NULL, status TEXT NOT NULL DEFAULT 'running',
            reason TEXT NOT NULL DEFAULT 'running', detail TEXT NOT NULL DEFAULT '',
            messages INTEGER NOT NULL DEFAULT 0, prompt_tokens INTEGER NOT NULL DEFAULT 0,
            completion_tokens INTEGER NOT NULL DEFAULT 0, duration REAL NOT NULL DEFAULT 0,
            cost REAL, currency TEXT, saved_tokens INTEGER NOT NULL DEFAULT 0, saved_cost REAL,
            cost_by_agent TEXT NOT NULL DEFAULT '{}', tokens_by_agent TEXT NOT NULL DEFAULT '{}',
            title TEXT NOT NULL DEFAULT '', starred INTEGER NOT NULL DEFAULT 0,
            origin TEXT NOT NULL DEFAULT 'run', parent TEXT, changes TEXT NOT NULL DEFAULT '',
            pid INTEGER, host TEXT)""",
        "CREATE INDEX runs_by_team ON runs (team_path, started_at DESC)",
        "CREATE INDEX runs_by_time ON runs (started_at DESC)",
        "CREATE TABLE events (run_id TEXT NOT NULL, n INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (run_id, n)) WITHOUT ROWID",
        """CREATE TABLE calls (run_id TEXT NOT NULL, n INTEGER NOT NULL, agent TEXT NOT NULL, kind TEXT NOT NULL,
            key TEXT NOT NULL, request TEXT NOT NULL, response TEXT NOT NULL, PRIMARY KEY (run_id, n)) WITHOUT ROWID""",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ],
    [  # 2: evaluations (core/eval_store.py): which runs each made, for its matrix and its replay
        """CREATE TABLE evals (id TEXT PRIMARY KEY, file TEXT NOT NULL, name TEXT NOT NULL, started_at REAL NOT NULL,
            duration REAL NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'running', summary TEXT NOT NULL DEFAULT '{}')""",
        "CREATE INDEX evals_by_file ON evals (file, started_at DESC)",
        """CREATE TABLE eval_runs (eval_id TEXT NOT NULL, variant TEXT NOT NULL, task TEXT NOT NULL, rep INTEGER NOT NULL,
            run_id TEXT NOT NULL, status TEXT NOT NULL, result TEXT NOT NULL, PRIMARY KEY (eval_id, variant, task, rep))
            WITHOUT ROWID""",
        "CREATE INDEX eval_runs_by_run ON eval_runs (run_id)",
    ],
]
assert len(MIGRATIONS) == SCHEMA_VERSION

class StoreError(Exception):
    """The run history cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Call:
    """One recorded model call or tool result of a run (``kind`` "model", "tool" or "input")."""

    n: int
    agent: str
    kind: str
    key: str
    request: dict[str, Any]
    response: Any


def plain_error(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return "the file is damaged (not a readable sqlite database)"
    if "readonly" in text or "read-only" in text:
        return "the file is read-only"
    if "full" in text:
        return "the disk is full"
    if "locked" in text:
        return "another program holds it locked"
    return text


def insert_events(db: sqlite3.Connection, run_id: str, start: int, events: Sequence[dict[str, Any] | str]) -> None:
    """Events as dicts, or as their JSON text already."""
    db.executemany("INSERT INTO events (run_id, n, data) VALUES (?, ?, ?)",
                   [(run_id, start + i, e if isinstance(e, str) else json.dumps(e, ensure_ascii=False))
                    for i, e in enumerate(events)])


def insert_calls(db: sqlite3.Connection, run_id: str, calls: Sequence[Call]) -> None:
    db.executemany(
        "INSERT INTO calls (run_id, n, agent, kind, key, request, response) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(run_id, c.n, c.agent, c.kind, c.key, redact(json.dumps(c.request, ensure_ascii=False)),
          redact(json.dumps(c.response, ensure_ascii=False))) for c in calls],
    )
