"""The Magentic-One orchestrator's model client, and its messages as run events.

The orchestrator asks its model for a progress ledger: one JSON object with fixed keys, each
``{reason, answer}``, whose ``next_speaker`` must name a participant; it retries a reply it
cannot parse ten times, then fails the run. The embedded model (SmolLM2-135M) cannot write
that by itself, so on the embedded model :class:`LedgerClient` asks for a pydantic type
instead, which the embedded client turns into a llama.cpp grammar: the reply is valid JSON of
that shape, the speaker one of the participants' names, and each text short enough that the
ledger fits the token allowance it gets (a ledger cut short by ``--reply-tokens`` could not be
parsed, so the ledger calls are exempt from that cap). Until a participant has spoken since
the last plan, the grammar also fixes the three judgements to what AgentChat's prompt defines
for a team "just starting" (not satisfied, not in a loop, making progress): the tiny model
would otherwise end a run, or re-plan forever, before any agent has said a word. Real
providers get the request exactly as AgentChat sends it. On every provider the client keeps
the last ledger reply, which the transcript shows as the reason for each speaker choice.
"""

from __future__ import annotations

from typing import Any, Callable, Literal, Mapping, Sequence

from autogen_agentchat.messages import BaseAgentEvent, BaseChatMessage
from autogen_core import CancellationToken
from autogen_core.models import ChatCompletionClient, CreateResult, LLMMessage
from autogen_core.tools import Tool, ToolSchema
from autogen_core.utils import extract_json_from_str
from pydantic import BaseModel, Field, create_model

from ..core import events as ev
from ..core.patterns.magentic_one import ORCHESTRATOR
from .models import ModelSetupError, ViewClient

#: The name AgentChat's orchestrator publishes its messages under.
SOURCE = "MagenticOneOrchestrator"
#: How the progress-ledger prompt begins (AgentChat's ORCHESTRATOR_PROGRESS_LEDGER_PROMPT).
_LEDGER_PROMPT_START = "Recall we are working on the following request:"
#: Tokens a constrained ledger may use: the keys and braces (about 70 tokens) plus the texts,
#: which the schema bounds (5 reasons of REASON_CHARS and an instruction of INSTRUCTION_CHARS).
#: Short on purpose: under a grammar every token, forced or not, costs the small model a step
#: (about 85 ms here, more under a grammar), and its reasons are the least useful part of a ledger.
LEDGER_MAX_TOKENS = 300
REASON_CHARS = 32
INSTRUCTION_CHARS = 120
#: The ledger's questions in the words the transcript shows them with, in AgentChat's keys.
QUESTIONS = (("is_request_satisfied", "Request satisfied"), ("is_progress_being_made", "Making progress"),
             ("is_in_loop", "In a loop"))


#: What a run that failed on the ledger says (AgentChat: "Failed to parse ledger information ...").
LEDGER_FAILED = ("the orchestrator's model wrote no progress ledger it could read in 10 tries (one JSON object "
                 "naming the next speaker); give the orchestrator a model that writes JSON (orchestrator_model)")


class LedgerError(ModelSetupError):
    """The orchestrator's model could not write a progress ledger: the model's failure, in words."""


def ledger_type(participants: Sequence[str], *, started: bool = True) -> type[BaseModel]:
    """AgentChat's LedgerEntry with short texts and ``next_speaker.answer`` one of ``participants``;
    not ``started``: the judgements of a team just starting (see the module's note)."""
    reason = (str, Field(max_length=REASON_CHARS))
    boolean = create_model("LedgerBoolean", reason=reason, answer=(bool, ...))
    no: Any = create_model("LedgerNo", reason=reason, answer=(Literal[False], ...)) if not started else boolean
    yes: Any = create_model("LedgerYes", reason=reason, answer=(Literal[True], ...)) if not started else boolean
    # Literal over runtime names: the JSON Schema's enum, which the grammar turns into a choice.
    names: Any = Literal[tuple(participants)]
    speaker = create_model("LedgerSpeaker", reason=reason, answer=(names, ...))
    text = create_model("LedgerText", reason=reason, answer=(str, Field(min_length=1, max_length=INSTRUCTION_CHARS)))
    fields: dict[str, Any] = {
        "is_request_satisfied": (no, ...), "is_in_loop": (no, ...), "is_progress_being_made": (yes, ...),
        "next_speaker": (speaker, ...), "instruction_or_question": (text, ...),
    }
    model: type[BaseModel] = create_model("ProgressLedger" if started else "FirstProgressLedger", **fields)
    return model


