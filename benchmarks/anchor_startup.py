"""Start-up against the anchor: this app to an idle window vs AutoGen Studio to its first HTTP 200.

Three sides, alternated in one session (the order rotates every round, so load from other
processes falls on all of them about equally):

* **app**: a fresh process that builds this app's main window on the start page, shows it and
  reports when the event loop first goes idle (the same child as ``gui_startup.py``);
* **bare**: a fresh process that shows a plain ``QMainWindow`` of the same size and reports idle
  the same way: the floor for any Qt app;
* **studio**: ``autogenstudio ui --host 127.0.0.1 --port P --appdir TMP`` in its own virtual
  environment (it pins an AgentChat older than 0.7, so it cannot share ours), timed to the first
  HTTP 200 on ``/``, polled every 50 ms. That is before any browser has loaded the page.

Each side is timed from spawn to its signal (the idle line on stdout, or the 200). Memory is
peak RSS: the process's VmHWM for the Qt sides; for AutoGen Studio the VmHWM summed over its
process tree (shared pages counted once per process, so an upper bound). The app and the bare
window use the same Qt platform (offscreen unless QT_QPA_PLATFORM is set).

Targets: app / AutoGen Studio <= 0.3x; app / bare window <= 2x.

    .venv/bin/python benchmarks/anchor_startup.py [--rounds 5] [--bytecode cache|inherit]
        [--cache DIR] [--no-studio] [--setup-only]

The AutoGen Studio environment is created once under the cache folder
($TEAM_DESIGNER_BENCH_CACHE, else $XDG_CACHE_HOME/team-designer-bench, else
~/.cache/team-designer-bench: outside the repository) and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
STUDIO_VERSION = "0.4.2.2"  # the newest on PyPI on 2026-12-01; pinned so figures compare
POLL_S = 0.05
STUDIO_LIMIT_S = 120.0
TARGET_STUDIO = 0.3
TARGET_BARE = 2.0

# The window's start page, as gui_startup.py builds it; settings and recovery in Qt's test
# locations so the benchmark neither reads nor leaves anything in the user's own.
APP_CHILD = r"""
import json, sys, time
from PySide6.QtCore import QTimer, QStandardPaths
from designer.ui.app import make_application
app = make_application()
QStandardPaths.setTestModeEnabled(True)
from designer.ui.main_window import MainWindow
window = MainWindow(restore_settings=False)
window.show()
marks = {}

def idle():
    marks["idle"] = time.perf_counter()
    status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
    heavy = sorted(m for m in ("autogen_agentchat", "autogen_core", "llama_cpp", "openai", "pydantic")
                   if m in sys.modules)
    print(json.dumps({"hwm_kb": int(status["VmHWM"].split()[0]), "modules": len(sys.modules),
                      "heavy": heavy}), flush=True)

def preloaded():
    # The rest of the editor is imported in idle time after the first screen; then File > New
    # (which builds the editor: canvas, panels, docks) as a user's first click would.
    done = time.perf_counter()
    window.window_actions["new"].trigger()
    app.processEvents()
    built = time.perf_counter()
    print(json.dumps({"preloaded_after_idle_s": done - marks["idle"], "first_new_s": built - done}), flush=True)
    window.files.discard_recovery()
    app.quit()

window.editorPreloaded.connect(preloaded)
QTimer.singleShot(0, idle)
app.exec()
"""

# The floor: the least any PySide6 window costs, same size as the app's, same idle signal.
BARE_CHILD = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1400, 900)
window.show()

def idle():
    status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
    print(json.dumps({"hwm_kb": int(status["VmHWM"].split()[0]), "modules": len(sys.modules),
                      "heavy": []}), flush=True)
    app.quit()

QTimer.singleShot(0, idle)
app.exec()
"""


class Sample(NamedTuple):
    seconds: float
    peak_mb: float
    processes: int = 1
    #: The app only: seconds from idle until the editor's modules are imported, and File > New then.
    preload_s: float | None = None
    first_new_s: float | None = None


