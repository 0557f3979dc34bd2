"""``team-designer export TEAM.yaml --to {agentchat-json,python} OUT [--force]``.

The team is validated first (problems as FILE:LINE:COL lines, exit 2), an existing OUT is kept
unless --force, and OUT is written atomically. The report (what the target cannot hold, which
keys to set) goes to stdout with the written path; it never holds a key, only variable names.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..core.safefile import same_file
from .history import EXIT_INVALID, fail

FORMATS = ("agentchat-json", "python")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("team", metavar="TEAM.yaml", help="the team file to export")
    parser.add_argument("--to", required=True, choices=FORMATS, dest="to",
                        help="agentchat-json: AgentChat component JSON (Team.load_component, AutoGen Studio); "
                             "python: a plain Python script on autogen-agentchat / autogen-ext")
    parser.add_argument("out", metavar="OUT", help="the file to write (OUT.json or OUT.py)")
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists")


def export_command(args: argparse.Namespace) -> int:
    from ..core.interop import Exported, InteropError, report_text
    from ..core.problems import has_errors
    from ..core.teamfile import atomic_write
    from ..core.validate import validate_file

    team, out = Path(args.team), Path(args.out)
    result = validate_file(team)
    for problem in result.problems:
        if problem.is_error:
            print(problem.format(), file=sys.stderr)
    if result.spec is None or has_errors(result.problems):
        return EXIT_INVALID
    if same_file(out, team):  # --force or not: the export would replace the team it was made from
        return fail(f"{out} is the team file being exported; choose another OUT")
    if os.path.lexists(out) and not args.force:
        return fail(f"{out} exists; add --force to overwrite it")
    if out.is_dir():
        return fail(f"{out} is a folder")
    try:
        exported: Exported
        if args.to == "agentchat-json":
            from ..runtime.export_json import export_agentchat_json

            exported = export_agentchat_json(result.spec, team)
        else:
            from ..core.pyexport import export_python  # written by the Python export (issue 13)

            exported = export_python(result.spec, team, out=out)
    except InteropError as exc:
        return fail(str(exc))
    try:
        atomic_write(out, exported.text)
    except OSError as exc:
        return fail(f"cannot write {out}: {exc.strerror or exc}")
    report = report_text(exported.notes)
    if report:
        print(report)
    print(f"wrote {out}")
    return 0
