"""Safe reading of team files: bytes -> plain data with positions -> TeamSpec.

Only the YAML core types are accepted (mappings, sequences, strings, numbers, booleans,
null). Anything that could make a loader do work beyond building those values — tags,
merge keys, alias bombs, huge or deeply nested input, several documents, duplicate keys,
non-UTF-8 bytes — is refused with one line naming the place. Nothing is ever executed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml
from pydantic import ValidationError

from .problems import Path, Positions, Problem
from .safefile import describe_os_error, read_regular_file
from .spec import PATTERNS, SCHEMA_ID, SCHEMA_PREFIX, TeamSpec

try:  # libyaml makes a 200-agent file parse in milliseconds; the pure-Python parser is the fallback
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 40
#: Nodes after expanding aliases; a real 200-agent file has a few thousand.
MAX_NODES = 200_000
#: Integers a team file can hold: seeds and bounds fit in 64 bits. Checked on the text first,
#: because turning thousands of digits into an int is slow and raises past 4300 digits.
MAX_INT_CHARS = 40
MAX_INT = 2**63 - 1

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# Plain scalars that merely look like dates stay text: a team file has no use for datetimes.
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SCALAR_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP}


class TeamFileError(Exception):
    """A file that cannot be read as a team file; carries one Problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.format())
        self.problem = problem


@dataclass
class LoadResult:
    """What loading produced: a spec when the structure is valid, and every problem found."""

    spec: TeamSpec | None
    problems: list[Problem] = field(default_factory=list)
    positions: Positions = field(default_factory=dict)
    file: str | None = None
    #: The text the spec was read from (what the run history keeps as the run's snapshot).
    text: str = ""


class _Builder:
    """Turns a composed node graph into plain Python values, recording where each path starts."""

    _constructor = yaml.constructor.SafeConstructor()

    def __init__(self, file: str | None) -> None:
        self.file = file
        #: Where each value starts (a problem about a value points at the value).
        self.positions: Positions = {}
        self._key_lines: dict[tuple[Path, str], int] = {}
        self._count = 0
        self._active: set[int] = set()

    def fail(self, node: yaml.Node, message: str, path: Path, hint: str = "") -> TeamFileError:
        mark = node.start_mark
        return TeamFileError(Problem(message, path, hint, file=self.file, line=mark.line + 1, column=mark.column + 1))

    def build(self, node: yaml.Node, path: Path) -> Any:
        """Plain values from the node graph. Aliases are expanded as they are met, so limits on
        the expanded size and depth catch alias bombs and deep nesting in the same single pass."""
        self.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        self._count += 1
        if self._count > MAX_NODES:
            raise self.fail(
                node,
                f"the file expands to more than {MAX_NODES} values (an alias bomb?)",
                (),
                "remove the anchors (&) and aliases (*) that repeat large blocks",
            )
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if len(path) >= MAX_DEPTH:
            raise self.fail(node, f"the file is nested more than {MAX_DEPTH} levels deep", ())
        key = id(node)
        if key in self._active:
            raise self.fail(node, "an alias refers to a node that contains it (recursive structure)", ())
        self._active.add(key)
        try:
            return self._collection(node, path)
        finally:
            self._active.discard(key)

    def _collection(self, node: yaml.Node, path: Path) -> Any:
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self._tag_error(node, path)
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                raise self._tag_error(node, path)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, "merge keys ('<<') are not supported in team files", path)
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.fail(key_node, "mapping keys must be plain text", path)
                key = self._scalar(key_node, path)
                key = key if isinstance(key, str) else str(key).lower() if isinstance(key, bool) else str(key)
                if key in out:
                    first = self._key_lines[(path, key)]
                    raise self.fail(key_node, f"duplicate key {key!r} (first defined on line {first})", path + (key,))
                self._key_lines[(path, key)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, path + (key,))
            return out
        raise self.fail(node, "unsupported YAML node", path)  # pragma: no cover - yaml has only three

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise self._tag_error(node, path)
        if node.tag in (_STR, _TIMESTAMP):
            text = str(node.value)
            if "\0" in text:
                # No field has a use for NUL, and in a path (cwd, command) it makes the OS calls raise.
                raise self.fail(node, "the text contains a NUL character (\\0)", path, "remove the NUL character")
            return text
        if node.tag == _INT:
            return self._int(node, path)
        constructor = {
            _FLOAT: self._constructor.construct_yaml_float,
            _BOOL: self._constructor.construct_yaml_bool,
            _NULL: self._constructor.construct_yaml_null,
        }[node.tag]
        return constructor(node)

    def _int(self, node: yaml.ScalarNode, path: Path) -> int:
        value = None if len(node.value) > MAX_INT_CHARS else self._constructor.construct_yaml_int(node)
        if value is None or abs(value) > MAX_INT:
            raise self.fail(node, "the number is too large: integers in a team file are at most 2**63 - 1", path)
        return int(value)

    def _tag_error(self, node: yaml.Node, path: Path) -> TeamFileError:
        return self.fail(
            node,
            f"the tag {node.tag!r} is not allowed in a team file",
            path,
            "team files hold only plain text, numbers, lists and mappings; nothing is ever constructed or run",
        )


