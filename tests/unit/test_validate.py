"""Semantic validation: what a run needs is checked before it starts, with a place and a hint."""

from __future__ import annotations

import random
import textwrap

import pytest

from designer.core.validate import validate_text


def problems(text: str, *, errors_only: bool = True) -> dict[str, str]:
    result = validate_text(BASE + textwrap.dedent(text), "t.yaml")
    assert result.spec is not None, [p.format() for p in result.problems]
    for p in result.problems:
        assert p.file == "t.yaml" and p.line is not None and p.column is not None, p
    return {p.dotted_path: p.message for p in result.problems if p.is_error or not errors_only}


BASE = """
schema: team-designer/v1
name: t
"""


def test_a_correct_team_has_no_problems():
    assert problems("""
        agents:
          a: {}
          b: {}
        orchestration: {pattern: sequential, order: [a, b]}
    """, errors_only=False) == {}


def test_references_must_exist_with_suggestions():
    result = validate_text(BASE + textwrap.dedent("""
        models:
          fast: {provider: embedded}
        tools:
          area: {builtin: calculate_rectangle_area}
        agents:
          researcher: {model: fats, tools: [area, aera], handoffs: [writer]}
        orchestration: {pattern: sequential, order: [researcher, reseacher]}
    """), "t.yaml")
    by_path = {p.dotted_path: p for p in result.problems}
    assert by_path["agents.researcher.model"].message == "unknown model 'fats'"
    assert by_path["agents.researcher.model"].hint == "defined: embedded, fast"
    assert by_path["agents.researcher.tools[1]"].message == "unknown tool 'aera'"
    assert by_path["agents.researcher.handoffs[0]"].message == "unknown hand-off target 'writer'"
    assert by_path["orchestration.order[1]"].message == "unknown agent 'reseacher'"
    assert by_path["orchestration.order[1]"].hint == "did you mean 'researcher'?"
    assert (by_path["agents.researcher.tools[1]"].line, by_path["agents.researcher.tools[1]"].column) == (10, 43)


def test_sequential_needs_an_order():
    assert problems("""
        agents: {a: {}}
        orchestration: {pattern: sequential, order: []}
    """)["orchestration.order"] == "the sequential order is empty"


@pytest.mark.parametrize(
    "orchestration, path, message",
    [
        ("{pattern: hierarchical, workers: [a]}", "orchestration.coordinator", "no coordinator chosen"),
        ("{pattern: hierarchical, coordinator: a, workers: []}", "orchestration.workers", "a hierarchical team needs at least one worker"),
        ("{pattern: hierarchical, coordinator: a, workers: [a]}", "orchestration.workers[0]", "the coordinator cannot also be a worker"),
        ("{pattern: hierarchical, coordinator: h, workers: [a]}", "orchestration.coordinator",
         "the coordinator must be an assistant agent"),
        ("{pattern: selector, participants: [a]}", "orchestration.participants", "needs at least 2 participants"),
        ("{pattern: round_robin, participants: [a, a]}", "orchestration.participants[1]", "'a' is listed twice"),
        ("{pattern: swarm, participants: [a]}", "orchestration.entry", "no entry agent chosen"),
    ],
)
def test_pattern_shapes(orchestration: str, path: str, message: str):
    found = problems(f"""
        agents:
          a: {{}}
          h: {{kind: user_proxy}}
        orchestration: {orchestration}
    """)
    assert found[path] == message


GRAPH = """
agents: {a: {}, b: {}, c: {}, d: {}}
orchestration:
  pattern: graph
  entry: a
  edges:
"""


def test_graph_nodes_must_be_reachable():
    result = validate_text(BASE + GRAPH + "  - {from: a, to: b}\n  - {from: c, to: d}\n")
    assert [p.message for p in result.problems if p.dotted_path == "orchestration.edges[1]"] == [
        "node 'c' cannot be reached from the entry 'a'",
        "node 'd' cannot be reached from the entry 'a'",
    ]


def test_graph_must_be_able_to_end():
    found = problems(GRAPH + """
  - {from: a, to: b}
  - {from: b, to: a}
""")
    assert found["orchestration.edges"] == "no path through the graph can end: every node always continues"
    assert found["orchestration.edges[1]"] == "the loop a -> b -> a has no exit condition"


def test_graph_loops_with_an_exit_are_fine():
    assert problems(GRAPH + """
  - {from: a, to: b}
  - {from: b, to: a, when: {contains: REVISE}}
  - {from: b, to: c, when: {not_contains: REVISE}}
""", errors_only=True) == {}