def default_cache() -> Path:
    if os.environ.get("TEAM_DESIGNER_BENCH_CACHE"):
        return Path(os.environ["TEAM_DESIGNER_BENCH_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "team-designer-bench"


# --- AutoGen Studio's own environment ---------------------------------------------------------

def studio_env_dir(cache: Path) -> Path:
    return cache / f"autogenstudio-{STUDIO_VERSION}"


def installed_version(venv: Path) -> str | None:
    python = venv / "bin" / "python"
    if not python.exists():
        return None
    done = subprocess.run([str(python), "-c", "import importlib.metadata as m; print(m.version('autogenstudio'))"],
                          capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def ensure_studio(cache: Path) -> tuple[Path | None, str]:
    """The autogenstudio executable, installed once; or None and why, with the steps to do by hand."""
    venv = studio_env_dir(cache)
    if installed_version(venv) == STUDIO_VERSION:
        return venv / "bin" / "autogenstudio", f"autogenstudio {STUDIO_VERSION} (cached in {venv}; {record_freeze(venv)})"
    cache.mkdir(parents=True, exist_ok=True)
    log_path = cache / "install.log"
    # The base interpreter, not this venv's: the new environment must not see our packages.
    base = getattr(sys, "_base_executable", sys.executable)
    steps = [[base, "-m", "venv", "--clear", str(venv)],
             [str(venv / "bin" / "python"), "-m", "pip", "install", f"autogenstudio=={STUDIO_VERSION}"]]
    print(f"installing autogenstudio {STUDIO_VERSION} into {venv} (once; log: {log_path}) ...", flush=True)
    with open(log_path, "w") as log:
        for step in steps:
            log.write("$ " + " ".join(step) + "\n")
            log.flush()
            if subprocess.run(step, stdout=log, stderr=subprocess.STDOUT).returncode != 0:
                tail = log_path.read_text(errors="replace").strip().splitlines()[-3:]
                manual = "\n".join("    " + " ".join(s) for s in steps)
                return None, (f"could not install autogenstudio: {' | '.join(tail)}\n"
                              f"  to do it by hand:\n{manual}")
    return venv / "bin" / "autogenstudio", f"autogenstudio {installed_version(venv)} (installed into {venv}; {record_freeze(venv)})"


def record_freeze(venv: Path) -> str:
    """Only autogenstudio is pinned; what pip resolved for its dependencies is kept beside it."""
    path = venv / "pip-freeze.txt"
    if not path.exists():
        done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze"], capture_output=True, text=True)
        path.write_text(done.stdout)
    deps = {line.split("==")[0].lower(): line.split("==")[-1] for line in path.read_text().splitlines() if "==" in line}
    return (f"autogen-agentchat {deps.get('autogen-agentchat', '?')}, fastapi {deps.get('fastapi', '?')}, "
            f"uvicorn {deps.get('uvicorn', '?')}; all versions in {path}")


# --- memory of a process tree -----------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def tree_peak_mb(pid: int) -> tuple[float, int]:
    """Peak RSS (VmHWM) summed over ``pid`` and its descendants, in MB, and how many processes."""
    try:
        import psutil  # type: ignore[import-untyped]
    except ImportError:
        psutil = None
    if psutil is not None:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
        pids = [p.pid for p in procs]
    else:
        pids, todo = [], [pid]
        while todo:
            current = todo.pop()
            pids.append(current)
            todo.extend(_children(current))
    total_kb = 0
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue  # gone between listing and reading
    return total_kb / 1024, len(pids)


# --- one start of each side -------------------------------------------------------------------

def qt_env(pycache: Path | None) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    if pycache is not None:
        # What an installed copy gets: bytecode written once and reused.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def start_qt(child: str, env: dict[str, str]) -> Sample:
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", child], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - began
    rest, err = proc.communicate(timeout=60)
    if proc.returncode != 0 or not line.strip():
        raise RuntimeError(f"the window child failed ({proc.returncode}): {err.strip()[-400:]}")
    later = json.loads(rest.strip().splitlines()[-1]) if rest.strip() else {}
    return Sample(elapsed, json.loads(line)["hwm_kb"] / 1024, 1, later.get("preloaded_after_idle_s"), later.get("first_new_s"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_studio(exe: Path, appdir: Path, log_path: Path) -> Sample:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    # Its own environment: PATH first so it finds its own tools, none of ours inherited.
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{exe.parent}:{env.get('PATH', '')}"
    # Its CLI writes ~/.autogenstudio/temp_env_vars.env whatever --appdir says: a home of its own
    # keeps the user's untouched.
    env["HOME"] = str(appdir.parent / "home")
    # No proxy from the environment may stand between us and 127.0.0.1.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with open(log_path, "a") as log:
        began = time.perf_counter()
        proc = subprocess.Popen([str(exe), "ui", "--host", "127.0.0.1", "--port", str(port), "--appdir", str(appdir)],
                                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            while True:
                try:
                    with opener.open(url, timeout=2) as reply:
                        if reply.status == 200:
                            elapsed = time.perf_counter() - began
                            return Sample(elapsed, *tree_peak_mb(proc.pid))
                except (urllib.error.URLError, ConnectionError, OSError):
                    pass
                if proc.poll() is not None:
                    raise RuntimeError(f"autogenstudio exited with {proc.returncode} before answering; see {log_path}")
                if time.perf_counter() - began > STUDIO_LIMIT_S:
                    raise RuntimeError(f"no HTTP 200 from {url} within {STUDIO_LIMIT_S:.0f} s; see {log_path}")
                time.sleep(POLL_S)
        finally:
            stop_group(proc)


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Ends the process group this benchmark started (uvicorn and whatever it spawned)."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# --- report -----------------------------------------------------------------------------------

def summary(label: str, samples: list[Sample]) -> str:
    secs = [s.seconds for s in samples]
    mem = [s.peak_mb for s in samples]
    return (f"  {label:<15} median {statistics.median(secs):6.3f} s  (range {min(secs):.3f}-{max(secs):.3f})   "
            f"peak RSS median {statistics.median(mem):6.1f} MB (range {min(mem):.1f}-{max(mem):.1f}), "
            f"{max(s.processes for s in samples)} process(es)")


def ratio_line(name: str, a: list[Sample], b: list[Sample], target: float) -> str:
    of_medians = statistics.median(s.seconds for s in a) / statistics.median(s.seconds for s in b)
    pairwise = statistics.median(x.seconds / y.seconds for x, y in zip(a, b, strict=True))
    verdict = "MET" if of_medians <= target else "NOT MET"
    return (f"  {name:<28} {of_medians:5.2f}x (median of per-round ratios {pairwise:.2f}x)   "
            f"target <= {target}x: {verdict}")


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", "--runs", dest="rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--bytecode", choices=("cache", "inherit"), default="cache",
                        help="cache (default): the Qt sides write and reuse bytecode in the cache folder, "
                             "as an installed copy does; inherit: the environment as it is")
    parser.add_argument("--cache", type=Path, default=default_cache(),
                        help="where AutoGen Studio's environment and the bytecode cache live (default %(default)s)")
    parser.add_argument("--no-studio", action="store_true", help="only this app and the bare window")
    parser.add_argument("--setup-only", action="store_true", help="install AutoGen Studio and stop")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")

    exe, about = (None, "skipped (--no-studio)") if args.no_studio else ensure_studio(args.cache)
    print(f"AutoGen Studio: {about}", flush=True)
    if args.setup_only:
        sys.exit(0 if exe else 1)
    pycache = args.cache / "pycache" if args.bytecode == "cache" else None
    env = qt_env(pycache)
    print(f"Python {sys.version.split()[0]}, QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']}, bytecode: {args.bytecode}, "
          f"{os.cpu_count()} CPUs, load average at start {load()}", flush=True)

    with tempfile.TemporaryDirectory(prefix="anchor-startup-") as tmp:
        appdir = Path(tmp) / "studio-appdir"
        # Kept after the run (the temp folder is not), so a failure's "see ..." still points somewhere.
        studio_log = args.cache / "studio-last-run.log"
        if exe is not None:
            studio_log.write_text("")
        sides: dict[str, Callable[[], Sample]] = {
            "app": lambda: start_qt(APP_CHILD, env),
            "bare window": lambda: start_qt(BARE_CHILD, env),
        }
        if exe is not None:
            sides["AutoGen Studio"] = lambda: start_studio(exe, appdir, studio_log)
        results: dict[str, list[Sample]] = {name: [] for name in sides}
        # Warm-up, not counted: OS file cache, bytecode, and AutoGen Studio's first-run set-up of
        # its app folder (database, migrations); the rounds then time repeat starts of each.
        for name, run in list(sides.items()):
            try:
                first = run()
                print(f"warm-up {name}: {first.seconds:.3f} s, {first.peak_mb:.1f} MB", flush=True)
            except RuntimeError as exc:
                if name != "AutoGen Studio":
                    sys.exit(f"{name}: {exc}")
                print(f"{name}: {exc}; dropped from the run", flush=True)
                del sides[name], results[name]
        names = list(sides)
        for rnd in range(args.rounds):
            order = names[rnd % len(names):] + names[:rnd % len(names)]
            for name in order:
                if name not in sides:
                    continue
                try:
                    results[name].append(sides[name]())
                except RuntimeError as exc:
                    if name != "AutoGen Studio":
                        sys.exit(f"{name}: {exc}")
                    # Its figures would no longer pair round by round with the others': drop it whole.
                    print(f"{name}: {exc}; dropped from the run", flush=True)
                    del sides[name], results[name]
                    names.remove(name)
            print(f"round {rnd + 1}: " + ", ".join(f"{n} {results[n][-1].seconds:.3f} s" for n in names)
                  + f"  (load {load()})", flush=True)

    print(f"\n{args.rounds} rounds, alternating; spawn -> idle window (Qt) or first HTTP 200 (AutoGen Studio); "
          f"load average at end {load()}")
    for name in names:
        print(summary(name, results[name]))
    if "AutoGen Studio" in results:
        print(ratio_line("app / AutoGen Studio", results["app"], results["AutoGen Studio"], TARGET_STUDIO))
    else:
        print("  app / AutoGen Studio: not measured (see above)")
    print(ratio_line("app / bare QMainWindow", results["app"], results["bare window"], TARGET_BARE))
    preload = [s.preload_s for s in results["app"] if s.preload_s is not None]
    first_new = [s.first_new_s for s in results["app"] if s.first_new_s is not None]
    if preload and first_new:
        print(f"  app, after idle: the editor's modules imported in idle time {statistics.median(preload):.3f} s later "
              f"(median); then File > New builds the editor in {statistics.median(first_new) * 1000:.0f} ms (median)")


if __name__ == "__main__":
    main()
