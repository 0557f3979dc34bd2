"""Writing team files: deterministic YAML and atomic saves.

Determinism rule: keys come out in the order the spec records declare them (dict
entries such as agents keep their file order), multi-line text uses literal block
scalars, and only values the file set are written. So loading and saving an
unchanged canonical file gives the same bytes, and prompt edits diff line by line.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .spec import SCHEMA_ID, TeamSpec

_FLOW_MAX = 72


class _FlowList(list):  # type: ignore[type-arg]
    pass


class _FlowDict(dict):  # type: ignore[type-arg]
    pass


class _Dumper(yaml.SafeDumper):
    """SafeDumper that never emits anchors: shared values are written out in full."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_Dumper.add_representer(_FlowDict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))


def _is_short_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float)) or (isinstance(value, str) and "\n" not in value)


def _styled(value: Any) -> Any:
    """Short lists of scalars and small all-scalar mappings read best on one line."""
    if isinstance(value, dict):
        items = {k: _styled(v) for k, v in value.items()}
        if items and all(_is_short_scalar(v) for v in items.values()) and len(repr(items)) <= _FLOW_MAX:
            return _FlowDict(items)
        return items
    if isinstance(value, list):
        items_list = [_styled(v) for v in value]
        if all(_is_short_scalar(v) for v in items_list) and len(repr(items_list)) <= _FLOW_MAX:
            return _FlowList(items_list)
        return items_list
    return value


def spec_to_data(spec: TeamSpec) -> dict[str, Any]:
    """The plain data a team file holds, in canonical key order."""
    data = spec.model_dump(mode="json", by_alias=True, exclude_unset=True)
    data.pop("schema", None)
    # The run bound is always written, so the default that applied is visible in the file.
    data["termination"] = spec.termination.model_dump(mode="json", exclude_none=True)
    ordered: dict[str, Any] = {"schema": SCHEMA_ID}
    for key in TeamSpec.model_fields:
        alias = TeamSpec.model_fields[key].alias or key
        if alias in data:
            ordered[alias] = data[alias]
    return ordered


def dump_team(spec: TeamSpec) -> str:
    """Canonical YAML text of a spec."""
    data = {key: _styled(value) for key, value in spec_to_data(spec).items()}
    out: list[str] = []
    previous_block = False
    for key, value in data.items():
        text = yaml.dump(
            {key: value},
            Dumper=_Dumper,
            sort_keys=False,
            allow_unicode=True,
            default_flow_style=False,
            width=1_000_000,
        )
        # A blank line around each multi-line block makes long files easy to scan and diff.
        block = text.count("\n") > 1
        if out and (block or previous_block):
            out.append("\n")
        out.append(text)
        previous_block = block
    return "".join(out)


def atomic_write(path: str | os.PathLike[str], text: str) -> None:
    """Write text so that readers see the old file or the new one, never half of either.

    A temporary file in the same folder is written, flushed to disk and renamed over the
    target; the folder is synced so the rename itself survives a crash.
    """
    # Through symlinks: replacing the link itself would leave the real file unchanged.
    target = Path(os.path.realpath(path))
    folder = target.parent
    mode = None
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        pass
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        else:
            os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - folders that cannot be opened (some network mounts)
        return
    try:
        os.fsync(dir_fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dir_fd)


def save_team(spec: TeamSpec, path: str | os.PathLike[str]) -> None:
    """Save a spec atomically in canonical form."""
    atomic_write(path, dump_team(spec))
