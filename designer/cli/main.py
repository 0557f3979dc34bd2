"""Command line entry: ``python -m designer [FILE]`` opens the window; subcommands work headless."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any, Callable, Sequence

from .. import __version__

SUBCOMMANDS = ("run", "validate", "schema", "screenshot", "diagram", "models", "runs", "replay", "eval", "import", "export")
#: Accepted anywhere before a ``--`` (``team-designer -v run x.yaml`` or ``... run x.yaml -v``).
VERBOSE_FLAGS = ("-v", "--verbose")
_VERBOSE_HELP = "also print debug lines (and AutoGen's log) on stderr; accepted anywhere on the command line"

log = logging.getLogger(__name__)


def _validate(args: argparse.Namespace) -> int:
    from ..core.probe_cache import ProbeCache
    from ..core.problems import has_errors
    from ..core.finish import plural
    from ..core.validate import validate_file

    status = 0
    probes = ProbeCache()  # warns about tool users on models whose last connection test failed
    for path in args.files:
        result: Any = validate_file(path, probe_results=probes, tool_folders=args.tools)
        if result.spec is None and any("team-designer-eval/" in p.message for p in result.problems):
            from ..core.eval_file import load_eval  # an evaluation file: checked as `eval` reads it

            result = load_eval(path)
        for problem in result.problems:
            print(problem.format(), file=sys.stderr)
        if result.spec is None or has_errors(result.problems):
            status = 2
        else:
            warnings = len(result.problems)
            print(f"{path}: ok" + (f" ({plural(warnings, 'warning')})" if warnings else ""))
    return status


def _schema(args: argparse.Namespace) -> int:
    if args.eval:
        from ..core.eval_schema import schema_text as eval_schema_text

        sys.stdout.write(eval_schema_text())
        return 0
    from ..core.schema import schema_text

    sys.stdout.write(schema_text())
    return 0


def _screenshot(args: argparse.Namespace) -> int:
    from ..ui.screenshot import screenshot_command

    return screenshot_command(args)


def _diagram(args: argparse.Namespace) -> int:
    from ..ui.diagram_command import diagram_command

    return diagram_command(args)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # Bad arguments: one line and exit code 2, like a bad file.
        self.print_usage(sys.stderr)
        self.exit(2, f"error: {message}\n")


def _arguments_of(module: str) -> Callable[[argparse.ArgumentParser], None]:
    import importlib

    adder: Callable[[argparse.ArgumentParser], None] = importlib.import_module(f".{module}", __package__).add_arguments
    return adder


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser. ``only``: the subcommand being run, whose module alone is
    imported for its arguments (``runs list`` need not load what ``run`` and ``models`` need)."""

    def add(name: str, module: str, sub_parser: argparse.ArgumentParser) -> None:
        if only is None or only == name:
            _arguments_of(module)(sub_parser)

    parser = _Parser(prog="team-designer", description="Design, run and share multi-agent teams on AutoGen AgentChat.")
    parser.add_argument("--version", action="version", version=f"team-designer {__version__}")
    parser.add_argument(*VERBOSE_FLAGS, action="store_true", help=_VERBOSE_HELP)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    add("run", "run", sub.add_parser("run", help="run a team in the terminal"))
    validate = sub.add_parser("validate", help="check team files; exit 2 with FILE:LINE:COL lines on problems")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("--tools", metavar="DIR", action="append", default=[],
                          help="another folder of tool modules, as for run (repeatable)")
    schema = sub.add_parser("schema", help="print the JSON Schema of the team file format")
    schema.add_argument("--eval", action="store_true", help="the evaluation file format's instead")
    shot = sub.add_parser("screenshot", help="render the main window with a team to a PNG")
    shot.add_argument("team", metavar="TEAM.yaml")
    shot.add_argument("out", metavar="OUT.png")
    shot.add_argument("--run", metavar="TASK", help="run this task on the embedded model first")
    shot.add_argument("--size", default="1400x900", help="window size, WIDTHxHEIGHT")
    shot.add_argument("--view", choices=("design", "yaml"), default="design",
                      help="the editor tab to show (a file that does not load shows the repair view)")
    shot.add_argument("--theme", choices=("light", "dark", "system"), default="light",
                      help="colours of the window (default light; system: as the desktop is)")
    shot.add_argument("--compare", nargs=2, metavar=("RUN_A", "RUN_B"),
                      help="shoot the Compare view of two runs of the history instead of the window")
    shot.add_argument("--history", action="store_true", help="show the History panel (Run ▸ Run History) first")
    shot.add_argument("--eval", metavar="EVAL.yaml", help="run this evaluation in the Evaluate window (Run ▸ Evaluate…) and shoot it")
    picture = sub.add_parser("diagram", help="draw a team's canvas to an SVG or PNG picture (for docs and slides)")
    picture.add_argument("team", metavar="TEAM.yaml")
    picture.add_argument("out", metavar="OUT.svg|OUT.png", help="the picture; its suffix picks the format")
    picture.add_argument("--theme", choices=("light", "dark"), default="light", help="colours of the picture (default light)")
    add("models", "models", sub.add_parser("models", help="list, test (connection and tool calls) or import models"))
    add("runs", "runs", sub.add_parser("runs", help="the run history: list, show, export, diff, delete, star, import runs"))
    add("replay", "replay", sub.add_parser("replay", help="re-run a recorded run with the team as it is now, from its recording"))
    add("eval", "eval", sub.add_parser("eval", help="run a team and its variants over an evaluation file's tasks and checks"))
    add("import", "import_cmd", sub.add_parser(
        "import", help="make a team file from AgentChat component JSON or an AutoGen Studio team or gallery file"))
    add("export", "export_cmd", sub.add_parser(
        "export", help="write a team as AgentChat component JSON or as a plain Python script"))
    return parser


