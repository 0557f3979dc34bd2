"""``team-designer runs ...``: the run history in the terminal (list, show, export, diff, ...).

RUN is an unambiguous prefix of a run id (like git) or the path of a ``.tdrun`` bundle. A
bundle is read-only: show, export and diff read it directly, and nothing in it is executed.
Every bad input (an unknown id, a damaged store or bundle, a bad format) is one line on
stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any, Callable

from ..core.finish import plural
from ..core.run_bundle import BUNDLE_SUFFIX, BundleError, is_bundle_path, read_bundle, write_bundle
from ..core.run_data import REASON_WORDS, StoredRun, cost_text
from ..core.run_store import RunStore, StoreError
from .history import ORIGIN_MARKS, CliError, fail, header_lines, load_run, open_store, print_transcript

EXIT_OK = 0
#: A run's export formats by file suffix.
FORMATS = {".md": "md", ".markdown": "md", ".jsonl": "jsonl", ".html": "html", ".htm": "html"}
#: How many runs ``runs list`` shows unless --limit or --all says otherwise.
DEFAULT_LIMIT = 20


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _record(run: StoredRun, *, events: bool) -> dict[str, Any]:
    data = dataclasses.asdict(run)
    if not events:
        data.pop("events")
        data.pop("snapshot")
    data["short_id"], data["label"] = run.short_id, run.label
    return data


# --- list -----------------------------------------------------------------------------------

_COLUMNS = ("ID", "WHEN", "", "KIND", "TEAM", "TASK", "FINISH", "MSGS", "TOKENS", "COST", "TIME")
_RIGHT = {"MSGS", "TOKENS", "COST", "TIME"}


def _row(run: StoredRun) -> list[str]:
    return [run.short_id, run.when, "★" if run.starred else "", ORIGIN_MARKS.get(run.origin, ""),
            _short(run.team, 24), _short(run.label, 40), REASON_WORDS.get(run.reason, run.reason), str(run.messages), f"{run.tokens:,}",
            cost_text(run.cost, run.currency), f"{run.duration:.1f} s"]


def _table(runs: list[StoredRun]) -> list[str]:
    rows = [list(_COLUMNS)] + [_row(r) for r in runs]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]

    def line(row: list[str]) -> str:
        cells = [c.rjust(w) if name in _RIGHT else c.ljust(w) for c, w, name in zip(row, widths, _COLUMNS, strict=True)]
        return "  ".join(c for c, w in zip(cells, widths, strict=True) if w).rstrip()

    out = [line(rows[0])]
    indent = " " * (widths[0] + 2)
    for run, row in zip(runs, rows[1:], strict=True):
        out.append(line(row))
        if run.changes:  # what changed in the team since its previous run: the point of the history
            out.append(f"{indent}changed: {run.changes}")
    return out


def _list(args: argparse.Namespace) -> int:
    store = open_store()
    team_path = None
    if args.team is not None:
        path = Path(args.team)
        if not path.is_file():
            raise CliError(f"{args.team}: no such team file")
        team_path = str(path.resolve())
    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be at least 1")
    total = store.count(team_path)
    limit = total if args.all else (args.limit or DEFAULT_LIMIT)
    runs = store.list_runs(team_path, limit=max(limit, 1))
    if args.json:
        print(json.dumps([_record(r, events=False) for r in runs], ensure_ascii=False, indent=1))
        return EXIT_OK
    if not runs:
        where = f" of {args.team}" if args.team else ""
        print(f"no runs{where} in the history yet ({store.path})")
        return EXIT_OK
    print("\n".join(_table(runs)))
    if total > len(runs):
        print(f"… and {total - len(runs)} older (--limit N or --all to see them)")
    return EXIT_OK


# --- show -----------------------------------------------------------------------------------

def _show(args: argparse.Namespace) -> int:
    loaded = load_run(args.run)
    run = loaded.run
    if args.json:
        print(json.dumps(_record(run, events=True), ensure_ascii=False, indent=1))
        return EXIT_OK
    print("\n".join(header_lines(run, loaded.bundle)))
    print()
    if run.events:
        print_transcript(run)
    else:
        print("(no events were recorded)")
    return EXIT_OK


# --- export, import -------------------------------------------------------------------------

def _export(args: argparse.Namespace) -> int:
    from ..core.run_render import run_html, run_jsonl, run_markdown
    from ..core.teamfile import atomic_write

    if (args.out is None) == (args.bundle is None):
        raise CliError("give either OUT (with a .md, .jsonl or .html suffix) or --bundle OUT.tdrun")
    loaded = load_run(args.run)
    if args.bundle is not None:
        _write(lambda: write_bundle(args.bundle, loaded.run, loaded.calls()), args.bundle)
        print(f"wrote {args.bundle}: run {loaded.run.short_id} with its team and recording "
              f"(open it with: team-designer runs show {args.bundle})")
        return EXIT_OK
    fmt = args.format or FORMATS.get(Path(args.out).suffix.lower())
    if fmt is None:
        raise CliError(f"cannot tell the format from {args.out!r}: use a .md, .jsonl or .html suffix, or --format")
    text = {"md": run_markdown, "jsonl": run_jsonl, "html": run_html}[fmt](loaded.run)
    if args.out == "-":
        sys.stdout.write(text)
        return EXIT_OK
    _write(lambda: atomic_write(args.out, text), args.out)
    print(f"wrote {args.out} ({fmt}) from run {loaded.run.short_id}")
    return EXIT_OK


def _write(action: Callable[[], None], where: str) -> None:
    try:
        action()
    except OSError as exc:
        raise CliError(f"cannot write {where}: {exc.strerror or exc}") from None


def _import(args: argparse.Namespace) -> int:
    try:
        run, calls = read_bundle(args.file)
    except BundleError as exc:
        raise CliError(str(exc)) from None
    store = open_store()
    try:
        store.import_run(run, calls)
    except sqlite3.Error as exc:  # a full disk, a read-only store
        raise CliError(f"cannot add the run to the history: {exc}") from None
    print(f"imported run {run.short_id} ({run.team}: {run.label}); see: team-designer runs show {run.short_id}")
    return EXIT_OK


# --- changing the history ---------------------------------------------------------------------

def _store_run(ref: str, what: str) -> tuple[RunStore, StoredRun]:
    if is_bundle_path(ref):
        raise CliError(f"{ref} is a bundle file, which is read-only; import it first (team-designer runs import) to {what} it")
    store = open_store()
    try:
        return store, store.load(ref, events=False)
    except StoreError as exc:
        raise CliError(str(exc)) from None


def _ask_yes(question: str) -> bool:
    """Asks on the terminal (replaceable in tests); anything but y/yes is a no."""
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


ask_yes: Callable[[str], bool] = _ask_yes


def _delete(args: argparse.Namespace) -> int:
    found = [_store_run(ref, "delete") for ref in args.runs]  # every id checked first: a bad one deletes nothing
    store = found[0][0]
    runs = list({run.id: run for _, run in found}.values())
    names = ", ".join(f"{r.short_id} ({_short(r.label, 30)})" for r in runs)
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError(f"not deleting {plural(len(runs), 'run')} without --yes (standard input is not a terminal)")
        if not ask_yes(f"delete {plural(len(runs), 'run')}: {names}? [y/N] "):
            print("nothing deleted")
            return EXIT_OK
    store.delete([r.id for r in runs])
    print(f"deleted {plural(len(runs), 'run')}: {names}")
    return EXIT_OK


def _rename(args: argparse.Namespace) -> int:
    store, run = _store_run(args.run, "rename")
    store.rename(run.id, args.title)
    print(f"run {run.short_id} is now titled {args.title.strip()!r}" if args.title.strip()
          else f"run {run.short_id} has no title (its task names it)")
    return EXIT_OK


def _star(args: argparse.Namespace) -> int:
    store, run = _store_run(args.run, "star")
    store.star(run.id, not args.off)
    print(f"run {run.short_id} {'unstarred' if args.off else 'starred (kept whatever the retention settings say)'}")
    return EXIT_OK


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {number}")
    return number


def _settings(args: argparse.Namespace) -> int:
    store = open_store()
    changes = {"record": args.record, "keep_runs": args.keep, "keep_days": args.days}
    for key, value in changes.items():
        if value is not None:
            store.set_setting(key, str(value))
    if args.keep is not None or args.days is not None:
        store.apply_retention(every_team=True)  # the new bounds hold at once, for every team file
    keep, days = int(store.setting("keep_runs") or 0), int(float(store.setting("keep_days") or 0))
    print(f"record: {'on' if store.recording else 'off'}")
    print(f"keep:   {f'the last {keep} runs per team file' if keep else 'every run'} (starred runs are always kept)")
    print(f"days:   {f'{days} days' if days else 'forever'}")
    print(f"store:  {store.path} ({plural(store.count(), 'run')})")
    return EXIT_OK


# --- diff -------------------------------------------------------------------------------------

def _diff(args: argparse.Namespace) -> int:
    from ..core.run_compare import compare
    from ..core.run_render import comparison_html, comparison_text
    from ..core.teamfile import atomic_write

    store = None if is_bundle_path(args.a) and is_bundle_path(args.b) else open_store()
    a, b = load_run(args.a, store).run, load_run(args.b, store).run
    comparison = compare(a, b)
    if args.html:
        _write(lambda: atomic_write(args.html, comparison_html(comparison, a, b)), args.html)
        print(f"wrote {args.html}: run {a.short_id} against run {b.short_id}")
        return EXIT_OK
    sys.stdout.write(comparison_text(comparison, a, b, colour=sys.stdout.isatty()).rstrip("\n") + "\n")
    return EXIT_OK


# --- the parser ---------------------------------------------------------------------------------

_RUN_HELP = f"a run id or an unambiguous prefix of one (see 'runs list'), or a {BUNDLE_SUFFIX} bundle file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="runs_command", metavar="COMMAND", required=True)
    ls = sub.add_parser("list", help="the recorded runs, newest first")
    ls.add_argument("team", nargs="?", metavar="TEAM.yaml", help="only the runs of this team file (default: every run)")
    ls.add_argument("--all", action="store_true", help=f"every run, not only the newest {DEFAULT_LIMIT}")
    ls.add_argument("--limit", type=int, metavar="N", help=f"show the newest N runs (default {DEFAULT_LIMIT})")
    ls.add_argument("--json", action="store_true", help="print the runs as JSON")
    show = sub.add_parser("show", help="a run's header (team, task, finish, figures, cost) and its transcript")
    show.add_argument("run", metavar="RUN", help=_RUN_HELP)
    show.add_argument("--json", action="store_true", help="print the run and its events as JSON")
    export = sub.add_parser("export", help="write a run as Markdown, JSON lines, one HTML page, or a shareable bundle")
    export.add_argument("run", metavar="RUN", help=_RUN_HELP)
    export.add_argument("out", nargs="?", metavar="OUT", help="the file to write ('-': standard output); its suffix picks the format")
    export.add_argument("--format", choices=("md", "jsonl", "html"), help="the format, whatever OUT's suffix")
    export.add_argument("--bundle", metavar=f"OUT{BUNDLE_SUFFIX}",
                        help="write the run as one shareable file: its team snapshot, events and recording")
    delete = sub.add_parser("delete", help="delete runs from the history")
    delete.add_argument("runs", nargs="+", metavar="RUN", help="run ids or prefixes")
    delete.add_argument("--yes", action="store_true", help="do not ask (needed when standard input is not a terminal)")
    diff = sub.add_parser("diff", help="compare two runs: the team changes, the turns side by side, the totals")
    diff.add_argument("a", metavar="A", help=_RUN_HELP)
    diff.add_argument("b", metavar="B", help=_RUN_HELP)
    diff.add_argument("--html", metavar="OUT.html", help="write the comparison as one HTML page instead")
    rename = sub.add_parser("rename", help="give a run a title (an empty title goes back to its task)")
    rename.add_argument("run", metavar="RUN", help="a run id or prefix")
    rename.add_argument("title", metavar="TITLE")
    star = sub.add_parser("star", help="star a run (starred runs are never removed by retention)")
    star.add_argument("run", metavar="RUN", help="a run id or prefix")
    star.add_argument("--off", action="store_true", help="remove the star")
    settings = sub.add_parser("settings", help="show or change recording and retention")
    settings.add_argument("--record", choices=("on", "off"), help="record runs (on) or not (off)")
    settings.add_argument("--keep", type=_count, metavar="N", help="keep the last N runs per team file (0: no limit)")
    settings.add_argument("--days", type=_count, metavar="N", help="remove runs older than N days (0: keep forever)")
    imp = sub.add_parser("import", help=f"add a {BUNDLE_SUFFIX} bundle to the history")
    imp.add_argument("file", metavar=f"FILE{BUNDLE_SUFFIX}")


_HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "list": _list, "show": _show, "export": _export, "delete": _delete, "diff": _diff, "rename": _rename,
    "star": _star, "settings": _settings, "import": _import,
}


def runs_command(args: argparse.Namespace) -> int:
    try:
        return _HANDLERS[args.runs_command](args)
    except CliError as exc:
        return fail(str(exc))
    except StoreError as exc:  # the store went bad between opening and using it
        return fail(str(exc))
    except sqlite3.Error as exc:  # a write refused: a full disk, a read-only file
        return fail(f"the run history cannot be changed: {exc}")
    except BrokenPipeError:  # `runs list | head`: the reader went away; exit quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
