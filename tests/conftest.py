"""Shared fixtures. Factories own their cleanup; nothing waits on the wall clock."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEAMS = ROOT / "teams"
# Test-only tool modules (slow tools for cancellation tests): runs find them because the
# tests pass this folder as a tool folder (see fixture_tools); it stays importable too.
sys.path.insert(0, str(FIXTURES))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Models, secrets and servers: planted keys and the end-of-session leak scan, a temporary
# probe cache, a fake model server and the llama-cpp server (imported so pytest sees them).
from tests.model_fixtures import (  # noqa: E402,F401
    _secret_leak_guard,
    fake_model_server,
    llama_server,
    memory_keyring,
    no_keyring,
    probe_cache,
)


#: A stop (or a click) must end an interrupted call about 1 s after it is asked for; that figure is
#: measured by benchmarks/stop_latency.py. Tests only check the call was interrupted rather than
#: waited for (the calls they interrupt would take minutes), with room for a machine several
#: times slower than an idle one: they must never fail because the machine is busy.
STOP_BOUND_S = 10.0


def example_files() -> list[Path]:
    return sorted(TEAMS.glob("*.yaml"))


@pytest.fixture
def make_spec() -> Callable[[str], Any]:
    """Build a TeamSpec from YAML text (dedented); fails the test on any problem."""
    from designer.core.validate import validate_text

    def make(text: str, *, allow_warnings: bool = True) -> Any:
        result = validate_text(textwrap.dedent(text))
        errors = [p.format() for p in result.problems if p.is_error or not allow_warnings]
        assert result.spec is not None and not errors, errors
        return result.spec

    return make


def fixture_tools() -> dict[str, Any]:
    """TeamRun options that make tests/fixtures a trusted tool folder (test-only tool modules),
    and approve every code block (a test that asks about code passes code_approval itself)."""
    from designer.core.trust import TrustAll

    return {"tool_folders": [FIXTURES], "trust": TrustAll(), "code_approval": "approve"}


def collect_events(spec: Any, task: str = "the task", *, answers: list[str] | None = None,
                   control: Callable[[Any, Any], None] | None = None, **kwargs: Any) -> list[Any]:
    """Run a team to the end and return its events. ``answers`` reply to input requests in
    order; ``control(run, event)`` is called after each event (e.g. to stop the run).
    tests/fixtures is a trusted tool folder unless the test passes its own options."""
    from designer.runtime.runner import TeamRun

    for key, value in fixture_tools().items():
        kwargs.setdefault(key, value)

    async def go() -> list[Any]:
        run = TeamRun(spec, task, **kwargs)
        out = []
        pending = list(answers or [])
        async for event in run.events():
            out.append(event)
            if event.type == "input_requested" and pending:
                run.provide_input(pending.pop(0), event.request_id)
            if control is not None:
                control(run, event)
        return out

    return asyncio.run(go())


#: The detail shape() keeps of each event type (the attributes it reads).
_SHAPE_DETAIL: dict[str, Callable[[Any], Any]] = {
    "started": lambda e: e.pattern,
    "message": lambda e: (e.kind, e.content),
    "tool_call": lambda e: (e.name, e.arguments),
    "tool_result": lambda e: (e.name, e.content, e.is_error),
    "handoff": lambda e: e.target,
    "speaker_selected": lambda e: e.by,
    "input_requested": lambda e: e.prompt,
    "error": lambda e: e.kind,
    "finished": lambda e: e.reason,
}


def shape(events: list[Any], *, skip: tuple[str, ...] = ("chunk", "usage")) -> list[tuple[Any, ...]]:
    """A comparable summary of an event sequence: (type, agent, parent, key detail)."""
    out: list[tuple[Any, ...]] = []
    for e in events:
        if e.type in skip:
            continue
        detail = _SHAPE_DETAIL.get(e.type, lambda e: None)(e)
        out.append((e.type, e.agent, e.parent, detail))
    return out


# --- Qt: offscreen, isolated settings, factories that own their cleanup ---------------------


@pytest.fixture(scope="session", autouse=True)
def _isolated_qt_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Never read or write the user's real settings, recovery files or recent-file list."""
    from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    # One data folder (recovery files and their session locks) per test process: the suite's
    # worker processes run at once, and one's cleanup must not delete another's live lock.
    QCoreApplication.setOrganizationName(f"team-designer-tests-{os.getpid()}")
    folder = tmp_path_factory.mktemp("qsettings")
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(folder))
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    yield
    import shutil

    own = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation))
    shutil.rmtree(own / QCoreApplication.organizationName(), ignore_errors=True)


