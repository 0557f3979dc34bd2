"""Open + validate a generated 200-agent team file with ``designer.core.validate.validate_file``.

The file: N agents (default 200), each with a multi-line system message, a description, its
own tool (built-ins, with description and declared parameters) and a model reference (four
models of different providers, capabilities declared where needed); an orchestration that
chains every agent (``round_robin`` over all of them, or a ``graph`` a0 -> a1 -> ... with a
conditional loop back to the entry); a layout block with a position for every agent.

Printed: median wall time of ``validate_file`` over many runs after a warm-up (target
<= 100 ms), the first (cold) call, and the split between the public steps:

* read:      the bytes from disk;
* YAML:      ``designer.core.yamlio.read_data`` (safe compose + position map);
* structure: ``TeamSpec.model_validate`` (pydantic; what ``parse_team`` does after read_data);
* semantics: ``designer.core.validate.validate_spec``.

Ratio within the run: the engine's safe YAML step vs a plain ``yaml.load(CSafeLoader)`` of the
same text, alternating (the price of tag checks, alias-bomb checks and positions).

Usage: .venv/bin/python benchmarks/open_validate.py [--runs N] [--agents N] [--pattern round_robin|graph|both]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import yaml  # noqa: E402

from designer.core.problems import has_errors  # noqa: E402
from designer.core.spec import TeamSpec  # noqa: E402
from designer.core.validate import validate_file, validate_spec  # noqa: E402
from designer.core.yamlio import parse_team, read_data  # noqa: E402

TARGET_MS = 100.0

MODELS = """\
models:
  gpt:
    provider: openai
    model: gpt-4o-mini
    api_key: env:OPENAI_API_KEY
    options: {temperature: 0.2, max_tokens: 800}
  claude:
    provider: anthropic
    model: claude-3-5-haiku-latest
    api_key: env:ANTHROPIC_API_KEY
  local:
    provider: ollama
    model: llama3.2
    model_info: {function_calling: true, json_output: true, family: llama}
  lab:
    provider: openai_compatible
    model: qwen2.5-7b-instruct
    base_url: http://127.0.0.1:8080/v1
    model_info: {function_calling: true, json_output: false, family: qwen}
