"""The built-in tool library: clock, workspace files, HTTP GET with an allow-list, option checks.

Network tests talk only to a tiny HTTP server on 127.0.0.1 started here.
"""

from __future__ import annotations

import os
import re
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from designer.core.builtin_tools import clock
from designer.core.builtin_tools.web import HttpGet, HttpGetError, check_url, host_allowed
from designer.core.builtin_tools.workspace import WorkspaceError, WorkspaceFiles
from designer.core.builtins import BUILTIN_TOOLS, ToolContext, option_problems

# --- current_datetime ------------------------------------------------------------------------


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    instant = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(clock, "now", lambda: instant)
    return instant


def test_current_datetime_in_a_named_timezone(frozen_clock: datetime):
    assert clock.current_datetime("Europe/Paris") == "2026-03-01T13:00:00+01:00 (Sunday, Europe/Paris)"
    assert clock.current_datetime("UTC").startswith("2026-03-01T12:00:00+00:00 (Sunday")


def test_current_datetime_defaults_to_local_time(frozen_clock: datetime):
    text = clock.current_datetime()
    assert text.startswith(frozen_clock.astimezone().isoformat(timespec="seconds"))


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Europe/../../x", "a" * 200])
def test_current_datetime_refuses_unknown_or_path_like_zones(frozen_clock: datetime, zone: str):
    with pytest.raises(ValueError, match="timezone"):
        clock.current_datetime(zone)


# --- workspace files ------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> WorkspaceFiles:
    (tmp_path / "ws").mkdir()
    return WorkspaceFiles(tmp_path / "ws", max_bytes=1000)


def test_write_then_read_inside_the_workspace(files: WorkspaceFiles):
    assert files.write_text_file("notes/today.txt", "héllo") == "wrote 6 bytes to notes/today.txt"
    assert files.read_text_file("notes/today.txt") == "héllo"
    assert files.read_text_file("./notes//today.txt") == "héllo"


@pytest.mark.parametrize("path", ["/etc/passwd", "C:\\Windows\\win.ini", "\\\\server\\share\\x", "~/.bashrc", "../outside.txt",
                                  "notes/../../outside.txt", "a/..\\..\\b", "", "   ", ".", "x\0y"])
def test_paths_leaving_the_workspace_are_refused(files: WorkspaceFiles, tmp_path: Path, path: str):
    (tmp_path / "outside.txt").write_text("secret")
    with pytest.raises(WorkspaceError):
        files.read_text_file(path)
    with pytest.raises(WorkspaceError):
        files.write_text_file(path, "overwritten")
    assert (tmp_path / "outside.txt").read_text() == "secret"


