"""Remembered connection-test results, so the validator can warn about models that failed.

Results are keyed by a hash of what identifies a server's model (provider, base URL,
model name, deployment), never by a key, and stored as a small JSON file in the user's
data folder. The record holds plain-words outcomes only; the probe redacts secrets
before a report reaches here. Qt-free: the CLI and the window share it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .paths import data_dir
from .providers import effective_base_url
from .spec import ModelSpec

CACHE_NAME = "probe-results.json"
_MAX_RECORDS = 500

log = logging.getLogger(__name__)


def probe_key(model: ModelSpec) -> str:
    """What identifies a model at its server; the same entry under another id shares results."""
    parts = [model.provider, (effective_base_url(model) or "").rstrip("/"), model.model, model.deployment or ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class ProbeRecord:
    """The outcome of one connection test, as the validator and the window need it."""

    ok: bool
    answered: bool
    called_tool: bool
    valid_arguments: bool
    latency_s: float | None
    error: str
    checked_at: float
    summary: str = ""
    label: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ProbeRecord:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})  # type: ignore[arg-type]

    def problem(self) -> str:
        """Why a tool-using agent should not rely on this model ('' when it passed)."""
        if self.ok:
            return ""
        if self.error:
            return self.error
        if not self.called_tool:
            return "the model answered but did not call the test tool"
        return "the model called the test tool with invalid arguments"

    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(self.checked_at))


class ProbeCache(Mapping[str, ProbeRecord]):
    """A JSON file of records keyed by :func:`probe_key`; re-read when another process writes it."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / CACHE_NAME
        self._records: dict[str, ProbeRecord] = {}
        self._stamp: tuple[int, int] | None = None

    def _load(self) -> dict[str, ProbeRecord]:
        try:
            stat = self.path.stat()
        except OSError:
            self._records, self._stamp = {}, None
            return self._records
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                self._records = {k: ProbeRecord.from_json(v) for k, v in raw.get("results", {}).items()}
            except (OSError, ValueError, TypeError, AttributeError):
                self._records = {}  # a damaged cache only costs a re-test
                log.warning("ignoring the unreadable probe cache %s", self.path, exc_info=True)
            self._stamp = stamp
        return self._records

    def __getitem__(self, key: str) -> ProbeRecord:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def for_model(self, model: ModelSpec) -> ProbeRecord | None:
        return self._load().get(probe_key(model))

    def put(self, model: ModelSpec, record: ProbeRecord) -> None:
        from .teamfile import atomic_write

        records = dict(self._load())
        records[probe_key(model)] = record
        newest = sorted(records.items(), key=lambda kv: kv[1].checked_at)[-_MAX_RECORDS:]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": 1, "results": {k: asdict(v) for k, v in newest}}, indent=1, sort_keys=True)
        atomic_write(self.path, text + "\n")
        self._stamp = None  # re-read our own write next time
