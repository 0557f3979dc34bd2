"""Stop latency in every state a run can be in: from ``TeamRun.stop()`` to the ``finished`` event.

The product's contract is that Stop (the window's button, Ctrl-C in the CLI) ends a run
within about 1 s whatever it is doing. The test suite only checks that stops interrupt
(with room for a busy machine); this script measures how fast, in one process, with the
real AgentChat teams, a real MCP server (tests/fixtures/mcp_server.py) and real local
Python execution. Each state is stopped ``--runs`` times, 0.3 s after it was entered.

    .venv/bin/python benchmarks/stop_latency.py [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
sys.path.insert(0, str(ROOT))

from designer.core.trust import TrustAll  # noqa: E402
from designer.core.validate import validate_text  # noqa: E402
from designer.runtime.runner import TeamRun  # noqa: E402

CONTRACT_S = 1.0


def _team(reply: object, *, delay: float = 0.0) -> str:
    server = {"command": sys.executable, "args": [str(FIXTURES / "mcp_server.py")]}
    return "\n".join([
        "schema: team-designer/v1",
        "name: stop",
        "default_model: s",
        "models:",
        f"  s: {{provider: scripted, responses: {json.dumps([reply])}, delay: {delay}}}",
        "tools:",
        '  slow_sync: {function: "slowtools:slow_sync", timeout: 300}',
        '  slow_async: {function: "slowtools:slow_async", timeout: 300}',
        "  py: {builtin: run_python, timeout: 300}",
        f"  mcp: {{mcp: {json.dumps(server)}, timeout: 300}}",
        "agents:",
        "  a: {tools: [slow_sync, slow_async, py, mcp], streaming: true}",
        "  human: {kind: user_proxy}",
        "orchestration: {pattern: round_robin, participants: [a, human]}",
        "",
    ])


def _call(name: str, arguments: dict[str, object]) -> dict[str, object]:
    return {"tool_calls": [{"name": name, "arguments": arguments}]}


STATES: dict[str, tuple[str, str]] = {
    # state: (team text, the event type that says the state was entered)
    "mid model call": (_team("never delivered", delay=60), "message"),
    "mid sync tool": (_team(_call("slow_sync", {"seconds": 120})), "tool_call"),
    "mid async tool": (_team(_call("slow_async", {"seconds": 120})), "tool_call"),
    "mid MCP tool": (_team(_call("sleep", {"seconds": 120})), "tool_call"),
    "mid run_python": (_team(_call("py", {"code": "import time\ntime.sleep(120)"})), "tool_call"),
    "waiting for human input": (_team("over to you"), "input_requested"),
}


async def _measure(text: str, trigger: str) -> float:
    spec = validate_text(text).spec
    assert spec is not None
    run = TeamRun(spec, "go", tool_folders=[FIXTURES], trust=TrustAll())
    asked = 0.0
    loop = asyncio.get_running_loop()

    def stop() -> None:
        nonlocal asked
        asked = time.perf_counter()
        run.stop()

    async for event in run.events():
        if event.type == trigger and not asked:
            loop.call_later(0.3, stop)  # well inside the state, not at its edge
        if event.type == "finished":
            if event.reason != "stopped":
                raise SystemExit(f"expected a stop, got {event.reason}: {event.detail}")
            return time.perf_counter() - asked
    raise SystemExit("no finished event")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    worst = 0.0
    print(f"{'state':<26} {'median':>8} {'max':>8}   (seconds from stop() to finished, {args.runs} runs)")
    for state, (text, trigger) in STATES.items():
        figures = [asyncio.run(_measure(text, trigger)) for _ in range(args.runs)]
        worst = max(worst, *figures)
        print(f"{state:<26} {statistics.median(figures):8.3f} {max(figures):8.3f}")
    verdict = "within" if worst <= CONTRACT_S else "OVER"
    print(f"largest: {worst:.3f} s — {verdict} the {CONTRACT_S:g} s contract")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
