"""What a recording is made of: a model's identity, a request as recorded (message hashes, the
system message, tools), a response as JSON, tool keys, and why a request is not the recorded one.

Plain functions of :mod:`.recording`'s cache and session, kept apart so each reads on its own.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping, Sequence

from autogen_core.models import CreateResult, LLMMessage, SystemMessage
from autogen_ext.models.cache import CHAT_CACHE_VALUE_TYPE
from pydantic import BaseModel

from ..core.run_store import Call
from ..core.spec import ModelSpec


def model_identity(spec: ModelSpec, model_id: str) -> dict[str, Any]:
    """What, besides the request, decides a model's answer: part of every cache key. All of the
    entry (an Azure deployment, an API version, a GGUF file, the options) but its key, its
    prices and a scripted model's script, which change nothing a recording holds."""
    entry = spec.model_dump(mode="json", exclude={"api_key", "prices", "responses", "delay"}, exclude_none=True)
    return {"id": model_id, **entry}


def json_value(value: Any) -> Any:
    """A cache value (a CreateResult, or a stream's chunks and result) as JSON data."""
    if isinstance(value, list):
        return [item if isinstance(item, str) else {"result": item.model_dump(mode="json")} for item in value]
    return {"result": value.model_dump(mode="json")}


def cache_value(data: Any) -> CHAT_CACHE_VALUE_TYPE:
    if isinstance(data, list):
        return [item if isinstance(item, str) else CreateResult.model_validate(item["result"]) for item in data]
    return CreateResult.model_validate(data["result"])


def usage(data: Any) -> tuple[int, int]:
    results = [i for i in data if not isinstance(i, str)] if isinstance(data, list) else [data]
    usage = results[-1]["result"].get("usage") or {} if results else {}
    return int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))


def explain(agent: str, request: Mapping[str, Any], recorded: Mapping[str, Any] | None, message: int,
            new_msgs: Sequence[str] = (), old_msgs: Sequence[str] = ()) -> str:
    """Why a request is not the recorded one, in a user's words."""
    where = f"{agent}'s request differs from the recording at message {message}"
    if recorded is None:
        return f"{where}: the recording has no more requests from {agent}"
    old_model, new_model = recorded.get("model", {}), request.get("model", {})
    if old_model != new_model:
        changed = sorted(k for k in set(old_model) | set(new_model) if old_model.get(k) != new_model.get(k))
        if changed == ["options"]:
            old_o, new_o = old_model.get("options", {}), new_model.get("options", {})
            parts = [f"{k} {old_o.get(k, 'unset')} → {new_o.get(k, 'unset')}"
                     for k in sorted(set(old_o) | set(new_o)) if old_o.get(k) != new_o.get(k)]
            return f"{where}: its model options changed ({', '.join(parts)})"
        return f"{where}: its model changed ({', '.join(changed)})"
    if recorded.get("system") != request.get("system"):
        return f"{where}: its system message changed"
    if recorded.get("tools") != request.get("tools"):
        return f"{where}: its tools changed"
    for i, (old, new) in enumerate(zip(old_msgs, new_msgs, strict=False)):
        if old != new:
            return f"{where}: message {i + 1} of its context differs (an earlier turn changed)"
    if len(old_msgs) != len(new_msgs):
        return f"{where}: its context has {len(new_msgs)} messages, the recording's {len(old_msgs)}"
    return f"{where}: its request options changed"


def as_text(value: Any) -> str:
    """A tool's return value as the agent reads it (autogen's BaseTool.return_value_as_string)."""
    if isinstance(value, BaseModel):
        dumped = value.model_dump()
        return json.dumps(dumped) if isinstance(dumped, dict) else str(dumped)
    return str(value)


def tool_key(name: str, arguments: Mapping[str, Any]) -> str:
    return name + ":" + json.dumps(dict(arguments), sort_keys=True, default=str)


def message_count(request: Mapping[str, Any]) -> int:
    messages = request.get("messages") or {}
    new = messages.get("new", "") if isinstance(messages, dict) else ""
    return int(messages.get("head", 0) if isinstance(messages, dict) else 0) + (len(new.split("|")) if new else 0)


def full_hashes(calls: Sequence[Call]) -> dict[int, list[str]]:
    """Each recorded model call's message hashes in full: a request records only the hashes
    after those it shares with the same agent's request before (see request_record)."""
    last: dict[str, list[str]] = {}
    out: dict[int, list[str]] = {}
    for call in calls:
        if call.kind != "model":
            continue
        messages = call.request.get("messages") if isinstance(call.request, dict) else None
        if not isinstance(messages, dict):
            continue
        head, new = int(messages.get("head", 0)), str(messages.get("new", ""))
        out[call.n] = last[call.agent] = last.get(call.agent, [])[:head] + (new.split("|") if new else [])
    return out


def output_schema(json_output: bool | type[BaseModel] | None) -> Any:
    if isinstance(json_output, type) and issubclass(json_output, BaseModel):
        return json_output.model_json_schema()
    return json_output


def _message_hash(message: LLMMessage) -> str:
    # pydantic's JSON writer: its field order is the model's, the same on every run.
    return hashlib.sha256(message.model_dump_json().encode()).hexdigest()[:16]


class MessageHashes:
    """One agent's message hashes. Its context holds the same message objects from call to call,
    each call's list the last one's plus what was said since: only the new ones are hashed, and
    the common head is found by identity (a long run's calls would otherwise redo all of them)."""

    def __init__(self) -> None:
        self._messages: list[LLMMessage] = []
        self._hashes: list[str] = []

    def of(self, messages: Sequence[LLMMessage]) -> tuple[list[str], int]:
        """The hashes of ``messages``, and how many of them the last call's list began with."""
        last = self._messages
        if last and len(messages) >= len(last) and messages[0] is last[0] and messages[len(last) - 1] is last[-1]:
            same = len(last)  # the usual case: the same context, grown (its objects are never changed)
        else:
            same = 0
            for old, new in zip(last, messages):  # noqa: B905 - the shorter one bounds the common head
                if old is not new:
                    break
                same += 1
        hashes = self._hashes[:same] + [_message_hash(m) for m in messages[same:]]
        self._messages, self._hashes = list(messages), hashes
        return hashes, same


def request_record(identity: dict[str, Any], messages: Sequence[LLMMessage], tools: list[dict[str, Any]],
                   extra: Mapping[str, Any], hashes: Sequence[str], same: int, *, with_last: bool = False) -> dict[str, Any]:
    """The request as recorded: the model, the system message (and the selector's prompt) in full, the
    tools and extra arguments, and a hash of every message (enough to say where two requests
    part): those after the ``same`` it shares with the agent's request before, as a long run's
    requests repeat their whole context each time (see full_hashes)."""
    system = next((m for m in messages[:1] if isinstance(m, SystemMessage)), None)
    return {
        "model": identity,
        "system": system.content if system is not None else None,
        "messages": {"head": same, "new": "|".join(hashes[same:])},
        # The selector's prompt in full ("why this agent spoke"); an agent's newest message is in
        # the run's events already.
        "last": messages[-1].model_dump(mode="json") if messages and with_last else None,
        "tools": tools,
        "extra": dict(extra),
    }
