"""What the run-history commands share: opening the store, reading RUN (an id prefix or a
bundle), the lines a run or replay prints after its transcript, and a stored run's header and
transcript as the terminal shows them. ``runs`` (runs.py), ``run`` and ``replay`` use it."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from ..core import events as ev
from ..core.finish import plural
from ..core.run_bundle import BundleError, is_bundle_path, read_bundle
from ..core.run_data import StoredRun, cost_text, money, reason_text
from ..core.run_store import Call, RunStore, StoreError

EXIT_INVALID = 2
ORIGIN_MARKS = {"replay": "↺ replay", "rerun": "↪ rerun", "eval": "✓ eval"}


class CliError(Exception):
    """Bad input: the message is printed as one 'error:' line and the command exits 2."""


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_INVALID


def open_store() -> RunStore:
    try:
        return RunStore()
    except StoreError as exc:
        raise CliError(str(exc)) from None


@contextmanager
def history_store(no_record: bool) -> Iterator[RunStore | None]:
    """The run history a run records in; None with --no-record, or (after one warning line)
    when the store cannot be opened: the run itself goes on."""
    if no_record:
        yield None
        return
    try:
        store = RunStore()
    except StoreError as exc:
        print(f"warning: run history is off: {exc}", file=sys.stderr)
        yield None
        return
    try:
        yield store
    finally:
        store.close()


def replay_summary(finished: ev.Finished) -> str:
    """'replayed 4 calls from the recording, 1 live; saved 1,234 tokens ($0.0012)'."""
    saved = finished.saved_tokens
    return (f"replayed {plural(finished.replayed_calls, 'call')} from the recording, {finished.live_calls} live; "
            f"saved {saved:,} token{'' if saved == 1 else 's'} ({cost_text(finished.saved_cost, finished.currency)})")


def after_run(run_id: str, finished: ev.Finished, *, jsonl: bool, replay: bool) -> None:
    """What a run or replay says after its transcript: the replay's figures, where it was recorded."""
    if finished.record_problem:
        print(f"warning: {finished.record_problem}", file=sys.stderr)
    if jsonl:
        return  # the started and finished events carry the run id and the figures
    if replay:
        print(replay_summary(finished), flush=True)
    if run_id:
        print(f"recorded as run {run_id[:7]} (team-designer runs show {run_id[:7]})", file=sys.stderr)


@dataclass
class Loaded:
    """A run the command reads, from the history or from a bundle file (then ``store`` is None)."""

    run: StoredRun
    calls: Callable[[], list[Call]]
    store: RunStore | None = None
    bundle: str | None = None


def load_run(ref: str, store: RunStore | None = None) -> Loaded:
    """RUN as a run: a bundle path, else an id prefix in the history (opened when not given)."""
    if is_bundle_path(ref):
        try:
            run, calls = read_bundle(ref)
        except BundleError as exc:
            raise CliError(str(exc)) from None
        return Loaded(run, lambda: calls, None, ref)
    store = store or open_store()
    try:
        run = store.load(ref)
    except StoreError as exc:
        raise CliError(str(exc)) from None
    return Loaded(run, lambda: store.calls(run.id), store)


def header_lines(run: StoredRun, bundle: str | None = None) -> list[str]:
    from ..core.run_render import figures

    about = f"run {run.short_id} · {run.when}"
    if run.origin in ORIGIN_MARKS and run.parent:
        how = {"replay": "replay of", "rerun": "re-run from", "eval": "an evaluation's replay of"}[run.origin]
        about += f" · {how} {run.parent[:7]}"
    if run.starred:
        about += " · ★"
    lines = [about]
    if bundle:
        lines.append(f"bundle:   {bundle} (read-only)")
    if run.title:
        lines.append(f"title:    {run.title}")
    lines += [f"team:     {run.team}", f"file:     {run.team_path or 'unsaved design'}",
              f"task:     {run.task.splitlines()[0] if run.task else ''}",
              f"finish:   {reason_text(run.reason, run.detail)}", f"figures:  {figures(run)}"]
    names = list(run.tokens_by_agent) + [n for n in run.cost_by_agent if n not in run.tokens_by_agent]
    if names:
        parts = []
        for name in names:
            tokens = run.tokens_by_agent.get(name, {})
            used = tokens.get("prompt", 0) + tokens.get("completion", 0)
            parts.append(f"{name} {plural(used, 'token')}, {cost_text(run.cost_by_agent.get(name), run.currency)}")
        lines.append(f"agents:   {'; '.join(parts)}")
    if run.saved_tokens:
        saved = f"{run.saved_tokens:,} tokens"
        if run.saved_cost is not None:
            saved += f", {money(run.saved_cost, run.currency)}"
        lines.append(f"saved:    {saved} by replay")
    if run.changes:
        lines.append(f"changed:  {run.changes}")
    return lines


def print_transcript(run: StoredRun) -> None:
    from .render import TerminalRenderer

    renderer = TerminalRenderer()
    for data in run.events:
        event = ev.event_from_dict(data)
        if event is not None:
            renderer.render(event)
