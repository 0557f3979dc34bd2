"""First run of a new two-agent team, as a newcomer makes it, on the default embedded model.

The team is made the way the window makes it: ``edits.new_team()`` (File ▸ New), one more
agent dropped on the canvas (``canvas_edits.add_agent_at``, the canvas's Add agent), the task
a newcomer would type, nothing else changed. It is saved with the app's own save, then run with
``team-designer run --jsonl`` in a subprocess, timed from start to exit. The script prints per
run: wall time, messages, prompt/completion tokens, the longest reply in characters, and whether
a reply looped (the same 4-word phrase 5 or more times in one reply, the "AMOLED AMOLED…"
failure). A run over ``--limit`` seconds (default 300) is stopped and reported as "> N s".

Usage: .venv/bin/python benchmarks/first_run.py [--runs N] [--limit S] [--task TEXT] [--keep DIR]
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from designer.core import canvas_edits, edits  # noqa: E402
from designer.core.teamfile import save_team  # noqa: E402

TASK = "Write a short product description for a phone"
CLI = REPO / ".venv" / "bin" / "team-designer"


def newcomer_team(task: str) -> object:
    spec = edits.new_team()
    spec = edits.set_team_field(spec, "task", task)
    return canvas_edits.add_agent_at(spec, (300.0, 0.0)).spec


def most_repeats(text: str, n: int = 4) -> int:
    """How often the most frequent n-word phrase occurs in ``text``."""
    words = text.split()
    grams = collections.Counter(tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1)))
    return max(grams.values(), default=0)


def one_run(path: Path, limit: float) -> dict[str, object]:
    start = time.monotonic()
    try:
        out = subprocess.run([str(CLI), "run", "--jsonl", str(path)], capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return {"wall_s": f"> {limit:g}", "exit": "killed"}
    wall = time.monotonic() - start
    events = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    replies = [e.get("content", "") for e in events if e.get("type") == "message" and e.get("agent") not in ("user",)]
    finished = next((e for e in events if e.get("type") == "finished"), {})
    return {
        "wall_s": round(wall, 1),
        "exit": out.returncode,
        "reason": finished.get("reason"),
        "messages": finished.get("messages"),
        "prompt_tokens": finished.get("prompt_tokens"),
        "completion_tokens": finished.get("completion_tokens"),
        "longest_reply_chars": max((len(r) for r in replies), default=0),
        "most_4gram_repeats": max((most_repeats(r) for r in replies), default=0),
        "looped": any(most_repeats(r) >= 5 for r in replies),
        "stderr": out.stderr.strip()[-300:],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--limit", type=float, default=300.0, help="stop a run after this many seconds")
    parser.add_argument("--task", default=TASK)
    parser.add_argument("--keep", metavar="DIR", help="save the team file here instead of a temporary folder")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="first-run-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "new_team.yaml"
    save_team(newcomer_team(args.task), path)  # type: ignore[arg-type]
    print(f"team file: {path}")
    print(path.read_text(encoding="utf-8"))
    for i in range(args.runs):
        print(f"run {i + 1}: {json.dumps(one_run(path, args.limit))}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
