"""Recording overhead: the 200-message scripted team through the CLI, run history on vs off.

Both sides are whole processes, alternating (ABBA), output to a pipe:

* on:  ``python -m designer run team.yaml --jsonl`` (the run, its events and every model call
       recorded in a fresh run history in a temp folder);
* off: the same with ``--no-record``.

The team is engine_overhead.py's (round robin, two agents on one scripted model, M-1 replies,
``max_messages: M``). Each "on" run must add exactly one run to the history, with M-1 recorded
model calls, or the script stops. Prints the medians and the median of the pairwise ratios.
Target: on/off <= 1.05.

Usage: .venv/bin/python benchmarks/record_overhead.py [--runs N] [--messages M] [--stream]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine_overhead import alternate, fmt_s, make_check, median, team_yaml

from designer.core.run_store import RunStore

TARGET = 1.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="alternating on/off pairs (default 10)")
    parser.add_argument("--messages", type=int, default=200, help="messages per run, task included (default 200)")
    parser.add_argument("--stream", action="store_true", help="stream model output (default: off)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="td-record-bench-") as folder:
        tmp = Path(folder)
        team = tmp / "team.yaml"
        team.write_text(team_yaml(args.messages, args.stream), encoding="utf-8")
        data = tmp / "data"
        # Bytecode cached, as an installed app has it (engine_overhead.py's "cache" mode): without
        # it every source is compiled at every start, which would hide the recording's cost.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(TEAM_DESIGNER_DATA_DIR=str(data), PYTHONPYCACHEPREFIX=str(tmp / "pycache"))
        cli = [sys.executable, "-m", "designer", "run", str(team), "--jsonl"]
        check_messages = make_check(args.messages)
        seen = {"runs": 0}

        def check(key: str, out: str) -> None:
            check_messages("a", out)  # both sides are CLI runs
            with RunStore(data / "runs.sqlite3") as store:
                count = store.count()
                if key == "a":
                    seen["runs"] += 1
                    newest = store.list_runs(limit=1)[0]
                    calls = store.calls(newest.id)
                    if len(calls) != args.messages - 1 or newest.messages != args.messages - 1:
                        raise SystemExit(f"the recorded run has {len(calls)} calls, {newest.messages} messages")
                if count != seen["runs"]:
                    raise SystemExit(f"the history holds {count} runs, expected {seen['runs']}")

        # One warm-up pair: bytecode caches and the page cache, for both sides alike.
        alternate("on", cli, "off", [*cli, "--no-record"], env, 1, check)
        on, off, ratios = alternate("on", cli, "off", [*cli, "--no-record"], env, args.runs, check)
    print(f"{args.messages}-message scripted team through the CLI ({'streaming' if args.stream else 'not streaming'})")
    print(f"  recording on : {fmt_s(on)}")
    print(f"  recording off: {fmt_s(off)}")
    ratio = median(ratios)
    print(f"  on/off median of pairwise ratios: {ratio:.3f}x (target <= {TARGET}x) -> {'PASS' if ratio <= TARGET else 'FAIL'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
