"""Leak checks: planted keys found in written files, and Qt widgets and threads left behind.

The suite plants fake keys where real ones live (environment variables, the keyring),
runs, and at the end scans every file it wrote: a planted key in any of them is a leak.
After each Qt test, QtLeakCheck names the top-level widgets and threads it left behind.
"""

from __future__ import annotations

import gc
import os
import secrets
import sys
import threading
import types
import weakref
from pathlib import Path
from typing import Any, ClassVar, Iterable

from keyring.backend import KeyringBackend

#: Unique per session, so a hit can only come from this run. Long and distinctive, so a
#: scan never matches by accident; 'planted' makes a hit obvious to whoever reads the failure.
PLANTED_OPENAI = f"sk-planted-openai-{secrets.token_hex(16)}"
PLANTED_ANTHROPIC = f"sk-ant-planted-{secrets.token_hex(16)}"
PLANTED_KEYRING = f"sk-planted-keyring-{secrets.token_hex(16)}"
#: Keys tests type into the GUI or put in OAI_CONFIG_LIST files (see typed_key()).
_TYPED: list[str] = []

SKIP_DIRS = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules", "team_designer.egg-info"}
MAX_FILE_BYTES = 50_000_000


def typed_key(label: str) -> str:
    """A fresh fake key for a test to type or import; the end-of-session scan looks for it too."""
    key = f"sk-planted-{label}-{secrets.token_hex(16)}"
    _TYPED.append(key)
    return key


def planted_keys() -> list[str]:
    return [PLANTED_OPENAI, PLANTED_ANTHROPIC, PLANTED_KEYRING, *_TYPED]


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in this process only: tests never touch the user's real keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def _files(root: Path, since: float | None) -> Iterable[Path]:
    if root.is_file():
        yield root
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in files:
            path = Path(folder) / name
            try:
                stat = path.lstat()
            except OSError:
                continue
            if not path.is_file() or path.is_symlink() or stat.st_size > MAX_FILE_BYTES:
                continue
            if since is None or stat.st_mtime >= since:
                yield path


def scan_for_secrets(roots: Iterable[Path], keys: Iterable[str], *, since: float | None = None) -> list[tuple[Path, str]]:
    """(file, which key) for every file under ``roots`` holding a key (or its distinctive tail).

    ``since`` limits the scan to files modified at or after that time (shared folders)."""
    needles = []
    for key in keys:
        needles.append((key, key.encode()))
        needles.append((key, key[-16:].encode()))  # an echo that kept only the end
    hits: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for root in roots:
        if not root.exists():
            continue
        for path in _files(root, since):
            if path in seen:
                continue
            seen.add(path)
            try:
                data = path.read_bytes()
            except OSError:
                continue
            for key, needle in needles:
                if needle in data:
                    hits.append((path, key[:14] + "…"))
                    break
    return hits


# --- Qt: top-level widgets and threads a test leaves behind ---------------------------------
# napari's habit (its make_napari_viewer fixture): note the top-level widgets before a test,
# and after it fail if new ones are still there. Here threads count too: a test ends with
# everything it started ended. Qt is imported inside the functions, so the unit tests that use
# this module's key helpers never load it.

def slow_tools_wake() -> threading.Event:
    """The event that ends every sleeping tests/fixtures/slowtools.slow_sync call (the same
    lookup as there: one event per process, in a module of its own)."""
    holder = sys.modules.setdefault("_slow_tools_wake", types.ModuleType("_slow_tools_wake"))
    event: threading.Event = holder.__dict__.setdefault("event", threading.Event())
    return event


#: How long the check waits for threads to end before it calls them leaked: a generous bound,
#: never a speed requirement (a stopped run ends in about a second; see STOP_BOUND_S).
THREAD_WAIT_MS = 15_000


def _python_threads() -> set[threading.Thread]:
    # A _DummyThread stands for a thread Python did not start (a QThread that called into
    # Python): it never ends in threading's eyes, so QThreads are watched as such instead.
    return {t for t in threading.enumerate() if t.is_alive() and type(t).__name__ != "_DummyThread"}


def _running_qthreads() -> list[Any]:
    from PySide6.QtCore import QCoreApplication, QThread
    from shiboken6 import isValid

    main = QCoreApplication.instance().thread()
    return [o for o in gc.get_objects() if isinstance(o, QThread) and isValid(o) and o is not main and o.isRunning()]


def _describe_widget(widget: Any) -> str:
    name = f" {widget.objectName()!r}" if widget.objectName() else ""
    title = f" titled {widget.windowTitle()!r}" if widget.windowTitle() else ""
    return f"{type(widget).__module__}.{type(widget).__qualname__}{name}{title} ({'visible' if widget.isVisible() else 'hidden'})"


def _describe_thread(thread: threading.Thread) -> str:
    target = getattr(thread, "_target", None)  # what it runs, if Python started it
    runs = f" running {getattr(target, '__qualname__', target)!r}" if target is not None else ""
    return f"thread {thread.name!r}{runs}{' (daemon)' if thread.daemon else ''}"


def _flush_deletes() -> None:
    """Delete what deleteLater() scheduled (pytest-qt closes a test's widgets that way), and
    what only reference cycles kept: the verdict must not depend on when gc last ran."""
    from PySide6.QtCore import QCoreApplication, QEvent

    for collect in (False, True, False):  # a deletion can schedule more, and so can a collection
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()
        if collect:
            gc.collect()


class QtLeakCheck:
    """What a test leaves behind: top-level widgets still there, threads still running.

    Made before the test (it notes what already exists); :meth:`leaks` after it waits for
    the test's threads to end, deletes what was closed, and names whatever is left."""

    #: QThreads already reported, so one leaked thread fails one test, not every later one.
    _reported: ClassVar[weakref.WeakSet[Any]] = weakref.WeakSet()

    def __init__(self) -> None:
        from PySide6.QtWidgets import QApplication

        self.widgets = set(QApplication.topLevelWidgets())
        self.threads = _python_threads()

    def _new_threads(self) -> set[threading.Thread]:
        return _python_threads() - self.threads

    def leaks(self, qtbot: Any) -> list[str]:
        from PySide6.QtWidgets import QApplication
        from pytestqt.exceptions import TimeoutError as WaitTimeout
        from shiboken6 import isValid

        qthreads = [t for t in _running_qthreads() if t not in self._reported]
        try:
            qtbot.waitUntil(lambda: not self._new_threads() and not any(t.isRunning() for t in qthreads), timeout=THREAD_WAIT_MS)
        except WaitTimeout:
            pass  # named below
        found = [f"{_describe_thread(t)}, still running {THREAD_WAIT_MS // 1000} s after the test" for t in self._new_threads()]
        for thread in qthreads:
            if isValid(thread) and thread.isRunning():
                self._reported.add(thread)
                found.append(f"QThread {thread.objectName()!r}, still running {THREAD_WAIT_MS // 1000} s after the test")
        _flush_deletes()
        widgets = [w for w in QApplication.topLevelWidgets() if w not in self.widgets and isValid(w)]
        found += [f"top-level widget {_describe_widget(w)}, not deleted" for w in widgets]
        if widgets:  # the next test starts clean
            for widget in widgets:
                widget.close()
                widget.deleteLater()
            _flush_deletes()
        return sorted(found)

    def clean_up(self) -> None:
        """After a failed test: delete its widgets without judging (the failure says enough)."""
        from PySide6.QtWidgets import QApplication

        _flush_deletes()
        for widget in set(QApplication.topLevelWidgets()) - self.widgets:
            widget.close()
            widget.deleteLater()
        _flush_deletes()
