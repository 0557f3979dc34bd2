"""MCP servers reached at a URL (``transport: sse`` or ``http``): their headers, checks and trust.

A remote server starts nothing on this computer, but it receives whatever the agents send its
tools, which can be anything from the conversation; so a run asks before it contacts one, and
the answer covers the URL and the headers, secret values as their references (never shown).

Header values that are secrets are references (see :mod:`designer.core.mcp_headers`); the
runtime resolves them when the run starts.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlsplit

from .child_env import looks_secret
from .mcp_headers import header_reference
from .problems import Path, Problem
from .records import McpServerSpec
from .trust_items import CodeItem

#: RFC 9110 token characters: what a header name may hold.
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z\-]{1,128}")
#: Header names that carry credentials whatever their value looks like.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
_SECRET_WORDS = re.compile(r"(api[-_]?key|token|secret|password|passwd|credential|auth)", re.IGNORECASE)
#: Shapes of well-known keys and tokens, and of a long random word (a key nobody named).
_TOKEN_SHAPES = (
    re.compile(r"(sk|pk|rk)-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{10,}"),
    re.compile(r"xox[abpr]-[A-Za-z0-9\-]{8,}"),
    re.compile(r"AKIA[0-9A-Z]{12,}"),
    re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.?[A-Za-z0-9_\-]*"),  # a JWT
)
_RANDOM_WORD = re.compile(r"[A-Za-z0-9_\-+/=.~]{24,}")
TRANSPORT_NAMES = {"sse": "SSE", "http": "streamable HTTP"}


def _looks_like_token(value: str) -> bool:
    word = value.strip().rpartition(" ")[2]  # 'Bearer abc...': the credential is the last word
    if any(shape.fullmatch(word) for shape in _TOKEN_SHAPES):
        return True
    return _RANDOM_WORD.fullmatch(word) is not None and any(c.isdigit() for c in word) and any(c.isalpha() for c in word)


def secret_literal(name: str, value: str) -> bool:
    """True when a header's literal value is (or looks like) a secret: a credential header, a
    name shaped like a key's, or a value shaped like a token."""
    if header_reference(value) is not None:
        return False
    lowered = name.lower()
    named = lowered in _SECRET_HEADERS or looks_secret(lowered.replace("-", "_")) or _SECRET_WORDS.search(lowered) is not None
    return named or _looks_like_token(value)


def is_loopback(url: str) -> bool:
    """True for a URL on this computer (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def describe_server(server: McpServerSpec) -> str:
    """One line naming the server: its command line (stdio), or its URL and transport."""
    if server.transport == "stdio":
        return " ".join([server.command or "", *server.args]).strip()
    return f"{server.url} ({TRANSPORT_NAMES[server.transport]})"


def url_name(server: McpServerSpec) -> str:
    """A word a remote server's library entry can be named after: its host's main label."""
    host = urlsplit(server.url or "").hostname or ""
    labels = [x for x in host.split(".") if x and x not in ("www", "api", "mcp", "localhost", "com", "org", "net", "io")]
    return labels[0] if labels and not host.replace(".", "").isdigit() else "mcp"


def _shown(name: str, value: str) -> str:
    """A header's value as the trust question shows it: a reference as written (it names the secret
    sent, not its value), a secret-looking literal never (validation refuses one anyway)."""
    return "***" if secret_literal(name, value) else value


def remote_item(tool_id: str, server: McpServerSpec) -> CodeItem:
    """What the trust question lists for a server at a URL: the URL and its headers, secrets as
    their references. A header pointing at another secret (env:OPENAI_API_KEY) asks again."""
    return CodeItem(
        kind="remote",
        title=f"MCP server {tool_id!r} at a URL (contacted for the run)",
        tools=(tool_id,),
        url=server.url or "",
        headers=tuple((name, _shown(name, value)) for name, value in server.headers.items()),
        transport=TRANSPORT_NAMES.get(server.transport, server.transport),
    )


def remote_problems(path: Path, server: McpServerSpec) -> list[Problem]:
    """The checks of a server at a URL (``path`` is the tool's ``mcp`` block)."""
    out: list[Problem] = []
    url = server.url or ""
    parts = urlsplit(url)
    where = path + ("url",)
    if not parts.hostname:
        out.append(Problem(f"{url!r} names no host", where, "e.g. http://127.0.0.1:8000/mcp or https://example.com/sse"))
        return out
    if parts.password is not None or parts.username is not None:
        out.append(Problem("the URL holds a user name or password: a team file never holds a secret", where,
                           "put the credential in a header as a reference, e.g. Authorization: Bearer env:MCP_TOKEN"))
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if secret_literal(key, value) and value:
            out.append(Problem(f"the URL's {key!r} parameter looks like a secret: a team file never holds one", where,
                               "send it in a header as a reference instead, e.g. Authorization: Bearer env:MCP_TOKEN"))
    if parts.scheme == "http" and not is_loopback(url):
        out.append(Problem(f"{parts.hostname} is reached over plain http: the conversation and the headers travel unencrypted",
                           where, "use https:// for a server on another computer", severity="warning"))
    for name, value in server.headers.items():
        at = path + ("headers", name)
        if not _HEADER_NAME.fullmatch(name):
            out.append(Problem(f"{name!r} is not a header name", at, "letters, digits and '-', e.g. Authorization or X-Api-Key"))
        elif "\n" in value or "\r" in value:
            out.append(Problem(f"the header {name} holds a line break", at, "a header value is one line"))
        elif not value.isascii():  # httpx would fail on it at the first request
            out.append(Problem(f"the header {name} holds characters a header cannot carry", at, "use ASCII text"))
        elif secret_literal(name, value):
            out.append(Problem(f"the header {name} looks like a secret: write a reference, never the value", at,
                               f"e.g. env:{_env_name(name)}, or Bearer env:{_env_name(name)} (the variable holds the token)"))
    return out


def _env_name(header: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", header).strip("_").upper() + ("" if "TOKEN" in header.upper() else "_TOKEN")
