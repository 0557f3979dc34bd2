"""Test connection: a tiny prompt, then a prompt that needs a trivial tool.

The report says how long the model took, whether it really called the tool with valid
arguments, and what went wrong in plain words (wrong URL, connection refused, 401,
unknown model, timeout). It uses the same clients a run uses, streaming as a run does,
so "the test passed" means the run's path works. Qt-free: the Models dialog runs it on
a worker thread, the CLI in the foreground.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from autogen_core import FunctionCall
from autogen_core.models import ChatCompletionClient, CreateResult, LLMMessage, SystemMessage, UserMessage
from autogen_core.tools import FunctionTool, Tool

from ..core.probe_cache import ProbeRecord
from ..core.providers import effective_base_url, effective_model_info
from ..core.spec import ModelInfoSpec, ModelSpec
from .models import ModelSetupError, build_client, resolve_secret
from .neterrors import explain, redact

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 60.0
_REPLY_EXCERPT = 120


def add(a: int, b: int) -> int:
    """Add two whole numbers and return the sum."""
    return a + b


ADD_TOOL = FunctionTool(add, description="Add two whole numbers and return the sum.", name="add")
HELLO: list[LLMMessage] = [
    SystemMessage(content="You are a helpful assistant. Answer in one short sentence."),
    UserMessage(content="Say hello.", source="user"),
]
NEEDS_TOOL: list[LLMMessage] = [
    SystemMessage(content="You are a calculator. Always use the add tool to add numbers; never add them yourself."),
    UserMessage(content="What is 2 + 3? Call the add tool with a=2 and b=3.", source="user"),
]


@dataclass
class ProbeReport:
    model_id: str
    provider: str
    model: str
    base_url: str | None
    answered: bool = False
    reply: str = ""
    latency_s: float | None = None
    chunks: int = 0
    called_tool: bool = False
    arguments: str = ""
    valid_arguments: bool = False
    correct_arguments: bool = False
    tool_latency_s: float | None = None
    error: str = ""
    error_kind: str = ""
    skipped: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """The model answered and called the tool with valid arguments (skipped counts as ok)."""
        return bool(self.skipped) or (self.answered and self.called_tool and self.valid_arguments and not self.error)

    def text(self) -> str:
        """The report as the dialog and the CLI show it."""
        where = f" at {self.base_url}" if self.base_url else ""
        name = f", model {self.model}" if self.model else ""
        lines = [f"Connection test of model {self.model_id!r} — {self.provider}{name}{where}"]
        if self.skipped:
            return "\n".join([*lines, f"  Skipped:   {self.skipped}"])
        if self.answered:
            streamed = f", streamed in {self.chunks} chunk{'s' if self.chunks != 1 else ''}" if self.chunks else ""
            lines.append(f"  Answer:    yes, in {self.latency_s:.2f} s{streamed}: {self.reply!r}")
        else:
            lines.append(f"  Answer:    no — {self.error or 'the model returned nothing'}")
        if not self.answered:
            lines.append("  Tool call: not tried")
        elif self.called_tool:
            validity = "valid arguments" if self.valid_arguments else "INVALID arguments"
            if self.valid_arguments and not self.correct_arguments:
                validity += " (but not a=2, b=3 as asked)"
            lines.append(f"  Tool call: yes, add({self.arguments}) — {validity}, in {self.tool_latency_s:.2f} s")
        else:
            why = self.error or "the model answered in text instead of calling the add tool"
            lines.append(f"  Tool call: no — {why}")
        lines += [f"  Note:      {n}" for n in self.notes]
        verdict = "passed — the model answers and calls tools" if self.ok else "FAILED"
        if not self.ok and self.answered and not self.error:
            verdict += " — fine for agents without tools, not for tool users"
        lines.append(f"  Result:    {verdict}")
        return "\n".join(lines)

    def to_record(self) -> ProbeRecord:
        return ProbeRecord(
            ok=self.ok, answered=self.answered, called_tool=self.called_tool, valid_arguments=self.valid_arguments,
            latency_s=self.latency_s, error=self.error, checked_at=time.time(), summary=self.text(), label=self.model_id,
        )


def _secret_values(spec: ModelSpec, model_id: str) -> list[str]:
    """The key this test will send, so that no message can carry it (empty when unresolved)."""
    try:
        value = resolve_secret(spec.api_key, f"model {model_id!r}")
    except ModelSetupError:
        return []
    return [value] if value else []


def _probe_spec(spec: ModelSpec) -> tuple[ModelSpec, bool]:
    """The entry with tool calling switched on, so the test finds out what the model can do
    even when its flags say otherwise; True when the flag had to be forced."""
    info = effective_model_info(spec)
    if (info is not None and info.function_calling) or spec.provider not in ("ollama", "openai_compatible", "openai", "gemini"):
        return spec, False
    base = info or ModelInfoSpec()
    return spec.model_copy(update={"model_info": base.model_copy(update={"function_calling": True})}), True


async def _collect(client: ChatCompletionClient, messages: Sequence[LLMMessage], tools: list[Tool]) -> tuple[CreateResult, int]:
    result: CreateResult | None = None
    chunks = 0
    async for item in client.create_stream(list(messages), tools=tools):
        if isinstance(item, str):
            chunks += bool(item)
        else:
            result = item
    if result is None:
        raise RuntimeError("the model's stream ended without a result")
    return result, chunks


def _check_arguments(report: ProbeReport, call: FunctionCall) -> None:
    report.arguments = call.arguments
    try:
        args: Any = json.loads(call.arguments or "{}")
    except json.JSONDecodeError:
        return
    numbers = isinstance(args, dict) and all(
        isinstance(args.get(k), (int, float)) and not isinstance(args.get(k), bool) for k in ("a", "b")
    )
    report.valid_arguments = bool(numbers) and call.name == "add"
    report.correct_arguments = report.valid_arguments and args.get("a") == 2 and args.get("b") == 3


async def probe_model(spec: ModelSpec, model_id: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> ProbeReport:
    """Run the connection test of one model entry; never raises for a model's failure."""
    url = effective_base_url(spec)
    report = ProbeReport(model_id, spec.provider, spec.model, url)
    if spec.provider == "scripted":
        report.skipped = "a scripted model replays its script; there is no connection to test"
        return report
    secrets = _secret_values(spec, model_id)
    probe_spec, forced = _probe_spec(spec)
    if forced:
        report.notes.append("model_info.function_calling is off (or unknown); the test tried tools anyway")
    try:
        client = build_client(probe_spec, model_id, timeout=timeout, max_retries=0)
    except (ModelSetupError, ValueError) as exc:
        report.error, report.error_kind = redact(str(exc), secrets), "setup"
        return report
    try:
        started = time.perf_counter()
        result, report.chunks = await asyncio.wait_for(_collect(client, HELLO, []), timeout)
        report.latency_s = time.perf_counter() - started
        text = result.content if isinstance(result.content, str) else ""
        report.answered = True
        report.reply = redact(text.strip().replace("\n", " ")[:_REPLY_EXCERPT], secrets)
        started = time.perf_counter()
        result, _ = await asyncio.wait_for(_collect(client, NEEDS_TOOL, [ADD_TOOL]), timeout)
        report.tool_latency_s = time.perf_counter() - started
        if isinstance(result.content, list) and result.content:
            report.called_tool = True
            _check_arguments(report, result.content[0])
            if forced and report.valid_arguments:
                report.notes.append("the model did call the tool: set model_info.function_calling to true")
    except Exception as exc:  # every failure becomes a sentence in the report
        # The sentence drops the traceback; the log keeps it (keys masked) for a bug report.
        log.info("connection test of model %r failed", model_id, exc_info=True)
        words = explain(exc, url=url, model=spec.model, provider=spec.provider, timeout=timeout, secrets=secrets)
        report.error, report.error_kind = words.text, words.kind
    finally:
        try:
            await client.close()
        except Exception:  # closing a broken connection must not hide the report
            log.debug("closing the client of model %r failed", model_id, exc_info=True)
    return report


def run_probe(spec: ModelSpec, model_id: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> ProbeReport:
    """:func:`probe_model` on a fresh event loop (for worker threads and the CLI)."""
    return asyncio.run(probe_model(spec, model_id, timeout=timeout))
