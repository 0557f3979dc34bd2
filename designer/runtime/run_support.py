"""The parts of a run that are not its control flow: errors in plain words, capping replies,
and keeping the libraries' logs quiet. Used by :mod:`.runner` (masking: :mod:`.run_outbox`)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..core import events as ev
from ..core.masking import redact
from ..core.spec import TeamSpec
from ..core.tool_introspect import ToolLocations
from ..core.trust import TrustPolicy
from .embedded import EmbeddedModelError
from .models import ModelSetupError
from .tools import ToolSetupError


class UntrustedCodeError(RuntimeError):
    """The run would execute code the user has not trusted; the message lists it."""


_LIBRARY_LOGGERS = ("autogen_core", "autogen_agentchat", "autogen_ext")


def quiet_library_logs() -> None:
    """AgentChat logs every cancelled handler with a traceback; the run reports stops and
    errors itself, in plain words. Set TEAM_DESIGNER_DEBUG=1 to see the library's logs."""
    if os.environ.get("TEAM_DESIGNER_DEBUG"):
        return
    for name in _LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def plain_error(exc: BaseException) -> tuple[ev.ErrorKind, str]:
    """(kind, message) in words a user can act on; no tracebacks."""
    # Every message is scrubbed of keys resolved in this process: servers and tools may echo them.
    if isinstance(exc, (ModelSetupError, EmbeddedModelError)):
        return "model", redact(str(exc))
    if isinstance(exc, ToolSetupError):
        return "tool", redact(str(exc))
    if isinstance(exc, UntrustedCodeError):
        return "trust", str(exc)
    from .recording import ReplayMismatch

    if isinstance(exc, ReplayMismatch):  # a strict replay's request that is not in the recording
        return "model", redact(str(exc))
    name = type(exc).__name__
    # AgentChat re-raises a participant's failure as "Type: message\nTraceback: ..."; keep the words.
    # Servers may quote the request's key in their error: scrub every key resolved in this run.
    text = redact(str(exc).strip().split("\nTraceback:", 1)[0].strip()) or name
    module = type(exc).__module__
    if module.startswith(("openai", "httpx", "anthropic")):
        status = getattr(exc, "status_code", None)
        if name == "APIConnectionError":
            return "model", f"cannot reach the model server ({text})"
        if status == 401:
            return "model", "the model server refused the API key (401 Unauthorized)"
        if status == 404:
            return "model", f"the model server does not know this model or URL (404): {text}"
        return "model", f"the model server answered with an error: {text}"
    if "scripted model" in text:
        return "model", text
    return "internal", f"{name}: {text}"


def cap_replies(spec: TeamSpec, limit: int, model_override: str | None) -> TeamSpec:
    """``spec`` with every model answering in at most ``limit`` tokens; ``spec`` is unchanged.

    Only the models are copied; the rest is shared with ``spec``, which is the run's frozen
    snapshot (nothing edits it), so a capped run costs no second deep copy of the team."""
    models = dict(spec.models)
    if model_override and model_override not in models:
        built_in = spec.model_for(model_override)
        if built_in is not None:  # 'embedded' without an entry of its own: give it one to cap
            models[model_override] = built_in
    capped = {}
    for model_id, model in models.items():
        current = model.options.max_tokens
        options = model.options.model_copy(update={"max_tokens": limit if current is None else min(current, limit)})
        capped[model_id] = model.model_copy(update={"options": options})
    return spec.model_copy(update={"models": capped})


#: How AgentChat's GraphFlow words its end (sequential teams are graphs too).
_GRAPH_END = "Digraph execution is complete"


def end_of(reason: str, pattern: str, coordinator: str | None, finish_requested: bool) -> tuple[ev.FinishReason, str]:
    """(finish reason, detail) of a run from AgentChat's stop reason."""
    from ..core.finish import FINISHED_TURN, MAGENTIC_ANSWER, graph_done, plain_reason

    if finish_requested:
        return "stopped", FINISHED_TURN
    if reason.startswith(_GRAPH_END):
        # AgentChat's words for a graph (a sequence is one too) that ran out of next steps.
        return "completed", graph_done(pattern) + reason[len(_GRAPH_END):]
    # Hierarchical runs end when the coordinator has answered: that is completion, not a bound.
    # AgentChat joins the reasons of every condition that fired ("Maximum ..., 'lead' answered").
    if coordinator is not None and reason.endswith(f"{coordinator!r} answered"):
        return "completed", plain_reason(reason)
    # Magentic-One's final answer on a satisfied request is completion; after its round cap, a bound.
    if reason.startswith(MAGENTIC_ANSWER) and not reason.startswith(f"{MAGENTIC_ANSWER} after its cap"):
        return "completed", plain_reason(reason)
    if reason:
        return "termination", plain_reason(reason)
    return "completed", ""


def check_trust(written: TeamSpec, locations: ToolLocations, team_file: str | Path | None, workspace: str | Path | None,
                trust: TrustPolicy | None) -> dict[str, str]:
    """The files a run may import (path -> the SHA-256 trusted); UntrustedCodeError when the run
    would execute code (user modules, MCP servers, local Python) the user has not trusted."""
    from ..core.trust import approved_files, code_manifest, describe_items, refused_items

    items = code_manifest(written, locations, team_file, workspace=workspace)
    refused = refused_items(items, trust)
    if refused:
        raise UntrustedCodeError(
            "this run would execute code that is not trusted yet:\n" + describe_items(refused)
            + "\n(the window asks before a run; on the command line, review it and add --trust)"
        )
    return approved_files(items)
