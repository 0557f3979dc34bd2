"""Scripted copies of the example teams, and what "the same run" means, for the equivalence test of
the Python export (tests/e2e/test_export_python_equivalence.py).

* :func:`scripted_copy` writes an example team with every model-using party (each agent that calls
  a model, an inner team's summarising agent, the selector, Magentic-One's orchestrator) on its own
  scripted model: one script per party, so neither side's run depends on which agent happens to
  ask a shared model first. The scripts make each pattern do its thing (see :data:`SCRIPTS`).
* :func:`product_steps` and :func:`script_steps` read the two runs' JSON lines (``team-designer
  run --jsonl`` and the exported script's ``--jsonl``) into the same :class:`Step` sequence; the
  definition of a speaker and of a tool call lives in :class:`Step` and those two functions only.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

# --- the scripts ---------------------------------------------------------------------------


def call(name: str, **arguments: Any) -> dict[str, Any]:
    """A scripted reply that calls one tool (records.ScriptedReply's shape)."""
    return {"tool_calls": [{"name": name, "arguments": arguments}]}


def ledger(speaker: str, ask: str, *, done: bool = False) -> str:
    """A Magentic-One progress ledger, with AgentChat's keys, naming the next speaker."""
    return json.dumps({
        "is_request_satisfied": {"reason": "done" if done else "nothing written yet", "answer": done},
        "is_in_loop": {"reason": "no repeats", "answer": False},
        "is_progress_being_made": {"reason": "just starting", "answer": True},
        "next_speaker": {"reason": f"{speaker} does this step", "answer": speaker},
        "instruction_or_question": {"reason": "the next step", "answer": ask},
    })


#: Who has a script besides the agents: the key in :attr:`Script.replies` -> the orchestration field
#: that names its model.
ROLE_FIELDS = {"@selector": "selector_model", "@orchestrator": "orchestrator_model"}


@dataclass(frozen=True)
class Script:
    """How one example runs scripted: each party's replies in order (agent ids, or a key of
    :data:`ROLE_FIELDS`), what a person types when asked (one line each, in order), and what the
    run needs on the command line."""

    replies: Mapping[str, list[Any]]
    answers: list[str] = field(default_factory=list)
    #: A code_executor agent runs code: trust it (--trust) and approve its blocks (--approve-code).
    runs_code: bool = False

    def stdin(self) -> str:
        return "".join(f"{line}\n" for line in self.answers)


#: One script per example (by file stem). Each run is a few messages, and each exercises what its
#: pattern is about: speaking order, a graph's conditional edge and activation groups, tool calls
#: with arguments the tool accepts, delegation to workers, hand-offs (to the user too), selector
#: choices held to the allowed transitions, Magentic-One's ledgers, a human's answers.
SCRIPTS: dict[str, Script] = {
    # round_robin until a message mentions APPROVED: strategist, designer, copywriter, strategist.
    "campaign_group_chat": Script({
        "strategist": ["Goal: students carry AquaLoop every day. Key message: refill, not landfill.",
                       "Both parts are in. APPROVED"],
        "designer": ["A teal poster with a bottle on a campus lawn."],
        "copywriter": ["Slogan: Loop it, sip it. Post: Meet AquaLoop, the bottle that keeps up with you."],
    }),
    # round_robin with a human: the assistant answers, the person ends it with the stop word.
    "capital_of_france": Script(
        {"assistant": ["The capital of France is Paris."]},
        answers=["Thanks, that answers it. TERMINATE"],
    ),
    # round_robin with a code runner: code block, its output, the programmer's reading of it.
    "code_review_run": Script(
        {"programmer": ["```python\nprint(2 + 3)\n```", "The output shows the sum, 5."]},
        runs_code=True,
    ),
    # graph: triage_info writes ESCALATE, so the conditional edge to the human supervisor is taken.
    "customer_support": Script(
        {
            "intake": ["Thank you for writing. You cannot log in and want to reset your password."],
            "triage_info": ["Category: account. ESCALATE"],
            "resolver": ["Open the login page, choose Forgot password and follow the link we email you."],
        },
        answers=["Approved: send the reset link."],
    ),
    # graph fan-out and a join with two activation groups (critical: all, optional: any). The
    # parallel branches' replies have the same length, so no branch finishes first by being shorter.
    "graph_activation_groups": Script({
        "planner": ["Point one. Point two. Point three."],
        "researcher": ["Fact: bikes cut traffic."],
        "fact_checker": ["Check: traffic needs source."],
        "stylist": ["Tone: warm and upbeat."],
        "legal": ["Caveat: helmets are advised."],
        "seo": ["Keywords: bikes, city, sharing."],
        "editor": ["A first draft from the notes.", "The final announcement.", "A spare editor reply."],
    }),
    # swarm with hand-offs to the user: desk greets (keeps the turn), asks the person, passes to shipping.
    "handoff_to_user_swarm": Script(
        {
            "desk": ["Hello! I can help with your parcel.", call("transfer_to_user"), call("transfer_to_shipping")],
            "shipping": ["Your parcel left our warehouse yesterday and arrives within 2 days. TERMINATE"],
        },
        answers=["My order number is 12345."],
    ),
    # hierarchical: the coordinator calls each worker as a tool (named after it, one argument
    # task), then reflects on both results.
    "hierarchical_research": Script({
        "coordinator": [call("researcher", task="Should a small bakery sell its bread online?"),
                        call("analyst", task="Facts: online sales grow; delivery costs; locals buy in person."),
                        "Yes: start small with local delivery."],
        "researcher": ["Online food sales grow.\nDelivery costs money.\nRegulars buy in person."],
        "analyst": ["Pro: new customers\nCon: delivery costs\nRecommendation: start small"],
    }),
    # Magentic-One: facts, plan, one progress ledger naming the poet, then (max_turns 1) the final answer.
    "magentic_one": Script({
        "@orchestrator": ["FACTS: a frog, a pond, a haiku.", "PLAN: the poet writes the haiku.",
                          ledger("poet", "Write a haiku about a frog in a pond."),
                          "Old pond, a frog leaps in: the sound of water."],
        "poet": ["Old pond still\na frog leaps in\nthe water sounds"],
        "editor": [],
    }),
    # a team inside a sequence: the inner round_robin (two turns), its summary, then the writer.
    "nested_team": Script({
        "researcher": ["Bees pollinate crops.\nPollination raises yields."],
        "checker": ["Both facts are correct."],
        "research_team": ["- Bees pollinate crops\n- Pollination raises yields"],
        "writer": ["Bees pollinate the crops farmers grow. Without them, yields fall."],
    }),
    # one tool call with the task's inputs, then the reflection on its result.
    "rectangle_area": Script({
        "geometry_assistant": [call("calculate_rectangle_area", length=10.5, width=4),
                               "The area of the rectangle is 42 square units."],
    }),
    # sequential: each agent once, in order.
    "research_report": Script({
        "researcher": ["- Water keeps you hydrated\n- It helps digestion\n- It has no calories"],
        "summarizer": ["Summary: water hydrates, helps digestion and has no calories."],
    }),
    # termination all: the writer's APPROVE alone does not end the run; it ends once the critic has spoken.
    "review_until_approved": Script({
        "writer": ["Fresh bread, warm hearts. APPROVE"],
        "critic": ["Short and friendly."],
    }),
    # selector held to the allowed transitions: the first pick, then single-candidate turns, then
    # after the critic a refused name (critic may not follow itself) and an allowed one.
    "selector_transitions": Script({
        "@selector": ["researcher", "critic", "writer"],
        "researcher": ["Bees make honey.\nBees pollinate flowers."],
        "writer": ["Honey bees make honey and pollinate flowers. They live in hives. They matter.",
                   "Honey bees make honey, pollinate flowers and live in busy hives."],
        "critic": ["Mention the hive earlier.", "Good now."],
    }),
    # a memory writer calls remember_trip (no reflection: its summary is its message); the reader answers.
    "shared_memory": Script({
        "planner": [call("remember_trip", text="The traveller loves tiles and museums.")],
        "advisor": ["The plan fits: no meat, within 80 euros."],
    }),
    # structured output: the reply is JSON of the output_schema.
    "structured_output": Script({
        "geographer": ['{"city": "Paris", "population": 2102650}'],
    }),
    # swarm: triage hands to technical, which hands back, then to billing, which answers.
    "support_swarm": Script({
        "triage": [call("transfer_to_technical"), call("transfer_to_billing")],
        "technical": [call("transfer_to_triage")],
        "billing": ["Sorry about the double charge. The extra payment will be refunded within 5 days. TERMINATE"],
    }),
}


def script_for(example: Path) -> Script:
    try:
        return SCRIPTS[example.stem]
    except KeyError:
        raise KeyError(f"no script for the example {example.name}: add one to SCRIPTS in tests/interop_scripts.py") from None


def model_id(party: str) -> str:
    return "scripted_" + party.lstrip("@")


def uses_model(agent: Mapping[str, Any]) -> bool:
    """Whether an agent calls a model: assistants, inner teams (their summary), and any agent given one."""
    return agent.get("kind", "assistant") in ("assistant", "team") or "model" in agent


def scripted_copy(example: Path, dest_dir: Path) -> Path:
    """A copy of ``example`` (and its tools/ folder) in ``dest_dir`` where each model-using party
    has its own scripted model with the replies of :data:`SCRIPTS`; everything else is kept."""
    script = script_for(example)
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    parties = [a for a, agent in data["agents"].items() if uses_model(agent)]
    orchestration = data["orchestration"]
    roles = {"selector": "@selector", "magentic_one": "@orchestrator"}
    if orchestration["pattern"] in roles:
        parties.append(roles[orchestration["pattern"]])
    unknown = set(script.replies) - set(parties)
    missing = set(parties) - set(script.replies)
    assert not unknown and not missing, f"{example.stem}: scripts for {sorted(unknown)}, none for {sorted(missing)}"
    data["models"] = {model_id(p): {"provider": "scripted", "responses": script.replies[p]} for p in parties}
    data.pop("default_model", None)  # every party names its own model: nothing falls back on a shared one
    for party in parties:
        if party in ROLE_FIELDS:
            orchestration[ROLE_FIELDS[party]] = model_id(party)
        else:
            data["agents"][party]["model"] = model_id(party)
    dest_dir.mkdir(parents=True, exist_ok=True)
    copy = dest_dir / example.name
    copy.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    tools = example.parent / "tools"
    if tools.is_dir():
        shutil.copytree(tools, dest_dir / "tools", dirs_exist_ok=True)
    return copy


# --- the same run ----------------------------------------------------------------------------

#: AgentChat's name for Magentic-One's orchestrator; the product shows it as "orchestrator".
SOURCE_ALIASES = {"MagenticOneOrchestrator": "orchestrator"}
#: AgentChat's chat messages (a turn someone takes); every other type is an event.
CHAT_MESSAGE_TYPES = {"TextMessage", "StructuredMessage", "ToolCallSummaryMessage", "HandoffMessage",
                      "StopMessage", "MultiModalMessage"}


@dataclass(frozen=True)
class Step:
    """One step of a run, as both sides can tell it.

    A speaker step: someone's chat message, at the top level or nested (an inner team's member, a
    hierarchical worker, Magentic-One's orchestrator), including a hand-off and the person's answer
    to one. The task (the run's, or a delegation's, which the coordinator's tool call already
    shows) is input, not a turn; streamed chunks, usage, tool results, speaker choices and input
    requests are not steps. A tool call step: an agent asked for one tool (a function, a worker, a
    transfer_to_<x> hand-off, a remember_<memory>) with these arguments (parsed JSON, so spacing
    and key order do not count)."""

    speaker: str
    tool: str | None = None
    arguments: Any = None

    def __str__(self) -> str:
        if self.tool is None:
            return f"{self.speaker} speaks"
        return f"{self.speaker} calls {self.tool}({json.dumps(self.arguments, sort_keys=True)})"


def _arguments(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def product_steps(events: Iterable[Mapping[str, Any]]) -> list[Step]:
    """The steps of a ``team-designer run --jsonl`` run (its event vocabulary: core/events.py)."""
    steps: list[Step] = []
    for e in events:
        if e["type"] == "message" and e["kind"] not in ("task", "thought"):
            steps.append(Step(e["agent"]))
        elif e["type"] == "handoff":
            steps.append(Step(e["agent"]))
        elif e["type"] == "tool_call":
            steps.append(Step(e["agent"], e["name"], _arguments(e["arguments"])))
    return steps


def script_steps(lines: Iterable[Mapping[str, Any]]) -> list[Step]:
    """The steps of an exported script's ``--jsonl`` run (AgentChat's message types by name)."""
    steps: list[Step] = []
    for m in lines:
        source = SOURCE_ALIASES.get(m.get("source", ""), m.get("source", ""))
        kind = m.get("type", "")
        if kind == "ToolCallRequestEvent":
            steps += [Step(source, c["name"], _arguments(c["arguments"])) for c in m.get("tool_calls", [])]
        elif kind in CHAT_MESSAGE_TYPES:
            # The person's words come as a task: the run's own (a TextMessage) is input; the answer
            # to a hand-off (the HandoffMessage the swarm resumes with) is their turn.
            if source == "user" and kind != "HandoffMessage":
                continue
            steps.append(Step(source))
    return steps


def read_jsonl(text: str) -> list[dict[str, Any]]:
    """JSON lines, skipping blank ones; a line that is not JSON fails with the line quoted."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError:
                raise AssertionError(f"line {n} of the --jsonl output is not JSON: {line[:200]!r}") from None
    return out


def diff_steps(a: list[Step], b: list[Step], a_name: str = "team-designer run", b_name: str = "exported script") -> str:
    """Both sequences side by side, marking the first step where they differ ("" when equal)."""
    if a == b:
        return ""
    first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    width = max([len(a_name)] + [len(str(s)) for s in a]) + 2
    rows = [f"first difference at step {first + 1}", f"     {a_name:<{width}}{b_name}"]
    for i in range(max(len(a), len(b))):
        left = str(a[i]) if i < len(a) else "-"
        right = str(b[i]) if i < len(b) else "-"
        mark = ">>" if i == first else ("  " if left == right else "!=")
        rows.append(f"{mark} {i + 1:>2} {left:<{width}}{right}")
    return "\n".join(rows)