def test_graph_edges_of_a_node_are_all_conditional_or_none():
    found = problems(GRAPH + """
  - {from: a, to: b, when: {contains: X}}
  - {from: a, to: c}
""")
    assert found["orchestration.edges[1]"] == "node 'a' mixes conditional and unconditional outgoing edges"


def test_graph_join_nodes_must_be_nodes():
    text = GRAPH + "  - {from: a, to: b}\n  wait_for_all: [z]\n"
    assert problems(text)["orchestration.wait_for_all[0]"] == "'z' is not a node of the graph"


def test_swarm_hand_offs_stay_inside_the_swarm():
    found = problems("""
        agents:
          a: {handoffs: [c]}
          b: {}
          c: {}
        orchestration: {pattern: swarm, entry: a, participants: [a, b]}
    """)
    assert found["agents.a.handoffs[0]"] == "hand-off target 'c' is not in the swarm"


def test_tool_users_need_function_calling_models():
    found = problems("""
        models:
          local: {provider: ollama, model: llama3.2}
        tools:
          area: {builtin: calculate_rectangle_area}
        agents:
          a: {model: local, tools: [area]}
        orchestration: {pattern: sequential, order: [a]}
    """)
    assert found["agents.a.model"] == "tools need a model that can call functions, and model 'local' cannot"


def test_declared_capabilities_allow_tools():
    assert problems("""
        models:
          local: {provider: ollama, model: llama3.2, model_info: {function_calling: true}}
        tools:
          area: {builtin: calculate_rectangle_area}
        agents:
          a: {model: local, tools: [area]}
        orchestration: {pattern: sequential, order: [a]}
    """) == {}


def test_a_coordinator_needs_function_calling():
    found = problems("""
        models:
          local: {provider: openai_compatible, model: m, base_url: "http://127.0.0.1:1/v1"}
        agents:
          boss: {model: local}
          w: {}
        orchestration: {pattern: hierarchical, coordinator: boss, workers: [w]}
    """)
    assert found["agents.boss.model"].startswith("delegation to workers need")


def test_every_run_needs_a_bound():
    found = problems("""
        agents: {a: {}}
        orchestration: {pattern: round_robin, participants: [a]}
        termination: {text: TERMINATE}
    """)
    assert found["termination"] == "the run has no bound: it could go on forever"


def test_a_missing_termination_block_gets_the_default_bound():
    result = validate_text(BASE + textwrap.dedent("""
        agents: {a: {}}
        orchestration: {pattern: round_robin, participants: [a]}
    """))
    assert result.spec.termination.max_messages == 20 and result.spec.termination.timeout == 600


def test_task_placeholders_need_inputs():
    found = problems("""
        task: Write about {topic} for {audience}
        inputs:
          topic: {default: tides}
          unused: {default: x}
        agents: {a: {}}
        orchestration: {pattern: sequential, order: [a]}
    """, errors_only=False)
    assert found["task"] == "placeholder {audience} has no input"
    assert found["inputs.unused"] == "input 'unused' is not used by the task"


def test_reserved_names_and_human_agents():
    found = problems("""
        tools:
          area: {builtin: calculate_rectangle_area}
        agents:
          user: {}
          h: {kind: user_proxy, tools: [area]}
        orchestration: {pattern: round_robin, participants: [user, h]}
    """)
    assert found["agents.user"] == "'user' is a reserved name"
    assert found["agents.h.tools"] == "a user_proxy agent (a human) cannot have tools"


def test_provider_requirements():
    found = problems("""
        models:
          srv: {provider: openai_compatible, model: m}
          az: {provider: azure_openai, model: gpt-4o}
          nameless: {provider: openai}
        agents: {a: {}}
        orchestration: {pattern: sequential, order: [a]}
    """)
    assert found["models.srv.base_url"] == "an openai_compatible model needs base_url"
    assert found["models.az.deployment"] == "an azure_openai model needs deployment"
    assert found["models.nameless.model"] == "no model name"


def test_unknown_builtin_tool():
    found = problems("""
        tools:
          t: {builtin: teleport}
        agents: {a: {tools: [t]}}
        orchestration: {pattern: sequential, order: [a]}
    """)
    assert found["tools.t.builtin"] == "unknown built-in tool 'teleport'"


