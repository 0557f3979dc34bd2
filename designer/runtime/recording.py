"""Record a run's model calls, tool results and human answers; answer them again in replay.

Model calls go through :class:`RecordingCache`, autogen-ext's ``ChatCompletionCache`` with
two changes: its key also holds the model's identity (provider, model, base URL, options),
so another model or temperature never replays a stale answer; and its store is a
:class:`CallSession` of this run, JSON only (autogen-ext's disk store pickles, and a shared
recording must never unpickle untrusted data).

Replay modes (a :class:`ReplayPlan`):

* ``strict``: every request must be in the recording; the first that is not stops the run
  with :class:`ReplayMismatch`, saying which agent, at which message, and why it differs.
* ``reuse``: unchanged requests are answered from the recording; from the first changed one
  on, everything runs live (the conversation has left the recorded path).
* ``live_from=N`` (re-run from here): the calls made before message N are answered from the
  recording in the order they were made, whatever the team now says; from message N on, live.

Tool results and human answers are recorded too; in replay they are answered from the
recording (tools with side effects are never re-run) unless ``live_tools`` is asked for.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, AsyncGenerator, Literal, Mapping, Optional, Sequence

from autogen_core.models import ChatCompletionClient, CreateResult, LLMMessage, ModelInfo, RequestUsage, SystemMessage
from autogen_core.tools import Tool, ToolSchema
from autogen_ext.models.cache import CHAT_CACHE_VALUE_TYPE, ChatCompletionCache
from pydantic import BaseModel

from ..core.cost import SELECTOR
from ..core.run_data import ReplayMode, ReplayPlan
from ..core.run_store import Call, RunWriter
from ..core.spec import ModelSpec

log = logging.getLogger(__name__)

Origin = Literal["live", "replayed"]
__all__ = ["CallSession", "RecordingCache", "ReplayMismatch", "ReplayMode", "ReplayPlan", "UnavailableClient"]


class ReplayMismatch(RuntimeError):
    """Strict replay met a request that is not in the recording."""


def model_identity(spec: ModelSpec, model_id: str) -> dict[str, Any]:
    """What, besides the request, decides a model's answer: part of every cache key. All of the
    entry (an Azure deployment, an API version, a GGUF file, the options) but its key, its
    prices and a scripted model's script, which change nothing a recording holds."""
    entry = spec.model_dump(mode="json", exclude={"api_key", "prices", "responses", "delay"}, exclude_none=True)
    return {"id": model_id, **entry}


def _json_value(value: Any) -> Any:
    """A cache value (a CreateResult, or a stream's chunks and result) as JSON data."""
    if isinstance(value, list):
        return [item if isinstance(item, str) else {"result": item.model_dump(mode="json")} for item in value]
    return {"result": value.model_dump(mode="json")}


def _cache_value(data: Any) -> CHAT_CACHE_VALUE_TYPE:
    if isinstance(data, list):
        return [item if isinstance(item, str) else CreateResult.model_validate(item["result"]) for item in data]
    return CreateResult.model_validate(data["result"])


def _usage(data: Any) -> tuple[int, int]:
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


