"""``team-designer eval EVAL.yaml``: a team and its variants over an evaluation file's tasks.

Progress goes to stderr while it runs (a bar redrawn in place on a terminal, one line per
finished run in a CI log); the matrix goes to stdout at the end, and the reports to the files
asked for. Exit 0 when every cell reached its threshold, 1 when some did not (or the
evaluation was stopped), 2 for a bad file or bad arguments, 130 after Ctrl-C (the runs in
flight are stopped, and the matrix of what finished is still printed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Callable, TextIO

from ..core.eval_report import CROSS, fit, run_name
from ..core.eval_types import EvalSummary, JobResult
from .history import CliError, fail, history_store

if TYPE_CHECKING:
    from ..runtime.eval_engine import Evaluation

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130
BAR_WIDTH = 10
#: Progress lines in a log are cut to this width (the matrix below lists every failure whole).
LINE_WIDTH = 100
REPORTS = (("junit", "--junit"), ("json", "--json"), ("html", "--html"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("eval", metavar="EVAL.yaml", help="the evaluation file (format team-designer-eval/v1)")
    parser.add_argument("--workers", type=int, metavar="N", help="runs at once (default: the number of CPU cores)")
    parser.add_argument("--replay", choices=("strict", "reuse"),
                        help="answer from the last recorded evaluation of this file: strict (offline: a request not "
                             "in the recording fails its run) or reuse (unchanged requests from the recording)")
    parser.add_argument("--filter", metavar="TEXT", default="",
                        help="only the tasks and variants whose name or task text contains TEXT (any case)")
    parser.add_argument("--backend", choices=("local", "ray"), default="local",
                        help="local worker processes (default) or a Ray cluster (pip install 'team-designer[ray]')")
    parser.add_argument("--ray-address", metavar="ADDR",
                        help="the Ray cluster to join (default: RAY_ADDRESS, else a local Ray is started)")
    parser.add_argument("--send-env", action="store_true",
                        help="send the values of the teams' env: secrets to Ray workers (they are never written to files)")
    parser.add_argument("--trust", action="store_true",
                        help="trust the tool modules, MCP servers and local code execution the teams need, and remember it")
    parser.add_argument("--no-record", action="store_true", help="do not keep the evaluation's runs in the run history")
    parser.add_argument("--junit", metavar="OUT.xml", help="write a JUnit XML report (for CI)")
    parser.add_argument("--json", metavar="OUT.json", help="write the results as JSON")
    parser.add_argument("--html", metavar="OUT.html", help="write a self-contained HTML page of the matrix")


def _check_arguments(args: argparse.Namespace) -> None:
    if args.workers is not None and args.workers < 1:
        raise CliError("--workers must be at least 1")
    if args.backend != "ray" and (args.ray_address or args.send_env):
        raise CliError(f"{'--ray-address' if args.ray_address else '--send-env'} is for --backend ray")
    if args.replay and args.no_record:
        raise CliError("--replay answers from the evaluation recorded in the run history: it cannot be --no-record")
    seen: dict[Path, str] = {}
    # Checked before any run: an evaluation must not run for an hour and then fail to write its report.
    for key, flag in REPORTS:
        value = getattr(args, key)
        if value is None:
            continue
        path = Path(value).absolute()
        if path in seen:
            raise CliError(f"{flag} and {seen[path]} name the same file {value}")
        seen[path] = flag
        if path.is_dir():
            raise CliError(f"{flag} {value}: it is a folder")
        if not path.parent.is_dir():
            raise CliError(f"{flag} {value}: no folder {path.parent}")


class Progress:
    """The run counts on stderr: a bar redrawn with \\r on a terminal, one line per run otherwise."""

    def __init__(self, summary: EvalSummary, stream: TextIO, *, tty: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.summary = summary
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.clock = clock
        self.started = clock()
        self._drawn = False

    def eta(self) -> str:
        """'0:42' from the mean wall time per finished run (workers included) and the runs left."""
        done, total = self.summary.done_runs, self.summary.total_runs
        if not done or done >= total:
            return "0:00" if done else "?"
        left = (self.clock() - self.started) / done * (total - done)
        minutes, seconds = divmod(int(left + 0.5), 60)
        return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}" if minutes >= 60 else f"{minutes}:{seconds:02d}"

    def bar(self) -> str:
        """'[#####.....] 12/60 runs · 2 failed · 1 error · ETA 0:42'."""
        done, total = self.summary.done_runs, self.summary.total_runs
        filled = round(BAR_WIDTH * done / total) if total else BAR_WIDTH
        errors = self.summary.count("error")
        return (f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} runs · "
                f"{self.summary.count('failed')} failed · {errors} error{'' if errors == 1 else 's'} · ETA {self.eta()}")

    def line(self, result: JobResult) -> str:
        """'[12/60] terse CROSS square #1: FAIL (contains "9")'."""
        if result.status == "passed":
            outcome = "PASS"
        elif result.status == "error":
            outcome = f"ERR ({result.error})"
        else:
            outcome = f"FAIL ({', '.join(c.label for c in result.checks if not c.passed) or 'failed'})"
        where = f"[{self.summary.done_runs}/{self.summary.total_runs}] {result.variant} {CROSS} {run_name(result)}"
        return fit(f"{where}: {outcome}", LINE_WIDTH)

    def start(self) -> None:
        if self.tty:
            self._draw()

    def update(self, result: JobResult) -> None:
        if self.tty:
            self._draw()
        else:
            print(self.line(result), file=self.stream, flush=True)

    def _draw(self) -> None:
        self.stream.write(f"\r{self.bar()}\x1b[K")
        self.stream.flush()
        self._drawn = True

    def end(self) -> None:
        if self._drawn:  # leave the terminal's line clean for what follows
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def eval_command(args: argparse.Namespace) -> int:
    try:
        _check_arguments(args)
        return _evaluate(args)
    except CliError as exc:
        return fail(str(exc))


def _evaluate(args: argparse.Namespace) -> int:
    from ..core.eval_file import load_eval, make_jobs

    loaded = load_eval(args.eval)
    for problem in loaded.problems:
        print(problem.format(), file=sys.stderr)
    if not loaded.ok:
        return EXIT_INVALID
    if not make_jobs(loaded, args.filter):
        raise CliError(f"--filter {args.filter!r} matches no variant or task" if args.filter else "the evaluation has no runs")
    from ..runtime.eval_engine import EvalOptions, EvalSetupError, Evaluation, untrusted_items
    from .run import confirm_trust

    code, trust = confirm_trust(untrusted_items(loaded), args.trust, "this evaluation")
    if code >= 0:
        return code
    options = EvalOptions(workers=args.workers, backend=args.backend, ray_address=args.ray_address, replay=args.replay,
                          filter_text=args.filter, send_env=args.send_env)
    with history_store(args.no_record) as store:
        try:
            evaluation = Evaluation(loaded, options, store=store, trust=trust)
            interrupted = _watch(evaluation)
        except EvalSetupError as exc:
            raise CliError(str(exc)) from None
    if evaluation.record_problem:
        print(f"warning: the run history did not keep all of the evaluation: {evaluation.record_problem}", file=sys.stderr)
    return _finish(args, evaluation.summary, interrupted)


def _watch(evaluation: Evaluation) -> bool:
    """Runs the evaluation with progress on stderr; whether Ctrl-C stopped it."""
    interrupted, terminated = threading.Event(), threading.Event()

    def stop_soon() -> None:
        interrupted.set()
        # From a thread: the handler runs between two steps of results(), which may hold the
        # engine's locks that stop() takes.
        threading.Thread(target=evaluation.stop, name="eval-stop", daemon=True).start()

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if interrupted.is_set():  # a second Ctrl-C: the user insists
            os._exit(EXIT_INTERRUPTED)
        print("\nstopping… (Ctrl-C again to quit at once)", file=sys.stderr, flush=True)
        stop_soon()

    def on_terminate(signum: int, frame: FrameType | None) -> None:
        # What CI sends at its time limit: stop as for Ctrl-C (workers ended, the history's entry
        # closed), and exit 130 as for Ctrl-C once the evaluation has ended.
        terminated.set()
        stop_soon()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    previous_term = signal.signal(signal.SIGTERM, on_terminate)
    progress = Progress(evaluation.summary, sys.stderr)
    try:
        progress.start()
        for result in evaluation.results():
            progress.update(result)
    finally:
        progress.end()
        signal.signal(signal.SIGINT, previous)
        signal.signal(signal.SIGTERM, previous_term)
    if terminated.is_set():
        print("stopped: terminated (SIGTERM)", file=sys.stderr)
    return interrupted.is_set()


def _finish(args: argparse.Namespace, summary: EvalSummary, interrupted: bool) -> int:
    from ..core import eval_report

    width = shutil.get_terminal_size((eval_report.DEFAULT_WIDTH, 24)).columns if sys.stdout.isatty() else None
    try:
        sys.stdout.write(eval_report.matrix_text(summary, width=width))
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reports are still written
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    writers = {"junit": eval_report.junit_xml, "json": eval_report.json_report, "html": eval_report.html_report}
    status = EXIT_INTERRUPTED if interrupted else EXIT_OK if summary.passed else EXIT_FAILED
    for key, flag in REPORTS:
        path = getattr(args, key)
        if path is None:
            continue
        try:
            eval_report.write_report(path, writers[key](summary))
        except OSError as exc:
            print(f"error: cannot write {flag} {path}: {exc.strerror or exc}", file=sys.stderr)
            status = max(status, EXIT_INVALID) if status != EXIT_INTERRUPTED else status
    if summary.eval_id:
        kept = sum(1 for r in summary.results if r.run_id)
        print(f"recorded as evaluation {summary.eval_id[:7]} ({kept} runs in the run history)", file=sys.stderr)
    return status