def test_symlinks_pointing_out_are_refused(files: WorkspaceFiles, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (files.root / "link.txt").symlink_to(secret)
    (files.root / "dir").symlink_to(tmp_path)
    for path in ("link.txt", "dir/secret.txt"):
        with pytest.raises(WorkspaceError, match="outside the workspace"):
            files.read_text_file(path)
        with pytest.raises(WorkspaceError, match="outside the workspace"):
            files.write_text_file(path, "overwritten")
    assert secret.read_text() == "secret"


def test_a_hard_link_to_a_file_outside_is_neither_read_nor_overwritten(files: WorkspaceFiles, tmp_path: Path):
    """A hard link looks like a plain file inside the workspace, but its data is the outside file's."""
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    os.link(secret, files.root / "innocent.txt")
    with pytest.raises(WorkspaceError, match=re.escape("cannot read 'innocent.txt': it has 2 hard links")):
        files.read_text_file("innocent.txt")
    with pytest.raises(WorkspaceError, match=re.escape("'innocent.txt' exists and cannot be replaced: it has 2 hard links")):
        files.write_text_file("innocent.txt", "overwritten")
    assert secret.read_text() == "secret" and (files.root / "innocent.txt").read_text() == "secret"


def test_a_symlink_inside_the_workspace_and_a_folder_are_not_files(files: WorkspaceFiles):
    files.write_text_file("real.txt", "inside")
    (files.root / "alias.txt").symlink_to(files.root / "real.txt")
    (files.root / "folder").mkdir()
    for path, reason in (("alias.txt", "it is a symbolic link"), ("folder", "it is a folder")):
        with pytest.raises(WorkspaceError, match=reason):
            files.read_text_file(path)
        with pytest.raises(WorkspaceError):
            files.write_text_file(path, "overwritten")
    assert (files.root / "real.txt").read_text() == "inside"


def test_replacing_a_file_keeps_working_and_truncates(files: WorkspaceFiles):
    files.write_text_file("a.txt", "a long first version")
    files.write_text_file("a.txt", "short")
    assert files.read_text_file("a.txt") == "short"


def test_sizes_are_capped(files: WorkspaceFiles):
    with pytest.raises(WorkspaceError, match="limit of 1000"):
        files.write_text_file("big.txt", "x" * 1001)
    (files.root / "big.txt").write_text("y" * 5000)
    with pytest.raises(WorkspaceError, match="limit of 1000"):
        files.read_text_file("big.txt")


def test_a_missing_file_names_the_files_that_exist(files: WorkspaceFiles):
    files.write_text_file("a.txt", "1")
    with pytest.raises(WorkspaceError, match=r"no file 'b.txt' in the workspace \(files: a.txt\)"):
        files.read_text_file("b.txt")


def test_bound_file_tools_use_the_runs_workspace(tmp_path: Path):
    context = ToolContext("files", workspace=tmp_path, options={"max_bytes": 10})
    write = BUILTIN_TOOLS["write_text_file"].implementation(context)
    read = BUILTIN_TOOLS["read_text_file"].implementation(context)
    assert write(path="a.txt", content="hi") == "wrote 2 bytes to a.txt"
    assert read(path="a.txt") == "hi" and (tmp_path / "a.txt").read_text() == "hi"
    with pytest.raises(WorkspaceError):
        write(path="b.txt", content="more than ten bytes")


# --- http_get ------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:  # http.server's name
        port = self.server.server_address[1]
        routes = {
            "/hello": (200, "text/plain; charset=utf-8", "hello from 127.0.0.1".encode()),
            "/big": (200, "text/plain", b"z" * 50_000),
            "/png": (200, "image/png", b"\x89PNG...."),
            "/missing": (404, "text/plain", b"nothing here"),
        }
        if self.path == "/redirect-in":
            self.send_response(302)
            self.send_header("Location", "/hello")
            self.end_headers()
            return
        if self.path == "/redirect-out":
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{port}/hello")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(2)
        status, ctype, body = routes.get(self.path, (200, "text/plain", b"slow"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_http_get_fetches_from_an_allowed_host(server: str):
    get = HttpGet(allow_hosts=("127.0.0.1",), timeout=5)
    assert get(f"{server}/hello") == "HTTP 200 OK\ncontent-type: text/plain; charset=utf-8\n\nhello from 127.0.0.1"
    assert get(f"{server}/redirect-in").endswith("hello from 127.0.0.1")  # a redirect to the same host


def test_http_get_refuses_everything_by_default(server: str):
    with pytest.raises(HttpGetError, match=r"may not fetch from any host: .*tools.web.options.allow_hosts"):
        HttpGet(tool_id="web")(f"{server}/hello")


def test_http_get_refuses_hosts_schemes_and_redirects_outside_the_list(server: str):
    get = HttpGet(allow_hosts=("127.0.0.1",), timeout=5)
    port = server.rsplit(":", 1)[1]
    with pytest.raises(HttpGetError, match=re.escape("'localhost' is not an allowed host; allowed: 127.0.0.1")):
        get(f"http://localhost:{port}/hello")
    with pytest.raises(HttpGetError, match="'localhost' is not an allowed host"):
        get(f"{server}/redirect-out")  # the redirect is checked too
    for url in ("file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1", "127.0.0.1/hello"):
        with pytest.raises(HttpGetError, match="only http:// and https://"):
            get(url)
    with pytest.raises(HttpGetError, match="user name or password"):
        get(f"http://user:pw@127.0.0.1:{port}/hello")


def test_http_get_caps_size_reports_errors_and_honours_the_timeout(server: str):
    get = HttpGet(allow_hosts=("127.0.0.1",), max_bytes=1000, timeout=0.5)
    big = get(f"{server}/big")
    assert big.endswith("[truncated after 1000 bytes]") and big.count("z") == 1000
    assert "[8 bytes of image/png, not shown]" in get(f"{server}/png")
    with pytest.raises(HttpGetError, match="HTTP 404 Not Found"):
        get(f"{server}/missing")
    # The slow page answers after 2 s: only the 0.5 s limit can make this an error.
    with pytest.raises(HttpGetError, match=r"no answer .* within 0\.5 s"):
        get(f"{server}/slow")


def test_host_patterns():
    assert host_allowed("Example.COM", ["example.com"]) and host_allowed("a.b.example.com", ["*.example.com"])
    assert not host_allowed("example.com", ["*.example.com"]) and not host_allowed("badexample.com", ["*.example.com"])
    assert not host_allowed("example.com.evil.net", ["example.com"])
    assert check_url("https://127.0.0.1:8443/x", ["127.0.0.1"]) == "127.0.0.1"


def test_bound_http_get_reads_the_tools_options(server: str):
    get = BUILTIN_TOOLS["http_get"].implementation(ToolContext("web", options={"allow_hosts": ["127.0.0.1"]}, timeout=5))
    assert get(url=f"{server}/hello").endswith("hello from 127.0.0.1")
    refusing = BUILTIN_TOOLS["http_get"].implementation(ToolContext("web"))
    with pytest.raises(HttpGetError, match="lists none"):
        refusing(url=f"{server}/hello")


# --- options --------------------------------------------------------------------------------------


def test_options_are_checked_per_builtin():
    http = BUILTIN_TOOLS["http_get"]
    assert option_problems(http, {"allow_hosts": ["example.com", "*.wiki.org", "127.0.0.1", "::1"], "max_bytes": 10}) == []
    names = [name for name, _, _ in option_problems(http, {"allow_hosts": "example.com", "max_bytes": -1, "proxy": "x"})]
    assert names == ["allow_hosts", "max_bytes", "proxy"]
    assert option_problems(http, {"allow_hosts": ["http://example.com/"]})[0][0] == "allow_hosts"
    python = BUILTIN_TOOLS["run_python"]
    assert option_problems(python, {"executor": "docker", "image": "python:3.12-slim"}) == []
    assert option_problems(python, {"executor": "ssh"})[0][1] == "executor must be one of local, docker"


def test_every_builtin_has_a_described_signature():
    assert {"calculator", "calculate_rectangle_area", "current_datetime", "read_text_file", "write_text_file",
            "http_get", "run_python"} <= set(BUILTIN_TOOLS)
    for tool in BUILTIN_TOOLS.values():
        assert tool.description and tool.function.__doc__, tool.id


def test_workspace_root_must_exist(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        WorkspaceFiles(tmp_path / "missing")
    assert os.path.isdir(tmp_path)
