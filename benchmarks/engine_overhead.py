"""Engine overhead: a scripted team run through the CLI vs the same team in plain AgentChat.

Both sides run as whole processes, alternating, with output to a pipe:

* CLI:   ``python -m designer run team.yaml --jsonl`` (a generated round-robin team of two
         agents on one scripted model with M-1 replies and ``max_messages: M``);
* plain: a generated AgentChat script: RoundRobinGroupChat of two AssistantAgents on one
         ReplayChatCompletionClient with the same M-1 replies and MaxMessageTermination(M),
         iterating ``run_stream`` and printing each item as one JSON line (flushed).

Streaming is off on both sides by default (``--stream`` turns it on for both). The script
also measures start-up alone (import-only processes) and an in-process comparison
(``TeamRun.events()`` + JSONL rendering vs raw ``run_stream`` in this interpreter), so import
cost and per-message cost can be told apart.

Bytecode: ``python -m pip install`` compiles an installed package to .pyc, and site-packages
here have .pyc files, but ``PYTHONDONTWRITEBYTECODE=1`` (set in some environments) means the
repo's own ``designer`` modules are recompiled from source at every start. ``--bytecode cache``
gives both sides a bytecode cache in the temp dir (``PYTHONPYCACHEPREFIX``) so the
comparison is what an installed app costs; ``--bytecode inherit`` uses the environment as is;
``--bytecode both`` (default) measures both.

Usage: .venv/bin/python benchmarks/engine_overhead.py [--runs N] [--messages M] [--stream]
       [--bytecode cache|inherit|both] [--no-startup] [--no-inprocess]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = 1.05
TASK = "Count with me."


def replies(n: int) -> list[str]:
    return [f"Reply number {i}: the quick brown fox jumps over the lazy dog." for i in range(n)]


def team_yaml(messages: int, stream: bool) -> str:
    lines = [
        "schema: team-designer/v1",
        "name: overhead-bench",
        f"task: {TASK}",
        "default_model: script",
        "models:",
        "  script:",
        "    provider: scripted",
        "    responses:",
    ]
    lines += [f"    - '{r}'" for r in replies(messages - 1)]
    lines += ["agents:"]
    for name in ("alice", "bob"):
        lines += [f"  {name}:", f"    system_message: You are {name}.", f"    streaming: {'true' if stream else 'false'}"]
    lines += [
        "orchestration:",
        "  pattern: round_robin",
        "  participants: [alice, bob]",
        "termination:",
        f"  max_messages: {messages}",
        "  timeout: 600",
    ]
    return "\n".join(lines) + "\n"


PLAIN_IMPORTS = """\
import asyncio, json, sys
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.base import TaskResult
from autogen_agentchat.conditions import MaxMessageTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_core.models import ModelInfo
from autogen_ext.models.replay import ReplayChatCompletionClient
"""

PLAIN_BODY = """\

MESSAGES = {messages}
STREAM = {stream}
TASK = {task!r}
REPLIES = [f"Reply number {{i}}: the quick brown fox jumps over the lazy dog." for i in range(MESSAGES - 1)]


async def main(out=sys.stdout):
    info = ModelInfo(vision=False, function_calling=True, json_output=True, family="unknown", structured_output=True)
    client = ReplayChatCompletionClient(REPLIES, model_info=info)
    agents = [
        AssistantAgent(name, model_client=client, system_message=f"You are {{name}}.", model_client_stream=STREAM)
        for name in ("alice", "bob")
    ]
    team = RoundRobinGroupChat(agents, termination_condition=MaxMessageTermination(MESSAGES))
    async for item in team.run_stream(task=TASK):
        if isinstance(item, TaskResult):
            line = {{"type": "result", "stop_reason": item.stop_reason}}
        else:
            line = {{"type": item.type, "source": item.source, "content": item.to_text()}}
        out.write(json.dumps(line, ensure_ascii=False) + "\\n")
        out.flush()
    await client.close()


if __name__ == "__main__":
    asyncio.run(main())
