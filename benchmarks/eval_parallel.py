"""Evaluation throughput: workers, backends, and the engine's own cost, on scripted-model runs.

One evaluation file: the rectangle team on a scripted model (a tool call, then the answer), one
task repeated N times (default 200), every run recorded in a fresh run history. Three ratios,
each measured in this one process run, sides alternating (ABAB...) so load drifts hit both:

1. workers: the local process pool with 2 workers vs 1 (target >= 1.7x on this 2-core machine);
2. ray: the Ray backend (a local Ray started once, before timing) vs the process pool, both with
   2 workers (target >= 0.8x);
3. overhead: the engine with 1 worker vs the same runs made one after another through TeamRun in
   this process, recorded in a history alike, with the same checks (target <= 1.1x).

It also times Stop: from ``stop()`` to the end of ``results()`` with two 5-second runs in flight,
for the pool and for Ray (target <= 1 s).

``--latency S`` gives every scripted reply S seconds of streaming time (a provider's latency, the
usual case for an evaluation); 0 (the default) makes every run CPU-bound, the hardest case for
parallelism. Every side must return N results with the expected check outcomes, or the script stops.

Usage: .venv/bin/python benchmarks/eval_parallel.py [--runs N] [--rounds R] [--latency S] [--no-ray]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from designer.core.eval_checks import check_run, outcome_of
from designer.core.eval_file import load_eval
from designer.core.eval_spec import CheckSpec
from designer.core.run_store import RunStore
from designer.core.trust import TrustAll
from designer.runtime.eval_engine import EvalOptions, Evaluation

TEAM = """\
schema: team-designer/v1
name: Bench rect
task: "What is the area of a rectangle {length} by {width}?"
inputs: {length: {default: '2'}, width: {default: '3'}}
default_model: fake
models:
  fake:
    provider: scripted
    responses:
      - tool_calls: [{name: area, arguments: {length: 2, width: 3}}]
      - "The area of the rectangle is 6 square units."
%DELAY%
tools:
  area: {builtin: calculate_rectangle_area}
agents:
  solver: {tools: [area], reflect_on_tool_use: true}
orchestration: {pattern: sequential, order: [solver]}
termination: {max_messages: 6}
"""


def write(folder: Path, runs: int, latency: float) -> Path:
    # The scripted model streams its reply in chunks (words); 'delay' is seconds per chunk.
    delay = f"    delay: {latency / 9:.4f}" if latency else ""
    (folder / "team.yaml").write_text(TEAM.replace("%DELAY%", delay))
    path = folder / "bench.eval.yaml"
    path.write_text("schema: team-designer-eval/v1\nteam: team.yaml\n"
                    f"tasks: [{{name: six, repeats: {runs}, checks: [{{type: contains, value: '6'}}, "
                    "{type: tool-called, value: area}]}]\n")
    return path


def engine(path: Path, store_path: Path, workers: int, backend: str) -> float:
    loaded = load_eval(path)
    with RunStore(store_path) as store:
        evaluation = Evaluation(loaded, EvalOptions(workers=workers, backend=backend), store=store,  # type: ignore[arg-type]
                                trust=TrustAll())
        start = time.perf_counter()
        results = list(evaluation.results())
        elapsed = time.perf_counter() - start
    if len(results) != len(evaluation.jobs) or not all(r.passed for r in results):
        raise SystemExit(f"{backend}/{workers}: {sum(r.passed for r in results)}/{len(results)} passed: "
                         f"{next((r.error or r.checks for r in results if not r.passed), '')}")
    return elapsed


def sequential(path: Path, store_path: Path) -> float:
    """The same runs through TeamRun one after another, recorded and checked the same way."""
    from designer.runtime.runner import TeamRun

    loaded = load_eval(path)
    variant, task = loaded.variants[0], loaded.tasks[0]
    checks = task.checks

    async def go(store: RunStore) -> int:
        passed = 0
        text = variant.spec.task.replace("{length}", "2").replace("{width}", "3")
        for _ in range(task.repeats):
            run = TeamRun(variant.spec, text, team_file=variant.file, store=store, trust=TrustAll(),
                          snapshot_text=variant.text)
            events = [e.to_dict() async for e in run.events()]
            outcome = outcome_of(events)
            passed += all(check_run(CheckSpec.model_validate(c.model_dump()), outcome).passed for c in checks)
        return passed

    with RunStore(store_path) as store:
        start = time.perf_counter()
        passed = asyncio.run(go(store))
        elapsed = time.perf_counter() - start
    if passed != task.repeats:
        raise SystemExit(f"sequential: {passed}/{task.repeats} passed")
    return elapsed


def stop_latency(folder: Path, backend: str) -> float:
    """Seconds from stop() to the end of results(), with two runs in flight (each would take 5 s)."""
    import threading

    folder = folder / f"stop-{backend}"  # its own team file: the timed sides keep theirs
    folder.mkdir(exist_ok=True)
    path = write(folder, 40, 5.0)
    evaluation = Evaluation(load_eval(path), EvalOptions(workers=2, backend=backend), trust=TrustAll())  # type: ignore[arg-type]
    asked: list[float] = []

    def stop() -> None:
        asked.append(time.perf_counter())
        evaluation.stop()

    timer = threading.Timer(1.5, stop)
    timer.start()
    done = list(evaluation.results())
    ended = time.perf_counter()
    timer.join()
    if done or not evaluation.summary.stopped:
        raise SystemExit(f"{backend}: {len(done)} runs finished before the stop")
    return ended - asked[0]


def ratio(name: str, rounds: int, a: Callable[[], float], b: Callable[[], float], target: str) -> None:
    times_a, times_b = [], []
    for _ in range(rounds):
        times_a.append(a())
        times_b.append(b())
    ma, mb = statistics.median(times_a), statistics.median(times_b)
    print(f"{name}: {ma:.2f} s vs {mb:.2f} s (medians of {rounds}) -> {mb / ma if '>=' in target else ma / mb:.2f}x "
          f"(target {target})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds of streaming per scripted reply")
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="td-eval-bench-") as folder:
        tmp = Path(folder)
        path = write(tmp, args.runs, args.latency)
        counter = iter(range(10**6))

        def store() -> Path:
            return tmp / f"runs{next(counter)}.sqlite"

        engine(path, store(), 2, "local")  # warm-up: the fork server, the bytecode, the disk cache
        print(f"{args.runs} scripted runs per side, latency {args.latency:g} s per reply", flush=True)
        ratio("workers (2 vs 1, speed-up)", args.rounds, lambda: engine(path, store(), 2, "local"),
              lambda: engine(path, store(), 1, "local"), ">= 1.7")
        if not args.no_ray:
            import ray

            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
            engine(path, store(), 2, "ray")  # warm-up: Ray's workers import the engine once
            ratio("ray vs process pool (speed, 2 workers each)", args.rounds, lambda: engine(path, store(), 2, "ray"),
                  lambda: engine(path, store(), 2, "local"), ">= 0.8")
            stops = [stop_latency(tmp, "ray") for _ in range(args.rounds)]
            print(f"stop latency, ray, 2 runs in flight: largest {max(stops):.3f} s of {args.rounds} (target <= 1 s)")
            ray.shutdown()
        ratio("engine (1 worker) vs TeamRun one after another (overhead)", args.rounds,
              lambda: engine(path, store(), 1, "local"), lambda: sequential(path, store()), "<= 1.1")
        stops = [stop_latency(tmp, "local") for _ in range(args.rounds)]
        print(f"stop latency, local pool, 2 runs in flight: largest {max(stops):.3f} s of {args.rounds} (target <= 1 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
