"""The parts of a run that are not its control flow: errors in plain words, capping replies,
and keeping the libraries' logs quiet. Used by :mod:`.runner` (masking: :mod:`.run_outbox`)."""

from __future__ import annotations

import logging
import os

from ..core import events as ev
from ..core.masking import redact
from ..core.spec import TeamSpec
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