"""

CLI_IMPORTS = "import designer.cli.main, designer.cli.run, designer.runtime.runner, designer.cli.render"


def median(values: list[float]) -> float:
    return statistics.median(values)


def fmt_s(values: list[float]) -> str:
    return f"median {median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f}, n={len(values)})"


def run_proc(cmd: list[str], env: dict[str, str]) -> tuple[float, str, int]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout, proc.returncode


def alternate(label_a: str, cmd_a: list[str], label_b: str, cmd_b: list[str], env: dict[str, str], runs: int,
              check=None) -> tuple[list[float], list[float], list[float]]:
    """Alternate A and B (ABBA order) and return times of A, B and the pairwise ratios A/B."""
    ta: list[float] = []
    tb: list[float] = []
    for i in range(runs):
        order = [("a", cmd_a), ("b", cmd_b)] if i % 2 == 0 else [("b", cmd_b), ("a", cmd_a)]
        got = {}
        for key, cmd in order:
            elapsed, out, _ = run_proc(cmd, env)
            if check is not None:
                check(key, out)
            got[key] = elapsed
        ta.append(got["a"])
        tb.append(got["b"])
    ratios = [a / b for a, b in zip(ta, tb, strict=True)]
    return ta, tb, ratios


def make_check(messages: int):
    def check(key: str, out: str) -> None:
        lines = out.splitlines()
        if key == "a":  # CLI: started, the task, M - 1 agent messages, usage events, finished
            last = json.loads(lines[-1])
            # "messages" in the finished event counts the agents' messages; AgentChat's bound counts the task too.
            if last.get("type") != "finished" or last.get("messages") != messages - 1:
                raise SystemExit(f"CLI run did not produce {messages} messages: {lines[-1][:300]}")
        else:  # plain: M messages + the TaskResult line
            n = sum(1 for line in lines if '"source"' in line and '"ModelClientStreamingChunkEvent"' not in line)
            if n != messages:
                raise SystemExit(f"plain run produced {n} messages, expected {messages}")

    return check


def subprocess_section(tmp: Path, args: argparse.Namespace, mode: str) -> dict[str, float]:
    env = dict(os.environ)
    env.pop("TEAM_DESIGNER_DEBUG", None)
    if mode == "cache":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    py = sys.executable
    cli = [py, "-m", "designer", "run", str(tmp / "team.yaml"), "--jsonl"] + (["--no-record"] if args.no_record else [])
    # The run history goes to this temp folder, not the user's (the default records every run).
    env["TEAM_DESIGNER_DATA_DIR"] = str(tmp / "data")
    plain = [py, str(tmp / "plain.py")]
    check = make_check(args.messages)
    where = ("PYTHONPYCACHEPREFIX in temp dir" if mode == "cache"
             else "environment as is: PYTHONDONTWRITEBYTECODE=" + os.environ.get("PYTHONDONTWRITEBYTECODE", "(unset)"))
    print(f"\n== whole processes, bytecode: {mode} ({where}) ==")
    # Warm-up: fills the bytecode cache and the OS file cache; also checks both outputs.
    for cmd, key in ((cli, "a"), (plain, "b")):
        _, out, _ = run_proc(cmd, env)
        check(key, out)
    ta, tb, ratios = alternate("cli", cli, "plain", plain, env, args.runs, check)
    print(f"CLI   ({args.messages} messages, --jsonl to a pipe): {fmt_s(ta)}")
    print(f"plain ({args.messages} messages, JSON lines to a pipe): {fmt_s(tb)}")
    r_med = median(ratios)
    print(f"ratio CLI/plain: median of pairwise ratios {r_med:.3f}x "
          f"(ratio of medians {median(ta) / median(tb):.3f}x; target <= {TARGET}x: {'OK' if r_med <= TARGET else 'MISSED'})")
    print(f"CLI - plain: {1000 * (median(ta) - median(tb)):.0f} ms per run")
    result = {"cli": median(ta), "plain": median(tb), "ratio": r_med}

    if not args.no_startup:
        # Start-up alone: interpreter + imports each side needs, no team run.
        base = [py, "-c", "pass"]
        plain_imp = [py, "-c", PLAIN_IMPORTS]
        cli_imp = [py, "-c", CLI_IMPORTS]
        for cmd in (base, plain_imp, cli_imp):
            run_proc(cmd, env)
        t_base: list[float] = []
        t_plain: list[float] = []
        t_cli: list[float] = []
        for i in range(args.runs):
            order = [(t_base, base), (t_plain, plain_imp), (t_cli, cli_imp)]
            if i % 2:
                order.reverse()
            for bucket, cmd in order:
                bucket.append(run_proc(cmd, env)[0])
        print("start-up only (no run):")
        print(f"  python -c pass                    : {fmt_s(t_base)}")
        print(f"  plain imports (autogen)           : {fmt_s(t_plain)}")
        print(f"  CLI imports (designer.cli+runtime): {fmt_s(t_cli)}")
        extra = [c - p for c, p in zip(t_cli, t_plain, strict=True)]
        print(f"  designer import cost beyond plain : median {1000 * median(extra):.0f} ms")
        result["import_extra"] = median(extra)
    return result


def inprocess_section(tmp: Path, args: argparse.Namespace) -> None:
    """Engine TeamRun.events() + JsonlRenderer vs raw run_stream, both in this interpreter."""
    sys.path.insert(0, str(REPO))
    namespace: dict[str, object] = {"__name__": "plain_bench"}
    exec(compile((tmp / "plain.py").read_text(), str(tmp / "plain.py"), "exec"), namespace)
    plain_main = namespace["main"]

    from designer.cli.render import JsonlRenderer
    from designer.core.validate import validate_file
    from designer.runtime.runner import TeamRun

    team_file = str(tmp / "team.yaml")
    sink = open(os.devnull, "w", encoding="utf-8")
    # The engine side does what `designer run TEAM --jsonl` does, no more. It used to also time
    # `dump_team` (the YAML emitter), from when the snapshot hash was made from it; the hash comes
    # from `model_dump_json` inside TeamRun() now, and no run calls `dump_team`.
    phases: dict[str, list[float]] = {"validate_file": [], "TeamRun()": [], "events loop": []}

    async def engine() -> None:
        t0 = time.perf_counter()
        result = validate_file(team_file)
        t1 = time.perf_counter()
        run = TeamRun(result.spec, TASK)
        t2 = time.perf_counter()
        renderer = JsonlRenderer(sink)
        async for event in run.events():
            renderer.render(event)
        t3 = time.perf_counter()
        phases["validate_file"].append(t1 - t0)
        phases["TeamRun()"].append(t2 - t1)
        phases["events loop"].append(t3 - t2)

    def timed(fn) -> float:
        t = time.perf_counter()
        asyncio.run(fn())
        return time.perf_counter() - t

    timed(engine)
    timed(lambda: plain_main(sink))  # warm-up
    for values in phases.values():
        values.clear()
    te: list[float] = []
    tp: list[float] = []
    runs = max(args.runs, 5) * 2
    for i in range(runs):
        if i % 2 == 0:
            te.append(timed(engine))
            tp.append(timed(lambda: plain_main(sink)))
        else:
            tp.append(timed(lambda: plain_main(sink)))
            te.append(timed(engine))
    ratios = [e / p for e, p in zip(te, tp, strict=True)]
    print("\n== in-process (imports done; one asyncio.run per run; output to /dev/null) ==")
    print(f"engine (validate_file + TeamRun + events() + JSONL): {1000 * median(te):.1f} ms median "
          f"(min {1000 * min(te):.1f})")
    print(f"plain  (build team + run_stream + JSON lines)      : {1000 * median(tp):.1f} ms median "
          f"(min {1000 * min(tp):.1f})")
    print(f"ratio engine/plain: median of pairwise ratios {median(ratios):.3f}x; "
          f"difference {1000 * (median(te) - median(tp)):.1f} ms = "
          f"{1000 * 1000 * (median(te) - median(tp)) / args.messages:.0f} us per message")
    print("engine phases (medians): " + ", ".join(f"{k} {1000 * median(v):.1f} ms" for k, v in phases.items())
          + "  [TeamRun() includes the frozen copy and the snapshot hash]")
    sink.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="alternating A/B pairs per measurement (default 10)")
    parser.add_argument("--messages", type=int, default=200, help="messages per run, task included (default 200)")
    parser.add_argument("--stream", action="store_true", help="stream model output on both sides (default: off)")
    parser.add_argument("--bytecode", choices=("cache", "inherit", "both"), default="both",
                        help="bytecode cache for the subprocesses (default both: measure with and without)")
    parser.add_argument("--no-startup", action="store_true", help="skip the import-only start-up measurement")
    parser.add_argument("--no-inprocess", action="store_true", help="skip the in-process comparison")
    parser.add_argument("--no-record", action="store_true",
                        help="run the CLI with --no-record: the engine alone, without the run history "
                             "(whose cost benchmarks/record_overhead.py measures)")
    args = parser.parse_args()
    if args.messages < 2:
        parser.error("--messages must be at least 2")

    print(f"engine_overhead: {args.messages} messages, streaming {'on' if args.stream else 'off'}, "
          f"{args.runs} alternating runs, python {sys.version.split()[0]}, {os.cpu_count()} cpus, "
          f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="td-bench-") as name:
        tmp = Path(name)
        (tmp / "team.yaml").write_text(team_yaml(args.messages, args.stream), encoding="utf-8")
        plain_src = PLAIN_IMPORTS + PLAIN_BODY.format(messages=args.messages, stream=args.stream, task=TASK)
        (tmp / "plain.py").write_text(plain_src, encoding="utf-8")
        modes = ("cache", "inherit") if args.bytecode == "both" else (args.bytecode,)
        results = {mode: subprocess_section(tmp, args, mode) for mode in modes}
        if not args.no_inprocess:
            inprocess_section(tmp, args)
    print("\nsummary: " + "; ".join(
        f"[{mode}] CLI {r['cli']:.3f} s, plain {r['plain']:.3f} s, ratio {r['ratio']:.3f}x" for mode, r in results.items()
    ) + f" (target <= {TARGET}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
