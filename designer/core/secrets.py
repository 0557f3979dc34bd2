"""Where API keys go: the OS keyring, or (without one) an environment variable the user sets.

A team file, export, log or run record only ever holds a reference (``env:NAME`` or
``keyring:NAME``). A key typed into the app or imported from an ``OAI_CONFIG_LIST`` is
handed to :func:`store_key`, which puts it into the keyring and returns the reference.
Where no keyring backend exists (headless Linux without Secret Service, for example) the
key is dropped and the user is told which environment variable to set: writing it to any
file of ours would be exactly the leak this module exists to prevent.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from .masking import remember_secret

log = logging.getLogger(__name__)

KEYRING_SERVICE = "team-designer"

_NAME_RE = re.compile(r"[^A-Za-z0-9_.\-/]")


@dataclass(frozen=True)
class KeyringStatus:
    usable: bool
    backend: str
    #: Plain words for the user when the keyring cannot be used.
    reason: str = ""


@dataclass(frozen=True)
class StoredKey:
    """The reference to write into the spec, and what to tell the user."""

    ref: str
    in_keyring: bool
    message: str
    #: Set when the user must set an environment variable before running.
    env_var: str | None = None


def keyring_status() -> KeyringStatus:
    """Whether keys can be stored in the OS keyring here, and if not, why."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except ImportError:  # pragma: no cover - keyring is a dependency
        return KeyringStatus(False, "none", "the keyring package is not installed")
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return KeyringStatus(False, name, "no system keyring is available on this computer (keyring found no usable backend)")
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return KeyringStatus(False, name, "no system keyring is available on this computer (keyring found no usable backend)")
    return KeyringStatus(True, name)


def env_var_name(name: str) -> str:
    """An environment variable name for a key name: 'openai-work' -> 'OPENAI_WORK'."""
    text = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper() or "API_KEY"
    return text if not text[0].isdigit() else f"KEY_{text}"


def keyring_name(name: str) -> str:
    """A valid keyring entry name (the SecretRef pattern) for a model id or label."""
    return (_NAME_RE.sub("_", name.strip()) or "api_key")[:128]


def store_key(name: str, value: str, *, env_var: str | None = None) -> StoredKey:
    """Store ``value`` in the keyring as ``name``; without a keyring, return ``env:VAR`` and say
    to set it. ``env_var`` is the variable to suggest (default: derived from ``name``)."""
    entry = keyring_name(name)
    variable = env_var or env_var_name(entry)
    if not env_var and not variable.endswith("KEY"):
        variable += "_API_KEY"  # 'local' -> LOCAL_API_KEY: says what it holds
    status = keyring_status()
    if status.usable:
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(KEYRING_SERVICE, entry, value)
        except KeyringError as exc:
            remember_secret(value)  # a backend's error text might quote what it was given: masked in the log
            log.warning("the keyring %s refused to store %r", status.backend, entry, exc_info=True)
            status = KeyringStatus(False, status.backend, f"the system keyring refused the key ({type(exc).__name__})")
        else:
            return StoredKey(f"keyring:{entry}", True,
                             f"The key is stored in the system keyring as {entry!r}; the team file refers to it as keyring:{entry}.")
    return StoredKey(
        f"env:{variable}",
        False,
        f"Not stored: {status.reason}. The team file now refers to the environment variable {variable}; "
        f"set it before running (for example: export {variable}=...). The key itself was not saved anywhere.",
        env_var=variable,
    )


def is_reference(text: str) -> bool:
    """True for 'env:NAME' or 'keyring:NAME' (what may go into a file), False for anything else."""
    return re.fullmatch(r"(env|keyring):[A-Za-z0-9_.\-/]{1,128}", text.strip()) is not None


#: What local servers' configs put where a key goes (Ollama's docs say "ollama", LM Studio's
#: "lm-studio", vLLM's "EMPTY"): they ask for no key, so none is stored and none is asked for.
PLACEHOLDER_KEYS = frozenset({"not-needed", "not_needed", "none", "null", "empty", "ollama", "lm-studio", "lmstudio",
                              "sk-no-key-required", "no-key", "nokey", "dummy", "placeholder", "x", "-"})


def is_placeholder_key(value: str) -> bool:
    """Whether ``value`` is a local server's stand-in for "no key" rather than a key."""
    return value.strip().lower() in PLACEHOLDER_KEYS
