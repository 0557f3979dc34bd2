"""Cold start of the window: process start -> main window shown and idle, and idle memory.

Each run is a fresh process (a cold interpreter, warm OS file cache after the first),
timed from outside; inside, the window records when the event loop first went idle
after show() and its resident memory then. Targets: <= 1.0 s and <= 150 MB.

    .venv/bin/python benchmarks/gui_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, os, sys, time
from PySide6.QtCore import QTimer, QStandardPaths
from designer.ui.app import make_application
app = make_application()
QStandardPaths.setTestModeEnabled(True)
from designer.ui.main_window import MainWindow
window = MainWindow(restore_settings=False)
if len(sys.argv) > 1:
    window.open_file(sys.argv[1])
window.show()

def idle():
    with open("/proc/self/status") as fh:
        rss = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024
    heavy = sorted(m for m in ("autogen_agentchat", "autogen_core", "llama_cpp", "openai") if m in sys.modules)
    print(json.dumps({"rss_mb": rss, "heavy_modules": heavy}), flush=True)
    if window.editor_built:
        window.files.discard_recovery()
    app.quit()

QTimer.singleShot(0, idle)
app.exec()
"""


def one(file: str | None) -> tuple[float, dict]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    args = [sys.executable, "-c", CHILD] + ([file] if file else [])
    began = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    elapsed = time.perf_counter() - began
    return elapsed, json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    cases = {"start page": None, "with teams/research_report.yaml": str(ROOT / "teams" / "research_report.yaml")}
    for label, file in cases.items():
        one(file)  # warm-up: OS file cache, .pyc files
        times, rss, heavy = [], [], set()
        for _ in range(args.runs):
            elapsed, info = one(file)
            times.append(elapsed)
            rss.append(info["rss_mb"])
            heavy.update(info["heavy_modules"])
        print(f"{label}: start -> shown and idle, whole process: median {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f}); target <= 1.0 s -> ratio {statistics.median(times) / 1.0:.2f}")
        print(f"{label}: idle RSS median {statistics.median(rss):.1f} MB (max {max(rss):.1f}); target <= 150 MB; "
              f"heavy modules loaded at idle: {sorted(heavy) or 'none'}")


if __name__ == "__main__":
    main()