def test_unused_agents_are_warnings():
    found = problems("""
        agents: {a: {}, spare: {}}
        orchestration: {pattern: sequential, order: [a]}
    """, errors_only=False)
    assert found == {"agents.spare": "agent 'spare' takes no part in the sequential pattern"}


# --- bad input at scale and in templates -------------------------------------------------------


def chain(count: int, *, loop: bool = False) -> str:
    edges = [f"{{from: a{i}, to: a{i + 1}}}" for i in range(count - 1)] + (["{from: a%d, to: a0}" % (count - 1)] if loop else [])
    agents = "".join(f"  a{i}: {{}}\n" for i in range(count))
    return f"agents:\n{agents}orchestration: {{pattern: graph, entry: a0, edges: [{', '.join(edges)}]}}\n"


def test_a_loop_through_thousands_of_nodes_is_checked_without_recursion():
    """Deeper than Python's recursion limit: a recursive search would raise RecursionError here."""
    found = problems(chain(3000, loop=True))
    assert found["orchestration.edges[2999]"] == (
        "the loop a0 -> a1 -> a2 -> a3 -> … (2993 more) -> a2997 -> a2998 -> a2999 -> a0 has no exit condition")
    assert found["agents"] == "the team has 3000 agents; a team can have at most 500"


def recursive_loops(edges: list[tuple[str, str, bool]], entry: str) -> list[str]:
    """The loop messages of the recursive search validation used before (for small graphs)."""
    outgoing: dict[str, list[int]] = {}
    nodes = dict.fromkeys([entry] + [n for s, t, _ in edges for n in (s, t)])
    for i, (source, _, _) in enumerate(edges):
        outgoing.setdefault(source, []).append(i)
    colour: dict[str, int] = {}
    stack: list[tuple[str, int]] = []
    out: list[str] = []

    def visit(node: str) -> None:
        colour[node] = 1
        for i in outgoing.get(node, []):
            target = edges[i][1]
            stack.append((node, i))
            if colour.get(target) == 1:
                start = next(k for k, (src, _) in enumerate(stack) if src == target)
                loop = [idx for _, idx in stack[start:]]
                if not any(edges[idx][2] for idx in loop):
                    out.append(f"edges[{loop[-1]}]: " + " -> ".join([edges[idx][0] for idx in loop] + [target]))
            elif colour.get(target) is None:
                visit(target)
            stack.pop()
        colour[node] = 2

    for node in nodes:
        if node not in colour:
            visit(node)
    return out


def test_the_iterative_loop_check_finds_the_same_loops_as_the_recursive_one():
    rng = random.Random(7)
    compared = 0
    for _ in range(300):
        names = [f"n{i}" for i in range(rng.randint(2, 7))]
        edges = [(rng.choice(names), rng.choice(names), rng.random() < 0.3) for _ in range(rng.randint(1, 12))]
        yaml_edges = ", ".join(f"{{from: {s}, to: {t}" + (", when: {contains: X}}" if c else "}") for s, t, c in edges)
        found = problems(f"""
            agents: {{{', '.join(f'{n}: {{}}' for n in names)}}}
            orchestration: {{pattern: graph, entry: {names[0]}, edges: [{yaml_edges}]}}
        """)
        loops = sorted(f"{path.removeprefix('orchestration.')}: {message.removeprefix('the loop ').removesuffix(' has no exit condition')}"
                       for path, message in found.items() if message.endswith("has no exit condition"))
        # One problem per place: the recursive search could report two loops closing on the same edge.
        expected = sorted({line.split(": ")[0]: line for line in recursive_loops(edges, names[0])}.values())
        assert loops == expected, edges
        compared += len(expected)
    assert compared > 100  # the random graphs really had loops to find


def test_the_agent_limit_is_exact():
    assert "agents" not in problems(chain(500))
    assert problems(chain(501))["agents"] == "the team has 501 agents; a team can have at most 500"


@pytest.mark.parametrize("placeholder", ["{topic:>300000000}", "{topic!r}", "{topic!a:10}", "{topic:{topic}}"])
def test_task_placeholders_take_no_format_or_conversion(placeholder: str):
    found = problems(f"""
        task: 'About {placeholder}'
        inputs: {{topic: {{default: x}}}}
        agents: {{a: {{}}}}
        orchestration: {{pattern: sequential, order: [a]}}
    """)
    assert found == {"task": f"placeholder {placeholder} has a format: write {{topic}} only"}
