"""Opening the History panel: 2,000 stored runs of the open team vs 20.

Two run histories are made once, in temp folders: the same recorded run of a scripted team
imported N times (other ids, other start times), 2,000 in one, 20 in the other. Each sample
is a fresh process (ABBA order) that opens a shown window on the team file with its data
folder pointed at one history, then times Run ▸ Run History (Ctrl+Shift+H): from the action
to the panel's list showing rows and painted, the store's first open included. Prints the
medians and the median of the pairwise ratios 2,000/20. Target <= 2x: the panel reads what it
shows (a page), not what is stored.

Usage: .venv/bin/python benchmarks/history_open.py [--runs N] [--many N] [--few N]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TARGET = 2.0
TEAM = """\
schema: team-designer/v1
name: History bench
task: Write a haiku about rain.
default_model: s
models:
  s: {provider: scripted, responses: ["Grey clouds gather low", "Drops on the tin roof", "The garden drinks deep"]}
agents:
  poet: {system_message: You write haiku.}
  critic: {system_message: You critique haiku.}
orchestration: {pattern: round_robin, participants: [poet, critic]}
termination: {max_messages: 4}
"""

CHILD = """
import os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, {repo!r})
from PySide6.QtCore import QEventLoop, QStandardPaths
from PySide6.QtWidgets import QApplication
from designer.ui.app import make_application
from designer.ui.main_window import MainWindow

def settle(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)

make_application()
QStandardPaths.setTestModeEnabled(True)
window = MainWindow(restore_settings=False)
window.resize(1400, 900)
window.show()
window.files.open({team!r})
window.preload()
settle(1.5)
panel = window.history_panel
painted = []
view = panel.table.viewport()
from PySide6.QtCore import QObject, QEvent
class Watch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and panel.model.rowCount() > 0:
            painted.append(time.perf_counter())
        return False
watch = Watch()
view.installEventFilter(watch)
start = time.perf_counter()
window.window_actions["history"].trigger()
deadline = time.monotonic() + 60
while not painted and time.monotonic() < deadline:
    QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
if not painted:
    raise SystemExit("the History panel never showed a row")
print(f"{{(painted[0] - start) * 1000:.3f}} {{panel.model.rowCount()}}")
"""


def make_history(folder: Path, team: Path, count: int) -> None:
    from designer.core.run_store import RunStore
    from designer.core.validate import validate_file
    from designer.runtime.runner import TeamRun

    async def one() -> str:
        run = TeamRun(validate_file(team).spec, "Write a haiku about rain.", store=store, team_file=team)
        async for _event in run.events():
            pass
        return run.recorded_id

    with RunStore(folder / "runs.sqlite3") as store:
        run_id = asyncio.run(one())
        run, calls = store.load(run_id), store.calls(run_id)
        now = time.time()
        for i in range(count - 1):
            copy = dataclasses.replace(run, id=f"{i:06x}" + run.id[6:], started_at=now - 60 * (i + 1),
                                       title=f"variant {i}")
            store.import_run(copy, calls)
        assert store.count(str(team.resolve())) == count


def sample(data: Path, team: Path) -> tuple[float, int]:
    env = {**os.environ, "TEAM_DESIGNER_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen"}
    code = CHILD.format(repo=str(REPO), team=str(team))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    if done.returncode != 0:
        raise SystemExit(f"the window process failed:\n{done.stderr[-3000:]}")
    ms, rows = done.stdout.split()[-2:]
    return float(ms), int(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=8, help="alternating pairs of window processes (default 8)")
    parser.add_argument("--many", type=int, default=2000)
    parser.add_argument("--few", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="td-history-bench-") as folder:
        tmp = Path(folder)
        team = tmp / "team.yaml"
        team.write_text(TEAM, encoding="utf-8")
        many, few = tmp / "many", tmp / "few"
        make_history(many, team, args.many)
        make_history(few, team, args.few)
        t_many: list[float] = []
        t_few: list[float] = []
        shown = {}
        for i in range(args.runs):
            order = [(many, t_many), (few, t_few)] if i % 2 == 0 else [(few, t_few), (many, t_many)]
            for data, times in order:
                ms, rows = sample(data, team)
                times.append(ms)
                shown[data.name] = rows
        ratios = [a / b for a, b in zip(t_many, t_few, strict=True)]
    print(f"Run History opened on a team with {args.many} vs {args.few} stored runs (fresh window processes)")
    print(f"  {args.many:5d} runs: median {statistics.median(t_many):.1f} ms (min {min(t_many):.1f}, max {max(t_many):.1f}); "
          f"rows shown {shown['many']}")
    print(f"  {args.few:5d} runs: median {statistics.median(t_few):.1f} ms (min {min(t_few):.1f}, max {max(t_few):.1f}); "
          f"rows shown {shown['few']}")
    ratio = statistics.median(ratios)
    print(f"  {args.many}/{args.few} median of pairwise ratios: {ratio:.2f}x (target <= {TARGET}x) -> "
          f"{'PASS' if ratio <= TARGET else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
