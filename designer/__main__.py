"""``python -m designer`` and the ``team-designer`` console script."""

from __future__ import annotations

import sys


def main() -> None:
    import gc

    # Start-up creates hundreds of thousands of objects that live as long as the process
    # (AgentChat, pydantic and Qt modules); collecting them over and over while importing
    # is wasted work. Collection resumes once they are frozen (see cli/run.py and ui/app.py).
    gc.disable()
    try:
        from .cli.main import main as cli_main
    finally:
        gc.enable()
    sys.exit(cli_main())


if __name__ == "__main__":
    main()
