"""Regression guard for the pinned PySide6: 50,000 signal emits in a process that imports AutoGen.

PySide6 6.12.0 on Python 3.11 was seen to drop a reference to ``True`` on every
``Signal.emit()`` until the interpreter aborted after ~20k emits; 6.11.3 is fine.
Runs in a subprocess so an abort fails this test instead of killing the suite.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r"""
import sys
import autogen_agentchat.teams  # the leak was seen with AutoGen imported
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Emitter(QObject):
    ping = Signal(bool)

app = QCoreApplication([])
emitter = Emitter()
seen = []
emitter.ping.connect(lambda value: seen.append(value) if len(seen) < 1 else None)
before = sys.getrefcount(True)
for _ in range(50_000):
    emitter.ping.emit(True)
after = sys.getrefcount(True)
print(before, after)
"""


def test_fifty_thousand_emits_keep_true_alive():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    before, after = (int(v) for v in done.stdout.split())
    assert after >= before - 100, f"refcount of True fell from {before} to {after}"
