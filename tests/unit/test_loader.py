"""Tool modules are imported from exactly the files the user trusted, never from whatever else the folder holds."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from designer.core.tool_introspect import ToolLocations, local_dependencies, resolve_module, sha256_file
from designer.runtime.loader import ToolSetupError, forget_tool_modules, load_function


@pytest.fixture
def tools(tmp_path: Path):
    folder = tmp_path / "tools"
    folder.mkdir()
    yield folder
    forget_tool_modules()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def locations(folder: Path) -> ToolLocations:
    return ToolLocations(extra_folders=(folder,))


def test_a_package_beside_the_listed_module_never_runs(tools: Path, tmp_path: Path):
    marker = tmp_path / "package_ran"
    write(tools / "helper.py", "def f() -> str:\n    return 'listed file'\n")
    write(tools / "helper" / "__init__.py", f"open({str(marker)!r}, 'w').write('x')\ndef f() -> str:\n    return 'hidden'\n")
    source = resolve_module("helper:f", locations(tools))
    assert [p.name for p in local_dependencies(source)] == ["helper.py"]  # what trust lists
    assert load_function("helper:f", locations(tools))() == "listed file"
    assert not marker.exists()


def test_a_file_named_like_a_python_module_never_stands_in_for_it(tools: Path, tmp_path: Path):
    # A standard module this process has not imported yet (other tests, Ray's among them, import some).
    name = next((m for m in ("colorsys", "wave", "netrc", "tabnanny", "sched") if m not in sys.modules), None)
    assert name is not None, "pick a standard module this process has not imported yet"
    marker = tmp_path / "shadow_ran"
    write(tools / f"{name}.py", f"open({str(marker)!r}, 'w').write('x')\n")
    write(tools / "good.py", f"import {name}\n\ndef f() -> str:\n    return {name}.__file__\n")
    origin = load_function("good:f", locations(tools))()
    assert not marker.exists() and not origin.startswith(str(tools))


def test_local_modules_load_from_the_manifest_even_lazily(tools: Path):
    write(tools / "util.py", "def double(x: int) -> int:\n    return 2 * x\n")
    write(tools / "calc.py", "def f(x: int) -> int:\n    import util  # imported when the tool is called\n    return util.double(x)\n")
    assert load_function("calc:f", locations(tools))(21) == 42


def test_a_file_changed_after_it_was_trusted_is_refused(tools: Path):
    module = write(tools / "mod.py", "def f() -> int:\n    return 1\n")
    approved = {str(module.resolve()): sha256_file(module)}
    module.write_text("def f() -> int:\n    return 2  # edited after the trust question\n")
    with pytest.raises(ToolSetupError, match="changed after you trusted it"):
        load_function("mod:f", locations(tools), approved)
    approved = {str(module.resolve()): sha256_file(module)}
    assert load_function("mod:f", locations(tools), approved)() == 2
