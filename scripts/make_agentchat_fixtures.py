"""Teams written with AgentChat's own ``dump_component()``, as an AgentChat user would save them:
the import tests read them as data (tests/fixtures/interop/agentchat_*.json).

Run by scripts/make_interop_fixtures.sh. The key below is a fake, there to prove an import moves a
key to the keyring and never into the team file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from autogen_agentchat.agents import AssistantAgent, UserProxyAgent
from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
from autogen_agentchat.teams import DiGraphBuilder, GraphFlow, RoundRobinGroupChat, SelectorGroupChat, Swarm
from autogen_core.tools import FunctionTool
from autogen_ext.models.openai import OpenAIChatCompletionClient
from pydantic import SecretStr

FAKE_KEY = "sk-fixture-0000000000000000000000000000000000"


def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


def client() -> OpenAIChatCompletionClient:
    return OpenAIChatCompletionClient(model="gpt-4o-mini", api_key=FAKE_KEY, temperature=0.3)


def selector_team() -> SelectorGroupChat:
    counter = AssistantAgent("counter", client(), tools=[FunctionTool(word_count, "Count the words in a text.")],
                             description="Counts words.", system_message="Count the words you are given.")
    writer = AssistantAgent("writer", client(), description="Writes a short text.",
                            system_message="Write one short sentence.")
    human = UserProxyAgent("human", description="The person asking.")
    done = TextMentionTermination("TERMINATE") | MaxMessageTermination(10)
    return SelectorGroupChat([writer, counter, human], model_client=client(), termination_condition=done,
                             allow_repeated_speaker=True)


def graph_team() -> GraphFlow:
    writer = AssistantAgent("writer", client(), system_message="Write a draft.")
    critic = AssistantAgent("critic", client(), system_message="Say APPROVE or REVISE.")
    editor = AssistantAgent("editor", client(), system_message="Polish the draft.")
    builder = DiGraphBuilder()
    builder.add_node(writer).add_node(critic).add_node(editor)
    builder.add_edge(writer, critic)
    builder.add_edge(critic, editor, condition="APPROVE")
    # A callable condition: AgentChat's JSON cannot hold it; an import must say so.
    builder.add_edge(critic, writer, condition=lambda message: "REVISE" in message.to_model_text())
    builder.set_entry_point(writer)
    return GraphFlow([writer, critic, editor], graph=builder.build(), termination_condition=MaxMessageTermination(8))


def swarm_team() -> Swarm:
    triage = AssistantAgent("triage", client(), handoffs=["billing"], system_message="Route the request.")
    billing = AssistantAgent("billing", client(), handoffs=["triage"], system_message="Answer billing questions.")
    return Swarm([triage, billing], termination_condition=MaxMessageTermination(6))


def round_robin_team() -> RoundRobinGroupChat:
    a = AssistantAgent("poet", client(), system_message="Write a line of a poem.")
    b = AssistantAgent("critic", client(), system_message="Critique the line.")
    return RoundRobinGroupChat([a, b], termination_condition=MaxMessageTermination(4), max_turns=6)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/interop")
    for name, make in [("selector", selector_team), ("graph", graph_team), ("swarm", swarm_team),
                       ("round_robin", round_robin_team)]:
        team = make()
        # The key as written by hand or by a tool that keeps it (model_dump_json would mask it as
        # '**********', which an import must also take as "no key").
        data = team.dump_component().model_dump()
        text = json.dumps(data, indent=2, default=lambda v: v.get_secret_value() if isinstance(v, SecretStr) else str(v))
        (out / f"agentchat_{name}.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