"""
MODEL_IDS = ("gpt", "claude", "local", "lab")


def team_text(n: int, pattern: str) -> str:
    out = [
        "schema: team-designer/v1",
        f"name: Big team ({n} agents, {pattern})",
        "description: |",
        "  A generated team for the open/validate benchmark.",
        "  Every agent has a prompt, a tool and a model.",
        "task: 'Review the {topic} proposal and report.'",
        "inputs:",
        "  topic: {default: budget, description: What to review}",
        MODELS.rstrip("\n"),
        "tools:",
    ]
    for i in range(n):
        if i % 2 == 0:
            out += [
                f"  tool_{i}:",
                "    builtin: calculator",
                f"    description: Evaluate arithmetic for step {i}.",
                "    parameters:",
                "      type: object",
                "      properties:",
                "        expression: {type: string, description: An arithmetic expression}",
                "      required: [expression]",
                "    timeout: 10",
            ]
        else:
            out += [
                f"  tool_{i}:",
                "    builtin: calculate_rectangle_area",
                f"    description: Area of a rectangle for step {i}.",
                "    parameters:",
                "      type: object",
                "      properties:",
                "        length: {type: number}",
                "        width: {type: number}",
                "      required: [length, width]",
            ]
    out.append("agents:")
    for i in range(n):
        out += [
            f"  agent_{i}:",
            f"    description: Specialist number {i}; checks one part of the proposal and passes it on.",
            f"    model: {MODEL_IDS[i % len(MODEL_IDS)]}",
            f"    tools: [tool_{i}]",
            "    reflect_on_tool_use: true",
            "    max_tool_iterations: 3",
            "    system_message: |",
            f"      You are agent {i} of a review team.",
            "      Read the previous message carefully, check the numbers with your tool,",
            "      and write a short, factual note for the next agent.",
            "      Quote figures exactly; say 'unsure' rather than guessing.",
            f"      When everything is checked, end with APPROVED-{i}.",
        ]
    out.append("orchestration:")
    if pattern == "round_robin":
        out += ["  pattern: round_robin", "  participants:"] + [f"    - agent_{i}" for i in range(n)]
    else:
        out += ["  pattern: graph", "  entry: agent_0", "  edges:"]
        for i in range(n - 1):
            out += [f"    - {{from: agent_{i}, to: agent_{i + 1}}}"]
        # A loop back to the entry, with an exit condition on both branches of the last node.
        out += [
            f"    - {{from: agent_{n - 1}, to: agent_0, when: {{not_contains: APPROVED}}}}",
        ]
    out += [
        "termination:",
        "  text: APPROVED",
        "  max_messages: 400",
        "  timeout: 1800",
        "layout:",
        "  nodes:",
    ]
    for i in range(n):
        out.append(f"    agent_{i}: {{x: {(i % 20) * 180.0}, y: {(i // 20) * 140.0}}}")
    out += ["  view: {zoom: 0.8, center_x: 1700.0, center_y: 630.0}"]
    return "\n".join(out) + "\n"


def ms(values: list[float]) -> str:
    return f"{1000 * statistics.median(values):7.2f} ms (min {1000 * min(values):.2f}, max {1000 * max(values):.2f})"


def bench(path: Path, runs: int) -> dict[str, float]:
    file = str(path)
    first_t = time.perf_counter()
    first = validate_file(file)
    first_ms = 1000 * (time.perf_counter() - first_t)
    if first.spec is None or has_errors(first.problems):
        for p in first.problems:
            print("  " + p.format())
        raise SystemExit("the generated file does not validate")
    warnings = len(first.problems)
    for _ in range(5):  # warm-up
        validate_file(file)

    total: list[float] = []
    parse: list[float] = []
    t_read: list[float] = []
    t_yaml: list[float] = []
    t_struct: list[float] = []
    t_sem: list[float] = []
    t_plain: list[float] = []
    t_engine_yaml: list[float] = []
    for i in range(runs):
        t0 = time.perf_counter()
        result = validate_file(file)
        t1 = time.perf_counter()
        assert result.spec is not None
        total.append(t1 - t0)

        # The same work, step by step through the public functions.
        t0 = time.perf_counter()
        data = path.read_bytes()
        t1 = time.perf_counter()
        raw, positions = read_data(data, file)
        t2 = time.perf_counter()
        spec = TeamSpec.model_validate(raw)
        t3 = time.perf_counter()
        problems = validate_spec(spec, positions, file)
        t4 = time.perf_counter()
        t_read.append(t1 - t0)
        t_yaml.append(t2 - t1)
        t_struct.append(t3 - t2)
        t_sem.append(t4 - t3)
        assert len(problems) == warnings

        t0 = time.perf_counter()
        parse_team(data, file)
        parse.append(time.perf_counter() - t0)

        # A/B: plain PyYAML (C loader) vs the engine's safe read_data, alternating order.
        text = data.decode("utf-8")
        pair = [("plain", partial(yaml.load, text, Loader=yaml.CSafeLoader)), ("engine", partial(read_data, data, file))]
        if i % 2:
            pair.reverse()
        for name, fn in pair:
            t0 = time.perf_counter()
            fn()
            (t_plain if name == "plain" else t_engine_yaml).append(time.perf_counter() - t0)

    med = 1000 * statistics.median(total)
    parts = {
        "read": statistics.median(t_read),
        "yaml": statistics.median(t_yaml),
        "struct": statistics.median(t_struct),
        "sem": statistics.median(t_sem),
    }
    split_sum = sum(parts.values())
    print(f"  file: {path.stat().st_size / 1024:.0f} KiB, {len(result.spec.agents)} agents, "
          f"{len(result.spec.tools)} tools, {warnings} warnings, no errors")
    print(f"  validate_file        : {ms(total)}   first (cold) call {first_ms:.1f} ms")
    print(f"    read bytes         : {ms(t_read)}   {100 * parts['read'] / split_sum:4.1f} %")
    print(f"    YAML (read_data)   : {ms(t_yaml)}   {100 * parts['yaml'] / split_sum:4.1f} %")
    print(f"    structure (pydantic TeamSpec.model_validate): {ms(t_struct)}   {100 * parts['struct'] / split_sum:4.1f} %")
    print(f"    semantics (validate_spec): {ms(t_sem)}   {100 * parts['sem'] / split_sum:4.1f} %")
    print(f"    sum of steps       : {1000 * split_sum:7.2f} ms;  parse_team (YAML + structure): {ms(parse)}")
    ratios = [e / p for e, p in zip(t_engine_yaml, t_plain, strict=True)]
    print(f"  YAML A/B: engine read_data {ms(t_engine_yaml)} vs plain yaml.load(CSafeLoader) {ms(t_plain)}")
    print(f"    ratio engine/plain YAML: median of pairwise ratios {statistics.median(ratios):.2f}x")
    verdict = "OK" if med <= TARGET_MS else "MISSED"
    print(f"  => validate_file median {med:.2f} ms = {med / TARGET_MS:.2f}x of the {TARGET_MS:.0f} ms target ({verdict}); "
          f"best run {1000 * min(total):.2f} ms")
    return {"median_ms": med, "min_ms": 1000 * min(total), "ratio_yaml": statistics.median(ratios)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40, help="measured runs per pattern after a warm-up (default 40)")
    parser.add_argument("--agents", type=int, default=200, help="agents in the generated file (default 200)")
    parser.add_argument("--pattern", choices=("round_robin", "graph", "both"), default="both")
    args = parser.parse_args()
    print(f"open_validate: {args.agents} agents, {args.runs} runs after warm-up, python {sys.version.split()[0]}, "
          f"yaml C loader: {getattr(yaml, '__with_libyaml__', False)}, gc enabled: {gc.isenabled()}, "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")
    patterns = ("round_robin", "graph") if args.pattern == "both" else (args.pattern,)
    summary = {}
    with tempfile.TemporaryDirectory(prefix="td-bench-") as name:
        for pattern in patterns:
            path = Path(name) / f"team-{pattern}.yaml"
            path.write_text(team_text(args.agents, pattern), encoding="utf-8")
            print(f"\n== {pattern} ==")
            summary[pattern] = bench(path, args.runs)
    print("\nsummary: " + "; ".join(
        f"{p}: validate_file {r['median_ms']:.1f} ms ({r['median_ms'] / TARGET_MS:.2f}x of target; best {r['min_ms']:.1f} ms), "
        f"YAML engine/plain {r['ratio_yaml']:.2f}x" for p, r in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
