"""The log: one rotating file in the user data folder, secrets masked, optional debug on stderr.

Every module logs to ``logging.getLogger(__name__)`` under the ``designer`` logger; this
module only decides where records go. The file takes everything from DEBUG up (a
swallowed error's traceback is what a bug report needs, and it costs nothing until one
happens); ``--verbose`` adds the same lines on stderr, plus the AutoGen libraries' own
logs. Every handler installed here masks the secrets this process resolved
(:mod:`designer.core.masking`) in the message, its arguments and any traceback, so a
server that echoes a key in an error never puts it in the file.

Qt-free and cheap to import (the window's cold start is measured): ``logging.handlers``
is imported only when the file handler is made.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from .masking import redact
from .paths import data_dir

LOG_FOLDER = "logs"
LOG_NAME = "team-designer.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
#: The process id tells the window's lines from a command line run's: both may write the file.
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
#: The libraries whose logs ``--verbose`` shows (the runner quiets them otherwise).
LIBRARY_LOGGERS = ("autogen_core", "autogen_agentchat", "autogen_ext")
#: Read by designer.runtime.runner: set, it leaves the libraries' log levels alone.
DEBUG_ENV = "TEAM_DESIGNER_DEBUG"

_MARK = "_team_designer_handler"  # on handlers installed here, so a second setup replaces them


def log_path() -> Path:
    """The log file: ``<data folder>/logs/team-designer.log`` (backups ``.1`` … ``.3`` beside it)."""
    return data_dir() / LOG_FOLDER / LOG_NAME


class SecretFilter(logging.Filter):
    """Masks every secret this process knows in a record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = f"{record.msg!r} % {record.args!r}"
        # Formatting once here means the arguments never reach a handler unmasked.
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FORMATTER = logging.Formatter(FORMAT)


def _install(logger: logging.Logger, handler: logging.Handler, level: int) -> None:
    handler.setLevel(level)
    handler.setFormatter(_FORMATTER)
    handler.addFilter(SecretFilter())
    setattr(handler, _MARK, True)
    logger.addHandler(handler)


def close_logging() -> None:
    """Remove and close every handler :func:`setup_logging` installed."""
    for name in ("designer", *LIBRARY_LOGGERS):
        logger = logging.getLogger(name)
        for handler in [h for h in logger.handlers if getattr(h, _MARK, False)]:
            logger.removeHandler(handler)
            handler.close()  # shared by several loggers: closing twice is harmless


def _file_handler(path: Path) -> logging.Handler:
    from logging.handlers import RotatingFileHandler  # only when a file is wanted: keeps start-up light

    path.parent.mkdir(parents=True, exist_ok=True)
    return RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")


def setup_logging(verbose: bool = False, *, to_file: bool = True, warn: bool = True,
                  path: Path | None = None) -> Path | None:
    """Send the ``designer`` loggers to the log file (and, ``verbose``, to stderr at DEBUG).

    Returns the file in use, or None when there is none: a folder that cannot be written
    costs the file, never the command (``warn``: say so once on stderr; the window passes
    False and its Show log dialog says it instead). Calling it again replaces the handlers.
    """
    close_logging()
    designer = logging.getLogger("designer")
    designer.setLevel(logging.DEBUG)
    file_handler: logging.Handler | None = None
    target = path or log_path()
    if to_file:
        try:
            file_handler = _file_handler(target)
        except OSError as exc:
            if warn:
                print(f"team-designer: no log file ({target.parent} cannot be written: {exc.strerror or exc})",
                      file=sys.stderr)
        else:
            _install(designer, file_handler, logging.DEBUG)
    if verbose:
        # The runner quiets the libraries unless this is set; the run starts after us.
        os.environ[DEBUG_ENV] = "1"
        stderr = logging.StreamHandler(sys.stderr)
        _install(designer, stderr, logging.DEBUG)
        for name in LIBRARY_LOGGERS:
            # Their DEBUG is every message of every agent; INFO says what happened.
            library = logging.getLogger(name)
            library.setLevel(logging.INFO)
            # The same handler objects: one rotating handler per file, or they rotate it under each other.
            library.addHandler(stderr)
            if file_handler is not None:
                library.addHandler(file_handler)
    if not designer.handlers:
        # No file and not verbose: warnings stay quiet instead of reaching Python's stderr fallback.
        null = logging.NullHandler()
        setattr(null, _MARK, True)
        designer.addHandler(null)
    return target if file_handler is not None else None


def read_tail(path: Path, max_bytes: int = 64_000) -> str:
    """The end of the log file as text (whole lines, masked again with this process's
    secrets); empty when the file does not exist or cannot be read."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - max_bytes))
            data = handle.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    if size > max_bytes:
        text = text.partition("\n")[2]  # the first line was cut in the middle
    return redact(text)