def split_verbose(args: Sequence[str]) -> tuple[list[str], bool]:
    """The arguments without -v/--verbose, and whether it was given. Taken out before parsing
    so every subcommand (and nested one, like ``models test``) accepts it in any position;
    ``--`` ends the search, so a literal "-v" after it stays an argument."""
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    kept = [a for a in args[:end] if a not in VERBOSE_FLAGS]
    return kept + args[end:], len(kept) < end


def _start_logging(verbose: bool, command: str, *, gui: bool = False) -> None:
    from ..core.logs import setup_logging

    # The window has no terminal to warn on; its Show log dialog says when there is no file.
    path = setup_logging(verbose, warn=not gui)
    # Version and command only: arguments can be task text, file names or keys.
    log.info("team-designer %s: %s (Python %d.%d.%d, %s)", __version__, command, *sys.version_info[:3], sys.platform)
    log.debug("log file: %s", path or "none")


def _logged(command: str, action: Callable[[], int]) -> int:
    """Runs a command, leaving its outcome (and a crash's traceback) in the log."""
    try:
        code = action()
    except Exception:
        log.critical("%s crashed", command, exc_info=True)
        raise
    log.info("%s ended with exit code %s", command, code)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args_list, verbose = split_verbose(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in SUBCOMMANDS and args_list[0] not in ("-h", "--help", "--version")):
        gui = _Parser(prog="team-designer",
                      description="Open the designer window (subcommands: run, validate, schema, screenshot, diagram, "
                                  "models, runs, replay, eval, import, export).")
        gui.add_argument("file", nargs="?", help="a team file to open")
        gui.add_argument(*VERBOSE_FLAGS, action="store_true", help=_VERBOSE_HELP)
        args = gui.parse_args(args_list)
        _start_logging(verbose, "window", gui=True)
        from ..ui.app import run_app

        return _logged("window", lambda: run_app(args.file))
    args = build_parser(args_list[0] if args_list[0] in SUBCOMMANDS else None).parse_args(args_list)
    command = " ".join(filter(None, (args.command, getattr(args, "models_command", None), getattr(args, "runs_command", None))))
    _start_logging(verbose, command)
    if args.command == "run":
        from .run import run_command

        return _logged(command, lambda: run_command(args))
    if args.command == "models":
        from .models import models_command

        return _logged(command, lambda: models_command(args))
    if args.command == "eval":
        from .eval import eval_command

        return _logged(command, lambda: eval_command(args))
    if args.command == "import":
        from .import_cmd import import_command

        return _logged(command, lambda: import_command(args))
    if args.command == "export":  # its own branch: each command imports only its own module
        from .export_cmd import export_command

        return _logged(command, lambda: export_command(args))
    if args.command in ("runs", "replay"):
        from .replay import replay_command
        from .runs import runs_command

        return _logged(command, lambda: (runs_command if args.command == "runs" else replay_command)(args))
    handlers = {"validate": _validate, "schema": _schema, "screenshot": _screenshot, "diagram": _diagram}
    return _logged(command, lambda: handlers[args.command](args))
