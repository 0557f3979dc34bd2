"""``http_get``: fetch a web page, only from hosts the team file allows.

Empty allow-list = no host at all, so a shared file cannot make your machine fetch
anything until its author listed the hosts (and you can read them in the file).
Redirects are followed by hand, each hop checked against the same list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import urljoin, urlsplit

DEFAULT_MAX_BYTES = 1_000_000
MAX_BYTES_LIMIT = 20_000_000
MAX_REDIRECTS = 5
_TEXT_TYPES = re.compile(r"^(text/|application/(json|xml|xhtml\+xml|javascript|ld\+json|rss\+xml|atom\+xml))")


class HttpGetError(RuntimeError):
    """A refused or failed fetch; the message says why in words the model can act on."""


def host_allowed(host: str, allow_hosts: Sequence[str]) -> bool:
    """Exact host names (case-insensitive), or '*.example.com' for its sub-domains."""
    host = host.lower().rstrip(".")
    for entry in allow_hosts:
        pattern = entry.strip().lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and host != pattern[2:]:
                return True
        elif host == pattern:
            return True
    return False


def check_url(url: str, allow_hosts: Sequence[str], tool_id: str = "http_get") -> str:
    """The host of an allowed http(s) URL, or HttpGetError saying why not."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise HttpGetError(f"only http:// and https:// URLs can be fetched, not {url!r}")
    if parts.username or parts.password:
        raise HttpGetError("URLs with a user name or password are not allowed")
    host = parts.hostname or ""
    if not host:
        raise HttpGetError(f"{url!r} has no host name")
    if not allow_hosts:
        raise HttpGetError(
            f"{tool_id} may not fetch from any host: the team file lists none "
            f"(add them to tools.{tool_id}.options.allow_hosts, e.g. [example.com])"
        )
    if not host_allowed(host, allow_hosts):
        raise HttpGetError(f"{host!r} is not an allowed host; allowed: {', '.join(allow_hosts)}")
    return host


@dataclass(frozen=True)
class HttpGet:
    """http_get bound to a tool's options and timeout."""

    allow_hosts: tuple[str, ...] = ()
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = 30.0
    tool_id: str = "http_get"

    def __call__(self, url: str) -> str:
        import httpx  # here: validating or opening a file must not pay for the HTTP stack

        limit = max(1, min(int(self.max_bytes), MAX_BYTES_LIMIT))
        # trust_env=False: proxies from the environment could send an allowed URL elsewhere.
        with httpx.Client(timeout=self.timeout, follow_redirects=False, trust_env=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                check_url(url, self.allow_hosts, self.tool_id)
                try:
                    with client.stream("GET", url, headers={"User-Agent": "team-designer-http-get"}) as response:
                        if response.is_redirect and "location" in response.headers:
                            url = urljoin(url, response.headers["location"])
                            continue
                        return self._body(response, limit)
                except httpx.TimeoutException:
                    raise HttpGetError(f"no answer from {url} within {self.timeout:g} s") from None
                except httpx.HTTPError as exc:
                    raise HttpGetError(f"cannot fetch {url}: {exc}") from None
        raise HttpGetError(f"more than {MAX_REDIRECTS} redirects")

    @staticmethod
    def _body(response: object, limit: int) -> str:
        chunks: list[bytes] = []
        size = 0
        truncated = False
        for chunk in response.iter_bytes():  # type: ignore[attr-defined]
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                truncated = True
                break
        data = b"".join(chunks)[:limit]
        status = f"HTTP {response.status_code} {response.reason_phrase}"  # type: ignore[attr-defined]
        ctype = response.headers.get("content-type", "")  # type: ignore[attr-defined]
        if ctype and not _TEXT_TYPES.match(ctype):
            text = f"[{len(data)} bytes of {ctype}, not shown]"
        else:
            text = data.decode(response.encoding or "utf-8", errors="replace")  # type: ignore[attr-defined]
        if truncated:
            text += f"\n[truncated after {limit} bytes]"
        if response.status_code >= 400:  # type: ignore[attr-defined]
            raise HttpGetError(f"{status} from {response.url}\n{text[:2000]}")  # type: ignore[attr-defined]
        return f"{status}\ncontent-type: {ctype or 'unknown'}\n\n{text}"


def http_get(url: str) -> str:
    """Fetch a web page with HTTP GET and return its status and text (only from the hosts the team allows).

    Args:
        url: The http:// or https:// address to fetch.
    """
    return HttpGet()(url)
