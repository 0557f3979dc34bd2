"""The window's one run history, opened on first use and shared by every part that needs it.

A store that cannot be opened (damaged, from a newer version, unreadable) must not stop the
app: :func:`window_store` returns None, runs go unrecorded, and :func:`store_problem` says
why, for the History panel to show in place of its list. The failure is remembered, so the
file is not retried on every run; :func:`reset_store` forgets it (the panel's Try again, a
test pointing the data folder elsewhere).
"""

from __future__ import annotations

import threading

from ...core.run_store import RunStore, StoreError, default_store_path

#: After the path of the file: what the user can do about it (the store's message says what is wrong).
MOVE_AWAY_HINT = "Move the file away (or delete it) to start a new history, then choose Try again."

_lock = threading.Lock()
_store: RunStore | None = None
_problem = ""
_tried = False


def window_store() -> RunStore | None:
    """The run history, opened on the first call; None when it cannot be used (see store_problem)."""
    global _store, _problem, _tried
    with _lock:
        if not _tried:
            _tried = True
            try:
                _store = RunStore()
            except StoreError as exc:
                _store, _problem = None, f"{exc}.\n{MOVE_AWAY_HINT}"
        return _store


def store_problem() -> str:
    """Why the run history cannot be used ("" when it can, or was not opened yet)."""
    return _problem


def store_path() -> str:
    """Where the run history lives (or would), for messages."""
    return str(_store.path if _store is not None else default_store_path())


def reset_store() -> None:
    """Close and forget the store (and its problem): the next window_store() opens it afresh."""
    global _store, _problem, _tried
    with _lock:
        if _store is not None:
            _store.close()
        _store, _problem, _tried = None, "", False
