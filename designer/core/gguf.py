"""What a GGUF model file says about itself, read from its header without loading the model,
and where a model entry's file is.

GGUF (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md) begins with a small, simple
header: magic, version, counts, then typed key/value pairs. The Models dialog shows a few of
them (architecture, name, context length, whether a chat template is there) the moment a file
is chosen; loading the weights for that would take seconds and hundreds of megabytes. No GGUF
reader is installed with the app (llama-cpp-python reads metadata only by loading a model,
the ``gguf`` package drags numpy memory maps in), and the header format is a page long, so it
is read here. Arrays (the tokenizer's 50k-150k tokens) are skipped, never kept.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

from .safefile import NotRegularFileError, open_regular
from .spec import ModelSpec

_MAGIC = b"GGUF"
#: Value types of the format: id -> struct code (fixed size) or a reader (string, array).
_FIXED = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
#: A header with more keys or longer strings than this is not a model file but a broken one.
_MAX_KEYS = 100_000
_MAX_STRING = 64 * 1024 * 1024
_MAX_NESTING = 16


class GgufError(ValueError):
    """The file is not a readable GGUF model; the message says why in words."""


@dataclass(frozen=True)
class GgufInfo:
    """The header facts the app uses."""

    architecture: str
    name: str
    context_length: int | None
    chat_template: str | None

    def describe(self) -> str:
        """'llama · SmolLM2 135M Instruct · context 8,192 · chat template found'."""
        parts = [self.architecture or "unknown architecture"]
        if self.name:
            parts.append(self.name)
        if self.context_length:
            parts.append(f"context {self.context_length:,}")
        parts.append("chat template found" if self.chat_template else "no chat template (ChatML is used)")
        return " · ".join(parts)


def _read(f: BinaryIO, size: int) -> bytes:
    data = f.read(size)
    if len(data) != size:
        raise GgufError("the file ends inside its header (a partial download?)")
    return data


def _unpack(f: BinaryIO, code: str) -> object:
    return struct.unpack(code, _read(f, struct.calcsize(code)))[0]


def _string(f: BinaryIO) -> str:
    size = int(_unpack(f, "<Q"))  # type: ignore[call-overload]
    if size > _MAX_STRING:
        raise GgufError("the header holds an impossibly long text (not a GGUF model?)")
    return _read(f, size).decode("utf-8", errors="replace")


def _skip_value(f: BinaryIO, kind: int, depth: int = 0) -> None:
    if kind in _FIXED:
        f.seek(struct.calcsize(_FIXED[kind]), 1)
    elif kind == _STRING:
        f.seek(int(_unpack(f, "<Q")), 1)  # type: ignore[call-overload]
    elif kind == _ARRAY:
        if depth >= _MAX_NESTING:  # a real header nests an array or two; thousands would overflow the stack
            raise GgufError("the header nests arrays too deeply (not a GGUF model?)")
        item, count = int(_unpack(f, "<I")), int(_unpack(f, "<Q"))  # type: ignore[call-overload]
        if item in _FIXED:
            f.seek(struct.calcsize(_FIXED[item]) * count, 1)
        else:
            for _ in range(count):
                _skip_value(f, item, depth + 1)
    else:
        raise GgufError(f"the header has a value of unknown type {kind}")


def _value(f: BinaryIO, kind: int) -> object:
    if kind in _FIXED:
        return _unpack(f, _FIXED[kind])
    if kind == _STRING:
        return _string(f)
    _skip_value(f, kind)
    return None


def read_metadata(path: str | Path, wanted: Callable[[str], bool] = lambda key: True) -> dict[str, object]:
    """The header's scalar and text values whose key ``wanted`` accepts (arrays are skipped)."""
    try:
        # Non-blocking open of a regular file only: a team file may name a FIFO or a device.
        with os.fdopen(open_regular(path), "rb") as f:
            if f.read(4) != _MAGIC:
                raise GgufError("not a GGUF file (it does not begin with 'GGUF')")
            version = int(_unpack(f, "<I"))  # type: ignore[call-overload]
            if version < 2:
                raise GgufError(f"GGUF version {version} is too old; convert the model again")
            _unpack(f, "<Q")  # tensor count
            keys = int(_unpack(f, "<Q"))  # type: ignore[call-overload]
            if keys > _MAX_KEYS:
                raise GgufError("the header claims too many keys (not a GGUF model?)")
            out: dict[str, object] = {}
            for _ in range(keys):
                key = _string(f)
                kind = int(_unpack(f, "<I"))  # type: ignore[call-overload]
                if wanted(key):
                    value = _value(f, kind)
                    if value is not None:
                        out[key] = value
                else:
                    _skip_value(f, kind)
            return out
    except OSError as exc:
        raise GgufError(exc.strerror or str(exc)) from None


def read_info(path: str | Path) -> GgufInfo:
    """Architecture, name, context length and chat template of a GGUF file."""
    meta = read_metadata(path, lambda key: key.startswith("general.") or key.endswith(".context_length")
                         or key == "tokenizer.chat_template")
    arch = str(meta.get("general.architecture", ""))
    context = meta.get(f"{arch}.context_length")
    template = meta.get("tokenizer.chat_template")
    return GgufInfo(
        architecture=arch,
        name=str(meta.get("general.name", "")),
        context_length=int(context) if isinstance(context, int) else None,
        chat_template=template if isinstance(template, str) and template.strip() else None,
    )


def model_file(path: str, base_dir: Path | None) -> Path:
    """Where a model entry's ``path`` points: ``~`` expanded, relative to the team file's folder
    (or, for a team not saved yet, the current folder)."""
    resolved = Path(path).expanduser()
    if not resolved.is_absolute() and base_dir is not None:
        resolved = base_dir / resolved
    return resolved


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a model file, in words, or None; cheap enough for every validation
    (it reads four bytes, not the header)."""
    try:
        # Validation runs on every open: a FIFO or device named by a team file must not block it.
        with os.fdopen(open_regular(path), "rb") as f:
            magic = f.read(4)
    except FileNotFoundError:
        return f"model file not found: {path}"
    except IsADirectoryError:
        return f"the model path is a folder, not a GGUF file: {path}"
    except NotRegularFileError as exc:
        if path.is_dir():
            return f"the model path is a folder, not a GGUF file: {path}"
        return f"the model path is not a GGUF file ({exc}): {path}"
    except OSError as exc:
        return f"cannot read the model file {path}: {exc.strerror or exc}"
    if magic != _MAGIC:
        return f"not a GGUF model file: {path}"
    return None


def path_for_file(chosen: str | Path, base_dir: Path | None) -> str:
    """How a chosen model file is written into the team file: relative to the team file's folder
    when it is inside it (the team and its model then move together), ``~/...`` under the home
    folder (the same file on a teammate's machine), else absolute."""
    path = Path(chosen).expanduser().absolute()
    for root, prefix in ((base_dir, ""), (Path.home(), "~/")):
        if root is None:
            continue
        try:
            return prefix + path.relative_to(root.absolute()).as_posix()
        except ValueError:
            continue
    return str(path)


def with_file_resolved(model: ModelSpec, base_dir: Path | None) -> ModelSpec:
    """``model`` with its ``path`` made absolute, for work that does not know the team file's
    folder (a connection test runs the entry on its own)."""
    if model.path is None:
        return model
    return model.model_copy(update={"path": str(model_file(model.path, base_dir))})
