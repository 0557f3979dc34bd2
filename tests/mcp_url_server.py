"""Start tests/fixtures/mcp_http_server.py (SSE or streamable HTTP on 127.0.0.1) for a test.

The server prints its URL once it listens, so the caller reads that line instead of waiting by
the clock; :class:`UrlServers` stops every server it started.
"""

from __future__ import annotations

import select
import subprocess
import sys

from tests.conftest import FIXTURES

SERVER = str(FIXTURES / "mcp_http_server.py")


class UrlServers:
    def __init__(self, token: str) -> None:
        self.token = token
        self._started: list[subprocess.Popen[str]] = []

    def start(self, transport: str) -> str:
        """The URL of a new server over ``transport`` ('http' or 'sse'), listening already."""
        proc = subprocess.Popen([sys.executable, SERVER, transport, self.token], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self._started.append(proc)
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 30)  # bounded: a broken server fails the test
        line = proc.stdout.readline().strip() if ready else ""
        assert line.startswith("http://127.0.0.1:"), f"the server did not start (exit code {proc.poll()})"
        return line

    def stop(self) -> None:
        for proc in self._started:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
        self._started.clear()
