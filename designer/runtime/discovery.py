"""The model-name picker's source: ask a server which models it has.

Ollama lists its pulled models at ``/api/tags`` (beside, not under, its ``/v1`` API);
OpenAI-style servers (OpenAI, LM Studio, llama.cpp server, vLLM, Gemini's compatible
endpoint) at ``<base_url>/models``; Anthropic at ``/v1/models`` with its own headers.
Blocking and Qt-free: the Models dialog calls it from a worker thread.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

from ..core.providers import effective_base_url, guess_preset
from ..core.spec import ModelSpec
from .models import ModelSetupError, resolve_secret
from .neterrors import explain

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 8.0
_MAX_BYTES = 4_000_000
_DEFAULT_URLS = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com/v1"}


class ModelListError(RuntimeError):
    """The server could not list its models; the message says why in plain words."""


def _get_json(url: str, headers: dict[str, str], timeout: float) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json", **headers})  # noqa: S310 - http(s) only (spec pattern)
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) URLs only (spec pattern)
        return json.loads(response.read(_MAX_BYTES).decode("utf-8"))


def list_models(spec: ModelSpec, *, timeout: float = DEFAULT_TIMEOUT_S) -> list[str]:
    """The model names the entry's server offers, sorted; raises ModelListError in plain words."""
    if spec.provider == "embedded":
        return ["SmolLM2-135M-Instruct"]
    if spec.provider == "scripted":
        return []
    if spec.provider == "azure_openai":
        raise ModelListError("Azure OpenAI does not list deployments here: type the deployment name from the Azure portal")
    preset = guess_preset(spec)
    kind = preset.list_kind if preset is not None else "openai"
    base = (effective_base_url(spec) or _DEFAULT_URLS.get(spec.provider, "")).rstrip("/")
    if not base:
        raise ModelListError("set the base URL first")
    try:
        key = resolve_secret(spec.api_key, "this model") if spec.api_key else None
    except ModelSetupError as exc:
        raise ModelListError(str(exc)) from None
    headers: dict[str, str] = {}
    if kind == "anthropic":
        headers = {"x-api-key": key or "", "anthropic-version": "2023-06-01"}
    elif key:
        headers = {"Authorization": f"Bearer {key}"}
    if kind == "ollama":
        root = base[: -len("/v1")] if base.endswith("/v1") else base
        url = f"{root}/api/tags"
    else:
        url = f"{base}/models"
    try:
        data = _get_json(url, headers, timeout)
    except Exception as exc:  # every failure becomes a sentence
        log.info("listing the models at %s failed", url, exc_info=True)  # the sentence drops the traceback
        raise ModelListError(explain(exc, url=url, provider=spec.provider, timeout=timeout, secrets=[key or ""]).text) from None
    names = _names(data, kind)
    if names is None:
        raise ModelListError(f"{url} did not answer with a model list (is this the right server?)")
    return sorted(set(names), key=str.lower)


def _names(data: Any, kind: str) -> list[str] | None:
    if kind == "ollama" and isinstance(data, dict) and isinstance(data.get("models"), list):
        return [str(m.get("name") or m.get("model")) for m in data["models"] if isinstance(m, dict) and (m.get("name") or m.get("model"))]
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        return [_strip_prefix(str(m["id"])) for m in data["data"] if isinstance(m, dict) and m.get("id")]
    return None


def _strip_prefix(name: str) -> str:
    # Gemini's compatible endpoint lists 'models/gemini-2.0-flash' but is called with the bare name.
    return name[len("models/"):] if name.startswith("models/") else name
