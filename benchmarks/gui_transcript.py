"""A 5,000-message transcript: extra memory, and how smoothly it scrolls.

Messages of realistic markdown (a heading line, a list, some bold text, ~400
characters) are fed into the transcript pane of a shown window as run events. The
script prints the extra resident memory (target <= 100 MB) and, scrolling the whole
transcript in viewport-sized steps, the time of each repaint (smooth: well under a
60 Hz frame, 16.7 ms; the largest is printed too).

    .venv/bin/python benchmarks/gui_transcript.py [--messages 5000]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QStandardPaths
from PySide6.QtWidgets import QApplication

from designer.core import events as ev
from designer.ui.app import make_application
from designer.ui.main_window import MainWindow

BODY = (
    "**Finding {i}.** The committee reviewed the proposal and agreed on three points:\n\n"
    "- the budget stays within the *approved* envelope,\n"
    "- the schedule moves by two weeks to absorb the review,\n"
    "- the risks are listed in `risks.md` and owned by the team.\n\n"
    "Next, the analyst checks the figures against last quarter's report."
)


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


def settle(seconds: float = 0.2) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    args = parser.parse_args()
    make_application()
    QStandardPaths.setTestModeEnabled(True)
    window = MainWindow(restore_settings=False)
    window.resize(1400, 900)
    window.show()
    window.docks["transcript"].raise_()
    settle(0.5)
    gc.collect()
    before = rss_mb()
    began = time.perf_counter()
    agents = ["researcher", "analyst", "writer", "critic", "editor"]
    batch = [ev.RunStarted("team", team="Memory", pattern="round_robin", bound="5000 messages")]
    batch += [ev.Message(agents[i % 5], content=BODY.format(i=i), seq=i + 2, t=i * 0.01) for i in range(args.messages)]
    for start in range(0, len(batch), 500):  # as the drain timer would deliver them
        window.transcript.model.add_events(batch[start:start + 500])
        QApplication.processEvents()
    view = window.transcript.view
    bar = view.verticalScrollBar()
    last = window.transcript.model.rowCount() - 1
    while view.indexAt(view.viewport().rect().bottomLeft()).row() < last - 2:
        view.scrollToBottom()  # the batched layout measures rows in the background
        settle(0.05)
    fed = time.perf_counter() - began
    gc.collect()
    after = rss_mb()
    frames = []
    step = view.viewport().height()
    for value in range(0, bar.maximum() + step, step):
        t = time.perf_counter()
        bar.setValue(value)
        view.viewport().repaint()
        frames.append((time.perf_counter() - t) * 1000)
    frames.sort()
    print(f"{args.messages} messages fed and laid out in {fed:.2f} s; scroll range {bar.maximum():,} px")
    print(f"extra RSS: {after - before:.1f} MB (before {before:.1f} MB, after {after:.1f} MB); target <= 100 MB "
          f"-> ratio {(after - before) / 100:.2f}")
    print(f"scrolling {len(frames)} viewport pages: repaint median {statistics.median(frames):.1f} ms, "
          f"95th percentile {frames[int(len(frames) * 0.95)]:.1f} ms, largest {frames[-1]:.1f} ms (a 60 Hz frame is 16.7 ms)")
    window.files.discard_recovery()


if __name__ == "__main__":
    main()