def _decode(data: bytes, file: str | None) -> str:
    if len(data) > MAX_BYTES:
        raise TeamFileError(Problem(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB", file=file, line=1, column=1))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise TeamFileError(
            Problem(f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x})", file=file, line=line, column=column)
        ) from None


def _yaml_error(exc: yaml.YAMLError, file: str | None) -> TeamFileError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if "expected a single document" in str(exc):
        problem = "the file holds more than one YAML document ('---'); a team file is one document"
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    return TeamFileError(Problem(f"YAML syntax: {problem}", file=file, line=line, column=col))


def read_data(data: bytes | str, file: str | None = None) -> tuple[Any, Positions]:
    """Parse text into plain values. Raises TeamFileError with a one-line Problem."""
    text = _decode(data, file) if isinstance(data, bytes) else data
    if isinstance(data, str) and len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise TeamFileError(Problem(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB", file=file))
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file) from None
    except RecursionError:
        raise TeamFileError(Problem(f"the file is nested more than {MAX_DEPTH} levels deep", file=file)) from None
    if root is None:
        raise TeamFileError(Problem("the file is empty", file=file, line=1, column=1))
    builder = _Builder(file)
    return builder.build(root, ()), builder.positions


_PATTERN_HELP = {
    "api_key": "api_key must be a reference such as env:OPENAI_API_KEY or keyring:NAME, never the key itself",
    "base_url": "base_url must be an http:// or https:// URL",
    "function": "a tool function is written 'package.module:function'",
}


def _spec_problems(exc: ValidationError, positions: Positions, file: str | None) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        # Discriminated unions put the pattern name into the location; the file has no such level.
        if len(loc) > 1 and loc[0] == "orchestration" and loc[1] in PATTERNS:
            del loc[1]
        path = tuple(p for p in loc if isinstance(p, int) or not _is_type_label(p))
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = f"unknown key {path[-1]!r}"
        elif err["type"] == "missing":
            message = f"missing required key {path[-1]!r}"
        elif err["type"] == "union_tag_invalid":
            message = f"unknown pattern; use one of: {', '.join(PATTERNS)}"
        elif err["type"] == "string_pattern_mismatch" and path and path[-1] in _PATTERN_HELP:
            message = _PATTERN_HELP[str(path[-1])]
        problems.append(Problem(message, path).located(positions, file))
    # One bad value inside a union reports once per member; keep the first of each place.
    unique: dict[tuple[Path, str], Problem] = {}
    for p in problems:
        unique.setdefault((p.path, p.message), p)
    return list(unique.values())


#: For other files read the same way (evaluation files): validation errors as located problems.
spec_problems = _spec_problems


def _is_type_label(part: str) -> bool:
    """Pydantic names union members in locations (``str``, ``ScriptedReply``): not file keys."""
    return part in ("str", "int", "float", "bool") or (part[:1].isupper() and part != part.upper())


def parse_team(data: bytes | str, file: str | None = None) -> LoadResult:
    """Parse and structurally validate a team file. Never raises for bad input."""
    try:
        raw, positions = read_data(data, file)
    except TeamFileError as exc:
        return LoadResult(None, [exc.problem], {}, file)
    if not isinstance(raw, dict):
        problem = Problem("a team file is a mapping of keys (schema, name, agents, ...)", file=file, line=1, column=1)
        return LoadResult(None, [problem], positions, file)
    schema = raw.get("schema")
    if schema != SCHEMA_ID:
        return LoadResult(None, [_schema_problem(schema, positions, file)], positions, file)
    try:
        spec = TeamSpec.model_validate(raw)
    except ValidationError as exc:
        return LoadResult(None, _spec_problems(exc, positions, file), positions, file)
    text = data if isinstance(data, str) else data.decode("utf-8-sig", errors="replace")
    return LoadResult(spec, [], positions, file, text)


def _schema_problem(schema: object, positions: Positions, file: str | None) -> Problem:
    if schema is None:
        problem = Problem(
            "not a team file: the first key should be 'schema: team-designer/v1'",
            hint="add 'schema: team-designer/v1' at the top",
        )
    elif isinstance(schema, str) and schema.startswith(SCHEMA_PREFIX):
        problem = Problem(
            f"this file uses format {schema!r}; this version of Team Designer reads {SCHEMA_ID!r}",
            ("schema",),
            "open it with a newer Team Designer",
        )
    else:
        problem = Problem(f"unknown format {schema!r}", ("schema",), f"expected {SCHEMA_ID!r}")
    return problem.located(positions, file)


def load_team(path: str | FsPath) -> LoadResult:
    """Read a team file from disk (see :func:`parse_team`)."""
    file = str(path)
    try:
        # A FIFO or device named as the team file must not block or stream forever.
        data = read_regular_file(path, MAX_BYTES)
    except OSError as exc:
        return LoadResult(None, [Problem(f"cannot read the file: {describe_os_error(exc)}", file=file)], {}, file)
    except ValueError as exc:  # e.g. a NUL byte in the path given by a caller
        return LoadResult(None, [Problem(f"cannot read the file: {exc}", file=file)], {}, file)
    return parse_team(data, file)
