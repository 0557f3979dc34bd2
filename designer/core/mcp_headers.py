"""The headers of an MCP server at a URL: which values are secret references.

A header value that is a secret is written as a reference, as an ``api_key`` is: the whole
value (``env:MCP_TOKEN``) or an auth scheme and a reference (``Bearer env:MCP_TOKEN``: the
variable holds the token alone). Kept apart so :mod:`designer.core.child_env` (which drops
referenced variables from child processes) and :mod:`designer.core.mcp_remote` (checks, trust)
share one reading without importing each other.
"""

from __future__ import annotations

import re

from .records import McpServerSpec

#: 'env:NAME', 'keyring:NAME', or one scheme word before it ('Bearer env:NAME').
_HEADER_REF = re.compile(r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9_\-]{0,30}) )?(?P<ref>(?:env|keyring):[A-Za-z0-9_.\-/]{1,128})")


def header_reference(value: str) -> tuple[str, str] | None:
    """(prefix, reference) of a header value written as a reference: ('Bearer ', 'env:T'), ('', 'env:T');
    None for a literal value."""
    found = _HEADER_REF.fullmatch(value.strip())
    if found is None:
        return None
    scheme = found.group("scheme")
    return (f"{scheme} " if scheme else "", found.group("ref"))


def header_references(server: McpServerSpec) -> list[str]:
    """The secret references of the server's headers, in file order."""
    return [ref[1] for ref in (header_reference(v) for v in server.headers.values()) if ref is not None]