_CALL_FAILED = pytest.StashKey[bool]()
_LEAK_CHECK = pytest.StashKey[tuple[Any, Any]]()


@pytest.fixture(autouse=True)
def _leak_check(request: pytest.FixtureRequest) -> Iterator[None]:
    """A Qt test (one using qtbot) fails if it leaves top-level widgets or threads behind
    (napari's habit in its window fixture; see tests/leakcheck.py): this notes what exists
    before the test (autouse: before its other fixtures are set up), and the teardown hook
    below judges once everything is torn down. After every test, slow fixture tools that a
    stopped run abandoned (tests/fixtures/slowtools.py) wake up and end."""
    from tests.leakcheck import QtLeakCheck, slow_tools_wake

    wake = slow_tools_wake()
    wake.clear()
    if "qtbot" in request.fixturenames:
        qtbot = request.getfixturevalue("qtbot")  # and so the QApplication
        request.node.stash[_LEAK_CHECK] = (QtLeakCheck(), qtbot)
    yield
    wake.set()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report: pytest.TestReport = yield
    if report.when == "call" and report.failed:
        item.stash[_CALL_FAILED] = True
    return report


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """The leak check, outside every other teardown: after the fixtures, pytest-qt's closing
    of the test's widgets, and pytest dropping the log records it captured (a record's
    traceback holds the frames, and so the windows, of the code that logged it)."""
    check, qtbot = item.stash.get(_LEAK_CHECK, (None, None))
    try:
        result = yield
    except BaseException:
        if check is not None:
            check.clean_up()
        raise
    if check is None:
        return result
    if item.stash.get(_CALL_FAILED, False):
        check.clean_up()  # the failure is the news; leaks after it are expected
        return result
    leaks = check.leaks(qtbot)
    if leaks:
        pytest.fail("the test left behind:\n  " + "\n  ".join(leaks), pytrace=False)
    return result


@pytest.fixture
def make_controller(qtbot: Any) -> Callable[..., Any]:
    """A DocumentController holding the given spec (or a new team)."""
    from designer.ui.document.controller import DocumentController

    made: list[Any] = []

    def make(spec: Any = None, path: Path | None = None) -> Any:
        controller = DocumentController()
        if spec is not None:
            controller.set_design(spec, path)
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.deleteLater()
    made.clear()  # pytest keeps `make` (and so this list) until after the leak check


@pytest.fixture
def make_main_window(qtbot: Any) -> Callable[..., Any]:
    """A shown MainWindow; dialogs answered by the test (defaults: refuse/cancel). The test fails
    if the windows leave widgets or threads behind once closed (see _leak_check)."""
    from designer.ui.document.recovery import recovery_dir
    from designer.ui.main_window import MainWindow

    windows: list[Any] = []

    def make(path: str | Path | None = None, *, restore_settings: bool = False) -> Any:
        window = MainWindow(restore_settings=restore_settings)
        window.files.show_error = lambda title, text: window.errors.append(text)
        window.errors = []
        window.files.ask_save = lambda name: "discard"
        window.ask_restore = lambda recovery: False
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        if path is not None:
            assert window.open_file(str(path)), window.errors
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.runs.shutdown()
        window.files.discard_recovery()
    windows.clear()  # pytest keeps `make` (and so this list) until after the leak check
    for leftover in recovery_dir().glob("*"):
        leftover.unlink()