def _is_ledger_request(messages: Sequence[LLMMessage], json_output: Any) -> bool:
    last = messages[-1] if messages else None
    content = getattr(last, "content", "")
    return bool(json_output) or (isinstance(content, str) and content.lstrip().startswith(_LEDGER_PROMPT_START))


class LedgerClient(ViewClient):
    """The orchestrator's view of its model: keeps the last ledger reply; with ``constrain``
    (the embedded model) sends each ledger request as ``ledger_type(participants)``."""

    def __init__(self, inner: ChatCompletionClient, participants: Sequence[str], *, constrain: bool) -> None:
        self._inner = inner
        self._participants = list(participants)
        self._constrain = constrain
        self._types = (ledger_type(participants, started=False), ledger_type(participants)) if constrain else None
        #: The text of the last progress-ledger reply ("" before the first).
        self.last_ledger = ""

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        ledger = _is_ledger_request(messages, json_output)
        if ledger and self._types is not None:
            # The thread since the last plan: a participant's message there means the team has started.
            started = any(getattr(m, "source", None) in self._participants for m in messages)
            json_output = self._types[started]
            extra_create_args = {**extra_create_args, "max_tokens": LEDGER_MAX_TOKENS}
        result = await self._inner.create(
            messages, tools=tools, tool_choice=tool_choice, json_output=json_output,
            extra_create_args=extra_create_args, cancellation_token=cancellation_token,
        )
        if ledger and isinstance(result.content, str):
            self.last_ledger = result.content
        return result


def parse_ledger(text: str, participants: Sequence[str]) -> dict[str, Any]:
    """The ledger AgentChat read from ``text`` ({} when it is not one); a one-agent team's next
    speaker is that agent whatever the model said, as AgentChat decides it."""
    try:
        found = extract_json_from_str(text)
    except ValueError:  # JSONDecodeError too
        return {}
    ledger = found[0] if len(found) == 1 and isinstance(found[0], dict) else {}
    if ledger and len(participants) == 1:
        ledger["next_speaker"] = {"reason": "The team consists of only one agent.", "answer": participants[0]}
    return ledger


def _entry(ledger: Mapping[str, Any], key: str) -> tuple[Any, str]:
    value = ledger.get(key)
    if not isinstance(value, Mapping):
        return None, ""
    return value.get("answer"), str(value.get("reason", "")).strip()


def decision_text(ledger: Mapping[str, Any]) -> str:
    """The ledger in words: who speaks next and why, then its three judgements."""
    speaker, why = _entry(ledger, "next_speaker")
    lines = [f"Next speaker: {speaker}" + (f" ({why})" if why else "")]
    for key, words in QUESTIONS:
        answer, reason = _entry(ledger, key)
        if answer is not None:
            lines.append(f"{words}: {'yes' if answer else 'no'}" + (f" ({reason})" if reason else ""))
    return "\n".join(lines)


def orchestrator_events(
    item: BaseAgentEvent | BaseChatMessage, origin: str, parent_of: Callable[[str], str | None]
) -> list[ev.RunEvent]:
    """The orchestrator's messages as events: its plan (the task ledger), each speaker choice
    with the ledger's reasons followed by the instruction, and its final answer (plain text: it
    is the team's answer). Marks come from the orchestrator's metadata (runtime/patterns/magentic_one.py).
    ``parent_of`` nests them as their participants nest (an inner team's orchestrator under its team agent)."""
    if not isinstance(item, BaseChatMessage):
        return []
    stage = item.metadata.get("magentic", "")
    content = item.to_text()
    parent = parent_of(item.metadata.get("member", ""))
    if stage == "plan":
        return [ev.Message(ORCHESTRATOR, content=content, kind="plan", origin=origin, parent=parent)]
    if stage == "instruction":
        chosen = item.metadata.get("next_speaker", "")
        picked: list[ev.RunEvent] = [ev.SpeakerSelected(chosen, by=ORCHESTRATOR, answer=item.metadata.get("decision", ""),
                                                         parent=parent)]
        return [*(picked if chosen else []),
                ev.Message(ORCHESTRATOR, content=content, kind="instruction", origin=origin, parent=parent)]
    return [ev.Message(ORCHESTRATOR, content=content, kind="text", origin=origin, parent=parent)]
