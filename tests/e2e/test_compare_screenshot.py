"""`team-designer screenshot --compare A B` shoots the Compare view of two stored runs (the README's
picture of it is made this way), and `--history` the window with the History panel open."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from tests.conftest import ROOT

TEAM = """\
schema: team-designer/v1
name: Shot
task: Say hello.
default_model: s
models:
  s: {provider: scripted, responses: ["Hello there, friend.", "Hi back."]}
agents:
  a: {system_message: SYSTEM, streaming: false}
orchestration: {pattern: round_robin, participants: [a]}
termination: {max_messages: 2}
"""


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300)


def test_the_compare_view_and_the_history_are_shot_from_the_command_line(tmp_path: Path):
    env = {**os.environ, "TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen"}
    team = tmp_path / "shot.yaml"
    ids = []
    for prompt in ("You greet.", "You greet warmly."):
        team.write_text(TEAM.replace("SYSTEM", prompt), encoding="utf-8")
        done = _cli(env, "run", str(team), "--jsonl")
        assert done.returncode == 0, done.stderr
        ids.append(done.stdout.split('"run_id": "')[1][:7])
    out = tmp_path / "compare.png"
    done = _cli(env, "screenshot", str(team), str(out), "--compare", *ids, "--size", "1000x700")
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1000, 700)
    assert len({image.pixel(x, y) for x in range(0, 1000, 25) for y in range(0, 700, 25)}) > 5, "a blank picture"
    history = tmp_path / "history.png"
    assert _cli(env, "screenshot", str(team), str(history), "--history").returncode == 0
    assert QImage(str(history)).width() == 1400
    missing = _cli(env, "screenshot", str(team), str(tmp_path / "x.png"), "--compare", "fffffff", ids[0])
    assert missing.returncode == 2 and "no run 'fffffff'" in missing.stderr and "Traceback" not in missing.stderr
