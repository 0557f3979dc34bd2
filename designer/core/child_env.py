"""The environment a run's child processes get: this process's, minus the secrets.

Model-written code (``run_python`` with the local executor, ``code_executor`` agents) and
MCP server programs run as child processes. Inheriting the whole environment would hand
them every API key the designer was started with, so a model could simply
``print(os.environ["OPENAI_API_KEY"])``. :func:`child_environment` keeps what programs need
to work (``PATH``, ``HOME``, ``LANG``, proxies, virtualenv settings ...) and drops:

* every variable the team file refers to as a secret (``env:NAME`` in a model's
  ``api_key``, in an MCP server's ``env:`` block or in its ``headers``): the file itself says it is a key;
* the well-known key names in :data:`SECRET_NAMES`;
* any name that matches :data:`SECRET_PATTERNS` (``*_API_KEY``, ``*_TOKEN``, ``*_SECRET``,
  ``*PASSWORD*`` ...), so a key the file does not mention is not leaked either.

A variable is passed on only when the team file names it for that process: an MCP
server's ``env:`` block is added on top of the scrubbed environment, explicitly.

User tool functions (``module:function``) are *not* covered: they are trusted Python
modules that run inside this process and read ``os.environ`` directly; scrubbing them would
mean changing the environment of the whole application, which this module never does.

Pure (no Qt, no AutoGen, no ``os.environ`` writes): the runtime calls it with
``os.environ`` when it starts a child.
"""

from __future__ import annotations

import re
from typing import Mapping

from .mcp_headers import header_references
from .spec import TeamSpec

#: Key variables of the providers the designer supports and of common tools, dropped by name.
SECRET_NAMES: frozenset[str] = frozenset({
    "OPENAI_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_AD_TOKEN",
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HUGGINGFACEHUB_API_TOKEN",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "OAI_CONFIG_LIST",  # AutoGen's config list holds keys inline
})

#: Name shapes that mean "a secret" (matched case-insensitively against the whole name).
#: Deliberately narrower than "contains KEY": names such as ``KEYBOARD_LAYOUT`` or
#: ``SSH_AUTH_SOCK`` are harmless and some programs need them.
SECRET_PATTERNS: tuple[str, ...] = (
    r".*_API_?KEY",  # OPENAI_API_KEY, MISTRAL_APIKEY
    r"API_?KEY",
    r".*_(SECRET|SECRET_KEY|ACCESS_KEY|PRIVATE_KEY)",  # CLIENT_SECRET, AWS_SECRET_ACCESS_KEY
    r"SECRET(_KEY)?",
    r".*_TOKEN",  # HF_TOKEN, SLACK_BOT_TOKEN
    r".*PASSWORD.*",
    r".*PASSWD.*",
    r".*_CREDENTIALS?",
)
_SECRET_RE = re.compile("|".join(f"(?:{p})" for p in SECRET_PATTERNS), re.IGNORECASE)


def looks_secret(name: str) -> bool:
    """True for a well-known key name or a name shaped like a secret."""
    return name.upper() in SECRET_NAMES or _SECRET_RE.fullmatch(name) is not None


def referenced_variables(spec: TeamSpec | None) -> set[str]:
    """Names the team file reads secrets from (``env:NAME`` references)."""
    names: set[str] = set()
    if spec is None:
        return names
    for model in spec.models.values():
        if model.api_key and model.api_key.startswith("env:"):
            names.add(model.api_key[4:])
    for tool in spec.tools.values():
        if tool.mcp is not None:
            names.update(value[4:] for value in tool.mcp.env.values() if value.startswith("env:"))
            names.update(ref[4:] for ref in header_references(tool.mcp) if ref.startswith("env:"))  # a URL server's
    return names


def referenced_secrets(spec: TeamSpec) -> list[str]:
    """Every secret reference of the team (``env:NAME`` and ``keyring:NAME``), in file order."""
    refs = [m.api_key for m in spec.models.values() if m.api_key]
    for tool in spec.tools.values():
        if tool.mcp is not None:
            refs += [v for v in tool.mcp.env.values() if v.startswith(("env:", "keyring:"))]
            refs += header_references(tool.mcp)
    return list(dict.fromkeys(refs))


def child_environment(
    spec: TeamSpec | None, base_env: Mapping[str, str], passed_on: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``base_env`` without the secrets (see the module docstring), plus ``passed_on``.

    ``passed_on`` is what the team file explicitly gives this one process (an MCP server's
    resolved ``env:`` block); it wins over everything, secrets included, because the user
    wrote it down for exactly this program.
    """
    dropped = referenced_variables(spec)
    env = {name: value for name, value in base_env.items() if name not in dropped and not looks_secret(name)}
    env.update(passed_on or {})
    return env
