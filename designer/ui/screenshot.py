"""``python -m designer screenshot TEAM.yaml OUT.png [--run TASK]``: the real window, rendered offscreen."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any


def _wait(app: object, condition: object, timeout_s: float) -> bool:
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            return False
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)
    return True


def _evaluate(app: object, window: Any, eval_file: str, width: int, height: int) -> Any:
    """Run ▸ Evaluate… with ``eval_file``, run to its end: the Evaluate window, or None."""
    target = window.evaluations.open()
    target.resize(width, height)
    if not target.load_file(eval_file) or not target.can_run:
        print(f"error: {eval_file} cannot be evaluated here (its problems show in the window)", file=sys.stderr)
        return None
    if not target.run_side.run():
        return None
    if not _wait(app, lambda: not target.run_side.running, 1800):
        target.run_side.stop()
        _wait(app, lambda: not target.run_side.running, 5)
    return target


def screenshot_command(args: argparse.Namespace) -> int:
    # Offscreen unless the caller chose a platform: the command must work on a headless machine.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QStandardPaths

    from .app import make_application
    from .main_window import MainWindow
    from .theme import theme_manager

    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        print(f"error: --size expects WIDTHxHEIGHT, got {args.size!r}", file=sys.stderr)
        return 2
    # Screenshots must not depend on (or change) the user's settings, recent files or recovery.
    QStandardPaths.setTestModeEnabled(True)
    app = make_application()
    theme_manager(app).set_choice(getattr(args, "theme", "light"), remember=False)
    window = MainWindow(restore_settings=False)
    window.files.show_error = lambda title, text: print(f"error: {text}", file=sys.stderr)
    # Headless: nobody can answer the trust question, so untrusted code never runs from here.
    window.preparation.ask = lambda items: print("error: --run needs code that is not trusted yet; run it once in the "
                                                 "window or with `run --trust` first", file=sys.stderr) or False
    window.resize(width, height)
    if not window.open_file(args.team) and not window.views.repairing:  # a broken file: shoot the repair view
        return 2
    window.show()
    _wait(app, lambda: window.isVisible(), 5)
    if args.run:
        if window.controller.errors:
            print("error: the team has problems; fix them before running", file=sys.stderr)
            return 2
        if not window.start_run(args.run, model_override="embedded"):
            return 2
        if not _wait(app, lambda: not window.runs.running, 900):
            window.runs.stop()
            _wait(app, lambda: not window.runs.running, 5)
    participants = window.controller.spec.participants()
    if participants:  # show an agent in the editor panel rather than an empty form
        window.controller.select_agents([participants[0]])
    window.canvas.fit_all()
    if getattr(args, "view", "design") == "yaml" and window.views.editing:
        window.views.show_yaml()
    target: Any = window
    if getattr(args, "compare", None):
        target = window.compare_runs(*args.compare)  # a store problem or an unknown run is printed
        if target is None:
            return 2
        target.resize(width, height)
    elif getattr(args, "eval", None):
        target = _evaluate(app, window, args.eval, width, height)
        if target is None:
            return 2
    elif getattr(args, "history", False):
        window.window_actions["history"].trigger()
        window.history_panel.table.selectRow(0)  # the newest run, read in the panel
    _wait(app, lambda: False, 0.3)  # let layouts and the transcript settle
    image = target.grab()
    ok = image.save(args.out)
    window.files.discard_recovery()
    window.runs.shutdown()
    if not ok:
        print(f"error: cannot write {args.out}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({image.width()}x{image.height()})")
    return 0
