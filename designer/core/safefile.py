"""Opening files named by users or models without blocking on them or being fooled by links.

A path can name a FIFO (opening it waits for a writer forever), a device (``/dev/zero``
never ends), a directory, a symlink loop, or a hard link to a file somewhere else. Every
reader here opens without blocking, then checks what the *opened descriptor* is, so a
path swapped between a check and the open cannot slip through.
"""

from __future__ import annotations

import os
import stat

#: Absent on Windows, where FIFOs do not appear in the file system and links are rare.
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_NOCTTY = getattr(os, "O_NOCTTY", 0)
O_BINARY = getattr(os, "O_BINARY", 0)


class NotRegularFileError(OSError):
    """The path exists but is not a plain file (a folder, FIFO, device, socket or hard link)."""


def kind_of(mode: int) -> str:
    """'a folder', 'a named pipe (FIFO)' ...: what a non-regular file is, for messages."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def open_regular(path: str | os.PathLike[str], flags: int = os.O_RDONLY, mode: int = 0o644, *,
                 follow_links: bool = True, single_link: bool = False) -> int:
    """A descriptor for ``path`` that is known to be a regular file; the caller closes it.

    O_NONBLOCK keeps a FIFO or device from blocking the open itself (it has no effect on
    regular files); the fstat of the opened descriptor is the check that counts.
    ``single_link`` refuses a file with more than one hard link: its other name may be
    outside the folder the caller confines itself to.
    """
    extra = O_NONBLOCK | O_NOCTTY | O_BINARY | (0 if follow_links else O_NOFOLLOW)
    fd = os.open(path, flags | extra, mode)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(f"it is {kind_of(info.st_mode)}, not a regular file")
        if single_link and info.st_nlink != 1:
            raise NotRegularFileError(f"it has {info.st_nlink} hard links; only files with a single link are used")
        if O_NONBLOCK:
            # Blocking again for the real I/O: non-blocking mode only guarded the open.
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular_file(path: str | os.PathLike[str], limit: int, *, follow_links: bool = True,
                      single_link: bool = False) -> bytes:
    """Up to ``limit + 1`` bytes of a regular file (one more than allowed, so callers can tell it
    is too large). Raises OSError (NotRegularFileError for FIFOs, folders, devices ...)."""
    fd = open_regular(path, follow_links=follow_links, single_link=single_link)
    with os.fdopen(fd, "rb") as handle:
        return handle.read(limit + 1)


def describe_os_error(exc: OSError) -> str:
    """'Permission denied', 'it is a named pipe (FIFO), not a regular file' ... without the path."""
    if isinstance(exc, NotRegularFileError):
        return str(exc)
    return exc.strerror or str(exc)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (on Windows: assumed so; callers also go by age)."""
    if os.name == "nt":  # os.kill(pid, 0) would send CTRL_C_EVENT there: go by age alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists, owned by someone else
    return True


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether ``a`` and ``b`` both exist and are one file (through links and other spellings):
    an output that is its own input would destroy what it is made from."""
    try:
        return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
    except OSError:
        return False
