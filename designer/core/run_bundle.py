"""A run as one shareable file (``.tdrun``): its team snapshot, events and recording, in JSON.

JSON, not a pickle or a database: opening a colleague's run must never run anything, and
the file stays readable in any editor. Reading checks the format and the version and turns
every problem into a :class:`BundleError` with a plain message.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from .masking import redact, redact_data
from .run_data import StoredRun
from .run_store import Call

BUNDLE_FORMAT = "team-designer-run"
BUNDLE_VERSION = 1
BUNDLE_SUFFIX = ".tdrun"
#: Larger than any recorded run we have seen by far; refuses a wrong file before reading it all.
MAX_BUNDLE_BYTES = 512 * 1024 * 1024

_RUN_FIELDS = {f.name: f for f in dataclasses.fields(StoredRun) if f.name != "events"}


class BundleError(Exception):
    """A file that is not a readable run bundle; the message says why."""


def bundle_text(run: StoredRun, calls: list[Call]) -> str:
    fields = {name: getattr(run, name) for name in _RUN_FIELDS}
    # Where the sender keeps the team is theirs to know (the bundle carries the team itself):
    # its file's name only.
    fields["team_path"] = Path(run.team_path).name if run.team_path else None
    data = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "run": fields,
        "events": run.events,
        "calls": [dataclasses.asdict(c) for c in calls],
    }
    # Masked again on the way out: a bundle is made to be shared.
    return redact(json.dumps(redact_data(data), ensure_ascii=False, indent=1)) + "\n"


def write_bundle(path: str | os.PathLike[str], run: StoredRun, calls: list[Call]) -> None:
    from .teamfile import atomic_write  # here: it loads the team model, which reading runs never needs

    atomic_write(path, bundle_text(run, calls))


def is_bundle_path(ref: str) -> bool:
    """Whether a command-line RUN argument names a bundle file rather than a run id."""
    return ref.endswith(BUNDLE_SUFFIX) or os.sep in ref or Path(ref).is_file()


def read_bundle(path: str | os.PathLike[str]) -> tuple[StoredRun, list[Call]]:
    """The run and its recording; read-only, nothing in it is executed or imported."""
    where = str(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_BUNDLE_BYTES:
            raise BundleError(f"{where} is {size // 2**20} MB: too large for a run bundle")
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BundleError(f"{where}: no such file") from None
    except UnicodeDecodeError:
        raise BundleError(f"{where} is not a run bundle (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise BundleError(f"{where} is not a run bundle (line {exc.lineno}: {exc.msg})") from None
    except OSError as exc:
        raise BundleError(f"{where} cannot be read: {exc.strerror or exc}") from None
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"{where} is not a Team Designer run bundle")
    version = data.get("version")
    if not isinstance(version, int) or version > BUNDLE_VERSION:
        raise BundleError(f"{where} was written by a newer Team Designer (bundle version {version}); update to open it")
    try:
        return _run(data["run"], data.get("events", [])), [_call(c) for c in data.get("calls", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(f"{where} is a damaged run bundle ({exc})") from None


#: The type each field of a bundle's run must have (a number may be an int where a float is asked).
_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,), "team": (str,), "team_path": (str, type(None)), "snapshot": (str,), "task": (str,),
    "started_at": (int, float), "reason": (str,), "detail": (str,), "messages": (int,), "prompt_tokens": (int,),
    "completion_tokens": (int,), "duration": (int, float), "cost": (int, float, type(None)),
    "currency": (str, type(None)), "saved_tokens": (int,), "saved_cost": (int, float, type(None)), "title": (str,),
    "starred": (bool,), "origin": (str,), "parent": (str, type(None)), "changes": (str,), "cost_by_agent": (dict,),
    "tokens_by_agent": (dict,), "overrides": (dict,),
}


def _run(fields: Any, events: Any) -> StoredRun:
    if not isinstance(fields, dict) or not isinstance(events, list):
        raise TypeError("its run or events are not records")
    known = {k: v for k, v in fields.items() if k in _RUN_FIELDS}
    for name, value in known.items():
        allowed = _TYPES.get(name, (object,))
        # bool is an int to Python: a count or a price that is true/false is still wrong.
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            raise TypeError(f"its {name} is not {' or '.join(t.__name__ for t in allowed)}")
    for agent, tokens in known.get("tokens_by_agent", {}).items():
        if not isinstance(tokens, dict) or not all(isinstance(n, int) and not isinstance(n, bool) for n in tokens.values()):
            raise TypeError(f"the tokens of {agent!r} are not counts")
    for agent, cost in known.get("cost_by_agent", {}).items():
        if cost is not None and (not isinstance(cost, (int, float)) or isinstance(cost, bool)):
            raise TypeError(f"the cost of {agent!r} is not a number")
    run = StoredRun(**known, events=_events(events))
    if len(run.id) != 12 or not all(c in "0123456789abcdef" for c in run.id):
        raise ValueError("its run id is not a 12-digit hex id")
    return run


def _events(items: list[Any]) -> list[dict[str, Any]]:
    """The events as readers expect them: known types, fields of their types (core.events);
    an event of a kind this version does not know is left out, as a newer bundle may hold some."""
    from .events import Finished, event_from_dict

    out = []
    for data in items:
        event = event_from_dict(data) if isinstance(data, dict) else None
        if event is None:
            continue
        if not isinstance(event.parent, str):
            event.parent = None
        if isinstance(event, Finished):
            for name in ("tokens_by_agent", "saved_by_agent"):
                value = getattr(event, name)
                if not all(isinstance(t, dict) and all(isinstance(n, int) for n in t.values()) for t in value.values()):
                    setattr(event, name, {})
            if not all(c is None or isinstance(c, (int, float)) for c in event.cost_by_agent.values()):
                event.cost_by_agent = {}
        out.append(event.to_dict())
    return out


def _call(data: Any) -> Call:
    if not isinstance(data, dict):
        raise TypeError("a recorded call is not a record")
    missing = [name for name in ("n", "agent", "kind", "key", "request", "response") if name not in data]
    if missing:
        raise ValueError(f"a recorded call has no {', '.join(missing)}")
    call = Call(int(data["n"]), str(data["agent"]), str(data["kind"]), str(data["key"]), data["request"], data["response"])
    if not isinstance(call.request, dict):
        raise TypeError("a recorded request is not a record")
    return call