@dataclass
class CallSession:
    """One run's recording and, in a replay, the recording it answers from."""

    writer: RunWriter | None = None
    plan: ReplayPlan | None = None
    #: Messages the run has shown so far (the runner counts them): re-run-from-here's clock.
    messages: int = 0
    #: agent -> how its last model call was answered (marks the transcript's turns).
    last_origin: dict[str, Origin] = field(default_factory=dict)
    saved: dict[str, dict[str, int]] = field(default_factory=dict)
    #: agent -> tokens of its calls answered by the model (the selector's are in no message).
    live_usage: dict[str, dict[str, int]] = field(default_factory=dict)
    replayed_calls: int = 0
    live_calls: int = 0
    #: reuse mode: the conversation has left the recording; everything from here is live.
    diverged: bool = False
    _by_key: dict[str, deque[Call]] = field(default_factory=lambda: defaultdict(deque))
    _by_agent: dict[str, deque[Call]] = field(default_factory=lambda: defaultdict(deque))
    _tools: dict[str, deque[Call]] = field(default_factory=lambda: defaultdict(deque))
    _inputs: deque[Call] = field(default_factory=deque)
    _tool_last: dict[str, Call] = field(default_factory=dict)
    _asked: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    #: The selector's calls per speaker choice: (team messages before it, prompt, answers).
    _selector: deque[tuple[int, str, list[str]]] = field(default_factory=deque)
    _full_hashes: dict[int, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for call in self.plan.calls if self.plan else ():
            if call.kind == "model":
                self._by_key[call.key].append(call)
                self._by_agent[call.agent].append(call)
            elif call.kind == "tool":
                self._tools[call.key].append(call)
            elif call.kind == "input":
                self._inputs.append(call)
        self._full_hashes = full_hashes(self.plan.calls) if self.plan else {}

    def count_messages(self, count: int) -> None:
        self.messages = count

    def selector_reason(self, messages: int) -> tuple[str, str, str] | None:
        """(prompt, raw answers, the last answer) of the speaker choice made after ``messages`` team
        messages, once.
        Matched by that count, not by order: a choice made without asking the model (one
        candidate left) must not take the next choice's reason, and the run's event stream
        may read a choice after the selector has already been asked about the next one."""
        queue = self._selector
        while queue and queue[0][0] < messages:
            queue.popleft()
        if not queue or queue[0][0] != messages:
            return None
        _, prompt, answers = queue.popleft()
        if len(answers) == 1:
            return prompt, answers[0], answers[0]
        return prompt, "\n".join(f"attempt {i}: {a}" for i, a in enumerate(answers, 1)), answers[-1]

    def _note_selector(self, agent: str, request: dict[str, Any], response: Any) -> None:
        if agent != SELECTOR:
            return
        last = request.get("last") or {}
        results = [i for i in response if not isinstance(i, str)] if isinstance(response, list) else [response]
        content = results[-1]["result"].get("content") if results else ""
        answer = content if isinstance(content, str) else json.dumps(content)
        queue = self._selector
        # AgentChat asks again (up to 3 times) when the answer names no one: the same choice,
        # its request grown by the answer and feedback. A first attempt's request is the prompt alone.
        if _message_count(request) > 1 and queue and queue[-1][0] == self.messages:
            queue[-1][2].append(answer)
            return
        prompt = last.get("content") if isinstance(last.get("content"), str) else ""
        queue.append((self.messages, prompt or "", [answer]))

    @property
    def replaying(self) -> bool:
        return self.plan is not None

    @property
    def live_now(self) -> bool:
        plan = self.plan
        if plan is None or self.diverged:
            return True
        return plan.live_from is not None and self.messages >= plan.live_from

    # --- model calls -------------------------------------------------------------------

    def answer(self, agent: str, key: str, request: dict[str, Any], hashes: Sequence[str] = ()) -> Any:
        """The recorded answer to this request (JSON data), or None to ask the live model."""
        ordinal = self._asked[agent]
        self._asked[agent] += 1
        if self.live_now:
            return None
        assert self.plan is not None
        if self.plan.live_from is not None:  # the fixed past: answered in order, whatever the request
            found = self._by_agent[agent].popleft() if self._by_agent[agent] else None
        else:
            queue = self._by_key.get(key)
            found = queue.popleft() if queue else None
        if found is None:
            if self.plan.mode == "strict":
                recorded = [c for c in self.plan.calls if c.kind == "model" and c.agent == agent]
                closest = recorded[ordinal] if ordinal < len(recorded) else None
                raise ReplayMismatch(explain(agent, request, closest.request if closest else None, self.messages + 1,
                                             hashes, self._full_hashes.get(closest.n, []) if closest else []))
            log.info("replay: %s's request at message %d is new; the run goes live from here", agent, self.messages + 1)
            self.diverged = True
            return None
        self._take(found, self._by_key.get(found.key), self._by_agent[agent])
        self.last_origin[agent] = "replayed"
        self.replayed_calls += 1
        prompt, completion = _usage(found.response)
        saved = self.saved.setdefault(agent, {"prompt": 0, "completion": 0})
        saved["prompt"] += prompt
        saved["completion"] += completion
        self._record(agent, "model", key, request, found.response)
        return found.response

    @staticmethod
    def _take(call: Call, *queues: deque[Call] | None) -> None:
        for queue in queues:
            if queue is not None and call in queue:
                queue.remove(call)

    def answered_live(self, agent: str, key: str, request: dict[str, Any], value: Any) -> None:
        self.last_origin[agent] = "live"
        self.live_calls += 1
        prompt, completion = _usage(value)
        used = self.live_usage.setdefault(agent, {"prompt": 0, "completion": 0})
        used["prompt"] += prompt
        used["completion"] += completion
        self._record(agent, "model", key, request, value)

    def _record(self, agent: str, kind: str, key: str, request: dict[str, Any], response: Any) -> None:
        if kind == "model":
            self._note_selector(agent, request, response)
        if self.writer is not None:
            self.writer.call(agent, kind, key, request, response)

    # --- tools and human answers ---------------------------------------------------------

    def tool_answer(self, name: str, arguments: Mapping[str, Any], *, strict: bool = True) -> dict[str, Any] | None:
        """The recorded result of this call, in any replay and whatever the models now say: a
        tool may write, send or spend, so a call the recording holds is never made again (unless
        live tools are asked for). None: a call the recording never saw, which then runs (or, in
        a strict replay, stops the run; ``strict=False`` for what may always be asked afresh)."""
        if self.plan is None or self.plan.live_tools:
            return None
        key = tool_key(name, arguments)
        queue = self._tools.get(key)
        found = queue.popleft() if queue else self._tool_last.get(key)  # asked again: the same answer
        if found is None:
            if strict and self.plan.mode == "strict":
                raise ReplayMismatch(f"the call of the tool {name!r} at message {self.messages + 1} is not in the "
                                     f"recording (its arguments differ: {json.dumps(dict(arguments))[:200]})")
            return None
        self._tool_last[key] = found
        self._record(found.agent, "tool", key, found.request, found.response)
        return dict(found.response)

    def tool_done(self, name: str, arguments: Mapping[str, Any], response: dict[str, Any]) -> None:
        self._record(name, "tool", tool_key(name, arguments), {"name": name, "arguments": dict(arguments)}, response)

    def input_answer(self, agent: str) -> str | None:
        if self.plan is None or self.live_now:
            return None
        if not self._inputs:
            if self.plan.mode == "strict":  # never wait for a person in a replay that must not go live
                raise ReplayMismatch(f"{agent}'s answer at message {self.messages + 1} is not in the recording "
                                     "(the recorded run did not ask a human here)")
            return None
        found = self._inputs.popleft()
        self._record(agent, "input", found.key, found.request, found.response)
        self.last_origin[agent] = "replayed"
        return str(found.response.get("text", ""))

    def input_done(self, agent: str, text: str) -> None:
        self.last_origin[agent] = "live"
        self._record(agent, "input", agent, {"agent": agent}, {"text": text})


def as_text(value: Any) -> str:
    """A tool's return value as the agent reads it (autogen's BaseTool.return_value_as_string)."""
    if isinstance(value, BaseModel):
        dumped = value.model_dump()
        return json.dumps(dumped) if isinstance(dumped, dict) else str(dumped)
    return str(value)


def tool_key(name: str, arguments: Mapping[str, Any]) -> str:
    return name + ":" + json.dumps(dict(arguments), sort_keys=True, default=str)


class _SessionStore:
    """The CacheStore of one agent's RecordingCache: its get/set go to the run's session."""

    def __init__(self, cache: RecordingCache) -> None:
        self._cache = cache

    def get(self, key: str, default: Any = None) -> Any:
        cache = self._cache
        cache.pending[key] = cache.current
        data = cache.session.answer(cache.agent, key, cache.current, cache.current_hashes)
        return default if data is None else _cache_value(data)

    def set(self, key: str, value: Any) -> None:
        cache = self._cache
        cache.session.answered_live(cache.agent, key, cache.pending.pop(key, {}), _json_value(value))


class RecordingCache(ChatCompletionCache):
    """ChatCompletionCache keyed by the model's identity too, answering from a CallSession.
    Its create/create_stream (streamed chunks replayed as chunks, ``cached`` set) are autogen-ext's."""

    def __init__(self, client: ChatCompletionClient, agent: str, identity: dict[str, Any], session: CallSession) -> None:
        super().__init__(client)
        self.store = _SessionStore(self)  # type: ignore[assignment]  # get/set is all the cache uses
        self.agent = agent
        self.identity = identity
        self.session = session
        #: The request being keyed, as JSON; then key -> request until its live answer is recorded.
        self.current: dict[str, Any] = {}
        self.current_hashes: list[str] = []
        #: (tool objects, json_output, extra arguments) -> their schemas and the key's head.
        self._heads: dict[tuple[Any, ...], tuple[list[dict[str, Any]], str]] = {}
        self.pending: dict[str, dict[str, Any]] = {}
        self._hashes = MessageHashes()

    def _check_cache(
        self,
        messages: Sequence[LLMMessage],
        tools: Sequence[Tool | ToolSchema],
        json_output: Optional[bool | type[BaseModel]],
        extra_create_args: Mapping[str, Any],
    ) -> tuple[Optional[CHAT_CACHE_VALUE_TYPE], str]:
        hashes, same = self._hashes.of(messages)
        # The model, tools and arguments are the same call after call: written out once each.
        shape = (tuple(map(id, tools)), repr(json_output), json.dumps(dict(extra_create_args), sort_keys=True))
        if shape not in self._heads:
            schemas = [dict(t.schema if isinstance(t, Tool) else t) for t in tools]
            self._heads[shape] = (schemas, json.dumps({
                "model": self.identity, "tools": schemas, "extra": dict(extra_create_args),
                "json_output": _json_output(json_output)}, sort_keys=True))
        schemas, head = self._heads[shape]
        request = request_record(self.identity, messages, schemas, extra_create_args, hashes, same,
                                 with_last=self.agent == SELECTOR)
        # ChatCompletionCache's own key hashes every message's dump at every call, which is
        # quadratic over a long run (~35% of a 200-message scripted run's time); this key is
        # made of the same parts with each message hashed once.
        key = hashlib.sha256(f"{head}\n{'|'.join(hashes)}".encode()).hexdigest()
        self.current_hashes = hashes
        self.current = request
        return self.store.get(key), key


def _message_count(request: Mapping[str, Any]) -> int:
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


def _json_output(json_output: bool | type[BaseModel] | None) -> Any:
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


class UnavailableClient(ChatCompletionClient):
    """A model a replay could not set up (no key, no server package): fine while every request
    is answered from the recording; the first that must go live fails with the setup's words."""

    def __init__(self, spec: ModelSpec, problem: str) -> None:
        from .models import _model_info

        self._info = _model_info(spec)
        self._problem = problem

    def _fail(self) -> Exception:
        from .models import ModelSetupError

        return ModelSetupError(f"{self._problem} (this request is not in the recording, so it needs the live model)")

    async def create(self, messages: Sequence[LLMMessage], **kwargs: Any) -> CreateResult:
        raise self._fail()

    async def create_stream(self, messages: Sequence[LLMMessage], **kwargs: Any) -> AsyncGenerator[str | CreateResult, None]:
        yield await self.create(messages, **kwargs)  # which fails: there is no model to stream from

    async def close(self) -> None:
        return None

    def actual_usage(self) -> RequestUsage:
        return RequestUsage(prompt_tokens=0, completion_tokens=0)

    def total_usage(self) -> RequestUsage:
        return RequestUsage(prompt_tokens=0, completion_tokens=0)

    def count_tokens(self, messages: Sequence[LLMMessage], **kwargs: Any) -> int:
        return 0

    def remaining_tokens(self, messages: Sequence[LLMMessage], **kwargs: Any) -> int:
        return 1_000_000

    @property
    def capabilities(self) -> ModelInfo:  # deprecated alias AgentChat still reads
        return self._info

    @property
    def model_info(self) -> ModelInfo:
        return self._info
