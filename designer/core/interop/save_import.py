"""Writing an :class:`ImportedTeam`: tool modules, keys, then the team file, then its check.

Order matters for what is left behind when something fails: the tool modules go first (a
module already there with the same text is reused; one with other text is never overwritten:
the new one takes another name and the tool's reference follows), keys go to the keyring
(:func:`designer.core.secrets.store_key`: the file gets ``keyring:NAME``, or without a keyring
``env:VAR`` and a note naming the variable), the YAML is written atomically, and
:func:`designer.core.validate.validate_file` must pass on the written file. When it does not,
the file and the modules this call wrote are removed again and InteropError says why.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from pathlib import Path
from typing import Any, Callable

from ..safefile import describe_os_error
from ..secrets import StoredKey, store_key
from ..spec import TeamSpec
from ..teamfile import atomic_write, file_name_for, save_team
from ..tool_introspect import TOOLS_FOLDER
from ..validate import validate_file
from . import ImportedTeam, InteropError, Note, TeamEntry


def default_out_path(entry: TeamEntry, folder: str | Path) -> Path:
    """Where a team is written when the user names no file: its name as a file name in ``folder``."""
    return Path(folder) / file_name_for(entry.label)


def save_import(team: ImportedTeam, out: str | Path, *, overwrite: bool = False,
                store: Callable[..., StoredKey] = store_key) -> list[Note]:
    """Write ``team`` to ``out`` (tool modules into ``tools/`` beside it); the notes of the import
    and of the writing. InteropError: ``out`` exists (without ``overwrite``), cannot be written,
    or the written team does not validate (then nothing this call wrote is left, and an existing
    ``out`` is as it was)."""
    out = Path(out)
    if out.exists() and not overwrite:
        raise InteropError(f"{out} already exists; choose another name or overwrite it (--force)")
    if out.exists() and not out.is_file():
        raise InteropError(f"{out} is not a regular file")
    if not out.parent.is_dir():
        raise InteropError(f"the folder {out.parent} does not exist")
    data = copy.deepcopy(team.data)
    notes = list(team.notes)
    written: list[Path] = []
    try:
        _write_modules(team, out.parent / TOOLS_FOLDER, data, notes, written)
        _store_keys(team, data, notes, store)
        try:
            spec = TeamSpec.model_validate(data)
        except ValueError as exc:
            raise InteropError(f"the imported team is not a valid team file ({type(exc).__name__})") from None
        # Checked under a temporary name beside the target (the same folder, so tools/ is found),
        # then renamed over it: a refused import leaves an existing file as it was.
        temp = out.parent / f".{out.name}.import-{os.getpid()}.yaml"
        written.append(temp)
        save_team(spec, temp)
        result = validate_file(temp)
        errors = [p for p in result.problems if p.is_error]
        if result.spec is None or errors:
            first = dataclasses.replace(errors[0], file=str(out)).format() if errors else "it cannot be read back"
            raise InteropError(f"the imported team does not validate: {first}")
        os.replace(temp, out)
        written.remove(temp)
    except OSError as exc:
        _remove(written)
        raise InteropError(f"cannot write {exc.filename or out}: {describe_os_error(exc)}") from None
    except BaseException:
        _remove(written)
        raise
    return notes


def _write_modules(team: ImportedTeam, folder: Path, data: dict[str, Any], notes: list[Note], written: list[Path]) -> None:
    if not team.tool_modules:
        return
    folder.mkdir(exist_ok=True)
    taken = {p.stem for p in folder.glob("*.py")}
    for file_name, text in team.tool_modules.items():
        stem = file_name.removesuffix(".py")
        name, n = stem, 2
        while (folder / f"{name}.py").exists() and (folder / f"{name}.py").read_text("utf-8", "replace") != text:
            name, n = f"{stem}_{n}", n + 1  # someone's module of that name: never overwritten
        target = folder / f"{name}.py"
        if name != stem:
            _rename_module(data, stem, name)
            notes.append(Note("changed", f"tools/{stem}.py already exists with other code: the tool module is "
                                         f"tools/{name}.py"))
        if target.exists():
            notes.append(Note("info", f"tool module tools/{name}.py is already there with the same code"))
            continue
        atomic_write(target, text)
        written.append(target)
        taken.add(name)
        notes.append(Note("info", f"tool module tools/{name}.py written: trust the team before it runs"))


def _rename_module(data: dict[str, Any], old: str, new: str) -> None:
    for tool in (data.get("tools") or {}).values():
        module, _, function = str(tool.get("function") or "").partition(":")
        if module == old:
            tool["function"] = f"{new}:{function}"


def _store_keys(team: ImportedTeam, data: dict[str, Any], notes: list[Note], store: Callable[..., StoredKey]) -> None:
    """Each key into the keyring once (several models may share it), as oai_config does."""
    by_value: dict[str, StoredKey] = {}
    claimed: set[str] = set()
    for key in team.keys:
        stored = by_value.get(key.value)
        if stored is None:
            variable = key.env_var if key.env_var not in claimed else f"{key.model_id.upper()}_API_KEY"
            stored = store(key.model_id, key.value, env_var=variable)
            by_value[key.value] = stored
            if stored.env_var:
                claimed.add(stored.env_var)
            if stored.in_keyring:
                notes.append(Note("key", f"{key.model_id}: stored in the system keyring; the file refers to {stored.ref}"))
            else:
                notes.append(Note("key", f"{key.model_id}: the key was not saved (no usable keyring here); the file "
                                         f"refers to {stored.ref}: set {stored.env_var} before running"))
        data["models"][key.model_id]["api_key"] = stored.ref


def _remove(paths: list[Path]) -> None:
    for path in reversed(paths):
        try:
            os.unlink(path)
        except OSError:
            pass
