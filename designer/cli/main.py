"""Command line entry: ``python -m designer [FILE]`` opens the window; subcommands work headless."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .. import __version__

SUBCOMMANDS = ("run", "validate", "schema", "screenshot", "models")


def _validate(args: argparse.Namespace) -> int:
    from ..core.probe_cache import ProbeCache
    from ..core.problems import has_errors
    from ..core.validate import validate_file

    status = 0
    probes = ProbeCache()  # warns about tool users on models whose last connection test failed
    for path in args.files:
        result = validate_file(path, probe_results=probes, tool_folders=args.tools)
        for problem in result.problems:
            print(problem.format(), file=sys.stderr)
        if result.spec is None or has_errors(result.problems):
            status = 2
        else:
            warnings = len(result.problems)
            print(f"{path}: ok" + (f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""))
    return status


def _schema(args: argparse.Namespace) -> int:
    from ..core.schema import schema_text

    sys.stdout.write(schema_text())
    return 0


def _screenshot(args: argparse.Namespace) -> int:
    from ..ui.screenshot import screenshot_command

    return screenshot_command(args)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # Bad arguments: one line and exit code 2, like a bad file.
        self.print_usage(sys.stderr)
        self.exit(2, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from .models import add_arguments as add_models_arguments
    from .run import add_arguments

    parser = _Parser(prog="team-designer", description="Design, run and share multi-agent teams on AutoGen AgentChat.")
    parser.add_argument("--version", action="version", version=f"team-designer {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    run = sub.add_parser("run", help="run a team in the terminal")
    add_arguments(run)
    validate = sub.add_parser("validate", help="check team files; exit 2 with FILE:LINE:COL lines on problems")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("--tools", metavar="DIR", action="append", default=[],
                          help="another folder of tool modules, as for run (repeatable)")
    sub.add_parser("schema", help="print the JSON Schema of the team file format")
    shot = sub.add_parser("screenshot", help="render the main window with a team to a PNG")
    shot.add_argument("team", metavar="TEAM.yaml")
    shot.add_argument("out", metavar="OUT.png")
    shot.add_argument("--run", metavar="TASK", help="run this task on the embedded model first")
    shot.add_argument("--size", default="1400x900", help="window size, WIDTHxHEIGHT")
    add_models_arguments(sub.add_parser("models", help="list, test (connection and tool calls) or import models"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in SUBCOMMANDS and args_list[0] not in ("-h", "--help", "--version"):
        gui = _Parser(prog="team-designer", description="Open the designer window (subcommands: run, validate, schema, screenshot, models).")
        gui.add_argument("file", nargs="?", help="a team file to open")
        args = gui.parse_args(args_list)
        from ..ui.app import run_app

        return run_app(args.file)
    args = build_parser().parse_args(args_list)
    if args.command == "run":
        from .run import run_command

        return run_command(args)
    if args.command == "models":
        from .models import models_command

        return models_command(args)
    handlers = {"validate": _validate, "schema": _schema, "screenshot": _screenshot}
    return handlers[args.command](args)
