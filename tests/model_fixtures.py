"""Fixtures for models, secrets and servers: imported into conftest.py.

* Fake keys are planted in the environment at import (before any test module snapshots
  ``os.environ``) and in an in-memory keyring; at the end of the session every file the
  suite wrote is scanned for them (``_secret_leak_guard``).
* ``TEAM_DESIGNER_DATA_DIR`` points the probe cache at a temporary folder.
* ``fake_model_server`` is a tiny HTTP server on 127.0.0.1 (model lists, error answers).
* ``llama_server`` is llama-cpp-python's OpenAI-compatible server with the embedded
  SmolLM2 model, started once per session on 127.0.0.1.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests import leakcheck

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

os.environ["OPENAI_API_KEY"] = leakcheck.PLANTED_OPENAI
os.environ["ANTHROPIC_API_KEY"] = leakcheck.PLANTED_ANTHROPIC
DATA_DIR = Path(tempfile.mkdtemp(prefix="team-designer-test-data-"))
atexit.register(shutil.rmtree, DATA_DIR, ignore_errors=True)  # also when no test ran (--collect-only)
os.environ["TEAM_DESIGNER_DATA_DIR"] = str(DATA_DIR)
SESSION_START = time.time() - 1


@pytest.fixture(scope="session", autouse=True)
def _secret_leak_guard(tmp_path_factory: pytest.TempPathFactory, _isolated_qt_settings: None) -> Iterator[None]:
    """Plant a key in a test keyring for the session, then fail if any planted key was written."""
    import keyring
    from PySide6.QtCore import QStandardPaths

    previous = keyring.get_keyring()
    memory = leakcheck.MemoryKeyring()
    memory.set_password("team-designer", "planted", leakcheck.PLANTED_KEYRING)
    keyring.set_keyring(memory)
    qt_folders = {Path(QStandardPaths.writableLocation(loc)) for loc in (
        QStandardPaths.StandardLocation.AppDataLocation, QStandardPaths.StandardLocation.ConfigLocation,
        QStandardPaths.StandardLocation.CacheLocation)}
    yield
    keyring.set_keyring(previous)
    fresh = [tmp_path_factory.getbasetemp(), DATA_DIR]
    # Shared folders: only what changed during this session (the repository: files a test
    # might write beside the examples; Qt's test-mode folders: settings and recovery files).
    shared = [*qt_folders, ROOT]
    hits = leakcheck.scan_for_secrets(fresh, leakcheck.planted_keys())
    hits += leakcheck.scan_for_secrets(shared, leakcheck.planted_keys(), since=SESSION_START)
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    if hits:
        listing = "\n".join(f"  {path}: {what}" for path, what in hits)
        pytest.fail(f"a planted API key was written to {len(hits)} file(s):\n{listing}", pytrace=False)


@pytest.fixture
def memory_keyring() -> Iterator[leakcheck.MemoryKeyring]:
    """A fresh usable keyring for one test."""
    import keyring

    previous = keyring.get_keyring()
    ring = leakcheck.MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The situation on a headless Linux box: keyring's fail backend."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def probe_cache(tmp_path: Path) -> Any:
    from designer.core.probe_cache import ProbeCache

    return ProbeCache(tmp_path / "probe-results.json")


# --- a fake model server ---------------------------------------------------------------------


class Sse(list):  # type: ignore[type-arg]
    """A route answer streamed as server-sent events (one ``data:`` line per chunk, then [DONE])."""


def chat_chunks(text: str = "", tool_call: tuple[str, str] | None = None, model: str = "fake") -> Sse:
    """An OpenAI-style streamed reply: text deltas, or one tool call (name, JSON arguments)."""
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    out = Sse([chunk({"role": "assistant", "content": ""})])
    if tool_call is not None:
        out.append(chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                          "function": {"name": tool_call[0], "arguments": tool_call[1]}}]}))
        out.append(chunk({}, "tool_calls"))
    else:
        words = text.split(" ")
        out += [chunk({"content": w + (" " if i < len(words) - 1 else "")}) for i, w in enumerate(words)]
        out.append(chunk({}, "stop"))
    return out


def server_team(base_url: str, *, name: str = "Cloud", key_ref: str | None = None) -> str:
    """A team file: one agent ``a`` on model ``cloud``, an OpenAI-compatible server at ``base_url``
    (the fake server's, usually), no prices, optionally a key reference; two messages at most."""
    key = f"\n    api_key: {key_ref}" if key_ref else ""
    return f"""\
schema: team-designer/v1
name: {name}
models:
  cloud:
    provider: openai_compatible
    model: some-model
    base_url: {base_url}{key}
    model_info: {{function_calling: false, json_output: false, vision: false, family: unknown}}
default_model: cloud
agents:
  a: {{}}
orchestration: {{pattern: round_robin, participants: [a]}}
termination: {{max_messages: 2}}
"""


@dataclass
class FakeServer:
    """Routes 'GET /path' or 'POST /path' -> (status, JSON body or callable(request) -> body)."""

    routes: dict[str, tuple[int, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0
    url: str = ""

    def base(self, suffix: str = "/v1") -> str:
        return self.url + suffix


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def _answer(self, method: str) -> None:
        fake: FakeServer = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}  # lower-case: clients differ
        request = {"method": method, "path": self.path, "headers": headers, "body": body.decode(errors="replace")}
        fake.requests.append(request)
        if fake.delay:
            time.sleep(fake.delay)
        status, payload = fake.routes.get(f"{method} {self.path}", (404, {"error": {"message": "404 page not found"}}))
        if callable(payload):
            payload = payload(request)
        sse = isinstance(payload, Sse)
        if sse:
            data = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in payload) + b"data: [DONE]\n\n"
        else:
            data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/event-stream" if sse else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def do_GET(self) -> None:  # http.server's name (pep8-naming knows it)
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_model_server() -> Iterator[FakeServer]:
    fake = FakeServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.fake = fake  # type: ignore[attr-defined]
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, name="fake-model-server", daemon=True)
    thread.start()
    yield fake
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- llama-cpp-python's OpenAI-compatible server --------------------------------------------------

