"""``read_text_file`` / ``write_text_file``: text files inside the run's workspace folder only.

The model chooses the path, so every path is treated as hostile: absolute paths, drive
letters, ``..`` and symlinks that lead out of the workspace are refused, and sizes are capped.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..safefile import NotRegularFileError, open_regular

DEFAULT_MAX_BYTES = 1_000_000
#: Upper bound for the ``max_bytes`` option: a team file cannot lift the cap arbitrarily.
MAX_BYTES_LIMIT = 20_000_000


class WorkspaceError(ValueError):
    """A path or size the workspace refuses; the message tells the model what to do instead."""


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve(strict=False).is_relative_to(root)
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        return False


class WorkspaceFiles:
    """Reads and writes UTF-8 text below ``root``; nothing outside it is reachable."""

    def __init__(self, root: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(root).resolve(strict=True)
        self.max_bytes = max(1, min(int(max_bytes), MAX_BYTES_LIMIT))

    def resolve(self, path: str) -> Path:
        """The absolute path for a workspace-relative ``path``, or WorkspaceError."""
        text = path.strip() if isinstance(path, str) else ""
        if not text:
            raise WorkspaceError("give a file path relative to the workspace, e.g. 'notes.txt'")
        if "\0" in text:
            raise WorkspaceError("the path contains a NUL character")
        posix, windows = PurePosixPath(text), PureWindowsPath(text)
        if posix.is_absolute() or windows.is_absolute() or windows.drive or text.startswith(("~", "\\")):
            raise WorkspaceError(f"{path!r} is an absolute path: give a path relative to the workspace folder")
        parts = [p for p in text.replace("\\", "/").split("/") if p not in ("", ".")]
        if ".." in parts:
            raise WorkspaceError(f"{path!r} leaves the workspace: '..' is not allowed")
        if not parts:
            raise WorkspaceError(f"{path!r} names the workspace itself, not a file")
        target = self.root.joinpath(*parts)
        # resolve() follows every symlink on the way; the result must still be inside the root.
        if not _inside(target, self.root):
            raise WorkspaceError(f"{path!r} leads outside the workspace (through a symbolic link)")
        return target

    def read_text_file(self, path: str) -> str:
        target = self.resolve(path)
        try:
            # Not blocking on a FIFO, not following a final symlink, and not reading a hard link
            # whose other name lies outside the workspace: all checked on the opened descriptor.
            fd = open_regular(target, follow_links=False, single_link=True)
        except FileNotFoundError:
            raise WorkspaceError(f"no file {path!r} in the workspace{self._listing()}") from None
        except NotRegularFileError as exc:
            raise WorkspaceError(f"cannot read {path!r}: {exc}") from None
        except OSError as exc:
            raise WorkspaceError(f"cannot read {path!r}: {self._reason(exc)}") from None
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if info.st_size > self.max_bytes:
                raise WorkspaceError(f"{path!r} has {info.st_size} bytes, more than the limit of {self.max_bytes}")
            data = handle.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise WorkspaceError(f"{path!r} is larger than the limit of {self.max_bytes} bytes")
        return data.decode("utf-8", errors="replace")

    def write_text_file(self, path: str, content: str) -> str:
        data = content.encode("utf-8")
        if len(data) > self.max_bytes:
            raise WorkspaceError(f"the content has {len(data)} bytes, more than the limit of {self.max_bytes}")
        target = self.resolve(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Checked again after mkdir: a parent could have been a link created meanwhile.
        if not _inside(target.parent, self.root):
            raise WorkspaceError(f"{path!r} leads outside the workspace")
        try:
            # No O_TRUNC here: an existing file is emptied only after the opened descriptor proved
            # to be a regular file with a single link (a hard link's data may belong outside).
            fd = open_regular(target, os.O_WRONLY | os.O_CREAT, 0o644, follow_links=False, single_link=True)
        except NotRegularFileError as exc:
            raise WorkspaceError(f"{path!r} exists and cannot be replaced: {exc}") from None
        except OSError as exc:
            raise WorkspaceError(f"cannot write {path!r}: {self._reason(exc)}") from None
        with os.fdopen(fd, "wb") as handle:
            handle.truncate(0)
            handle.write(data)
        return f"wrote {len(data)} bytes to {target.relative_to(self.root).as_posix()}"

    @staticmethod
    def _reason(exc: OSError) -> str:
        if exc.errno == errno.ELOOP:  # what O_NOFOLLOW gives for a final symlink
            return "it is a symbolic link; only regular files are used"
        if exc.errno == errno.ENXIO:  # a FIFO opened for writing without a reader
            return "it is a named pipe (FIFO), not a regular file"
        return exc.strerror or str(exc)

    def _listing(self, limit: int = 20) -> str:
        names = sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
        if not names:
            return " (the workspace is empty)"
        more = f", … ({len(names) - limit} more)" if len(names) > limit else ""
        return f" (files: {', '.join(names[:limit])}{more})"


# --- the signatures the model sees; the runtime binds them to a WorkspaceFiles -----------


def read_text_file(path: str) -> str:
    """Read a UTF-8 text file from the run's workspace folder.

    Args:
        path: The file's path relative to the workspace folder, e.g. 'notes.txt' or 'data/input.csv'.
    """
    raise RuntimeError("read_text_file runs only inside a run, which provides the workspace")


def write_text_file(path: str, content: str) -> str:
    """Write (or replace) a UTF-8 text file in the run's workspace folder.

    Args:
        path: The file's path relative to the workspace folder; missing folders are created.
        content: The text to write.
    """
    raise RuntimeError("write_text_file runs only inside a run, which provides the workspace")
