"""``team-designer import FILE [OUT.yaml]``: a team file from AgentChat or AutoGen Studio JSON.

Exit codes: 0 when every chosen team was written (the report lists what was dropped or
changed), 2 for a file that cannot be imported, an output that exists (without ``--force``) or
a gallery of several teams without ``--team`` / ``--all`` (the teams are listed to pick from).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..core.interop import InteropError, TeamEntry, report_text
from ..core.safefile import same_file

EXIT_OK, EXIT_INVALID = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="AgentChat component JSON, an AutoGen Studio team or gallery JSON, "
                                                     "or an OAI_CONFIG_LIST (its models join the team file OUT)")
    parser.add_argument("out", metavar="OUT.yaml", nargs="?",
                        help="the team file to write (default: the team's name in the current folder); "
                             "with --all, a folder (default: the current folder); for an OAI_CONFIG_LIST, the "
                             "existing team file its models are added to")
    parser.add_argument("--team", metavar="NAME_OR_NUMBER", help="which team of a gallery (its label or its number in --list)")
    parser.add_argument("--all", action="store_true", help="import every team of a gallery, each as its own file")
    parser.add_argument("--list", action="store_true", help="list the teams in FILE and exit")
    parser.add_argument("--force", action="store_true", help="overwrite team files that exist")


#: How much of a description a listing shows: one line a terminal holds beside the label.
LISTING_CHARS = 100


def _short(text: str, limit: int = LISTING_CHARS) -> str:
    """``text`` on one line (AgentChat's descriptions are indented docstrings), cut at a word."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if flat[limit - 1] != " " and " " in cut:  # mid-word: back to the last whole word
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.—-") + "…"


def _listing(entries: list[TeamEntry]) -> str:
    return "\n".join(f"{i}. {' '.join(e.label.split())}" + (f" — {_short(e.description)}" if e.description.strip() else "")
                     for i, e in enumerate(entries, 1))


def _chosen(entries: list[TeamEntry], team: str | None, file: str) -> list[TeamEntry]:
    if team is None:
        if len(entries) == 1:
            return entries
        raise InteropError(f"{file} holds {len(entries)} teams; pick one with --team NAME_OR_NUMBER, or import "
                           f"them all with --all:\n{_listing(entries)}")
    if team.strip().isdigit():
        number = int(team)
        if 1 <= number <= len(entries):
            return [entries[number - 1]]
        raise InteropError(f"{file} has no team number {number} (it has {len(entries)})")
    matches = [e for e in entries if e.label.casefold() == team.strip().casefold()]
    if not matches:
        raise InteropError(f"{file} has no team named {team!r}; its teams:\n{_listing(entries)}")
    return matches[:1]


def _targets(entries: list[TeamEntry], args: argparse.Namespace) -> list[tuple[TeamEntry, Path]]:
    from ..core.interop.save_import import default_out_path

    if args.all:
        folder = Path(args.out) if args.out else Path.cwd()
        if folder.exists() and not folder.is_dir():
            raise InteropError(f"{folder} is not a folder (with --all, OUT is the folder the team files go into)")
        out: list[tuple[TeamEntry, Path]] = []
        for entry in entries:
            path, n = default_out_path(entry, folder), 2
            while path in [p for _, p in out]:  # two teams of one name: each gets its own file
                path, n = path.with_name(f"{default_out_path(entry, folder).stem}_{n}.yaml"), n + 1
            out.append((entry, path))
        return out
    chosen = _chosen(entries, args.team, args.file)
    return [(chosen[0], Path(args.out) if args.out else default_out_path(chosen[0], Path.cwd()))]


def _is_oai_config_list(path: str) -> bool:
    """Whether ``path`` is an AutoGen OAI_CONFIG_LIST (model entries, not a team)."""
    from ..core.oai_config import OaiConfigError, read_oai_config

    try:
        read_oai_config(path)
    except (OaiConfigError, OSError):
        return False
    return True


def _import_models(args: argparse.Namespace) -> int:
    """An OAI_CONFIG_LIST holds models, not a team: they join the team file OUT, exactly as
    ``team-designer models import`` adds them (keys to the keyring, never the file)."""
    from . import models

    if not args.out or not Path(args.out).is_file():
        what = f"{args.out} does not exist" if args.out else "no team file was given"
        print(f"error: {args.file} is an OAI_CONFIG_LIST (models, not a team) and {what}: give the team file to add "
              f"its models to, as in 'team-designer import {args.file} TEAM.yaml'", file=sys.stderr)
        return EXIT_INVALID
    return models.import_command(argparse.Namespace(config=args.file, team=args.out))


def _check_target(out: Path, source: Path) -> None:
    """Refuses a target that is the imported file itself (even with --force: the JSON, and any key
    in it, would be gone) and one that would not read as a team file."""
    if same_file(out, source):
        raise InteropError(f"{out} is the file being imported; choose another OUT.yaml")
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise InteropError(f"{out}: a team file is YAML; name it .yaml (for example {out.with_suffix('.yaml').name})")


def import_command(args: argparse.Namespace) -> int:
    from ..core.interop.components import read_component_file
    from ..core.interop.importer import import_team
    from ..core.interop.save_import import save_import

    try:
        try:
            entries = read_component_file(args.file)
        except InteropError:
            # Not a team: an OAI_CONFIG_LIST (models) joins OUT instead; anything else is the error.
            if not (args.list or args.all or args.team) and _is_oai_config_list(args.file):
                return _import_models(args)
            raise
        if args.list:
            print(_listing(entries))
            return EXIT_OK
        if args.all and args.team is not None:
            raise InteropError("--all and --team exclude each other")
        targets = _targets(entries, args)
        for _, path in targets:
            _check_target(path, Path(args.file))
        existing = [str(p) for _, p in targets if p.exists()]
        if existing and not args.force:  # before anything is written: all or nothing
            raise InteropError(f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
                               "choose another OUT or overwrite with --force")
        imported = [(import_team(entry), path) for entry, path in targets]
        if args.all:
            targets[0][1].parent.mkdir(parents=True, exist_ok=True)
        for team, path in imported:
            notes = save_import(team, path, overwrite=args.force)
            if len(imported) > 1:
                print(f"== {team.label}")
            report = report_text(notes)
            if report:
                print(report)
            print(f"wrote {path}")
    except InteropError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK
