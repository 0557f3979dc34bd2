"""Replay vs live: each example team run live on the embedded model, then replayed strictly
from that run's recording, in one process.

For every round and every example in teams/: a live run (SmolLM2 through llama-cpp-python,
bounded by ``--reply-tokens`` and ``--max-messages`` so a round takes seconds), recorded in
a fresh run history; then ``replay --strict`` of that run (every model call, tool result and
human answer from the recording). The model is loaded once before timing (a warm-up call),
so the live side is what each further run costs, not the load. A replay must reproduce the
live run's messages exactly, or the script stops. Human-input agents are answered as the
e2e test answers them. Prints per example the medians and the median of the pairwise ratios
live/replay, then the median over all pairs. Target: live/replay >= 20.

Usage: .venv/bin/python benchmarks/replay_speed.py [--runs N] [--reply-tokens N] [--max-messages N] [--only NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from designer.core.run_store import RunStore  # noqa: E402
from designer.core.trust import TrustAll  # noqa: E402
from designer.core.validate import validate_file  # noqa: E402
from designer.runtime.recording import ReplayPlan  # noqa: E402
from designer.runtime.runner import TeamRun  # noqa: E402

TARGET = 20.0
ANSWERS = ["Thanks, that answers it. TERMINATE", "Approved: refund the duplicate charge."]


async def run_once(spec: Any, path: Path, task: str, **options: Any) -> tuple[float, list[Any]]:
    run = TeamRun(spec, task, team_file=path, trust=TrustAll(), **options)
    answers = list(ANSWERS)
    events = []
    started = time.perf_counter()
    async for event in run.events():
        events.append(event)
        if event.type == "input_requested":
            if answers:
                run.provide_input(answers.pop(0), event.request_id)
            else:
                run.stop("no more answers")
    return time.perf_counter() - started, events


def said(events: list[Any]) -> list[tuple[str, str]]:
    return [(e.agent, e.content) for e in events if e.type in ("message", "tool_result")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds over all examples (default 3)")
    parser.add_argument("--reply-tokens", type=int, default=48, help="cap on every live reply (default 48)")
    parser.add_argument("--max-messages", type=int, default=6, help="message bound of every run (default 6)")
    parser.add_argument("--only", help="one example, by file stem")
    args = parser.parse_args()
    examples = sorted((REPO / "teams").glob("*.yaml"))
    if args.only:
        examples = [p for p in examples if p.stem == args.only]
    specs = {p: validate_file(p).spec for p in examples}
    bounds = {"reply_tokens": args.reply_tokens, "max_messages": args.max_messages}
    ratios: dict[str, list[float]] = {p.stem: [] for p in examples}
    times: dict[str, tuple[list[float], list[float]]] = {p.stem: ([], []) for p in examples}
    with tempfile.TemporaryDirectory(prefix="td-replay-bench-") as folder, RunStore(Path(folder) / "runs.sqlite3") as store:
        first = examples[0]
        asyncio.run(run_once(specs[first], first, specs[first].task or "hello", **bounds))  # loads the model
        for _ in range(args.runs):
            for path in examples:
                spec = specs[path]
                task = spec.task or "Say hello."
                live_s, live = asyncio.run(run_once(spec, path, task, store=store, **bounds))
                run_id = live[0].run_id
                plan = ReplayPlan(store.calls(run_id), mode="strict", source=run_id)
                replay_s, replayed = asyncio.run(run_once(spec, path, task, store=store, replay=plan, **bounds))
                if said(replayed) != said(live) or replayed[-1].live_calls:
                    raise SystemExit(f"{path.stem}: the replay differs from the live run")
                times[path.stem][0].append(live_s)
                times[path.stem][1].append(replay_s)
                ratios[path.stem].append(live_s / replay_s)
    print(f"live on the embedded model (replies <= {args.reply_tokens} tokens, <= {args.max_messages} messages) "
          f"vs strict replay of the same run; {args.runs} rounds")
    for stem, (live_t, replay_t) in times.items():
        print(f"  {stem:24s} live median {statistics.median(live_t):6.3f} s   replay median {statistics.median(replay_t):6.3f} s"
              f"   live/replay {statistics.median(ratios[stem]):7.1f}x")
    overall = statistics.median([r for values in ratios.values() for r in values])
    worst = min(statistics.median(v) for v in ratios.values())
    verdict = "PASS" if worst >= TARGET else "FAIL"
    print(f"  median of all pairwise ratios: {overall:.1f}x; worst example: {worst:.1f}x (target >= {TARGET:g}x) -> {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
