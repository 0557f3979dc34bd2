"""Secret values this process knows, and masking them out of anything shown or recorded.

Keys are resolved at run time (``env:NAME``, ``keyring:NAME``) by the runtime, which
registers each value here with :func:`remember_secret`. Everything that leaves the
engine — run events, error words, log records, exports — passes through :func:`redact`
(or a :class:`StreamMasker` for streamed text), so a model or tool that echoes a key
never puts it on a screen or into a file. Lives in core so the CLI, the window and the
log handler can use it without importing the runtime.
"""

from __future__ import annotations

import threading
from typing import Iterable

MASK = "***"
#: Values shorter than this are not treated as secrets: masking "abc" everywhere would garble text.
MIN_SECRET_LEN = 6

_KNOWN: set[str] = set()
_LOCK = threading.Lock()
#: The fragments of the known secrets, longest first; rebuilt when a secret is added. Masking
#: runs on every streamed chunk, so it must not sort the set each time.
_KNOWN_FRAGMENTS: list[str] = []


def remember_secret(value: str | None) -> None:
    """Register a secret value resolved in this process (ignored when too short to be one)."""
    global _KNOWN_FRAGMENTS
    if value and len(value) >= MIN_SECRET_LEN:
        with _LOCK:
            if value not in _KNOWN:
                _KNOWN.add(value)
                _KNOWN_FRAGMENTS = _fragments(_KNOWN)


def has_secrets() -> bool:
    """Whether anything is to be masked at all (the common case for local models: no)."""
    return bool(_KNOWN_FRAGMENTS)


def known_secrets() -> list[str]:
    with _LOCK:
        return list(_KNOWN)


def _fragments(secrets: Iterable[str]) -> list[str]:
    """What to mask: every value, plus its 8-character head and tail for long keys (servers
    often echo a key partly, 'sk-abc...wxyz'); longest first so a whole key wins over its parts."""
    out: set[str] = set()
    for secret in secrets:
        if not secret or len(secret) < MIN_SECRET_LEN:
            continue
        out.add(secret)
        if len(secret) >= 16 and token_like(secret):
            out.update((secret[:8], secret[-8:]))
    return sorted(out, key=len, reverse=True)


def token_like(value: str) -> bool:
    """A key or token (one word, no path): only those are echoed partly, and masking the head of
    a path such as '/home/alice/...' would garble every other path in the transcript."""
    return not any(c.isspace() or c in "/\\" for c in value)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret value (given or known to this process) replaced by ***."""
    if not text:
        return text
    extra = list(secrets)
    for fragment in _fragments([*extra, *known_secrets()]) if extra else _KNOWN_FRAGMENTS:
        if fragment in text:
            text = text.replace(fragment, MASK)
    return text


def redact_data(value: object) -> object:
    """A JSON-like value with every string in it redacted (dict keys included)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(k) if isinstance(k, str) else k: redact_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_data(v) for v in value]
    return value


class StreamMasker:
    """Masks secrets in text that arrives in pieces (streamed model chunks).

    A key split across two chunks is invisible to per-chunk masking, so the end of each
    piece that could be the start of a secret is held back until the next piece (or
    :meth:`flush`) shows whether it is one. Ordinary text is never held.
    """

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> str:
        """The part of ``held + text`` that is safe to show now, masked."""
        buffer = self._held + text
        fragments = _KNOWN_FRAGMENTS
        if not fragments:
            self._held = ""
            return buffer
        # Hold from where a secret (or a head or tail of one) may have begun but not ended...
        cut = len(buffer)
        for fragment in fragments:
            # Only where the fragment's first character occurs near the end can it have begun.
            at = buffer.find(fragment[0], max(0, len(buffer) - len(fragment) + 1))
            while at != -1 and at < cut:
                if fragment.startswith(buffer[at:]):
                    cut = at
                    break
                at = buffer.find(fragment[0], at + 1)
        # ...and hold whole any complete one that would straddle that point.
        moved = True
        while moved:
            moved = False
            for fragment in fragments:
                start = buffer.find(fragment, max(0, cut - len(fragment) + 1))
                if start != -1 and start < cut < start + len(fragment):
                    cut, moved = start, True
        self._held = buffer[cut:]
        return redact(buffer[:cut])

    def flush(self) -> str:
        """Whatever is still held (the piece ended without completing a secret)."""
        held, self._held = self._held, ""
        return redact(held)