LLAMA_MODEL_ALIAS = "smollm2"
LLAMA_START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class LlamaServer:
    base_url: str
    model: str
    log: Path


class ServerStartError(RuntimeError):
    """The server did not come up; the message holds the end of its output."""


def generation_threads() -> int:
    from designer.runtime.embedded_model import generation_threads as engine_threads

    return engine_threads()


def start_llama_server(model: Path, port: int, log: Path, timeout: float = LLAMA_START_TIMEOUT_S) -> subprocess.Popen:
    """Start the server and wait until it answers /v1/models; never waits past ``timeout``."""
    command = [sys.executable, str(FIXTURES / "llama_server.py"), "--model", str(model),
               "--host", "127.0.0.1", "--port", str(port), "--chat_format", "chatml-tools",
               "--model_alias", LLAMA_MODEL_ALIAS, "--n_ctx", "4096",
               # The engine's choice (one thread on 2 cores): more threads crawl on a busy machine.
               "--n_threads", str(generation_threads()), "--n_threads_batch", str(generation_threads())]
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    # Output to a file, never a pipe: a full pipe would block the server mid-test.
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise ServerStartError(f"the llama-cpp server exited with code {process.returncode} before it was "
                                   f"ready; the end of its output:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_process(process)
            raise ServerStartError(f"the llama-cpp server did not answer within {timeout:g} s; the end of its "
                                   f"output:\n{_tail(log)}")
        time.sleep(0.2)


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """The embedded GGUF served over HTTP by llama-cpp-python's server (see fixtures/llama_server.py)."""
    from designer.runtime.embedded import gguf_path

    port = closed_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    try:
        process = start_llama_server(gguf_path(), port, log)
    except ServerStartError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield LlamaServer(f"http://127.0.0.1:{port}/v1", LLAMA_MODEL_ALIAS, log)
    finally:
        stop_process(process)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no output)"


def llama_model_entry(server: LlamaServer, **extra: Any) -> Any:
    """A model entry for the served SmolLM2 through the openai_compatible provider."""
    from designer.core.spec import ModelInfoSpec, ModelSpec

    info = ModelInfoSpec(function_calling=True, json_output=True, family="unknown")
    return ModelSpec(provider="openai_compatible", model=server.model, base_url=server.base_url, model_info=info, **extra)
