"""Plain words for what goes wrong between the app and a model server.

One classifier for the connection test and the model-list picker, so both say
"connection refused" or "unknown model (404)" instead of a stack trace. Every message
passes through :func:`redact` so that a server echoing a key back never puts it into a
report, a cache file or a log.
"""

from __future__ import annotations

import asyncio
import socket
import urllib.error
from dataclasses import dataclass
from typing import Iterable, Iterator

from ..core.masking import known_secrets, redact, remember_secret

__all__ = ["PlainError", "explain", "known_secrets", "redact", "remember_secret"]

_MAX_DETAIL = 240


@dataclass(frozen=True)
class PlainError:
    #: refused | wrong_url | unauthorized | unknown_model | timeout | setup | http | other
    kind: str
    text: str


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _status(exc: BaseException) -> int | None:
    for item in _chain(exc):
        code = getattr(item, "status_code", None)
        if isinstance(item, urllib.error.HTTPError):
            code = item.code
        if isinstance(code, int):
            return code
    return None


def _detail(exc: BaseException) -> str:
    text = str(getattr(exc, "message", "") or exc).strip().replace("\n", " ")
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def _mentions_model(text: str) -> bool:
    low = text.lower()
    return "model" in low and any(w in low for w in ("not found", "does not exist", "not exist", "unknown", "no such", "pull"))


def explain(
    exc: BaseException,
    *,
    url: str | None,
    model: str = "",
    provider: str = "",
    timeout: float | None = None,
    secrets: Iterable[str] = (),
    body: str = "",
) -> PlainError:
    """What went wrong, in words a user can act on. ``body`` is an HTTP error body if known."""
    where = url or "the provider's default address"
    detail = _detail(exc) + (f" {body.strip()[:_MAX_DETAIL]}" if body else "")
    status = _status(exc)
    names = " ".join(type(e).__name__ for e in _chain(exc))
    if status in (401, 403):
        words = PlainError("unauthorized", f"the server refused the API key ({status} {'Unauthorized' if status == 401 else 'Forbidden'}): "
                           "check that the key reference (env:NAME or keyring:NAME) points to a valid key")
    elif status is not None and (status == 404 or 400 <= status < 500) and _mentions_model(detail):
        hint = f" — run: ollama pull {model}" if provider == "ollama" else " — pick one with Load models"
        words = PlainError("unknown_model", f"unknown model {model!r} ({status}): the server at {where} does not have it{hint}")
    elif status == 404:
        hint = ""
        if url and not url.rstrip("/").endswith("/v1") and provider in ("ollama", "openai_compatible"):
            hint = " — OpenAI-compatible URLs usually end in /v1 (Ollama: http://127.0.0.1:11434/v1)"
        words = PlainError("wrong_url", f"wrong URL: {where} answered 404 Not Found{hint}")
    elif status is not None:
        words = PlainError("http", f"the server at {where} answered HTTP {status}: {detail}")
    elif any(isinstance(e, (asyncio.TimeoutError, TimeoutError, socket.timeout)) for e in _chain(exc)) or "Timeout" in names:
        limit = f" within {timeout:g} s" if timeout else ""
        words = PlainError("timeout", f"timed out: no answer from {where}{limit} (is the server busy, or the model still loading?)")
    elif any(isinstance(e, ConnectionRefusedError) for e in _chain(exc)) or "refused" in detail.lower():
        words = PlainError("refused", f"connection refused: nothing is listening at {where} — is the server running?")
    elif any(isinstance(e, socket.gaierror) for e in _chain(exc)) or "Name or service not known" in detail:
        words = PlainError("wrong_url", f"wrong URL: the host in {where} cannot be found")
    elif "Connect" in names or isinstance(exc, (urllib.error.URLError, ConnectionError)):
        words = PlainError("refused", f"cannot connect to {where}: {detail}")
    else:
        words = PlainError("other", f"{type(exc).__name__}: {detail}")
    return PlainError(words.kind, redact(words.text, secrets))
