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
from typing import Any, Literal, Mapping, Optional, Sequence

from autogen_core.models import ChatCompletionClient, LLMMessage
from autogen_core.tools import Tool, ToolSchema
from autogen_ext.models.cache import CHAT_CACHE_VALUE_TYPE, ChatCompletionCache
from pydantic import BaseModel

from ..core.cost import SELECTOR
from .recorded import (
    MessageHashes,
    cache_value,
    explain,
    full_hashes,
    json_value,
    message_count,
    model_identity,
    output_schema,
    request_record,
    tool_key,
    usage,
)
from ..core.run_data import ReplayMode, ReplayPlan
from ..core.run_store import Call, RunWriter

log = logging.getLogger(__name__)

Origin = Literal["live", "replayed"]
__all__ = ["CallSession", "RecordingCache", "ReplayMismatch", "ReplayMode", "ReplayPlan", "model_identity", "tool_key"]


class ReplayMismatch(RuntimeError):
    """Strict replay met a request that is not in the recording."""


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
        if message_count(request) > 1 and queue and queue[-1][0] == self.messages:
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
        prompt, completion = usage(found.response)
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
        prompt, completion = usage(value)
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


class _SessionStore:
    """The CacheStore of one agent's RecordingCache: its get/set go to the run's session."""

    def __init__(self, cache: RecordingCache) -> None:
        self._cache = cache

    def get(self, key: str, default: Any = None) -> Any:
        cache = self._cache
        data = cache.session.answer(cache.agent, key, cache.current, cache.current_hashes)
        if data is None:  # the live answer comes to set(), which records it with this request
            cache.pending[key] = cache.current
            return default
        return cache_value(data)

    def set(self, key: str, value: Any) -> None:
        cache = self._cache
        cache.session.answered_live(cache.agent, key, cache.pending.pop(key, {}), json_value(value))


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
                "json_output": output_schema(json_output)}, sort_keys=True))
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
