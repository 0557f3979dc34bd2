"""``team-designer replay RUN``: a recorded run again, with the team file as it is now.

Strict: every model call and tool result must come from the recording; the first request that
is not in it ends the run (exit 1) naming the agent and what changed. Reuse (the default):
unchanged requests are answered from the recording, and from the first changed one on the run
goes live, so editing the last agent's prompt pays only for the last agent. ``--from N`` keeps
the first N-1 messages as recorded and runs the rest live.

The team is the run's team file as it is on disk now (``--team`` names another); a bundle
whose team file is not on this machine replays with the bundle's own snapshot. Trust is asked
as for ``run``: a replay still builds the team's tools (it answers them from the recording
unless ``--live-tools``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from ..core.problems import has_errors
from ..core.run_store import RunStore, StoreError
from .history import CliError, Loaded, fail, load_run

EXIT_INVALID = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", metavar="RUN", help="a run id or an unambiguous prefix of one, or a .tdrun bundle file")
    parser.add_argument("--strict", action="store_true",
                        help="answer every call from the recording; stop (exit 1) at the first request that is not in it")
    parser.add_argument("--from", dest="live_from", type=int, metavar="N",
                        help="re-run from message N: the messages before it as recorded, the rest live "
                             "(messages count from 1; the task is not one)")
    parser.add_argument("--live-tools", action="store_true",
                        help="run the tools again instead of answering them from the recording")
    parser.add_argument("--team", metavar="TEAM.yaml", help="replay with this team file (default: the run's, as it is now)")
    parser.add_argument("--model", metavar="ID", help="run every agent on this model id (default: as the recorded run did)")
    parser.add_argument("--max-messages", type=int, metavar="N", help="override the message bound")
    parser.add_argument("--timeout", type=float, metavar="S", help="override the time bound, in seconds")
    parser.add_argument("--jsonl", action="store_true", help="print one JSON event per line instead of a transcript")
    parser.add_argument("--no-record", action="store_true", help="do not keep the replay in the run history")
    parser.add_argument("--tools", metavar="DIR", action="append", default=[],
                        help="another folder of tool modules (after tools/ beside the team file); repeatable")
    parser.add_argument("--trust", action="store_true",
                        help="trust the tool modules, MCP servers and local code execution the team needs, and remember it")
    parser.add_argument("--workspace", metavar="DIR", help="the folder tools read and write (kept)")
    parser.set_defaults(reply_tokens=None)  # what run's shared code reads: the recorded run's cap (below)


def _team(args: argparse.Namespace, loaded: Loaded) -> tuple[Any, str]:
    """(the spec to replay with, where it came from). Sets ``args.team`` to the file used (None:
    the run's snapshot), which trust and the tool folders go by."""
    from ..core.validate import validate_file, validate_text

    run = loaded.run
    # A bundle names its team file without its folder: never guess it from this folder.
    if args.team is None and run.team_path and Path(run.team_path).is_absolute() and Path(run.team_path).is_file():
        args.team = run.team_path
    if args.team is not None:
        if not Path(args.team).is_file():
            raise CliError(f"{args.team}: no such team file")
        result, where = validate_file(args.team, tool_folders=args.tools), args.team
    elif loaded.bundle is not None or not run.team_path:
        # A colleague's run (or an unsaved design): the team as it ran is all there is.
        result, where = validate_text(run.snapshot, file=f"run {run.short_id}'s team"), "the team as it ran (snapshot)"
    else:
        raise CliError(f"the team file of run {run.short_id} is not there any more ({run.team_path}); "
                       "give --team TEAM.yaml to replay with another")
    for problem in result.problems:
        print(problem.format(), file=sys.stderr)
    if result.spec is None or has_errors(result.problems):
        raise CliError(f"{where} has errors (above); fix them to replay")
    return result.spec, where


def _check_bounds(args: argparse.Namespace, spec: Any, messages: int) -> None:
    if args.strict and args.live_from is not None:
        raise CliError("--from runs the messages after N live: it cannot be --strict too")
    if args.live_from is not None and spec.orchestration.pattern == "hierarchical":
        # Its workers speak inside the coordinator's turn: a run cannot be cut between them.
        raise CliError("--from is not available for hierarchical teams: the workers' messages are part of the "
                       "coordinator's turn; replay the whole run instead (without --from)")
    if args.live_from is not None and not 1 <= args.live_from <= max(messages, 1):
        raise CliError(f"--from must be a message of the run, 1 to {max(messages, 1)}")
    from .run import bounds_problem

    problem = bounds_problem(args, spec)
    if problem:
        raise CliError(problem)


def _open_history(ref: str, no_record: bool) -> RunStore | None:
    """The store: needed to read a run id; for a bundle only to record the replay, so a store
    that cannot be opened then costs one warning, not the replay."""
    from ..core.run_bundle import is_bundle_path

    if no_record and is_bundle_path(ref):
        return None
    try:
        return RunStore()
    except StoreError as exc:
        if not is_bundle_path(ref):
            raise CliError(str(exc)) from None
        print(f"warning: run history is off: {exc}", file=sys.stderr)
        return None


def replay_command(args: argparse.Namespace) -> int:
    try:
        store = _open_history(args.run, args.no_record)
    except CliError as exc:
        return fail(str(exc))
    try:
        return _replay(args, store)
    except CliError as exc:
        return fail(str(exc))
    finally:
        if store is not None:
            store.close()


def _replay(args: argparse.Namespace, store: RunStore | None) -> int:
    from .run import _check_trust, _run

    loaded = load_run(args.run, store)  # no store: RUN is a bundle (_open_history refused an id)
    spec, where = _team(args, loaded)
    run = loaded.run
    # What the recorded run was run with (--model, bounds, reply caps): the same again, or its
    # requests could not match; a flag given now wins.
    for flag, key in (("model", "model_override"), ("max_messages", "max_messages"), ("timeout", "timeout"),
                      ("reply_tokens", "reply_tokens")):
        if getattr(args, flag, None) is None and key in run.overrides:
            setattr(args, flag, run.overrides[key])
    _check_bounds(args, spec, run.messages)
    try:
        calls = loaded.calls()
    except StoreError as exc:
        raise CliError(str(exc)) from None
    code, trust = _check_trust(args, spec)
    if code >= 0:
        return code
    from ..runtime.recording import ReplayPlan

    plan = ReplayPlan(calls, mode="strict" if args.strict else "reuse", live_tools=args.live_tools, source=run.id,
                      live_from=None if args.live_from is None else args.live_from - 1)
    how = "strict" if args.strict else f"live from message {args.live_from}" if args.live_from else "reuse"
    if not args.jsonl:
        print(f"replaying run {run.short_id} ({how}, {len(calls)} recorded calls) with {where}", file=sys.stderr)
    recorder = None if args.no_record else store
    return asyncio.run(_run(spec, run.task, args, trust, store=recorder, replay=plan, inputs=run.inputs))
