"""``team-designer diagram TEAM.yaml OUT.svg|OUT.png [--theme light|dark]``: the canvas as a picture, headless."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def diagram_command(args: argparse.Namespace) -> int:
    """``team-designer diagram TEAM.yaml OUT.svg|OUT.png``: 0 written, 2 bad file or name, 1 write failed."""
    # Offscreen unless the caller chose a platform: the command must work on a headless machine.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ..core.yamlio import load_team
    from .app import make_application
    from .canvas.export import DiagramError, export_diagram, format_for
    from .theme import theme_manager

    try:
        format_for(args.out)
    except DiagramError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = load_team(args.team)
    if result.spec is None:
        first = result.problems[0].format() if result.problems else f"{args.team}: cannot read the team file"
        more = len(result.problems) - 1
        print(f"error: {first}" + (f" (and {more} more; see `team-designer validate {args.team}`)" if more > 0 else ""),
              file=sys.stderr)
        return 2
    app = make_application()
    # The picture's colours come from --theme, not from the window's remembered choice (kept as it is).
    theme_manager(app).set_choice(args.theme, remember=False)
    try:
        export_diagram(result.spec, args.out, Path(args.team))
    except DiagramError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    return 0
