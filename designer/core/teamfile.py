"""Writing team files: deterministic YAML and atomic saves.

Determinism rule: keys come out in the order the spec records declare them (dict
entries such as agents keep their file order), multi-line text uses literal block
scalars, and only values the file set are written. So loading and saving an
unchanged canonical file gives the same bytes, and prompt edits diff line by line.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import stat
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from .safefile import pid_alive
from .spec import SCHEMA_ID, TeamSpec

_FLOW_MAX = 72
log = logging.getLogger(__name__)


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


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, dict)) and not value)


def _without_empty_defaults(record: BaseModel, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (the dump of ``record``) without the fields that are empty and equal to their
    default: an empty task, a cleared description, a model set back to the team default (None).
    Loading the file gives the same record, so nothing is lost, and the file has no leftovers.
    A required field, or one whose default differs (a scripted model's ``responses: []``), stays."""
    fields = {(f.alias or name): (name, f) for name, f in type(record).model_fields.items()}
    out: dict[str, Any] = {}
    for key, dumped in data.items():
        name, info = fields[key]
        value = getattr(record, name)
        if _is_empty(dumped) and not info.is_required() and info.get_default(call_default_factory=True) == value:
            continue
        out[key] = _pruned(value, dumped)
    return out


def _pruned(value: Any, dumped: Any) -> Any:
    if isinstance(value, BaseModel) and isinstance(dumped, dict):
        return _without_empty_defaults(value, dumped)
    if isinstance(value, dict) and isinstance(dumped, dict):
        return {k: _pruned(value[k], v) if k in value else v for k, v in dumped.items()}
    if isinstance(value, list) and isinstance(dumped, list) and len(value) == len(dumped):
        return [_pruned(a, b) for a, b in zip(value, dumped, strict=True)]
    return dumped


def file_name_for(team_name: str) -> str:
    """A safe file name for a team: 'Research & Report' -> 'research_and_report.yaml' ('&' read as
    'and', then lowercase ASCII letters and digits, runs of anything else one '_'), 'team.yaml'
    when nothing is left."""
    ascii_name = unicodedata.normalize("NFKD", team_name.replace("&", " and ")).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:100].rstrip("_")
    return f"{slug or 'team'}.yaml"


def spec_to_data(spec: TeamSpec) -> dict[str, Any]:
    """The plain data a team file holds, in canonical key order."""
    data = _without_empty_defaults(spec, spec.model_dump(mode="json", by_alias=True, exclude_unset=True))
    data.pop("schema", None)
    # The run bound is always written, so the default that applied is visible in the file.
    # Its empty lists (spoke, any, all) are left out like any other empty default.
    term = spec.termination
    data["termination"] = _without_empty_defaults(term, term.model_dump(mode="json", by_alias=True, exclude_none=True))
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


#: Temporary files of a save: ``.td-<hash of the target's name>-<pid>-<random>.tmp``. Short, so a
#: target whose name is near NAME_MAX (255 bytes) can still be saved; the hash ties a temporary
#: file to its target, and the pid tells whether the process writing it is still alive.
_TEMP_PREFIX = ".td-"
_TEMP_RE = re.compile(r"\.td-([0-9a-f]{10})-([0-9]{1,10})-[A-Za-z0-9_]{1,16}\.tmp")
#: Age past which a temporary file is stale even if its pid is alive again (pids are reused).
STALE_TEMP_SECONDS = 15 * 60


def _name_hash(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:10]


def _legacy_temp(name: str, target_name: str) -> bool:
    """``.{target}.XXXXXXXX.tmp``: what saves before this naming left behind."""
    head = f".{target_name}."
    return name.startswith(head) and name.endswith(".tmp") and re.fullmatch(r"[A-Za-z0-9_]{8}", name[len(head):-4]) is not None


def remove_stale_temps(path: str | os.PathLike[str], *, now: float | None = None) -> list[Path]:
    """Delete temporary files that killed saves of ``path`` left beside it; returns what went.

    Only files with this module's naming for *this* target count, and only stale ones: the pid
    in the name is dead, or the file is older than STALE_TEMP_SECONDS. A live save is left alone.
    """
    target = Path(os.path.realpath(path))
    folder, wanted = target.parent, _name_hash(target.name)
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        log.debug("cannot list %s for stale temporary files", folder, exc_info=True)
        return removed
    for name in names:
        match = _TEMP_RE.fullmatch(name)
        legacy = match is None and _legacy_temp(name, target.name)
        if not legacy and (match is None or match.group(1) != wanted):
            continue
        candidate = folder / name
        try:
            info = candidate.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue
            old = now - info.st_mtime > STALE_TEMP_SECONDS
            if old or (match is not None and not pid_alive(int(match.group(2)))):
                candidate.unlink()
                removed.append(candidate)
        except OSError:  # gone already, or not ours to delete: never a reason to fail a save
            log.debug("cannot remove the stale temporary file %s", candidate, exc_info=True)
            continue
    if removed:
        log.info("removed %d stale temporary file(s) beside %s", len(removed), target)
    return removed


def atomic_write(path: str | os.PathLike[str], text: str | bytes) -> None:
    """Write text (UTF-8) or bytes (an image) so that readers see the old file or the new one,
    never half of either.

    A temporary file in the same folder is written, flushed to disk and renamed over the
    target; the folder is synced so the rename itself survives a crash. Temporary files that
    earlier killed saves left behind are removed first. Raises OSError with a plain message
    (``strerror``) when the target cannot be written: a folder, a missing or read-only folder.
    """
    # Through symlinks: replacing the link itself would leave the real file unchanged.
    target = Path(os.path.realpath(path))
    folder = target.parent
    mode = None
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder", str(target))
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OSError(errno.EINVAL, "it is not a regular file", str(target))
    if info is not None:
        mode = info.st_mode & 0o777
    if not folder.is_dir():
        raise FileNotFoundError(errno.ENOENT, "the folder does not exist", str(folder))
    remove_stale_temps(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f"{_TEMP_PREFIX}{_name_hash(target.name)}-{os.getpid()}-",
                                    suffix=".tmp", dir=folder)
    try:
        # Bytes as given; text as UTF-8 with "\n" line ends on every platform.
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8") if isinstance(text, str) else text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, mode if mode is not None else 0o644)
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
